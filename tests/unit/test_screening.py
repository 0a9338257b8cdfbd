"""Scoring a screening: positive rules, safety score, refusals, answer checks, need mapping."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest

from referral.screening import (
    InvalidAnswers,
    Need,
    ScreeningResult,
    UnknownInstrument,
    instrument,
    instrument_ids,
    score,
    validate,
)

CORE = "ahc-hrsn-core"
FULL = "ahc-hrsn"
HVS = "hunger-vital-sign"
AHC = (CORE, FULL)

LIVING, HOUSING, FOOD_WORRY, FOOD_LAST = "71802-3", "96778-6", "88122-7", "88123-5"
TRANSPORT, UTILITY, MONEY, WORK = "93030-5", "96779-4", "76513-1", "96780-2"
SAFETY = ("95618-5", "95617-7", "95616-9", "95615-1")
CORE_QUESTIONS = [LIVING, HOUSING, FOOD_WORRY, FOOD_LAST, TRANSPORT, UTILITY, *SAFETY]

OFTEN, SOMETIMES, NEVER, REFUSED = "LA28397-0", "LA6729-3", "LA28398-8", "LA15775-2"
YES, NO, SHUT_OFF = "LA33-6", "LA32-8", "LA32002-0"
LACK_OF_HEAT, NONE_OF_THE_ABOVE = "LA31998-0", "LA9-3"
HOUSING_PROBLEMS = [
    "LA31996-4",
    "LA28580-1",
    "LA31997-2",
    LACK_OF_HEAT,
    "LA31999-8",
    "LA32000-4",
    "LA32001-2",
]
POINTS = {1: "LA6270-8", 2: "LA10066-1", 3: "LA10082-8", 4: "LA16644-9", 5: "LA6482-9"}

CORE_POSITIVE = [
    (LIVING, "LA31994-9", "housing-instability"),
    (LIVING, "LA31995-6", "homelessness"),
    *[(HOUSING, [code], "inadequate-housing") for code in HOUSING_PROBLEMS],
    (FOOD_WORRY, OFTEN, "food-insecurity"),
    (FOOD_WORRY, SOMETIMES, "food-insecurity"),
    (FOOD_LAST, OFTEN, "food-insecurity"),
    (FOOD_LAST, SOMETIMES, "food-insecurity"),
    (TRANSPORT, YES, "transportation-insecurity"),
    (UTILITY, YES, "utility-insecurity"),
    (UTILITY, SHUT_OFF, "utility-insecurity"),
]
SUPPLEMENTAL_POSITIVE = [
    (MONEY, "LA15832-1", "financial-strain"),
    (MONEY, "LA22683-9", "financial-strain"),
    (WORK, "LA31981-6", "employment"),
    (WORK, "LA31982-4", "employment"),
]
CORE_NEGATIVE = [
    (LIVING, "LA31993-1"),
    (HOUSING, [NONE_OF_THE_ABOVE]),
    (HOUSING, NONE_OF_THE_ABOVE),
    (FOOD_WORRY, NEVER),
    (FOOD_LAST, NEVER),
    (TRANSPORT, NO),
    (UTILITY, NO),
    *[(code, POINTS[points]) for code in SAFETY for points in POINTS],
]
SUPPLEMENTAL_NEGATIVE = [(MONEY, "LA31980-8"), (WORK, "LA31983-2")]


def safety_answers(*points: int) -> dict[str, str]:
    """Answers to the four safety items worth `points` each, in item order."""
    return {code: POINTS[value] for code, value in zip(SAFETY, points, strict=True)}


def all_negative(instrument_id: str) -> dict[str, str | list[str]]:
    """An answer to every question of an AHC instrument, none of them positive."""
    answers: dict[str, str | list[str]] = {
        LIVING: "LA31993-1",
        HOUSING: [NONE_OF_THE_ABOVE],
        FOOD_WORRY: NEVER,
        FOOD_LAST: NEVER,
        TRANSPORT: NO,
        UTILITY: NO,
        **safety_answers(1, 1, 1, 1),
    }
    if instrument_id == FULL:
        answers.update(dict(SUPPLEMENTAL_NEGATIVE))
    return answers


# Positive and negative answers


@pytest.mark.parametrize("instrument_id", AHC)
@pytest.mark.parametrize(("question", "answer", "domain"), CORE_POSITIVE)
def test_each_positive_core_answer_makes_exactly_its_domain_positive(
    instrument_id: str, question: str, answer: str | list[str], domain: str
) -> None:
    """Every positive answer of screening.md turns on its own domain and no other."""
    result = score(instrument_id, {question: answer})
    assert result.positive_domains == [domain]
    assert [need.domain for need in result.needs] == [domain]


@pytest.mark.parametrize(("question", "answer", "domain"), SUPPLEMENTAL_POSITIVE)
def test_each_positive_supplemental_answer_makes_exactly_its_domain_positive(
    question: str, answer: str, domain: str
) -> None:
    """Financial strain (very or somewhat hard) and employment (wants help) are positive."""
    assert score(FULL, {question: answer}).positive_domains == [domain]


@pytest.mark.parametrize("instrument_id", AHC)
@pytest.mark.parametrize(("question", "answer"), CORE_NEGATIVE)
def test_each_negative_core_answer_makes_no_domain_positive(
    instrument_id: str, question: str, answer: str | list[str]
) -> None:
    """A steady home, none of the above, never true, no, and any one safety item alone."""
    result = score(instrument_id, {question: answer})
    assert result.positive_domains == []
    assert result.needs == []


@pytest.mark.parametrize(("question", "answer"), SUPPLEMENTAL_NEGATIVE)
def test_each_negative_supplemental_answer_makes_no_domain_positive(
    question: str, answer: str
) -> None:
    """Not hard at all to pay for basics, and not wanting help with work, are negative."""
    assert score(FULL, {question: answer}).positive_domains == []


@pytest.mark.parametrize("instrument_id", AHC)
def test_a_fully_negative_screen_has_no_needs_and_nothing_unanswered(instrument_id: str) -> None:
    """Every question answered, none positive: no domains, lowest safety score 4."""
    result = score(instrument_id, all_negative(instrument_id))
    assert result.positive_domains == []
    assert result.unanswered == []
    assert result.safety_score == 4
    assert result.clinician_review is False


def test_several_housing_problems_are_one_inadequate_housing_domain() -> None:
    """Choosing many problems still gives a single inadequate-housing need."""
    result = score(CORE, {HOUSING: HOUSING_PROBLEMS})
    assert result.positive_domains == ["inadequate-housing"]
    assert len(result.needs) == 1


def test_both_food_items_positive_give_one_food_need() -> None:
    """Food insecurity is one domain however many of its two items are positive."""
    result = score(CORE, {FOOD_WORRY: OFTEN, FOOD_LAST: SOMETIMES})
    assert result.positive_domains == ["food-insecurity"]


# Safety


@pytest.mark.parametrize(
    ("points", "positive"),
    [
        ((1, 1, 1, 1), False),
        ((3, 3, 2, 2), False),
        ((2, 2, 3, 3), False),
        ((5, 3, 1, 1), False),
        ((1, 1, 3, 5), False),
        ((1, 4, 4, 1), False),
        ((3, 3, 3, 2), True),
        ((2, 3, 3, 3), True),
        ((5, 4, 1, 1), True),
        ((1, 1, 5, 4), True),
        ((5, 1, 1, 4), True),
        ((5, 5, 5, 5), True),
    ],
)
def test_safety_is_positive_from_a_score_of_eleven(points: tuple[int, ...], positive: bool) -> None:
    """The sum of the four safety items: 10 is negative, 11 is positive, wherever the points."""
    result = score(CORE, safety_answers(*points))
    assert result.safety_score == sum(points)
    assert ("interpersonal-safety" in result.positive_domains) is positive
    assert result.clinician_review is positive


def test_safety_score_is_the_sum_for_every_combination_of_answers() -> None:
    """All 625 combinations: score is the sum, positive exactly when it is 11 or more."""
    for points in itertools.product(POINTS, repeat=4):
        result = score(FULL, safety_answers(*points))
        assert result.safety_score == sum(points), points
        assert result.positive_domains == (["interpersonal-safety"] if sum(points) >= 11 else [])


@pytest.mark.parametrize("missing", SAFETY)
def test_safety_needs_all_four_items_answered(missing: str) -> None:
    """Three items at the highest points (15) are no score and not positive without the fourth."""
    answers = safety_answers(5, 5, 5, 5)
    del answers[missing]
    result = score(CORE, answers)
    assert result.safety_score is None
    assert result.positive_domains == []
    assert result.clinician_review is False
    assert result.unanswered == [code for code in CORE_QUESTIONS if code not in answers]


@pytest.mark.parametrize("answered", range(4))
def test_fewer_than_four_safety_items_give_no_safety_score(answered: int) -> None:
    """Zero to three safety items answered: the safety score is None."""
    answers = dict(list(safety_answers(5, 5, 5, 5).items())[:answered])
    assert score(FULL, answers).safety_score is None


def test_a_positive_safety_screen_goes_to_a_clinician_without_a_z_code() -> None:
    """Safety maps to the safety need, no Z code, the unspecified category, clinician review."""
    result = score(CORE, safety_answers(5, 5, 1, 1))
    assert result.needs == [Need("interpersonal-safety", "safety", [], "sdoh-category-unspecified")]
    assert result.clinician_review is True
    rule = instrument(CORE).domain("interpersonal-safety")
    assert rule is not None and rule.clinician_review is True


def test_other_positive_domains_do_not_need_clinician_review() -> None:
    """Only the safety domain sends the screening to a clinician."""
    result = score(FULL, {LIVING: "LA31995-6", FOOD_WORRY: OFTEN, MONEY: "LA15832-1"})
    assert result.clinician_review is False


def test_instrument_without_safety_items_has_no_safety_score() -> None:
    """The Hunger Vital Sign has no safety items, so its safety score is None."""
    assert score(HVS, {FOOD_WORRY: NEVER, FOOD_LAST: NEVER}).safety_score is None


# Hunger Vital Sign and refusals

HVS_ANSWERS = [None, OFTEN, SOMETIMES, NEVER, REFUSED]


@pytest.mark.parametrize(("worry", "last"), list(itertools.product(HVS_ANSWERS, repeat=2)))
def test_hunger_vital_sign_is_positive_when_either_item_is_often_or_sometimes_true(
    worry: str | None, last: str | None
) -> None:
    """At risk when either item is often or sometimes true; never, refused or unanswered is not."""
    answers = {code: value for code, value in ((FOOD_WORRY, worry), (FOOD_LAST, last)) if value}
    result = score(HVS, answers)
    positive = bool({worry, last} & {OFTEN, SOMETIMES})
    assert result.positive_domains == (["food-insecurity"] if positive else [])


def test_refusals_are_recorded_as_refused_not_as_no() -> None:
    """Don't know/refused is not positive, is listed as refused, and is not unanswered."""
    result = score(HVS, {FOOD_WORRY: REFUSED, FOOD_LAST: REFUSED})
    assert result.positive_domains == []
    assert result.refused == [FOOD_WORRY, FOOD_LAST]
    assert result.unanswered == []


def test_one_refusal_does_not_hide_the_other_item() -> None:
    """A refused item and a sometimes-true item: positive, one refusal recorded."""
    result = score(HVS, {FOOD_WORRY: REFUSED, FOOD_LAST: SOMETIMES})
    assert result.positive_domains == ["food-insecurity"]
    assert result.refused == [FOOD_WORRY]


def test_a_never_true_answer_is_not_a_refusal() -> None:
    """Never true is an answer, not a refusal."""
    assert score(HVS, {FOOD_WORRY: NEVER}).refused == []


@pytest.mark.parametrize("instrument_id", AHC)
def test_the_ahc_food_items_offer_no_refusal_answer(instrument_id: str) -> None:
    """LA15775-2 belongs to the Hunger Vital Sign only; the AHC tool rejects it by name."""
    with pytest.raises(InvalidAnswers, match="LA15775-2"):
        score(instrument_id, {FOOD_WORRY: REFUSED})


# Multi-select and single answers


def test_none_of_the_above_alone_is_negative() -> None:
    """Only "None of the above" chosen: inadequate housing is negative."""
    result = score(CORE, {HOUSING: [NONE_OF_THE_ABOVE]})
    assert result.positive_domains == []
    assert result.unanswered == [code for code in CORE_QUESTIONS if code != HOUSING]


@pytest.mark.parametrize("problem", HOUSING_PROBLEMS)
def test_none_of_the_above_with_a_problem_is_refused_by_question(problem: str) -> None:
    """None of the above together with a problem contradicts itself: the question is named."""
    answers = {HOUSING: [problem, NONE_OF_THE_ABOVE]}
    with pytest.raises(InvalidAnswers, match=f"Question {HOUSING}.*None of the above"):
        score(CORE, answers)
    assert len(validate(CORE, answers)) == 1


def test_repeated_codes_in_a_multi_answer_count_once() -> None:
    """The same code twice in a list is one answer, not a contradiction."""
    result = score(CORE, {HOUSING: ["LA28580-1", "LA28580-1"]})
    assert result.answers == {HOUSING: ["LA28580-1"]}


@pytest.mark.parametrize("question", [LIVING, FOOD_WORRY, TRANSPORT, UTILITY, SAFETY[0]])
def test_a_single_answer_question_refuses_several_codes(question: str) -> None:
    """A list of several codes for a one-answer question raises, naming the question."""
    found = instrument(CORE).question(question)
    assert found is not None
    codes = [answer.code for answer in found.answers[:2]]
    with pytest.raises(InvalidAnswers, match=f"Question {question} takes one answer"):
        score(CORE, {question: codes})


def test_a_single_answer_question_accepts_a_list_of_one_code() -> None:
    """A one-code list is the same as the code itself."""
    assert score(CORE, {TRANSPORT: [YES]}) == score(CORE, {TRANSPORT: YES})


@pytest.mark.parametrize("empty", [None, "", []])
def test_an_empty_value_is_an_unanswered_question(empty: object) -> None:
    """None, an empty string and an empty list all leave the question unanswered."""
    result = score(CORE, {TRANSPORT: empty})  # type: ignore[dict-item]
    assert TRANSPORT in result.unanswered
    assert result.positive_domains == []


# Unknown and malformed answers


def test_unknown_instrument_is_named() -> None:
    """An unknown instrument id raises a ValueError naming it and the known ones."""
    with pytest.raises(UnknownInstrument, match=r"'prapare'.*ahc-hrsn, ahc-hrsn-core") as caught:
        score("prapare", {})
    assert isinstance(caught.value, ValueError)


def test_every_unknown_question_code_is_named() -> None:
    """Two unknown question codes: the message names both."""
    with pytest.raises(ValueError) as caught:
        score(CORE, {"12345-6": YES, TRANSPORT: YES, "99999-9": NO})
    assert "12345-6" in str(caught.value)
    assert "99999-9" in str(caught.value)


def test_every_unknown_answer_code_is_named() -> None:
    """Unknown answer codes on two questions and inside a multi list: all are named."""
    answers = {TRANSPORT: "LA0-0", UTILITY: "LA1-1", HOUSING: ["LA28580-1", "LA2-2"]}
    with pytest.raises(InvalidAnswers) as caught:
        score(CORE, answers)
    assert isinstance(caught.value, ValueError)
    for code in ("LA0-0", "LA1-1", "LA2-2"):
        assert code in str(caught.value)
    assert caught.value.problems == validate(CORE, answers)
    assert len(caught.value.problems) == 3


def test_an_answer_code_of_another_question_is_unknown() -> None:
    """ "Already shut off" is an answer of the utility question only."""
    with pytest.raises(InvalidAnswers, match=f"{TRANSPORT} has no answer {SHUT_OFF}"):
        score(CORE, {TRANSPORT: SHUT_OFF})


def test_validate_lists_every_problem_at_once() -> None:
    """Unknown question, unknown answer, several codes and a contradiction: four problems."""
    problems = validate(
        CORE,
        {
            MONEY: "LA15832-1",
            TRANSPORT: "LA0-0",
            LIVING: ["LA31993-1", "LA31994-9"],
            HOUSING: [NONE_OF_THE_ABOVE, "LA28580-1"],
        },
    )
    assert len(problems) == 4
    assert [MONEY in problems[0], "LA0-0" in problems[1]] == [True, True]
    assert LIVING in problems[2]
    assert HOUSING in problems[3]


def test_validate_finds_nothing_wrong_with_good_answers() -> None:
    """A complete, consistent screen has no problems."""
    assert validate(FULL, all_negative(FULL)) == []


@pytest.mark.parametrize("value", [7, {"code": YES}, [YES, 7], True])
def test_an_answer_that_is_not_a_code_or_list_of_codes_is_refused(value: object) -> None:
    """Numbers, objects and mixed lists are refused, naming the question."""
    with pytest.raises(InvalidAnswers, match=f"Question {TRANSPORT}: give an answer code"):
        score(CORE, {TRANSPORT: value})  # type: ignore[dict-item]


def test_answers_that_are_not_a_mapping_are_refused() -> None:
    """A list of codes instead of question → answer pairs is one clear problem."""
    assert validate(CORE, [YES]) == ["The answers must map question codes to answer codes."]  # type: ignore[arg-type]
    with pytest.raises(InvalidAnswers):
        score(CORE, [YES])  # type: ignore[arg-type]


# Instruments and their questions


def test_ahc_hrsn_is_the_core_questions_plus_financial_strain_and_employment() -> None:
    """ahc-hrsn asks the ten core questions, then 76513-1 and 96780-2."""
    assert list(instrument(CORE).question_codes) == CORE_QUESTIONS
    assert list(instrument(FULL).question_codes) == [*CORE_QUESTIONS, MONEY, WORK]


def test_ahc_hrsn_core_rejects_the_supplemental_questions_as_unknown() -> None:
    """The core instrument names both supplemental codes as not part of it."""
    with pytest.raises(InvalidAnswers) as caught:
        score(CORE, {MONEY: "LA15832-1", WORK: "LA31981-6"})
    assert [MONEY in str(caught.value), WORK in str(caught.value)] == [True, True]


@pytest.mark.parametrize("instrument_id", [CORE, FULL, HVS])
def test_empty_answers_are_all_unanswered_and_nothing_positive(instrument_id: str) -> None:
    """No answers: no positives, no needs, no safety score, every question unanswered."""
    result = score(instrument_id, {})
    assert result.positive_domains == []
    assert result.needs == []
    assert result.safety_score is None
    assert result.refused == []
    assert result.clinician_review is False
    assert result.unanswered == list(instrument(instrument_id).question_codes)


def test_positive_domains_follow_the_instrument_order_not_the_answer_order() -> None:
    """Answers given backwards still list domains in the order the instrument declares them."""
    answers = {
        WORK: "LA31982-4",
        MONEY: "LA22683-9",
        **safety_answers(5, 5, 5, 5),
        UTILITY: YES,
        TRANSPORT: YES,
        FOOD_LAST: OFTEN,
        HOUSING: ["LA32001-2"],
        LIVING: "LA31995-6",
    }
    expected = [
        "homelessness",
        "inadequate-housing",
        "food-insecurity",
        "transportation-insecurity",
        "utility-insecurity",
        "interpersonal-safety",
        "financial-strain",
        "employment",
    ]
    result = score(FULL, dict(reversed(answers.items())))
    assert result.positive_domains == expected
    assert [need.domain for need in result.needs] == expected


def test_unanswered_and_answers_follow_the_instrument_order() -> None:
    """Unanswered questions and the recorded answers are listed in question order."""
    result = score(CORE, {UTILITY: NO, LIVING: "LA31993-1"})
    assert list(result.answers) == [LIVING, UTILITY]
    assert result.unanswered == [c for c in CORE_QUESTIONS if c not in (LIVING, UTILITY)]


# Needs, Z codes and categories


@pytest.mark.parametrize(
    ("instrument_id", "answers", "need"),
    [
        (CORE, {LIVING: "LA31994-9"}, ("housing-instability", "housing", ["Z59.819"])),
        (CORE, {LIVING: "LA31995-6"}, ("homelessness", "housing", ["Z59.00"])),
        (CORE, {HOUSING: [LACK_OF_HEAT]}, ("inadequate-housing", "housing", ["Z59.11"])),
        (CORE, {HOUSING: ["LA28580-1"]}, ("inadequate-housing", "housing", ["Z59.19"])),
        (
            CORE,
            {HOUSING: ["LA32001-2", LACK_OF_HEAT, "LA31996-4"]},
            ("inadequate-housing", "housing", ["Z59.11", "Z59.19"]),
        ),
        (CORE, {FOOD_WORRY: OFTEN}, ("food-insecurity", "food", ["Z59.41"])),
        (HVS, {FOOD_LAST: SOMETIMES}, ("food-insecurity", "food", ["Z59.41"])),
        (CORE, {TRANSPORT: YES}, ("transportation-insecurity", "transportation", ["Z59.82"])),
        (CORE, {UTILITY: YES}, ("utility-insecurity", "utilities", ["Z59.861"])),
        (CORE, {UTILITY: SHUT_OFF}, ("utility-insecurity", "utilities", ["Z59.12"])),
        (FULL, {MONEY: "LA15832-1"}, ("financial-strain", "financial", ["Z59.868"])),
        (FULL, {MONEY: "LA22683-9"}, ("financial-strain", "financial", ["Z59.868"])),
        (FULL, {WORK: "LA31981-6"}, ("employment", "employment", ["Z56.0"])),
        (FULL, {WORK: "LA31982-4"}, ("employment", "employment", ["Z56.0"])),
        (FULL, safety_answers(3, 3, 3, 2), ("interpersonal-safety", "safety", [])),
    ],
)
def test_each_positive_domain_maps_to_its_need_and_z_codes(
    instrument_id: str, answers: dict[str, Any], need: tuple[str, str, list[str]]
) -> None:
    """Need key and suggested Z codes per domain, with the lack-of-heat and shut-off variants."""
    domain, need_key, z_codes = need
    (found,) = score(instrument_id, answers).needs
    assert (found.domain, found.need, found.z_codes) == (domain, need_key, z_codes)


@pytest.mark.parametrize(
    ("domain", "category"),
    [
        ("housing-instability", "housing-instability"),
        ("homelessness", "homelessness"),
        ("inadequate-housing", "inadequate-housing"),
        ("food-insecurity", "food-insecurity"),
        ("transportation-insecurity", "transportation-insecurity"),
        ("utility-insecurity", "utility-insecurity"),
        ("interpersonal-safety", "sdoh-category-unspecified"),
        ("financial-strain", "financial-insecurity"),
        ("employment", "employment-status"),
    ],
)
def test_each_domain_maps_to_its_gravity_category(domain: str, category: str) -> None:
    """The Gravity SDOH category of each domain, the same in every instrument that has it."""
    rules = [found.domain(domain) for found in map(instrument, instrument_ids())]
    assert {rule.category for rule in rules if rule is not None} == {category}


def test_need_to_dict_has_exactly_the_contract_keys() -> None:
    """A need serializes as {"domain", "need", "z_codes", "category"}."""
    (need,) = score(CORE, {UTILITY: SHUT_OFF}).needs
    assert need.to_dict() == {
        "domain": "utility-insecurity",
        "need": "utilities",
        "z_codes": ["Z59.12"],
        "category": "utility-insecurity",
    }


def test_result_to_dict_is_json_ready() -> None:
    """The whole result turns into JSON and back without loss."""
    result = score(FULL, {**safety_answers(5, 5, 1, 1), HOUSING: [LACK_OF_HEAT]})
    data = json.loads(json.dumps(result.to_dict()))
    assert data["positive_domains"] == ["inadequate-housing", "interpersonal-safety"]
    assert data["needs"][0] == result.needs[0].to_dict()
    assert data["safety_score"] == 12
    assert data["clinician_review"] is True


def test_score_is_pure() -> None:
    """The same answers give equal results and the answers given are left untouched."""
    answers = {HOUSING: ["LA28580-1", LACK_OF_HEAT], FOOD_WORRY: OFTEN}
    before = copy.deepcopy(answers)
    first = score(CORE, answers)
    assert isinstance(first, ScreeningResult)
    assert score(CORE, answers) == first
    assert answers == before

"""FHIR Questionnaires and QuestionnaireResponses of the screening instruments, and reading back."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from referral.fhir import questionnaires
from referral.fhir.questionnaires import (
    ParsedResponse,
    Problem,
    ResponseProblems,
    answers_from_response,
    canonical_url,
    questionnaire,
    questionnaire_response,
    required_questions,
)
from referral.screening import InvalidAnswers, load_instruments, score

BASE = "https://referral.example.org/fhir"
LOINC = "http://loinc.org"
SDOHCC_HVS = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/Questionnaire/SDOHCC-QuestionnaireHungerVitalSign"
)
INSTRUMENTS = load_instruments()
CORE, FULL, HVS = "ahc-hrsn-core", "ahc-hrsn", "hunger-vital-sign"

LIVING, HOUSING, FOOD_WORRY, FOOD_LAST = "71802-3", "96778-6", "88122-7", "88123-5"
TRANSPORT, UTILITY, MONEY, WORK = "93030-5", "96779-4", "76513-1", "96780-2"
SAFETY = ("95618-5", "95617-7", "95616-9", "95615-1")
OFTEN, SOMETIMES, NEVER, REFUSED = "LA28397-0", "LA6729-3", "LA28398-8", "LA15775-2"
YES, NO, SHUT_OFF = "LA33-6", "LA32-8", "LA32002-0"
PESTS, MOLD, LACK_OF_HEAT, NONE_OF_THE_ABOVE = "LA31996-4", "LA28580-1", "LA31998-0", "LA9-3"
NEVER_HURT, FREQUENTLY = "LA6270-8", "LA6482-9"
RISK, AT_RISK, NO_RISK = "88124-3", "LA19952-3", "LA19983-8"
SAFETY_TOTAL = "95614-4"

CORE_SETS: list[dict[str, Any]] = [
    {
        LIVING: "LA31994-9",
        HOUSING: [LACK_OF_HEAT, PESTS, MOLD],
        FOOD_WORRY: OFTEN,
        FOOD_LAST: NEVER,
        TRANSPORT: YES,
        UTILITY: SHUT_OFF,
        **dict.fromkeys(SAFETY, FREQUENTLY),
    },
    {LIVING: "LA31993-1", HOUSING: [NONE_OF_THE_ABOVE], TRANSPORT: NO, UTILITY: NO},
    {HOUSING: [PESTS], SAFETY[0]: NEVER_HURT, SAFETY[2]: FREQUENTLY},
    {FOOD_LAST: SOMETIMES},
]
ANSWER_SETS: dict[str, list[dict[str, Any]]] = {
    HVS: [
        {FOOD_WORRY: OFTEN, FOOD_LAST: OFTEN},
        {FOOD_WORRY: REFUSED, FOOD_LAST: REFUSED},
        {FOOD_WORRY: NEVER, FOOD_LAST: SOMETIMES},
        {FOOD_LAST: REFUSED},
        {},
    ],
    CORE: CORE_SETS,
    FULL: [
        *CORE_SETS,
        {**CORE_SETS[0], MONEY: "LA15832-1", WORK: "LA31982-4"},
        {MONEY: "LA31980-8", WORK: "LA31983-2", HOUSING: [MOLD]},
    ],
}
CASES = [
    pytest.param(instrument_id, answers, language, id=f"{instrument_id}-{index}-{language}")
    for instrument_id, sets in ANSWER_SETS.items()
    for index, answers in enumerate(sets)
    for language in ("en", "es")
]


@dataclass
class Taken:
    """A stand-in for a stored Screening."""

    instrument: str
    answers: dict[str, Any]
    language: str = "en"
    id: int | None = 7
    created_at: datetime = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    positive_domains: list[str] = field(default_factory=list)


def response_for(instrument_id: str, answers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The QuestionnaireResponse of a screening with `answers`."""
    taken = Taken(instrument_id, answers, **changes)
    return questionnaire_response(taken, INSTRUMENTS[instrument_id], "Patient/12", BASE)


def problems_of(resource: object, **options: Any) -> list[Problem]:
    """The problems answers_from_response reports for `resource` (it must report some)."""
    with pytest.raises(ResponseProblems) as caught:
        answers_from_response(resource, **options)
    return caught.value.problems


def where(problems: list[Problem]) -> list[tuple[str, str]]:
    """The expression and issue type of each problem."""
    return [(problem.expression, problem.code) for problem in problems]


def coded(code: str, system: str = LOINC) -> dict[str, Any]:
    """An answer holding a coding."""
    return {"valueCoding": {"system": system, "code": code}}


def hvs_response(*items: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A minimal Hunger Vital Sign QuestionnaireResponse with `items`."""
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": canonical_url(BASE, HVS),
        "status": "completed",
        "item": list(items),
        **fields,
    }


def linkids(items: list[dict[str, Any]]) -> list[Any]:
    """The linkId tree of items: a linkId, or (linkId, children) for a group."""
    return [(i["linkId"], linkids(i["item"])) if "item" in i else i["linkId"] for i in items]


def definitions(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every item of a Questionnaire at any depth, by linkId."""
    found: dict[str, dict[str, Any]] = {}
    pending = list(resource["item"])
    while pending:
        item = pending.pop(0)
        found[item["linkId"]] = item
        pending.extend(item.get("item", []))
    return found


def spanish(element: dict[str, Any]) -> str:
    """The Spanish translation held in a primitive's extension."""
    (translation,) = element["extension"]
    assert translation["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
    parts = {part["url"]: part for part in translation["extension"]}
    assert parts["lang"]["valueCode"] == "es"
    return parts["content"]["valueString"]


# Questionnaire


@pytest.mark.parametrize("instrument_id", sorted(INSTRUMENTS))
def test_every_questionnaire_is_valid_fhir_r4(instrument_id):
    """fhir.resources accepts each instrument's Questionnaire."""
    resource = questionnaire(INSTRUMENTS[instrument_id], BASE)
    Questionnaire.model_validate(resource)


def test_the_validator_refuses_what_fhir_refuses():
    """The validator is no formality: an item without its type, or an unknown field, fails."""
    broken = questionnaire(INSTRUMENTS[HVS], BASE)
    del broken["item"][0]["type"]
    with pytest.raises(ValidationError):
        Questionnaire.model_validate(broken)
    with pytest.raises(ValidationError):
        Questionnaire.model_validate({**questionnaire(INSTRUMENTS[HVS], BASE), "bogus": 1})


@pytest.mark.parametrize("instrument_id", sorted(INSTRUMENTS))
def test_a_questionnaire_names_its_instrument_panel_and_profile(instrument_id):
    """id, canonical url, SDC profile, a fixed version and date, and the panel code."""
    found = INSTRUMENTS[instrument_id]
    resource = questionnaire(found, BASE + "/")
    assert resource["id"] == instrument_id
    assert resource["url"] == f"{BASE}/Questionnaire/{instrument_id}"
    assert resource["meta"] == {
        "versionId": "1",
        "lastUpdated": questionnaires.INSTRUMENTS_UPDATED,
        "profile": ["http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"],
    }
    assert resource["code"] == [{"system": found.panel_system, "code": found.panel_code}]
    assert resource["identifier"] == [{"system": found.panel_system, "value": found.panel_code}]
    assert resource["status"] == "active" and resource["subjectType"] == ["Patient"]
    assert resource["language"] == "en" and resource["title"] == found.title.en
    assert spanish(resource["_title"]) == found.title.es
    assert questionnaire(found, BASE) == resource


def test_the_panel_codes_are_loinc_and_local_for_the_combined_tool():
    """96777-8 and 88121-9 are LOINC panels; core plus supplemental items is a local panel."""
    codes = {key: questionnaire(found, BASE)["code"][0] for key, found in INSTRUMENTS.items()}
    assert codes[CORE] == {"system": LOINC, "code": "96777-8"}
    assert codes[HVS] == {"system": LOINC, "code": "88121-9"}
    assert codes[FULL]["system"] != LOINC and codes[FULL]["code"].startswith("local-")


@pytest.mark.parametrize("instrument_id", sorted(INSTRUMENTS))
def test_each_question_is_a_loinc_coded_choice_in_english_and_spanish(instrument_id):
    """linkId and code are the LOINC code; options are LOINC answer codings with translations."""
    found = INSTRUMENTS[instrument_id]
    items = definitions(questionnaire(found, BASE))
    for question in found.questions:
        item = items[question.code]
        assert item["code"] == [{"system": LOINC, "code": question.code}]
        assert item["type"] == "choice" and item["repeats"] is question.multiple
        assert item["text"] == question.text.en and spanish(item["_text"]) == question.text.es
        options = [option["valueCoding"] for option in item["answerOption"]]
        assert [(o["system"], o["code"]) for o in options] == [
            (LOINC, answer.code) for answer in question.answers
        ]
        assert [o["display"] for o in options] == [a.text.en for a in question.answers]
        assert [spanish(o["_display"]) for o in options] == [a.text.es for a in question.answers]


def test_the_hunger_vital_sign_ends_with_its_read_only_risk_item():
    """88124-3 Food insecurity risk: read-only, At risk or No risk."""
    resource = questionnaire(INSTRUMENTS[HVS], BASE)
    assert linkids(resource["item"]) == [FOOD_WORRY, FOOD_LAST, RISK]
    risk = resource["item"][-1]
    assert risk["readOnly"] is True and risk["type"] == "choice"
    assert risk["code"] == [{"system": LOINC, "code": RISK}]
    assert [o["valueCoding"]["code"] for o in risk["answerOption"]] == [AT_RISK, NO_RISK]
    assert [o["valueCoding"]["display"] for o in risk["answerOption"]] == ["At risk", "No risk"]


@pytest.mark.parametrize("instrument_id", [CORE, FULL])
def test_the_ahc_safety_questions_are_a_group_with_their_read_only_total(instrument_id):
    """The four safety questions sit in a "safety" group, then the total score 95614-4."""
    found = INSTRUMENTS[instrument_id]
    tree = linkids(questionnaire(found, BASE)["item"])
    others = [q.code for q in found.questions if q.group is None]
    assert tree == [*others[:6], ("safety", [*SAFETY, SAFETY_TOTAL]), *others[6:]]
    total = definitions(questionnaire(found, BASE))[SAFETY_TOTAL]
    assert total["readOnly"] is True and total["type"] == "integer"
    assert RISK not in definitions(questionnaire(found, BASE))


def test_none_of_the_above_excludes_the_other_housing_problems():
    """In the multiple-answer question, "None of the above" carries optionExclusive."""
    item = definitions(questionnaire(INSTRUMENTS[CORE], BASE))[HOUSING]
    exclusive = [
        option["valueCoding"]["code"]
        for option in item["answerOption"]
        if {"url": questionnaires.OPTION_EXCLUSIVE, "valueBoolean": True}
        in option.get("extension", [])
    ]
    assert item["repeats"] is True and exclusive == [NONE_OF_THE_ABOVE]


@pytest.mark.parametrize("instrument_id", sorted(INSTRUMENTS))
def test_no_question_is_required_because_scoring_takes_any_subset(instrument_id):
    """score() scores a screening with any question unanswered, so no item is required."""
    found = INSTRUMENTS[instrument_id]
    assert required_questions(found) == ()
    assert score(instrument_id, {}).unanswered == list(found.question_codes)
    items = definitions(questionnaire(found, BASE))
    assert all(items[code]["required"] is False for code in found.question_codes)


def test_a_question_scoring_cannot_do_without_becomes_required(monkeypatch):
    """Were scoring to refuse answers without 88122-7, the Questionnaire would require it."""
    original = questionnaires.answer_problems

    def demanding(found, answers):
        missing = [] if FOOD_WORRY in answers else ["Question 88122-7 must be answered."]
        return original(found, answers) + missing

    monkeypatch.setattr(questionnaires, "answer_problems", demanding)
    assert required_questions(INSTRUMENTS[HVS]) == (FOOD_WORRY,)
    items = definitions(questionnaire(INSTRUMENTS[HVS], BASE))
    assert items[FOOD_WORRY]["required"] is True and items[FOOD_LAST]["required"] is False


# QuestionnaireResponse


@pytest.mark.parametrize(("instrument_id", "answers", "language"), CASES)
def test_every_questionnaire_response_is_valid_fhir_r4(instrument_id, answers, language):
    """fhir.resources accepts the response of every answer set, in English and Spanish."""
    QuestionnaireResponse.model_validate(response_for(instrument_id, answers, language=language))


def test_a_response_carries_the_screening_subject_author_and_time():
    """id, SDC profile, canonical questionnaire, completed, subject, author, aware authored."""
    taken = Taken(HVS, {FOOD_WORRY: OFTEN}, id=31, created_at=datetime(2026, 1, 2, 3, 4, 5))
    resource = questionnaire_response(
        taken, INSTRUMENTS[HVS], "Patient/12", BASE, author="Practitioner/4"
    )
    assert resource["resourceType"] == "QuestionnaireResponse" and resource["id"] == "31"
    assert resource["meta"]["profile"] == [
        "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse"
    ]
    assert resource["questionnaire"] == questionnaire(INSTRUMENTS[HVS], BASE)["url"]
    assert resource["status"] == "completed" and resource["language"] == "en"
    assert resource["subject"] == {"reference": "Patient/12"}
    assert resource["author"] == {"reference": "Practitioner/4"}
    assert resource["authored"] == "2026-01-02T03:04:05+00:00"


def test_a_response_without_an_author_has_none():
    """author is left out when no author is given."""
    assert "author" not in response_for(HVS, {FOOD_WORRY: OFTEN})


def test_a_spanish_screening_is_worded_in_spanish():
    """Item text and answer displays follow the screening's language; codes stay LOINC."""
    resource = response_for(HVS, {FOOD_WORRY: OFTEN, FOOD_LAST: REFUSED}, language="es")
    found = INSTRUMENTS[HVS]
    assert resource["language"] == "es"
    first, second, risk = resource["item"]
    assert first["text"] == found.questions[0].text.es
    assert first["answer"] == [
        {"valueCoding": {"system": LOINC, "code": OFTEN, "display": "Con frecuencia es cierto"}}
    ]
    assert second["answer"][0]["valueCoding"]["code"] == REFUSED
    assert risk["text"] == "Riesgo de inseguridad alimentaria"
    assert risk["answer"][0]["valueCoding"]["display"] == "En riesgo"


@pytest.mark.parametrize(("instrument_id", "answers", "language"), CASES)
def test_response_items_mirror_the_questionnaire(instrument_id, answers, language):
    """Each response item sits where the Questionnaire has it; unanswered ones are left out."""
    resource = response_for(instrument_id, answers, language=language)
    tree = linkids(questionnaire(INSTRUMENTS[instrument_id], BASE)["item"])

    def within(given, defined):
        names = [entry[0] if isinstance(entry, tuple) else entry for entry in defined]
        positions = [names.index(e[0] if isinstance(e, tuple) else e) for e in given]
        assert positions == sorted(positions)
        for entry in given:
            if isinstance(entry, tuple):
                within(entry[1], defined[names.index(entry[0])][1])

    within(linkids(resource["item"]), tree)
    answered = {item["linkId"] for item in definitions(resource).values() if item.get("answer")} - {
        RISK,
        SAFETY_TOTAL,
    }
    assert answered == set(answers)


def test_a_multiple_answer_question_has_one_answer_per_code_in_order():
    """96778-6 with three problems gives three answers, as chosen."""
    resource = response_for(CORE, {HOUSING: [LACK_OF_HEAT, PESTS, MOLD]})
    (item,) = resource["item"]
    assert [a["valueCoding"]["code"] for a in item["answer"]] == [LACK_OF_HEAT, PESTS, MOLD]


@pytest.mark.parametrize(
    ("answers", "risk"),
    [
        ({FOOD_WORRY: OFTEN, FOOD_LAST: NEVER}, AT_RISK),
        ({FOOD_LAST: SOMETIMES}, AT_RISK),
        ({FOOD_WORRY: NEVER, FOOD_LAST: NEVER}, NO_RISK),
        ({FOOD_WORRY: REFUSED, FOOD_LAST: NEVER}, NO_RISK),
        ({FOOD_WORRY: REFUSED, FOOD_LAST: REFUSED}, None),
        ({}, None),
    ],
)
def test_the_food_insecurity_risk_is_computed_from_the_answers(answers, risk):
    """At risk when either item is often or sometimes true; none when nothing but refusals."""
    items = definitions(response_for(HVS, answers))
    given = items.get(RISK, {}).get("answer", [{}])[0].get("valueCoding", {}).get("code")
    assert given == risk


def test_the_safety_total_is_given_only_when_all_four_are_answered():
    """95614-4 holds the sum of the four safety answers' points."""
    all_four = definitions(response_for(CORE, dict.fromkeys(SAFETY, FREQUENTLY)))
    assert all_four[SAFETY_TOTAL]["answer"] == [{"valueInteger": 20}]
    three = definitions(response_for(CORE, dict.fromkeys(SAFETY[:3], FREQUENTLY)))
    assert SAFETY_TOTAL not in three and "safety" in three


def test_a_screening_of_another_instrument_is_refused():
    """The instrument passed must be the screening's own."""
    with pytest.raises(ValueError, match="hunger-vital-sign"):
        questionnaire_response(Taken(HVS, {}), INSTRUMENTS[CORE], "Patient/1", BASE)


def test_stored_answers_that_do_not_fit_are_refused():
    """Answers score() refuses cannot be turned into a response."""
    with pytest.raises(InvalidAnswers):
        response_for(HVS, {FOOD_WORRY: "LA33-6"})


# Round trip


@pytest.mark.parametrize(("instrument_id", "answers", "language"), CASES)
def test_answers_come_back_exactly_from_their_response(instrument_id, answers, language):
    """answers → QuestionnaireResponse → answers gives the same answers, and who and when."""
    parsed = answers_from_response(response_for(instrument_id, answers, language=language))
    assert parsed == ParsedResponse(
        instrument_id=instrument_id,
        answers=answers,
        authored=Taken.created_at,
        subject="Patient/12",
        language=language,
    )
    assert score(instrument_id, parsed.answers) == score(instrument_id, answers)


# Reading responses from elsewhere


def test_the_sdohcc_hunger_vital_sign_example_parses():
    """The SDOH Clinical Care guide's HVS response gives both "often true" answers."""
    example = {
        "resourceType": "QuestionnaireResponse",
        "id": "SDOHCC-QuestionnaireResponseHungerVitalSignExample",
        "questionnaire": SDOHCC_HVS,
        "_questionnaire": {
            "extension": [
                {
                    "url": "http://hl7.org/fhir/StructureDefinition/display",
                    "valueString": "SDOHCC Questionnaire Hunger Vital Sign",
                }
            ]
        },
        "status": "completed",
        "subject": {"reference": "Patient/pat-53234", "display": "COLIN ABBAS"},
        "authored": "2020-09-10T21:56:54.671Z",
        "source": {"reference": "Patient/pat-53234", "display": "COLIN ABBAS"},
        "item": [
            {
                "linkId": "/88122-7",
                "text": "Within the past 12 months we worried whether our food would run out "
                "before we got money to buy more",
                "answer": [
                    {"valueCoding": {"system": LOINC, "code": OFTEN, "display": "Often true"}}
                ],
            },
            {
                "linkId": "/88123-5",
                "text": "Within the past 12 months the food we bought just didn't last and we "
                "didn't have money to get more",
                "answer": [
                    {"valueCoding": {"system": LOINC, "code": OFTEN, "display": "Often true"}}
                ],
            },
            {
                "linkId": "/88124-3",
                "text": "Food insecurity risk",
                "answer": [
                    {"valueCoding": {"system": LOINC, "code": AT_RISK, "display": "At risk"}}
                ],
            },
        ],
    }
    QuestionnaireResponse.model_validate(example)
    assert answers_from_response(example) == ParsedResponse(
        instrument_id=HVS,
        answers={FOOD_WORRY: OFTEN, FOOD_LAST: OFTEN},
        authored=datetime(2020, 9, 10, 21, 56, 54, 671000, tzinfo=UTC),
        subject="Patient/pat-53234",
        language=None,
    )


@pytest.mark.parametrize(
    ("canonical", "instrument_id"),
    [
        (f"{BASE}/Questionnaire/{HVS}", HVS),
        (f"{BASE}/Questionnaire/{CORE}|1", CORE),
        (f"https://elsewhere.example/fhir/Questionnaire/{FULL}|2.0", FULL),
        (f"Questionnaire/{HVS}", HVS),
        ("http://loinc.org/q/88121-9", HVS),
        ("http://loinc.org/q/96777-8|2.73", CORE),
        (SDOHCC_HVS, HVS),
        (f"{SDOHCC_HVS}|1.0.0", HVS),
    ],
)
def test_the_instrument_is_told_by_the_questionnaire_canonical(canonical, instrument_id):
    """Our canonical (any base, with or without |version), LOINC panels, the guide's HVS."""
    resource = hvs_response({"linkId": FOOD_LAST, "answer": [coded(NEVER)]})
    parsed = answers_from_response(resource | {"questionnaire": canonical})
    assert parsed.instrument_id == instrument_id and parsed.answers == {FOOD_LAST: NEVER}


@pytest.mark.parametrize(
    "panel",
    [
        {"linkId": "/88121-9"},
        {"linkId": "hvs", "code": [{"system": LOINC, "code": "88121-9"}]},
    ],
)
def test_without_a_questionnaire_a_top_level_panel_item_tells_the_instrument(panel):
    """A response of the LOINC panel itself (a group coded 88121-9) needs no questionnaire."""
    resource = hvs_response(
        panel | {"item": [{"linkId": "/88121-9/88122-7", "answer": [coded(OFTEN)]}]}
    )
    del resource["questionnaire"]
    parsed = answers_from_response(resource)
    assert (parsed.instrument_id, parsed.answers) == (HVS, {FOOD_WORRY: OFTEN})


@pytest.mark.parametrize(
    "item",
    [
        {"linkId": FOOD_WORRY},
        {"linkId": f"/{FOOD_WORRY}"},
        {"linkId": f"/88121-9/{FOOD_WORRY}"},
        {"linkId": "q1", "code": [{"system": LOINC, "code": FOOD_WORRY}]},
        {
            "linkId": "q1",
            "code": [{"system": "urn:x", "code": "a"}, {"system": LOINC, "code": FOOD_WORRY}],
        },
    ],
)
def test_questions_are_found_by_linkid_or_loinc_code(item):
    """88122-7, /88122-7, a path ending in it, or a LOINC coding in item.code."""
    parsed = answers_from_response(hvs_response(item | {"answer": [coded(SOMETIMES)]}))
    assert parsed.answers == {FOOD_WORRY: SOMETIMES}


def test_questions_are_found_in_groups_at_any_depth():
    """Items nested in groups of groups are read; the groups themselves are passed over."""
    resource = response_for(CORE, dict.fromkeys(SAFETY, NEVER_HURT))
    resource["item"] = [
        {"linkId": "outer", "item": [{"linkId": "inner", "item": resource["item"]}]}
    ]
    assert answers_from_response(resource).answers == dict.fromkeys(SAFETY, NEVER_HURT)


def test_calculated_items_in_a_response_are_ignored():
    """88124-3 and 95614-4 are recomputed by the app, whatever they say."""
    resource = response_for(CORE, dict.fromkeys(SAFETY, NEVER_HURT))
    resource["item"].append({"linkId": SAFETY_TOTAL, "answer": [{"valueInteger": 99}]})
    assert answers_from_response(resource).answers == dict.fromkeys(SAFETY, NEVER_HURT)
    hvs = hvs_response(
        {"linkId": FOOD_WORRY, "answer": [coded(NEVER)]},
        {"linkId": RISK, "answer": [{"valueString": "at risk"}]},
    )
    assert answers_from_response(hvs).answers == {FOOD_WORRY: NEVER}


def test_an_amended_response_is_read_and_a_naive_authored_time_is_utc():
    """status amended is accepted; authored without a zone is taken as UTC."""
    resource = hvs_response(status="amended", authored="2024-05-01T14:30:00")
    assert answers_from_response(resource).authored == datetime(2024, 5, 1, 14, 30, tzinfo=UTC)


def test_only_the_instruments_given_are_known():
    """With an instruments mapping, other instruments are unknown."""
    resource = response_for(CORE, {TRANSPORT: YES})
    only_hvs = {HVS: INSTRUMENTS[HVS]}
    assert where(problems_of(resource, instruments=only_hvs)) == [
        ("QuestionnaireResponse.questionnaire", "not-supported")
    ]


# Problems


def test_a_body_that_is_not_an_object_is_refused():
    """A list or text is no resource."""
    assert where(problems_of([])) == [("QuestionnaireResponse", "structure")]


def test_another_resource_type_is_refused():
    """resourceType must be QuestionnaireResponse."""
    problems = problems_of(hvs_response(resourceType="Observation"))
    assert where(problems) == [("QuestionnaireResponse.resourceType", "structure")]
    assert '"Observation"' in problems[0].message


@pytest.mark.parametrize(("status", "code"), [("in-progress", "value"), (None, "required")])
def test_a_response_not_completed_is_refused(status, code):
    """Only completed or amended responses are screenings."""
    resource = hvs_response({"linkId": FOOD_WORRY, "answer": [coded(NEVER)]}, status=status)
    if status is None:
        del resource["status"]
    problems = problems_of(resource)
    assert where(problems) == [("QuestionnaireResponse.status", code)]
    assert "completed" in problems[0].message


@pytest.mark.parametrize(
    "canonical", ["https://x.example/Questionnaire/phq-9", "http://loinc.org/q/93025-5", None]
)
def test_an_unknown_questionnaire_is_refused_with_the_known_ones(canonical):
    """The message names the questionnaires and panels that can be sent."""
    resource = hvs_response(
        {"linkId": FOOD_WORRY, "answer": [coded(NEVER)]}, questionnaire=canonical
    )
    if canonical is None:
        del resource["questionnaire"]
    (problem,) = problems_of(resource)
    assert (problem.expression, problem.code) == (
        "QuestionnaireResponse.questionnaire",
        "not-supported",
    )
    assert "/Questionnaire/hunger-vital-sign" in problem.message
    assert "http://loinc.org/q/88121-9" in problem.message


def test_a_question_the_instrument_does_not_ask_is_refused():
    """76513-1 is not a Hunger Vital Sign question."""
    resource = hvs_response(
        {"linkId": FOOD_WORRY, "answer": [coded(NEVER)]},
        {"linkId": MONEY, "answer": [coded("LA15832-1")]},
    )
    (problem,) = problems_of(resource)
    assert (problem.expression, problem.code) == ("QuestionnaireResponse.item[1]", "not-supported")
    assert MONEY in problem.message and FOOD_WORRY in problem.message


def test_an_answer_that_is_not_a_coding_is_refused():
    """valueString is not an answer code."""
    resource = hvs_response({"linkId": FOOD_WORRY, "answer": [{"valueString": "often"}]})
    (problem,) = problems_of(resource)
    assert (problem.expression, problem.code) == (
        "QuestionnaireResponse.item[0].answer[0]",
        "value",
    )
    assert "valueString" in problem.message and OFTEN in problem.message


def test_a_coding_outside_loinc_is_refused():
    """Answer codings must be LOINC answer codes."""
    resource = hvs_response(
        {"linkId": FOOD_WORRY, "answer": [coded(OFTEN, "http://snomed.info/sct")]}
    )
    (problem,) = problems_of(resource)
    assert where([problem]) == [
        ("QuestionnaireResponse.item[0].answer[0].valueCoding.system", "code-invalid")
    ]
    assert "http://loinc.org" in problem.message


def test_an_answer_code_the_question_does_not_offer_is_refused():
    """LA33-6 (Yes) is not an answer to 88122-7; the message lists the ones it takes."""
    resource = response_for(CORE, {LIVING: "LA31993-1", **dict.fromkeys(SAFETY, NEVER_HURT)})
    resource["item"][1]["item"][2]["answer"][0]["valueCoding"]["code"] = YES
    (problem,) = problems_of(resource)
    assert where([problem]) == [
        ("QuestionnaireResponse.item[1].item[2].answer[0].valueCoding.code", "code-invalid")
    ]
    assert YES in problem.message and NEVER_HURT in problem.message


def test_several_answers_to_a_single_answer_question_are_refused():
    """88122-7 takes one answer."""
    resource = hvs_response({"linkId": FOOD_WORRY, "answer": [coded(OFTEN), coded(NEVER)]})
    assert where(problems_of(resource)) == [("QuestionnaireResponse.item[0].answer", "value")]


def test_a_question_answered_twice_is_refused():
    """Each question comes once."""
    resource = hvs_response(
        {"linkId": FOOD_WORRY, "answer": [coded(OFTEN)]},
        {"linkId": f"/{FOOD_WORRY}", "answer": [coded(NEVER)]},
    )
    (problem,) = problems_of(resource)
    assert (problem.expression, problem.code) == ("QuestionnaireResponse.item[1]", "structure")
    assert "QuestionnaireResponse.item[0]" in problem.message


def test_what_scoring_refuses_is_reported_at_the_item():
    """ "None of the above" with a housing problem is score()'s own refusal."""
    resource = response_for(CORE, {HOUSING: [PESTS]})
    resource["item"][0]["answer"].append(coded(NONE_OF_THE_ABOVE))
    (problem,) = problems_of(resource)
    assert (problem.expression, problem.code) == (
        "QuestionnaireResponse.item[0].answer",
        "business-rule",
    )
    assert "None of the above" in problem.message


def test_what_scoring_refuses_of_the_answers_together_is_reported(monkeypatch):
    """A refusal of score() that no single item shows is reported at the response."""
    resource = response_for(HVS, {FOOD_WORRY: OFTEN, FOOD_LAST: NEVER})
    original = questionnaires.answer_problems

    def strict(found, answers):
        both = FOOD_WORRY in answers and FOOD_LAST in answers
        return original(found, answers) + (["Answer one question or the other."] if both else [])

    monkeypatch.setattr(questionnaires, "answer_problems", strict)
    assert problems_of(resource) == [
        Problem("QuestionnaireResponse", "Answer one question or the other.", "business-rule")
    ]


def test_a_missing_required_answer_is_reported(monkeypatch):
    """Were 88122-7 required, a response without an answer to it names it."""
    monkeypatch.setattr(questionnaires, "required_questions", lambda found: (FOOD_WORRY,))
    for items in ([], [{"linkId": FOOD_WORRY, "text": "asked, not answered"}]):
        (problem,) = problems_of(
            hvs_response(*items, {"linkId": FOOD_LAST, "answer": [coded(NEVER)]})
        )
        assert (problem.expression, problem.code) == ("QuestionnaireResponse.item", "required")
        assert FOOD_WORRY in problem.message


def test_a_malformed_authored_time_or_subject_is_refused():
    """authored must be a dateTime and subject a Reference."""
    resource = hvs_response(authored="yesterday", subject="Patient/1")
    assert where(problems_of(resource)) == [
        ("QuestionnaireResponse.authored", "value"),
        ("QuestionnaireResponse.subject", "structure"),
    ]


def test_malformed_items_are_refused():
    """item and answer must be lists of objects."""
    resource = hvs_response("not an item", {"linkId": FOOD_WORRY, "answer": coded(OFTEN)})
    assert where(problems_of(resource)) == [
        ("QuestionnaireResponse.item[0]", "structure"),
        ("QuestionnaireResponse.item[1].answer", "structure"),
    ]


def test_every_problem_is_reported_together():
    """Status, an unknown question, a string answer, a bad code, a foreign system, two answers."""
    resource = response_for(
        FULL, {LIVING: "LA31993-1", FOOD_WORRY: OFTEN, TRANSPORT: NO, MONEY: "LA15832-1"}
    )
    resource["status"] = "in-progress"
    resource["item"][0]["answer"] = [{"valueString": "steady"}]
    resource["item"][1]["answer"][0]["valueCoding"]["code"] = "LA99-9"
    resource["item"][2]["answer"][0]["valueCoding"]["system"] = "urn:local"
    resource["item"][3]["answer"].append(coded("LA22683-9"))
    resource["item"].append({"linkId": "93025-5", "answer": [coded(YES)]})
    problems = problems_of(resource)
    assert where(problems) == [
        ("QuestionnaireResponse.status", "value"),
        ("QuestionnaireResponse.item[0].answer[0]", "value"),
        ("QuestionnaireResponse.item[1].answer[0].valueCoding.code", "code-invalid"),
        ("QuestionnaireResponse.item[2].answer[0].valueCoding.system", "code-invalid"),
        ("QuestionnaireResponse.item[3].answer", "value"),
        ("QuestionnaireResponse.item[4]", "not-supported"),
    ]
    assert all(problem.message.endswith(".") for problem in problems)


def test_the_error_names_each_problem_where_it_is():
    """str(ResponseProblems) lists expression and message of every problem."""
    resource = hvs_response({"linkId": FOOD_WORRY, "answer": [coded("LA1-8")]}, status="stopped")
    with pytest.raises(ResponseProblems) as caught:
        answers_from_response(resource)
    text = str(caught.value)
    assert "QuestionnaireResponse.status: " in text
    assert "QuestionnaireResponse.item[0].answer[0].valueCoding.code: " in text


def test_reading_does_not_change_the_resource():
    """The resource passed in is left as it was."""
    resource = response_for(CORE, CORE_SETS[0])
    before = copy.deepcopy(resource)
    answers_from_response(resource)
    assert resource == before

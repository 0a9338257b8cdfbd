"""Instrument data files: complete bilingual text, LOINC codes, honest sources, loud failures."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from referral.screening import InstrumentDataError, instrument, instrument_ids, score
from referral.screening.datafile import loinc_code_ok
from referral.screening.instruments import BUNDLED_FOLDER, load_instruments, read_instrument
from referral.screening.model import Text

LOINC = re.compile(r"^\d{1,7}-\d$")
LOINC_ANSWER = re.compile(r"^LA\d{1,6}-\d$")
FILES = sorted(BUNDLED_FOLDER.glob("*.json"))
NEED_KEYS = {
    "food",
    "housing",
    "transportation",
    "utilities",
    "financial",
    "safety",
    "employment",
    "health",
    "legal",
    "goods",
    "childcare",
    "education",
}
DOMAIN_NEEDS = {
    "housing-instability": "housing",
    "homelessness": "housing",
    "inadequate-housing": "housing",
    "food-insecurity": "food",
    "transportation-insecurity": "transportation",
    "utility-insecurity": "utilities",
    "interpersonal-safety": "safety",
    "financial-strain": "financial",
    "employment": "employment",
}


def document(name: str) -> dict[str, Any]:
    """The raw JSON of a bundled instrument file."""
    data: dict[str, Any] = json.loads((BUNDLED_FOLDER / f"{name}.json").read_text("utf-8"))
    return data


def write(folder: Path, data: dict[str, Any], name: str | None = None) -> Path:
    """Write an instrument document to `folder` as `<id>.json` (or `name`)."""
    path = folder / (name or f"{data['id']}.json")
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def texts(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every translatable text of a document, with where it is."""
    found = [("title", data["title"])]
    for index, question in enumerate(data["questions"]):
        found.append((f"questions[{index}]", question["text"]))
        found += [(f"{index}:{a['code']}", a["text"]) for a in question["answers"]]
    return found


# The bundled data files


def test_the_bundled_instruments_are_the_three_of_the_contract() -> None:
    """ahc-hrsn, ahc-hrsn-core and hunger-vital-sign, one file each."""
    assert instrument_ids() == ["ahc-hrsn", "ahc-hrsn-core", "hunger-vital-sign"]
    assert sorted(path.stem for path in FILES) == instrument_ids()


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_every_question_and_answer_has_english_and_spanish_text(path: Path) -> None:
    """Title, every question and every answer carry non-empty en and es text."""
    for where, text in texts(json.loads(path.read_text(encoding="utf-8"))):
        assert set(text) == {"en", "es"}, where
        assert text["en"].strip() and text["es"].strip(), where


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_every_question_and_answer_has_a_loinc_code(path: Path) -> None:
    """Question codes are LOINC codes with a correct check digit; answers are LA codes."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for question in data["questions"]:
        assert LOINC.match(question["code"]) and loinc_code_ok(question["code"]), question["code"]
        for answer in question["answers"]:
            assert LOINC_ANSWER.match(answer["code"]), answer["code"]


@pytest.mark.parametrize(
    ("instrument_id", "panel"),
    [
        ("ahc-hrsn-core", "96777-8"),
        ("ahc-hrsn", "local-ahc-hrsn"),
        ("hunger-vital-sign", "88121-9"),
    ],
)
def test_each_instrument_has_its_panel_code(instrument_id: str, panel: str) -> None:
    """The LOINC panels 96777-8 and 88121-9, and a local panel for core plus supplemental."""
    assert instrument(instrument_id).panel_code == panel


def test_the_combined_instrument_says_why_its_panel_is_local() -> None:
    """Core plus supplemental items is no longer panel 96777-8; the note says so."""
    note = instrument("ahc-hrsn").note
    assert "96777-8" in note
    assert "no longer" in note


@pytest.mark.parametrize("instrument_id", ["ahc-hrsn-core", "ahc-hrsn", "hunger-vital-sign"])
def test_sources_name_the_english_origin_and_an_unvalidated_spanish_translation(
    instrument_id: str,
) -> None:
    """English from the published tool; Spanish honestly marked as the project's own, unreviewed."""
    sources = instrument(instrument_id).sources
    expected = "Hager" if instrument_id == "hunger-vital-sign" else "Accountable Health Communities"
    assert expected in sources.en
    assert sources.es_source.startswith("Project translation, not validated")
    assert "qualified medical translator" in sources.es_source
    assert sources.es_validated is False


def test_the_ahc_sources_say_no_official_spanish_version_exists() -> None:
    """There is no official CMS Spanish version of the AHC tool, and the data says so."""
    assert "No official CMS Spanish version" in instrument("ahc-hrsn-core").sources.es_note


def test_ahc_hrsn_repeats_the_core_instrument_unchanged() -> None:
    """The combined file's first ten questions and seven rules equal the core file's."""
    core, full = document("ahc-hrsn-core"), document("ahc-hrsn")
    assert full["questions"][:10] == core["questions"]
    assert full["domains"][:7] == core["domains"]
    assert [q["code"] for q in full["questions"][10:]] == ["76513-1", "96780-2"]


@pytest.mark.parametrize("instrument_id", ["ahc-hrsn-core", "ahc-hrsn"])
def test_safety_items_give_one_to_five_points_in_order(instrument_id: str) -> None:
    """Never 1, rarely 2, sometimes 3, fairly often 4, frequently 5, on all four items."""
    safety = [q for q in instrument(instrument_id).questions if q.group == "safety"]
    assert [q.code for q in safety] == ["95618-5", "95617-7", "95616-9", "95615-1"]
    for question in safety:
        assert [answer.points for answer in question.answers] == [1, 2, 3, 4, 5]


def test_special_answers_are_flagged() -> None:
    """LA9-3 is "none of the above" and LA15775-2 is a refusal, wherever they appear."""
    for found in map(instrument, instrument_ids()):
        for question in found.questions:
            for answer in question.answers:
                assert answer.none_of_the_above is (answer.code == "LA9-3")
                assert answer.refusal is (answer.code == "LA15775-2")


def test_every_domain_maps_to_its_contract_need_key() -> None:
    """Housing domains to housing, food to food, … and only to the twelve need keys."""
    for found in map(instrument, instrument_ids()):
        for rule in found.domains:
            assert rule.need in NEED_KEYS
            assert DOMAIN_NEEDS[rule.key] == rule.need


def test_every_domain_explains_its_z_code_choice() -> None:
    """Each rule carries a note, and safety alone has no suggested Z code."""
    for found in map(instrument, instrument_ids()):
        for rule in found.domains:
            assert rule.note.strip(), rule.key
            assert (rule.z_codes == ()) is (rule.key == "interpersonal-safety")


def test_loading_is_cached() -> None:
    """The bundled folder is read once: the same mapping comes back."""
    assert load_instruments() is load_instruments()


def test_text_falls_back_to_english() -> None:
    """Asking for a language with no text gives the English words."""
    text = Text("Yes", "Sí")
    assert [text.get("es"), text.get("en"), text.get("fr")] == ["Sí", "Yes", "Yes"]


# Adding an instrument is adding a file


def small_instrument(instrument_id: str = "two-questions") -> dict[str, Any]:
    """A made-up two-question instrument, written only as data."""
    hvs = document("hunger-vital-sign")
    data = copy.deepcopy(hvs)
    data["id"] = instrument_id
    data["panel"] = {"code": "local-two-questions", "system": "urn:example"}
    data["questions"].append(document("ahc-hrsn-core")["questions"][4])
    data["questions"][2]["domains"] = ["transportation-insecurity"]
    data["domains"].append(document("ahc-hrsn-core")["domains"][4])
    return data


def test_an_instrument_file_dropped_into_a_folder_is_loaded_and_scored(tmp_path: Path) -> None:
    """A new JSON file is a new instrument: listed, looked up and scored with no code change."""
    write(tmp_path, small_instrument())
    assert instrument_ids(tmp_path) == ["two-questions"]
    assert instrument("two-questions", tmp_path).question_codes == ("88122-7", "88123-5", "93030-5")
    result = score("two-questions", {"93030-5": "LA33-6", "88123-5": "LA6729-3"}, folder=tmp_path)
    assert result.positive_domains == ["food-insecurity", "transportation-insecurity"]


def test_an_extra_file_next_to_the_bundled_ones_joins_them(tmp_path: Path) -> None:
    """Copies of the bundled files plus one more: four instruments."""
    for path in FILES:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    write(tmp_path, small_instrument())
    assert instrument_ids(tmp_path) == [*instrument_ids(), "two-questions"]


def test_an_unknown_instrument_in_a_folder_names_the_known_ones(tmp_path: Path) -> None:
    """Looking up a missing id in a custom folder lists that folder's instruments."""
    write(tmp_path, small_instrument())
    with pytest.raises(ValueError, match=r"'ahc-hrsn'.*two-questions"):
        instrument("ahc-hrsn", tmp_path)


def test_an_empty_folder_fails_loudly(tmp_path: Path) -> None:
    """A folder without instrument files is an error, not an empty list."""
    with pytest.raises(InstrumentDataError, match="no instrument files"):
        load_instruments(tmp_path)


# Broken files fail loudly, naming the file and the field

Mutation = Callable[[dict[str, Any]], None]


def duplicate_answer(data: dict[str, Any]) -> None:
    """Give the second answer of the first question the first answer's code."""
    data["questions"][0]["answers"][1]["code"] = data["questions"][0]["answers"][0]["code"]


def rule_names_missing_question(data: dict[str, Any]) -> None:
    """Point the first rule at a question the instrument does not have."""
    data["domains"][0]["positive_when"]["any_of"][0]["question"] = "76513-1"


def safety_answer_without_points(data: dict[str, Any]) -> None:
    """Drop the points of the first answer of the first safety item."""
    del data["questions"][6]["answers"][0]["points"]


def missing_spanish(data: dict[str, Any]) -> None:
    """Remove the Spanish text of the first question."""
    del data["questions"][0]["text"]["es"]


def set_value(path: str, value: Any) -> Mutation:
    """A mutation setting the field at a dotted path (numbers index lists)."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
        target: Any = data
        for part in parents:
            target = target[part]
        target[last] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (duplicate_answer, "questions[0].answers[1].code", "appears more than once"),
        (rule_names_missing_question, "domains[0].positive_when.any_of[0].question", "76513-1"),
        (safety_answer_without_points, "positive_when.score.questions[0]", "has no points"),
        (missing_spanish, "questions[0].text.es", "is missing"),
        (set_value("questions.0.code", "71802-4"), "questions[0].code", "not a LOINC code"),
        (set_value("questions.0.answers.0.code", "31993-1"), "answers[0].code", "answer code"),
        (set_value("questions.0.kind", "many"), "questions[0].kind", "'many'"),
        (set_value("questions.6.group", "danger"), "questions[6].group", "not declared"),
        (set_value("questions.6.answers.0.points", "1"), "answers[0].points", "whole number"),
        (set_value("questions.0.answers.0.positive", True), "answers[0].positive", "no rule"),
        (set_value("questions.0.answers.1.positive", False), "answers[1].positive", "a rule lists"),
        (set_value("domains.0.need", "shelter"), "domains[0].need", "'shelter'"),
        (set_value("domains.0.category", "housing"), "domains[0].category", "Gravity"),
        (set_value("domains.0.z_codes", ["Z59-819"]), "domains[0].z_codes", "ICD-10-CM"),
        (set_value("domains.0.key", "homelessness"), "domains[1].key", "appears more than once"),
        (
            set_value("domains.0.positive_when.any_of.0.answers", ["LA32002-0"]),
            "domains[0].positive_when.any_of[0].answers",
            "no answer 'LA32002-0'",
        ),
        (
            set_value("domains.2.z_codes_by_answer", {"LA9-3": ["Z59.19"]}),
            "domains[2].z_codes_by_answer",
            "not a positive answer",
        ),
        (
            set_value("domains.0.positive_when", {}),
            "domains[0].positive_when",
            'exactly one of "any_of"',
        ),
        (set_value("questions.0.domains", ["homelessness"]), "any_of[0].question", "does not list"),
        (set_value("panel.code", "96777-9"), "panel.code", "neither a LOINC code"),
        (set_value("sources", "CMS"), "sources", "must be"),
        (set_value("questions", []), "questions", "must not be empty"),
        (set_value("id", "AHC core"), "id", "lowercase"),
    ],
)
def test_a_broken_instrument_file_names_the_file_and_the_field(
    tmp_path: Path, mutate: Mutation, field: str, words: str
) -> None:
    """Each kind of broken data is refused on load with the file, the field and what is wrong."""
    data = document("ahc-hrsn-core")
    mutate(data)
    path = write(tmp_path, data, "ahc-hrsn-core.json")
    with pytest.raises(InstrumentDataError) as caught:
        read_instrument(path)
    matching = [problem for problem in caught.value.problems if field in problem]
    assert matching, caught.value.problems
    assert any(str(path) in problem and words in problem for problem in matching), matching


def test_every_problem_of_a_broken_file_is_reported_together(tmp_path: Path) -> None:
    """Three broken fields give three problems in one error."""
    data = document("ahc-hrsn-core")
    missing_spanish(data)
    set_value("questions.4.kind", "many")(data)
    set_value("domains.4.need", "buses")(data)
    with pytest.raises(InstrumentDataError) as caught:
        read_instrument(write(tmp_path, data))
    assert len(caught.value.problems) == 3


def test_a_file_whose_id_differs_from_its_name_is_refused(tmp_path: Path) -> None:
    """The id inside the file must be the file name, so lookups find what is on disk."""
    path = write(tmp_path, small_instrument(), "other-name.json")
    with pytest.raises(InstrumentDataError, match=r"other-name\.json: id:"):
        read_instrument(path)


def test_a_file_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    """Broken JSON is reported with its file and line."""
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "broken",\n  oops\n}', encoding="utf-8")
    with pytest.raises(InstrumentDataError, match=r"broken.json: line 3 column 3: not valid JSON"):
        read_instrument(path)


def test_a_broken_file_stops_the_whole_folder_from_loading(tmp_path: Path) -> None:
    """One bad file among good ones fails the folder, naming the bad file."""
    write(tmp_path, small_instrument())
    bad = small_instrument("bad-one")
    missing_spanish(bad)
    write(tmp_path, bad)
    with pytest.raises(InstrumentDataError, match=r"bad-one.json: questions\[0\].text.es"):
        load_instruments(tmp_path)


def test_two_instruments_must_agree_on_what_a_domain_means(tmp_path: Path) -> None:
    """The same domain key mapped to two different needs is refused."""
    write(tmp_path, small_instrument("first"))
    other = small_instrument("second")
    other["domains"][0]["need"] = "health"
    write(tmp_path, other)
    with pytest.raises(InstrumentDataError, match="'food-insecurity' maps to health"):
        load_instruments(tmp_path)

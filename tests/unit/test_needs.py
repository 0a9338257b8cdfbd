"""Need keys of a service: AIRS code prefixes, whole term names, words in names, then its text."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from importlib.resources import files
from pathlib import Path

import pytest

from referral.directory.needs import NEED_KEYS, NEED_LABELS, load_rules, needs_for, rules_from

MIAMI = Path(__file__).resolve().parents[3] / "shared/data/miami-hsds"


def shipped_rules() -> dict:
    """The needs.json document bundled with the package."""
    return json.loads(files("referral.directory").joinpath("needs.json").read_text("utf-8"))


def test_need_keys_are_the_fixed_set() -> None:
    """The twelve need keys the rest of the platform relies on."""
    assert set(NEED_KEYS) == {
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


def test_every_need_has_an_english_and_a_spanish_label() -> None:
    """Each key has a non-empty label in both languages."""
    assert set(NEED_LABELS) == set(NEED_KEYS)
    for labels in NEED_LABELS.values():
        assert labels["en"].strip() and labels["es"].strip()
    assert NEED_LABELS["food"] == {"en": "Food", "es": "Comida"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("BD-1800.2000", ["food"]),
        ("BH-3800", ["housing"]),
        ("BT-4500.6500", ["transportation"]),
        ("BV-8900.9300", ["utilities"]),
        ("BM-6500.1500", ["goods"]),
        ("ND-6500", ["employment"]),
        ("DT-8800.9300-930", ["financial"]),
        ("FT-3200", ["legal"]),
        ("LN-1500", ["health"]),
        ("RX-8450", ["health"]),
        ("HH-0500.8000-150", ["education"]),
        ("PH-1250.1800", ["childcare"]),
    ],
)
def test_airs_code_prefix_gives_the_need(code: str, expected: list[str]) -> None:
    """An AIRS/211 code is mapped by its prefix, whatever the term is called."""
    assert needs_for([(code, "Any name")]) == expected


def test_a_code_rule_can_give_several_needs() -> None:
    """SNAP applications are both food and money."""
    assert needs_for([("NL-6000.2000-220", "Food Stamps/SNAP Applications")]) == [
        "financial",
        "food",
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("NL-1000.8500", ["financial"]),
        ("NL-6000.2000", ["financial", "food"]),
        ("BH-8600", ["housing"]),
        ("BH-1800.1500-100", ["housing", "safety"]),
        ("FT-3000.1750", ["legal", "safety"]),
    ],
)
def test_longest_matching_code_prefix_wins(code: str, expected: list[str]) -> None:
    """A more specific prefix overrides the broader one it sits under."""
    assert needs_for([(code, "Any name")]) == expected


def test_an_empty_code_rule_means_no_need_even_if_the_name_suggests_one() -> None:
    """Pet food and target populations such as homeless people are not needs of the person."""
    assert needs_for([("PD-6250.6600", "Pet Food")]) == []
    assert needs_for([("YV-3000", "Homeless People")]) == []


def test_airs_code_without_a_rule_falls_back_to_its_name() -> None:
    """An uncovered code is read by the words of its name."""
    assert needs_for([("TJ-3200.4500", "Legal Information Lines")]) == ["legal"]


def test_codes_not_shaped_like_airs_are_not_read_as_airs() -> None:
    """A local code that happens to start with an AIRS letter is judged by its name only."""
    assert needs_for([("Food-12", "Clothing")]) == ["goods"]
    assert needs_for([("bd-1800", "Clothing")]) == ["goods"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Food", ["food"]),
        ("Food Pantry", ["food"]),
        ("Meals", ["food"]),
        ("Emergency Shelter", ["housing"]),
        ("Help Pay for Utilities", ["financial", "utilities"]),
        ("Transportation", ["transportation"]),
        ("Rent Assistance", ["financial", "housing"]),
        ("Child Care", ["childcare"]),
        ("Help Escape Violence", ["safety"]),
        ("Emergency", []),
    ],
)
def test_open_eligibility_names_give_needs(name: str, expected: list[str]) -> None:
    """Open Eligibility terms are mapped by their whole name, whatever their code."""
    assert needs_for([("1130", name)]) == expected


def test_a_whole_name_rule_overrides_words_in_the_name() -> None:
    """ "Health Education" is health, although it also contains the word education."""
    assert needs_for([("", "Health Education")]) == ["health"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Free CLOTHING closet", ["goods"]),
        ("Hot Meals on Wheels", ["food"]),
        ("Transportation vouchers", ["transportation"]),
        ("Domestic violence advocates", ["safety"]),
        ("Bus tokens", ["transportation"]),
        ("Ayuda con ropa y pañales", ["goods"]),
        ("Electric bill help", ["utilities"]),
    ],
)
def test_name_keywords_match_whole_words_in_any_case(name: str, expected: list[str]) -> None:
    """Keywords match whole words, plural forms and Spanish without accents."""
    assert needs_for([("", name)]) == expected


@pytest.mark.parametrize("name", ["Business Workshops", "Parenting Circle", "Substance Abuse"])
def test_name_keywords_do_not_match_inside_other_words(name: str) -> None:
    """ "bus" is not in business, "rent" not in parenting, and substance abuse is not safety."""
    assert "transportation" not in needs_for([("", name)])
    assert "housing" not in needs_for([("", name)])
    assert "safety" not in needs_for([("", name)])


def test_text_is_read_only_when_terms_give_no_need() -> None:
    """A service's own words decide only when none of its terms does."""
    text = "Weekly food pantry and hot meals."
    assert needs_for([], text) == ["food"]
    assert needs_for([("YB-8000", "Older Adults")], text) == ["food"]
    assert needs_for([("BH-1800", "Emergency Shelter")], text) == ["housing"]


def test_text_phrases_are_conservative() -> None:
    """Loose mentions of a need in a description do not count."""
    assert needs_for([], "Volunteers serve food at our annual gala for donors.") == []


def test_needs_are_sorted_and_distinct() -> None:
    """Several terms giving the same needs yield each key once, sorted."""
    terms = [
        ("BD-1800.2000", "Emergency Food"),
        ("NL-6000.2000", "Food Stamps/SNAP"),
        ("", "Meals"),
    ]
    assert needs_for(terms) == ["financial", "food"]


@pytest.mark.parametrize(
    "terms", [[], [("", "")], [("ZZ-9999", "Unheard of")], [("XYZ", "Something else")]]
)
def test_unknown_inputs_give_no_needs(terms: list[tuple[str, str]]) -> None:
    """Nothing recognisable means no need keys."""
    assert needs_for(terms) == []
    assert needs_for(terms, "") == []


def test_every_code_prefix_has_the_airs_shape() -> None:
    """A prefix with a typo could never match, so each must look like an AIRS code."""
    rules = load_rules()
    for prefix in shipped_rules()["code_prefixes"]:
        assert rules.code_pattern.match(prefix), prefix


def test_rules_naming_an_undeclared_need_are_refused() -> None:
    """A curator's typo in a need key is reported instead of silently ignored."""
    document = shipped_rules()
    document["code_prefixes"]["BD"] = ["fod"]
    with pytest.raises(ValueError, match="fod"):
        rules_from(document)


def test_needs_without_both_labels_are_refused() -> None:
    """Every need must be labelled in English and Spanish."""
    document = shipped_rules()
    document["needs"]["food"] = {"en": "Food"}
    with pytest.raises(ValueError, match="food"):
        rules_from(document)


@pytest.mark.miami
def test_most_miami_services_get_a_need_from_their_terms() -> None:
    """At least 85% of Miami services with taxonomy terms get a need key from those terms."""
    if not (MIAMI / "services_taxonomy.csv").exists():
        pytest.skip(f"{MIAMI} is not present")
    with (MIAMI / "taxonomy.csv").open(newline="", encoding="utf-8") as handle:
        names = {row["id"]: row["name"] for row in csv.DictReader(handle)}
    terms: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with (MIAMI / "services_taxonomy.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["taxonomy_id"]
            terms[row["service_id"]].append((code, names.get(code, "")))
    covered = [service for service, service_terms in terms.items() if needs_for(service_terms)]
    assert len(covered) / len(terms) >= 0.85

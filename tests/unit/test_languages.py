"""Languages keep their identity: each name gets its own ISO code and is shown by a name people
use, while a search for a macrolanguage still finds its members."""

from __future__ import annotations

import pytest

from referral.directory.hsds.languages import (
    canonical_code,
    language_code,
    language_groups,
    language_name,
    split_languages,
    unidentified,
)
from referral.search.tables import searched_languages


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Cantonese", "yue"),
        ("Mandarin", "cmn"),
        ("Mandarin Chinese", "cmn"),
        ("Chinese", "zh"),
        ("Chinese (website)", "zh"),
        ("Sign Language", "sgn"),
        ("Sign Languages", "sgn"),
        ("American Sign Language", "ase"),
        ("ASL", "ase"),
        ("Hmong", "hmn"),
        ("Gullah", "gul"),
        ("Cape Verdean Creole", "kea"),
        ("Hakka", "hak"),
        ("Pashto", "ps"),
        ("Sindhi", "sd"),
        ("Dari", "prs"),
        ("Chuukese", "chk"),
        ("Creole", "ht"),
    ],
)
def test_language_code_keeps_each_language_its_own_code(name: str, code: str) -> None:
    """ISO 639-1 where it has a code, else ISO 639-3 (or the ISO group code for sign language)."""
    assert language_code(name) == code


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("yue", "Cantonese"),
        ("cmn", "Mandarin"),
        ("zh", "Chinese"),
        ("sgn", "Sign language"),
        ("ase", "American Sign Language"),
        ("hmn", "Hmong"),
        ("es", "Spanish"),
        ("el", "Greek"),
    ],
)
def test_language_name_names_every_code_people_meet(code: str, name: str) -> None:
    """Codes are shown by the names case managers use, not ISO's "Yue Chinese"."""
    assert language_name(code) == name


@pytest.mark.parametrize(
    ("code", "groups"),
    [
        ("yue", ("zh",)),
        ("cmn", ("zh",)),
        ("hak", ("zh",)),
        ("ase", ("sgn",)),
        ("arb", ("ar",)),
        ("zh", ()),
        ("es", ()),
        ("sgn", ()),
    ],
)
def test_language_groups_lead_from_a_language_to_its_macrolanguage(code: str, groups) -> None:
    """Cantonese and Mandarin belong to Chinese; American Sign Language to sign languages."""
    assert language_groups(code) == groups


def test_a_document_is_searched_by_its_languages_and_their_macrolanguages() -> None:
    """A service in Cantonese is found by `zh` and by `yue`, once each."""
    assert searched_languages(["en", "yue", "cmn"]) == ["en", "yue", "zh", "cmn"]


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("es", "es"),
        ("ES", "es"),
        ("spa", "es"),
        ("es-MX", "es"),
        ("chi", "zh"),
        ("yue", "yue"),
        ("sgn", "sgn"),
        ("xx", None),
        ("Spanish", None),
    ],
)
def test_canonical_code_reads_iso_codes_in_any_form(code: str, canonical: str | None) -> None:
    """Three-letter, upper-case and regional codes come back as the code the directory stores."""
    assert canonical_code(code) == canonical


def test_names_no_code_is_found_for_are_told_from_notes() -> None:
    """ "Elvish" looks like a language name; notes about interpreting and headings do not."""
    _, notes = split_languages(
        "Elvish\nLanguage line available\nTax Prep:\nOthers upon request\nGroup Counseling: English"
    )
    assert unidentified(notes) == ["Elvish"]

"""Language names as directories write them ("Creole", "Spanish (limited)", "ASL") to ISO codes.

A language keeps its own code: Cantonese is `yue` and Mandarin `cmn` (ISO 639-3), Chinese `zh`,
American Sign Language `ase`, sign language in general `sgn`. Codes are ISO 639-1 where that has
one, else ISO 639-3 (or an ISO 639-2/5 group code). Searching for a macrolanguage finds its
members (`zh` finds `yue` and `cmn`), from the ISO 639-3 tables the python-iso639 package keeps.
"""

from __future__ import annotations

import re
from functools import cache

import iso639
import pycountry

from referral.directory.hsds.cleaning import clean_text

# Names people write that ISO 639 spells differently, or that name one language of a family.
# "Creole" in a US directory is Haitian Creole.
_ALIASES = {
    "creole": "ht",
    "haitian creole": "ht",
    "haitian-creole": "ht",
    "kreyol": "ht",
    "kreyòl": "ht",
    "kreyol ayisyen": "ht",
    "greek": "el",
    "farsi": "fa",
    "mandarin": "cmn",
    "mandarin chinese": "cmn",
    "cantonese": "yue",
    "toishanese": "yue",
    "taishanese": "yue",
    "fuzhounese": "cdo",
    "hakka": "hak",
    "taiwanese": "nan",
    "punjabi": "pa",
    "pashto": "ps",
    "swahili": "sw",
    "nepali": "ne",
    "malay": "ms",
    "filipino": "fil",
    "ilocano": "ilo",
    "tongan": "to",
    "kirundi": "rn",
    "fulani": "ff",
    "ojibwe": "oj",
    "laotian": "lo",
    "cambodian": "km",
    "karen": "kar",
    "cape verdean creole": "kea",
    "kriolu": "kea",
    "jamaican patois": "jam",
    "patois": "jam",
    "quiche": "quc",
    "gullah": "gul",
    "kanjobal": "kjb",
    "brazilian portuguese": "pt",
    "asl": "ase",
    "american sign language": "ase",
    "sign language": "sgn",
    "sign languages": "sgn",
    "español": "es",
    "espanol": "es",
    "castellano": "es",
    "inglés": "en",
    "ingles": "en",
    "français": "fr",
    "francais": "fr",
    "português": "pt",
    "portugues": "pt",
}
# How the directory shows codes whose ISO names read oddly ("Yue Chinese", "sign languages").
_DISPLAY = {
    "yue": "Cantonese",
    "cmn": "Mandarin",
    "sgn": "Sign language",
    "ase": "American Sign Language",
}
# Words of a note about interpreting ("Language line available") rather than of a language name.
_NOTE_WORDS = re.compile(
    r"availab|avaialb|interpret|translat|\bline\b|request|servic|volunteer|staff|bi-?lingual|"
    r"\bupon\b|\bvia\b|need|phone|\bother|\ball\b|\bany\b|\bmany\b|various|multiple|"
    r"languages?\b|limited|\bsome\b|\bonly\b|\betc\b|please|provid|offer|assist|speak|spoken|"
    r"material|written|website|online|\bis\b|\bare\b|\bmay\b",
    re.IGNORECASE,
)
MAX_NAME_WORDS = 3
_QUALIFIER = re.compile(r"\([^)]*\)?|\[[^]]*\]?")
_PARTS = re.compile(r"\n|;|,")
_LIST = re.compile(r"\s*(?:\band\b|&|\bor\b|/|\.\s)\s*", re.IGNORECASE)
_LEAD = re.compile(r"^(?:\W+|and\s+|also\s+|some\s+|limited\s+)+", re.IGNORECASE)


def language_code(name: str) -> str | None:
    """The ISO 639-1 code of a language name (639-3 when it has none), or None if not a language."""
    key = _key(name)
    if not key:
        return None
    return _ALIASES.get(key) or _names().get(key) or _iso_639_3(key)


def language_name(code: str) -> str:
    """The English name of a language code ("ht" → "Haitian", "yue" → "Cantonese"), or the code."""
    if code in _DISPLAY:
        return _DISPLAY[code]
    found = _iso_entry(code)
    return _short(found.name) if found else code


def canonical_code(code: str) -> str | None:
    """An ISO 639 code as the directory stores it: "spa", "ES" and "es-MX" → "es"; None if
    the code is not one ISO 639 knows."""
    primary = re.split(r"[-_]", code.strip().lower())[0]
    found = _iso_entry(primary) if primary.isalpha() else None
    if found is None:
        return None
    return getattr(found, "alpha_2", None) or found.alpha_3


@cache
def language_groups(code: str) -> tuple[str, ...]:
    """The broader codes whose search should find `code`: its macrolanguage ("yue" → "zh"),
    and "sgn" for a sign language."""
    groups = []
    try:
        found = (iso639.Language.from_part1 if len(code) == 2 else iso639.Language.from_part3)(code)
    except iso639.LanguageNotFoundError:
        return ()
    if found.macrolanguage:
        groups.append(canonical_code(found.macrolanguage) or found.macrolanguage)
    if found.name.endswith(" Sign Language"):
        groups.append("sgn")
    return tuple(groups)


def unidentified(notes: list[str]) -> list[str]:
    """The notes of `split_languages` that look like a language name no code was found for
    ("Klingon"), not like a note about interpreting ("Language line available")."""
    return [
        note
        for note in notes
        if len(note.split()) <= MAX_NAME_WORDS
        and re.fullmatch(r"[^\W\d][\w'’ -]*[.]?", note)
        and not _NOTE_WORDS.search(note)
        and not _mentioned(note)
    ]


def _iso_entry(code: str):
    """The pycountry record of a 2- or 3-letter ISO 639 code (639-2/B and 639-5 included)."""
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code)
    if len(code) != 3:
        return None
    return (
        pycountry.languages.get(alpha_3=code)
        or pycountry.languages.get(bibliographic=code)
        or pycountry.language_families.get(alpha_3=code)
    )


def split_languages(text: str) -> tuple[list[str], list[str]]:
    """The language codes a free-text language value names, and the notes that are not languages.

    "Spanish (limited)" → (["es"], []); "English and Spanish" → (["en", "es"], []);
    "Language line available" → ([], ["Language line available"]).
    """
    codes: list[str] = []
    notes: list[str] = []
    for part in _PARTS.split(clean_text(text)):
        found, note = _read_part(part.strip())
        codes += [code for code in found if code not in codes]
        if note and note not in notes:
            notes.append(note)
    return codes, notes


def _read_part(part: str) -> tuple[list[str], str]:
    """The codes in one clause of a language value, and the clause itself if it says more."""
    if not part:
        return [], ""
    whole = language_code(part)
    if whole:
        return [whole], ""
    pieces = [piece for piece in _LIST.split(part) if piece.strip(" .")]
    codes = [language_code(piece) for piece in pieces]
    if codes and all(codes):
        return [code for code in codes if code], ""
    return _mentioned(part), part.strip()


def _mentioned(text: str) -> list[str]:
    """Codes of the languages named by capitalised words within a longer sentence."""
    found = []
    for match in re.finditer(r"[A-Z][a-zñòé]+(?:[ -][A-Z][a-zñòé]+)*", text):
        words = match.group().split()
        for size in range(len(words), 0, -1):
            code = _ALIASES.get(" ".join(words[:size]).lower()) or _names().get(
                " ".join(words[:size]).lower()
            )
            if code:
                found.append(code)
                break
    return list(dict.fromkeys(found))


def _key(name: str) -> str:
    """A language name reduced to what a lookup needs: lower case, no qualifiers or padding."""
    text = _QUALIFIER.sub(" ", clean_text(name))
    text = _LEAD.sub("", text.strip()).strip(" .:*-")
    if text.lower().endswith(" only"):
        text = text[: -len(" only")]
    return re.sub(r"\s+", " ", text).lower()


@cache
def _names() -> dict[str, str]:
    """Lower-case names of languages that have an ISO 639-1 code, to that code."""
    names: dict[str, str] = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code:
            for name in (language.name, getattr(language, "common_name", "")):
                if name:
                    names.setdefault(_short(name).lower(), code)
    return names


def _iso_639_3(key: str) -> str | None:
    """The ISO 639-3 code of a language known only by its full name ("Sindhi", "Gullah")."""
    found = pycountry.languages.get(name=key)
    return found.alpha_3 if found else None


def _short(name: str) -> str:
    """A name without ISO's qualifiers: "Modern Greek (1453-)" → "Greek"."""
    name = _QUALIFIER.sub("", name).strip()
    return name.removeprefix("Modern ").strip()

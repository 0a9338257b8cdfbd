"""Language names as directories write them ("Creole", "Spanish (limited)", "ASL") to ISO codes."""

from __future__ import annotations

import re
from functools import cache

import pycountry

from referral.directory.hsds.cleaning import clean_text

# Names people write that ISO 639 spells differently. "Creole" in a US directory is Haitian Creole.
_ALIASES = {
    "creole": "ht",
    "haitian creole": "ht",
    "haitian-creole": "ht",
    "kreyol": "ht",
    "kreyòl": "ht",
    "kreyol ayisyen": "ht",
    "greek": "el",
    "farsi": "fa",
    "mandarin": "zh",
    "cantonese": "yue",
    "taiwanese": "nan",
    "punjabi": "pa",
    "swahili": "sw",
    "nepali": "ne",
    "malay": "ms",
    "filipino": "fil",
    "asl": "ase",
    "sign language": "ase",
    "american sign language": "ase",
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
    """The English name of a language code ("ht" → "Haitian"), or the code itself."""
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    found = found or pycountry.languages.get(alpha_3=code)
    return _short(found.name) if found else code


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

"""Need keys (food, housing, …) for a service, from its taxonomy terms or else its own words.

The mapping lives in `needs.json` next to this module so that curators can change it without
touching code; it is read once and checked for need keys it does not declare.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

Patterns = tuple[tuple[str, re.Pattern[str]], ...]


@dataclass(frozen=True)
class NeedRules:
    """The need mapping of `needs.json`, compiled."""

    labels: dict[str, dict[str, str]]
    code_pattern: re.Pattern[str]
    code_prefixes: tuple[tuple[str, frozenset[str]], ...]
    term_names: dict[str, frozenset[str]]
    name_keywords: Patterns
    text_phrases: Patterns


@cache
def load_rules() -> NeedRules:
    """The need rules bundled with the package, read once."""
    document = Path(__file__).with_name("needs.json").read_text(encoding="utf-8")
    return rules_from(json.loads(document))


def rules_from(data: Mapping[str, Any]) -> NeedRules:
    """Rules compiled from a `needs.json` document; ValueError names any undeclared need key."""
    labels = {key: dict(names) for key, names in data["needs"].items()}
    _check_labels(labels)
    for section in ("code_prefixes", "term_names", "name_keywords", "text_phrases"):
        _check_keys(section, data[section], labels)
    prefixes = sorted(data["code_prefixes"].items(), key=lambda item: -len(item[0]))
    return NeedRules(
        labels=labels,
        code_pattern=re.compile(data["code_pattern"]),
        code_prefixes=tuple((prefix, frozenset(keys)) for prefix, keys in prefixes),
        term_names={_plain(name): frozenset(keys) for name, keys in data["term_names"].items()},
        name_keywords=_patterns(data["name_keywords"]),
        text_phrases=_patterns(data["text_phrases"]),
    )


def _check_labels(labels: dict[str, dict[str, str]]) -> None:
    """Refuse a need without both an English and a Spanish label."""
    for key, names in labels.items():
        if not names.get("en") or not names.get("es"):
            raise ValueError(f"needs.json: need {key!r} must have both an 'en' and an 'es' label")


def _check_keys(section: str, rules: Mapping[str, list[str]], labels: Mapping[str, Any]) -> None:
    """Refuse rules in `section` that name a need not declared under "needs"."""
    unknown = sorted(_named_needs(section, rules) - set(labels))
    if unknown:
        raise ValueError(f"needs.json: {section} names undeclared needs {unknown}; add them first")


def _named_needs(section: str, rules: Mapping[str, list[str]]) -> set[str]:
    """The need keys a section refers to: its keys for word lists, its values otherwise."""
    if section in ("name_keywords", "text_phrases"):
        return set(rules)
    return {key for keys in rules.values() for key in keys}


def _patterns(words_by_need: Mapping[str, list[str]]) -> Patterns:
    """One whole-word, case-insensitive pattern per need for its words and phrases."""
    return tuple(
        (key, re.compile(r"\b(?:" + "|".join(map(_word_pattern, words)) + r")\b"))
        for key, words in words_by_need.items()
        if words
    )


def _word_pattern(word: str) -> str:
    """Regex for one word or phrase: any ending after "*", else an optional plural s or es."""
    plain = _plain(word)
    if plain.endswith("*"):
        return _phrase(plain[:-1]) + r"\w*"
    return _phrase(plain) + "(?:s|es)?"


def _phrase(plain: str) -> str:
    """Regex matching the words of `plain` separated by any whitespace."""
    return r"\s+".join(map(re.escape, plain.split()))


def _plain(text: str) -> str:
    """`text` in lower case, without accents, with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


NEED_LABELS: dict[str, dict[str, str]] = load_rules().labels
NEED_KEYS: tuple[str, ...] = tuple(NEED_LABELS)


def needs_for(terms: Iterable[tuple[str, str]], text: str = "") -> list[str]:
    """Sorted need keys from a service's (code, name) terms, or from `text` when they give none."""
    rules = load_rules()
    found: set[str] = set()
    for code, name in terms:
        found |= _term_needs(rules, code or "", name or "")
    if not found and text:
        found = _matching(rules.text_phrases, _plain(text))
    return sorted(found)


def _term_needs(rules: NeedRules, code: str, name: str) -> frozenset[str]:
    """Needs of one term: by AIRS code prefix, else by whole name, else by words in the name."""
    code = code.strip()
    if rules.code_pattern.match(code):
        for prefix, keys in rules.code_prefixes:
            if code.startswith(prefix):
                return keys
    plain = _plain(name)
    if plain in rules.term_names:
        return rules.term_names[plain]
    return frozenset(_matching(rules.name_keywords, plain))


def _matching(patterns: Patterns, plain: str) -> set[str]:
    """The needs whose pattern occurs in `plain`."""
    return {key for key, pattern in patterns if pattern.search(plain)}

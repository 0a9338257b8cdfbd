"""Reading what people type: normalizing, fixing typos, and finding the concepts they name.

"fod pantyr" becomes "food pantry"; "light bill" is the concept of electric bill help, which a
directory calls "electric service payment assistance"; "renta" is the same concept as "rent".
Everything here is plain Python over data passed in (the concept table, the index vocabulary).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

DEFAULT_CONCEPTS = Path(__file__).with_name("concepts.json")


def normalize(text: str) -> str:
    """Lower case, accents folded, punctuation turned to spaces: "¿Dónde?" → "donde"."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    folded = folded.replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", folded))


@dataclass(frozen=True)
class Concept:
    """A need people name in many ways, with the directory's own words for it."""

    id: str
    terms: tuple[str, ...]
    needs: tuple[str, ...]
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """A concept found in a query, with the words the person used for it."""

    concept: Concept
    said: tuple[str, ...]


class ConceptTable:
    """Every concept, looked up by the phrases that name it (longest phrase first)."""

    def __init__(self, concepts: Iterable[Concept], filler: Iterable[str] = ()) -> None:
        self.concepts = list(concepts)
        self.filler = frozenset(normalize(word) for word in filler)
        self._words: frozenset[str] | None = None
        self._by_first: dict[str, list[tuple[tuple[str, ...], Concept]]] = {}
        for concept in self.concepts:
            for phrase in concept.phrases:
                words = tuple(w for w in normalize(phrase).split() if w not in self.filler)
                if words:
                    self._by_first.setdefault(words[0], []).append((words, concept))
        for entries in self._by_first.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    @classmethod
    def from_document(cls, document: dict) -> ConceptTable:
        """A table from the JSON form (see concepts.json)."""
        concepts = (concept_from(item) for item in document.get("concepts", []))
        return cls(concepts, document.get("filler", []))

    def words(self) -> frozenset[str]:
        """Every word of every phrase, so a misspelled phrase word can be corrected."""
        if self._words is None:
            entries = (entry for group in self._by_first.values() for entry in group)
            self._words = frozenset(word for words, _ in entries for word in words)
        return self._words

    def match(self, tokens: list[str]) -> tuple[list[Match], list[str]]:
        """The concepts the tokens name (longest phrases first), each with the words that named
        it, and the tokens left over.

        Filler words may stand between and inside a phrase's words: "lights are getting shut
        off" names the phrase "lights shut off", "ride to my doctor" the phrase "ride to the
        doctor".
        """
        found: dict[str, Match] = {}
        rest: list[str] = []
        i = 0
        while i < len(tokens):
            hit = self._longest_at(tokens, i)
            if hit is None:
                rest.append(tokens[i])
                i += 1
                continue
            words, concept, end = hit
            earlier = found.get(concept.id)
            said = (*earlier.said, " ".join(words)) if earlier else (" ".join(words),)
            found[concept.id] = Match(concept, said)
            i = end
        return list(found.values()), rest

    def _longest_at(self, tokens: list[str], i: int) -> tuple[tuple[str, ...], Concept, int] | None:
        """The longest phrase starting at token i (filler words skipped), with where it ends."""
        for words, concept in self._by_first.get(tokens[i], []):
            end = self._span(tokens, i, words)
            if end is not None:
                return words, concept, end
        return None

    def _span(self, tokens: list[str], i: int, words: tuple[str, ...]) -> int | None:
        """The end of `words` read from token i on, skipping filler; None if they are not there."""
        for word in words:
            while i < len(tokens) and tokens[i] != word and tokens[i] in self.filler:
                i += 1
            if i >= len(tokens) or tokens[i] != word:
                return None
            i += 1
        return i


def concept_from(item: dict) -> Concept:
    """One concept from its JSON form; phrases in every language are pooled."""
    phrases = [*item.get("en", []), *item.get("es", []), *item.get("phrases", [])]
    return Concept(
        id=item["id"],
        terms=tuple(item.get("terms", [])),
        needs=tuple(item.get("needs", [])),
        phrases=tuple(phrases),
    )


@cache
def default_concepts() -> ConceptTable:
    """The concept table shipped with the app."""
    return ConceptTable.from_document(json.loads(DEFAULT_CONCEPTS.read_text(encoding="utf-8")))


@dataclass
class Vocabulary:
    """The words a directory uses (in names, organizations, taxonomy), with how many documents use
    each: what a misspelled word is corrected towards."""

    frequency: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._choices = [w for w in self.frequency if len(w) >= 3 and not w.isdigit()]

    def knows(self, word: str) -> bool:
        """Whether the directory uses the word."""
        return word in self.frequency

    def correct(self, word: str) -> str | None:
        """The likeliest intended word: fewest edits (transpositions count one), then most used."""
        limit = 1 if len(word) <= 5 else 2
        found = process.extract(
            word, self._choices, scorer=OSA.distance, score_cutoff=limit, limit=20
        )
        if not found:
            return None
        best = min(found, key=lambda hit: (hit[1], -self.frequency[hit[0]], hit[0]))
        return best[0]


@dataclass(frozen=True)
class Understood:
    """A query as the search reads it."""

    words: tuple[str, ...]
    matches: tuple[Match, ...]
    corrected: str | None

    @property
    def concepts(self) -> tuple[Concept, ...]:
        """The concepts named."""
        return tuple(m.concept for m in self.matches)

    @property
    def needs(self) -> frozenset[str]:
        """The needs the concepts named."""
        return frozenset(need for concept in self.concepts for need in concept.needs)


def understand(
    q: str,
    concepts: ConceptTable,
    vocabulary: Vocabulary,
    is_known: Callable[[str], bool] | None = None,
) -> Understood:
    """Correct typos, find concepts and drop filler words; `corrected` is the fixed query text
    when a word was changed (for "did you mean").

    A word is left alone when the vocabulary or `is_known` (the index, say) knows it; the
    vocabulary should hold the concept phrases' words too.
    """
    tokens = normalize(q).split()

    def known(token: str) -> bool:
        return vocabulary.knows(token) or bool(is_known and is_known(token))

    fixed = [fix(token, known, vocabulary, concepts.filler) for token in tokens]
    found, rest = concepts.match(fixed)
    words = tuple(dict.fromkeys(w for w in rest if w not in concepts.filler))
    corrected = " ".join(fixed) if fixed != tokens else None
    return Understood(words=words, matches=tuple(found), corrected=corrected)


def fix(
    token: str, known: Callable[[str], bool], vocabulary: Vocabulary, filler=frozenset()
) -> str:
    """The token itself when it is a known or filler word (or too short to judge), else its
    correction."""
    if token in filler or token.isdigit() or len(token) < 3 or known(token):
        return token
    return vocabulary.correct(token) or token

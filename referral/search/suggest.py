"""Autocomplete for the search box: service and organization names, concepts and needs.

Suggestions come from a sorted list of every word of every label, so a prefix is found by
bisection; a label matches when each typed word starts one of its words. Needs and concepts
come first (they search widely), then names by how many listings carry them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from referral.search.understanding import ConceptTable, normalize

KIND_ORDER = {"need": 0, "concept": 1, "taxonomy": 2, "service": 3, "organization": 4}
MAX_SCAN = 2000


@dataclass(frozen=True)
class Suggestion:
    """One line of the autocomplete list."""

    text: str
    kind: str
    weight: int = 1


class Suggester:
    """Labels indexed by the words they contain."""

    def __init__(self, labels: Iterable[Suggestion]) -> None:
        merged: dict[tuple[str, str], Suggestion] = {}
        for label in labels:
            key = (normalize(label.text), label.kind)
            if key[0] and (key not in merged or merged[key].weight < label.weight):
                merged[key] = label
        self.labels = list(merged.values())
        self.normalized = [normalize(label.text) for label in self.labels]
        self.words = sorted(
            (word, i) for i, text in enumerate(self.normalized) for word in set(text.split())
        )
        self._keys = [word for word, _ in self.words]

    def suggest(self, typed: str, limit: int = 8) -> list[Suggestion]:
        """Labels every typed word starts a word of, best first; near misses when none."""
        words = normalize(typed).split()
        if not words:
            return []
        found = self._prefixed(words)
        if not found and len(words[-1]) >= 3:
            found = self._fuzzy(" ".join(words))
        ranked = sorted(found, key=lambda i: self._rank(i, words))
        shown: dict[str, Suggestion] = {}
        for i in ranked:
            shown.setdefault(self.normalized[i], self.labels[i])
            if len(shown) == limit:
                break
        return list(shown.values())

    def _prefixed(self, words: list[str]) -> set[int]:
        """Labels in which each typed word starts some word."""
        found: set[int] | None = None
        for word in words:
            start = bisect.bisect_left(self._keys, word)
            ids = set()
            for key, i in self.words[start : start + MAX_SCAN]:
                if not key.startswith(word):
                    break
                ids.add(i)
            found = ids if found is None else found & ids
        return found or set()

    def _fuzzy(self, typed: str) -> set[int]:
        """Labels close to the typed text despite a typo."""
        hits = process.extract(
            typed, self.normalized, scorer=fuzz.partial_ratio, score_cutoff=80, limit=20
        )
        return {i for _, _, i in hits}

    def _rank(self, i: int, words: list[str]) -> tuple:
        """Needs and concepts first, then labels that start with the text, then the most used."""
        label = self.labels[i]
        starts = self.normalized[i].startswith(" ".join(words))
        return (KIND_ORDER[label.kind], not starts, -label.weight, len(label.text))


def labels_for(
    names: dict[tuple[str, str], int], concepts: ConceptTable, needs: dict
) -> list[Suggestion]:
    """Every suggestible label: names with their counts, concept phrases, need labels."""
    labels = [Suggestion(text, kind, count) for (kind, text), count in names.items()]
    labels += [Suggestion(phrase, "concept") for c in concepts.concepts for phrase in c.phrases]
    labels += [Suggestion(label, "need") for key in needs for label in needs[key].values()]
    return labels

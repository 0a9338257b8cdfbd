"""Scoring a query over segment tables: BM25 over whoosh's postings, a whole segment at a time.

A query is a Plan: parts that each add to a document's score (a concept, a word, a need), where
a part is a group of clauses and a clause wants all of its tokens. Documents matching more parts
get a coordination bonus, as whoosh's `Or(scale=…)` gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from referral.search.tables import SegmentTables

COORDINATION = 0.9


@dataclass(frozen=True)
class Clause:
    """Documents holding every token (each in any text field)."""

    tokens: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Part:
    """Documents matching any of the clauses (their scores add up), or carrying any of the need
    keys, weighted by `boost`."""

    clauses: tuple[Clause, ...] = ()
    needs: tuple[str, ...] = ()
    boost: float = 1.0


@dataclass(frozen=True)
class Plan:
    """The scored part of a search."""

    parts: tuple[Part, ...]

    def tokens(self) -> set[str]:
        """Every token the plan looks up."""
        return {t for part in self.parts for clause in part.clauses for t in clause.tokens}


class Statistics:
    """Document counts across all segments, for inverse document frequencies."""

    def __init__(self, segments: list[SegmentTables], plan: Plan) -> None:
        self.total = sum(int(s.present.sum()) for s in segments) or 1
        self.frequency: dict[str, int] = {}
        for token in plan.tokens():
            self.frequency[token] = sum(
                len(s.postings[token][0]) for s in segments if token in s.postings
            )
        for need in {n for part in plan.parts for n in part.needs}:
            key = f"need:{need}"
            self.frequency[key] = sum(len(s.keys[key]) for s in segments if key in s.keys)

    def idf(self, key: str) -> float:
        """BM25's inverse document frequency of a token or need key."""
        df = self.frequency.get(key, 0)
        return math.log(1 + (self.total - df + 0.5) / (df + 0.5))


def score(plan: Plan, tables: SegmentTables, stats: Statistics, rows: np.ndarray) -> np.ndarray:
    """The scores of the documents `rows` of the segment (0 where one matches nothing).

    Work is done in the space of those rows only: each posting list is mapped onto them once.
    """
    view = RowView(tables, rows, stats)
    total = np.zeros(len(rows), dtype=np.float32)
    matched = np.zeros(len(rows), dtype=np.float32)
    for part in plan.parts:
        part_score = view.part(part)
        total += part_score
        matched += part_score > 0
    if len(plan.parts) > 1:
        total *= (1 - COORDINATION) + COORDINATION * matched / len(plan.parts)
    return total


class RowView:
    """Token and need columns of one segment, restricted to some of its rows."""

    def __init__(self, tables: SegmentTables, rows: np.ndarray, stats: Statistics) -> None:
        self.tables = tables
        self.stats = stats
        self.size = len(rows)
        self.position = np.full(tables.size, -1, dtype=np.int32)
        self.position[rows] = np.arange(len(rows), dtype=np.int32)
        self.columns: dict[str, np.ndarray] = {}

    def column(self, key: str, ids: np.ndarray, weights: np.ndarray | float) -> np.ndarray:
        """A dense column over the rows from a posting list, times the key's idf (cached)."""
        found = self.columns.get(key)
        if found is None:
            where = self.position[ids]
            hit = where >= 0
            found = np.zeros(self.size, dtype=np.float32)
            values = weights[hit] if isinstance(weights, np.ndarray) else weights
            found[where[hit]] = values * self.stats.idf(key.removeprefix("token:"))
            self.columns[key] = found
        return found

    def part(self, part: Part) -> np.ndarray:
        """The scores one part gives the rows."""
        result = np.zeros(self.size, dtype=np.float32)
        for clause in part.clauses:
            result += self.clause(clause)
        for need in part.needs:
            key = f"need:{need}"
            if key in self.tables.keys:
                result += self.column(key, self.tables.keys[key], 1.0)
        return result * part.boost

    def clause(self, clause: Clause) -> np.ndarray:
        """The scores of rows holding every token of the clause."""
        result = None
        for token in clause.tokens:
            posting = self.tables.postings.get(token)
            if posting is None:
                return np.zeros(self.size, dtype=np.float32)
            column = self.column(f"token:{token}", *posting)
            if result is None:
                result = column.copy()
            else:
                result = np.where((column > 0) & (result > 0), result + column, 0)
        if result is None:
            return np.zeros(self.size, dtype=np.float32)
        return result * clause.boost

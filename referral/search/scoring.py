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


def score(plan: Plan, tables: SegmentTables, stats: Statistics) -> np.ndarray:
    """The score of every document of the segment (0 where it matches nothing)."""
    dense: dict[str, np.ndarray] = {}
    total = np.zeros(tables.size, dtype=np.float32)
    matched = np.zeros(tables.size, dtype=np.float32)
    for part in plan.parts:
        part_score = part_scores(part, tables, stats, dense)
        total += part_score
        matched += part_score > 0
    if len(plan.parts) > 1:
        total *= (1 - COORDINATION) + COORDINATION * matched / len(plan.parts)
    return total


def part_scores(part: Part, tables: SegmentTables, stats: Statistics, dense: dict) -> np.ndarray:
    """The scores one part gives the segment's documents."""
    result = np.zeros(tables.size, dtype=np.float32)
    for clause in part.clauses:
        result += clause_scores(clause, tables, stats, dense)
    for need in part.needs:
        key = f"need:{need}"
        if key in tables.keys:
            result[tables.keys[key]] += stats.idf(key)
    return result * part.boost


def clause_scores(
    clause: Clause, tables: SegmentTables, stats: Statistics, dense: dict
) -> np.ndarray:
    """The scores of documents holding every token of the clause."""
    arrays = []
    for token in clause.tokens:
        if token not in tables.postings:
            return np.zeros(tables.size, dtype=np.float32)
        if token not in dense:
            ids, weights = tables.postings[token]
            column = np.zeros(tables.size, dtype=np.float32)
            column[ids] = weights * stats.idf(token)
            dense[token] = column
        arrays.append(dense[token])
    if not arrays:
        return np.zeros(tables.size, dtype=np.float32)
    result = arrays[0].copy()
    for column in arrays[1:]:
        result = np.where((column > 0) & (result > 0), result + column, 0)
    return result * clause.boost

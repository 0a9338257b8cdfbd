"""The concept table searches use: the shipped defaults with the curators' changes on top."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError

from referral.curation.models import SearchConcept
from referral.directory.models import utcnow
from referral.directory.needs import NEED_KEYS
from referral.extensions import db
from referral.search.understanding import Concept, ConceptTable, default_concepts

REFRESH_SECONDS = 2.0
log = logging.getLogger(__name__)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class ConceptError(ValueError):
    """A concept a curator cannot save as it is; `problems` lists every field at fault."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass
class ConceptRow:
    """One concept as the curation page lists it."""

    concept: Concept
    source: str
    enabled: bool = True


def effective_table(overrides: list[SearchConcept]) -> ConceptTable:
    """The shipped concepts with the curators' versions replacing, adding or switching off."""
    defaults = default_concepts()
    by_id = {c.id: c for c in defaults.concepts}
    for row in overrides:
        if row.enabled:
            by_id[row.id] = Concept(row.id, tuple(row.terms), tuple(row.needs), tuple(row.phrases))
        else:
            by_id.pop(row.id, None)
    return ConceptTable(by_id.values(), defaults.filler)


def concept_rows() -> list[ConceptRow]:
    """Every concept, shipped or added, with where it comes from."""
    overrides = {row.id: row for row in db.session.scalars(select(SearchConcept))}
    rows = []
    for concept in default_concepts().concepts:
        row = overrides.pop(concept.id, None)
        if row is None:
            rows.append(ConceptRow(concept, "shipped"))
        else:
            rows.append(ConceptRow(as_concept(row), "edited", row.enabled))
    rows += [ConceptRow(as_concept(row), "added", row.enabled) for row in overrides.values()]
    return sorted(rows, key=lambda r: r.concept.id)


def as_concept(row: SearchConcept) -> Concept:
    """A stored concept as the search reads it."""
    return Concept(row.id, tuple(row.terms), tuple(row.needs), tuple(row.phrases))


def find_concept(concept_id: str) -> ConceptRow | None:
    """One concept by id, shipped or added."""
    return next((r for r in concept_rows() if r.concept.id == concept_id), None)


def save_concept(concept_id, phrases, terms, needs, enabled, user_id, new=False) -> SearchConcept:
    """Store a curator's version of a concept after checking every field (flushes)."""
    phrases, terms = clean_lines(phrases), clean_lines(terms)
    check(concept_id, phrases, terms, needs, new)
    row = db.session.get(SearchConcept, concept_id) or SearchConcept(id=concept_id, version=0)
    row.phrases, row.terms, row.needs, row.enabled = phrases, terms, list(needs), enabled
    row.version, row.updated_at, row.updated_by = row.version + 1, utcnow(), user_id
    db.session.add(row)
    db.session.flush()
    return row


def clean_lines(values: list[str]) -> list[str]:
    """Non-empty, trimmed, de-duplicated lines."""
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def check(concept_id: str, phrases: list[str], terms: list[str], needs, new: bool) -> None:
    """Raise ConceptError listing every problem with a concept."""
    problems = {}
    if not SLUG.match(concept_id or ""):
        problems["id"] = "Use lower-case letters, digits and hyphens, e.g. light-bill."
    elif new and find_concept(concept_id) is not None:
        problems["id"] = "A concept with this id exists already; edit it instead."
    if not phrases:
        problems["phrases"] = "Give at least one phrase people say."
    if not terms:
        problems["terms"] = "Give at least one word or phrase listings use."
    unknown = [n for n in needs if n not in NEED_KEYS]
    if not needs or unknown:
        problems["needs"] = "Choose at least one need from the list."
    if problems:
        raise ConceptError(problems)


def restore_default(concept_id: str) -> bool:
    """Drop a curator's version so the shipped concept applies again (flushes)."""
    row = db.session.get(SearchConcept, concept_id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


class ConceptCache:
    """The effective concept table of one process, re-read at most every two seconds and only
    when the curators' table has changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked = 0.0
        self._stamp: tuple | None = None
        self._table: ConceptTable | None = None

    def table(self) -> ConceptTable:
        """The concept table to search with now."""
        with self._lock:
            if self._table is None or time.monotonic() - self._checked > REFRESH_SECONDS:
                self._refresh()
            return self._table

    def _refresh(self) -> None:
        """Re-read the curators' concepts if anything changed since the last look.

        A database not yet upgraded to hold curators' concepts searches with the shipped ones
        (and says so in the log) rather than failing every search.
        """
        try:
            stamp = tuple(
                db.session.execute(
                    select(func.count(SearchConcept.id), func.max(SearchConcept.updated_at))
                ).one()
            )
            if stamp != self._stamp or self._table is None:
                self._table = effective_table(list(db.session.scalars(select(SearchConcept))))
                self._stamp = stamp
        except DatabaseError:
            db.session.rollback()
            log.warning("curated search concepts unavailable; run `referral init` to upgrade")
            self._table = self._table or effective_table([])
        self._checked = time.monotonic()

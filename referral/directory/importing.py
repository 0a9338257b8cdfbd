"""Importing an HSDS package: read, check, write all or nothing, then bring the index up to date."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from referral.directory import models as m
from referral.directory.claims import id_conflicts
from referral.directory.hsds.identity import is_uuid
from referral.directory.hsds.reader import read_package
from referral.directory.indexing import reindex_all, reindex_services
from referral.directory.records import Package, Problem
from referral.directory.store import ImportSummary, chunks, save_package
from referral.extensions import db
from referral.search.index import ServiceIndex

Progress = Callable[[str], None]
SMALL_IMPORT = 200
PUBLISHED_MODELS = {
    "organizations": m.Organization,
    "services": m.Service,
    "locations": m.Location,
    "service_at_location": m.ServiceAtLocation,
    "taxonomy_terms": m.TaxonomyTerm,
}


@dataclass
class ImportReport:
    """The outcome of an import or a dry run."""

    source: str
    dry_run: bool
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    summary: ImportSummary | None = None
    package: Package | None = None

    @property
    def ok(self) -> bool:
        """Whether the package had no errors (and, unless a dry run, was written)."""
        return not self.errors

    def warning_counts(self) -> list[tuple[str, str, str, int]]:
        """Warnings grouped by kind as (file, field, message, count), most frequent first.

        A JSON path's positions are left out of the field, so one kind of loss in 2,000
        service documents is one group, not 2,000.
        """
        counts = Counter(warning_kind(w) for w in self.warnings)
        return [(*key, n) for key, n in counts.most_common()]

    def examples(self, kind: tuple[str, str, str], count: int = 3) -> list[Problem]:
        """The first few warnings of one kind."""
        return [w for w in self.warnings if warning_kind(w) == kind][:count]


def warning_kind(problem: Problem) -> tuple[str, str, str]:
    """The kind of loss a warning reports: its file, its field without positions, its message."""
    return problem.file, re.sub(r"\[\d+\]", "[]", problem.field), problem.message


def import_package(
    path: str | Path, index: ServiceIndex, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import `path`; on any error, or in a dry run, nothing is written. Commits on success."""
    say = progress or (lambda _line: None)
    package = read_package(path, progress=say, known_ids=published_in_directory)
    report = ImportReport(str(path), dry_run, package.errors, package.warnings, package=package)
    report.errors += id_conflicts(package)
    if report.errors:
        return report
    try:
        report.summary = save_package(package, say)
    except SQLAlchemyError as error:
        db.session.rollback()
        report.errors.append(refused(report.source, error))
        return report
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
        return report
    db.session.commit()
    refresh_index(index, report.summary.service_ids, say)
    return report


def published_in_directory(table: str, ids: list[str]) -> dict[str, str]:
    """Of `ids`, those that are the published UUIDs of records of `table` with other own ids."""
    model = PUBLISHED_MODELS[table]
    found: dict[str, str] = {}
    for part in chunks([value for value in ids if is_uuid(value)]):
        query = select(model.hsds_id, model.id).where(
            model.hsds_id.in_(part), model.id != model.hsds_id
        )
        found.update((published, own) for published, own in db.session.execute(query))
    return found


def refused(source: str, error: SQLAlchemyError) -> Problem:
    """The error reported when the database refuses what the checks let through."""
    cause = getattr(error, "orig", None) or error
    message = "the database refused the import; nothing was written"
    return Problem(Path(source).name, None, "", message, detail=str(cause).splitlines()[0])


def refresh_index(index: ServiceIndex, service_ids: list[str], say: Progress) -> None:
    """Update the documents of a few services, or rebuild the index after a large import."""
    if len(service_ids) <= SMALL_IMPORT and index.doc_count() > 0:
        say(f"updating the search index for {len(service_ids)} services")
        reindex_services(index, service_ids)
    else:
        say("rebuilding the search index")
        reindex_all(index, say)


def database_is_ready() -> bool:
    """Whether the database has been set up (`referral init`) and holds the directory tables."""
    return inspect(db.engine).has_table(m.Service.__tablename__)


def directory_is_empty() -> bool:
    """Whether the database holds no services yet."""
    return not db.session.scalar(select(func.count()).select_from(m.Service))

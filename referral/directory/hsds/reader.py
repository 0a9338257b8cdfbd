"""Reading an HSDS package (tabular 1.x/2.x/3.0 folder or zip, or 3.0 JSON) into records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from referral.directory.hsds.build import build_package
from referral.directory.hsds.documents import read_documents
from referral.directory.hsds.provenance import KnownIds, adopt_known_ids, restore_source_ids
from referral.directory.hsds.rows import Tables
from referral.directory.hsds.sources import open_source
from referral.directory.hsds.tabular import read_tables
from referral.directory.records import Package, Problem

# Problems that leave the tables incomplete: linking what was read would only add noise.
STRUCTURAL = (
    "required file is missing",
    "required column is missing",
    "the file cannot be read as CSV from this row on",
    "the row has more values than the header has columns",
    "the package was not found",
)


def read_package(
    path: str | Path,
    progress: Callable[[str], None] | None = None,
    known_ids: KnownIds | None = None,
) -> Package:
    """Every record of an HSDS package, with each problem found in it; never raises on bad input.

    `known_ids` tells which published UUIDs stand for records already in the directory.
    """
    path = Path(path)
    report = progress or _quiet
    package = Package(source=str(path))
    tables, problems = _read_tables(path, report)
    package.problems.extend(problems)
    if tables and not _structural(problems):
        restore_source_ids(tables, package.problems)
        if known_ids is not None:
            adopt_known_ids(tables, known_ids)
        build_package(tables, package)
        report(f"{len(package.services):,} services, {len(package.problems):,} problems")
    return package


def _read_tables(path: Path, progress: Callable[[str], None]) -> tuple[Tables, list[Problem]]:
    """The canonical tables of the package at `path`, and the problems met reading its files."""
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            data = path.read_bytes()
        except OSError as error:
            return {}, [Problem(path.name, None, "", "the file cannot be read", detail=str(error))]
        return read_documents(path.name, data, progress)
    source, problems = open_source(path)
    if source is None:
        return {}, problems
    return read_tables(source, progress)


def _structural(problems: list[Problem]) -> bool:
    """Whether any problem leaves a table incomplete."""
    return any(p.severity == "error" and p.message in STRUCTURAL for p in problems)


def _quiet(line: str) -> None:
    """Progress reporter that says nothing."""

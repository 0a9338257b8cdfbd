"""Keeping the search index in step with the directory in the database."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from referral.directory.snapshot import read_directory
from referral.search.documents import documents
from referral.search.index import ServiceIndex


def reindex_all(index: ServiceIndex, progress: Callable[[str], None] | None = None) -> int:
    """Rebuild the whole index from the database; returns how many documents it holds."""
    if progress:
        progress("reading the directory")
    package = read_directory()
    if progress:
        progress(f"indexing {len(package.services):,} services")
    return index.rebuild(documents(package), progress)


def reindex_services(index: ServiceIndex, service_ids: Iterable[str]) -> int:
    """Bring the documents of the given services up to date (after an edit or a small import)."""
    ids = list(service_ids)
    package = read_directory(ids)
    return index.update_services(ids, documents(package))

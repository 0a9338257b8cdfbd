"""The whoosh index of search documents, and the per-segment table of what each result shows."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
from whoosh import index as whoosh_index
from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.support.charset import accent_map
from whoosh.writing import CLEAR

from referral.directory.needs import NEED_LABELS
from referral.search.documents import SearchDocument
from referral.search.geo import cell_keys
from referral.search.suggest import Suggester, labels_for
from referral.search.tables import SegmentTables, live_mask, load_tables
from referral.search.understanding import Vocabulary, default_concepts, normalize

Progress = Callable[[str], None]
INDEX_NAME = "services"
TEXT_FIELDS = ("name", "organization", "taxonomy", "need_words", "description")
PARALLEL_FROM = 5000


def analyzer():
    """English stemming with accents folded, so "Café" and "cafe" meet."""
    return StemmingAnalyzer() | CharsetFilter(accent_map)


def schema() -> Schema:
    """The fields of a search document; weights favour names and taxonomy over descriptions.

    Text fields keep term frequencies but no positions (no phrase queries are run), which
    halves the postings to write. Needs, languages, service areas and the map squares a
    document lies in travel in the stored payload, where the search reads them as filters.
    """
    text = analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        service_id=ID(stored=True),
        name=TEXT(analyzer=text, field_boost=3.0, phrase=False),
        organization=TEXT(analyzer=text, field_boost=1.5, phrase=False),
        taxonomy=TEXT(analyzer=text, field_boost=2.5, phrase=False),
        need_words=TEXT(analyzer=text, field_boost=2.0, phrase=False),
        description=TEXT(analyzer=text, phrase=False),
        payload=STORED,
    )


def fields_of(doc: SearchDocument) -> dict:
    """The whoosh field values of one document."""
    fields = {
        "doc_id": doc.doc_id,
        "service_id": doc.service_id,
        "name": doc.name,
        "organization": doc.organization,
        "taxonomy": " ; ".join(doc.taxonomy),
        "need_words": doc.need_words(),
        "description": doc.description,
        "payload": orjson.dumps(meta_of(doc)).decode("utf-8"),
    }
    return fields


def meta_of(doc: SearchDocument) -> dict:
    """The stored part of a document: the payload plus ids, point, areas and languages."""
    return {
        **doc.payload,
        "service_id": doc.service_id,
        "location_id": doc.location_id,
        "latitude": doc.latitude,
        "longitude": doc.longitude,
        "areas": doc.areas,
        "needs": doc.needs,
        "cells": (
            cell_keys(doc.latitude, doc.longitude)
            if doc.latitude is not None and doc.longitude is not None
            else []
        ),
    }


class ServiceIndex:
    """An on-disk whoosh index with an in-memory table of each document's stored data."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._index = None
        self._lock = threading.RLock()
        self._searcher = None
        self._suggester: tuple[tuple, Suggester] | None = None
        self._segments: dict[str, SegmentTables] = {}
        self._live_masks: dict[str, tuple[int, np.ndarray]] = {}
        self._vocabulary: tuple[tuple[str, ...], Vocabulary] | None = None

    @property
    def index(self):
        """The whoosh index, created empty on first use."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = self._open_or_create()
        return self._index

    def _open_or_create(self):
        """Open the index in the directory, or create an empty one there."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if whoosh_index.exists_in(str(self.directory), indexname=INDEX_NAME):
            return whoosh_index.open_dir(str(self.directory), indexname=INDEX_NAME)
        return whoosh_index.create_in(str(self.directory), schema(), indexname=INDEX_NAME)

    def rebuild(self, docs: Iterable[SearchDocument], progress: Progress | None = None) -> int:
        """Replace the whole index with `docs`; searches go on against the old one meanwhile.

        Large rebuilds write segments in parallel, one process per core.
        """
        docs = list(docs)
        self._ensure_current_schema()
        procs = min(os.cpu_count() or 1, 4) if len(docs) >= PARALLEL_FROM else 1
        writer = self.index.writer(limitmb=128, procs=procs, multisegment=procs > 1)
        for count, doc in enumerate(docs, start=1):
            writer.add_document(**fields_of(doc))
            if progress and count % 10000 == 0:
                progress(f"indexed {count:,} of {len(docs):,} documents")
        if progress:
            progress("writing the index")
        writer.commit(mergetype=CLEAR)
        return len(docs)

    def _ensure_current_schema(self) -> None:
        """Start a fresh index when the one on disk was made with other fields."""
        if schema_signature(self.index.schema) != schema_signature(schema()):
            with self._lock:
                self._index = whoosh_index.create_in(str(self.directory), schema(), INDEX_NAME)
                self._segments.clear()
                self._live_masks.clear()
                self._vocabulary = None

    def update_services(self, service_ids: Iterable[str], docs: Iterable[SearchDocument]) -> int:
        """Replace the documents of the given services with `docs` (none removes them)."""
        writer = self.index.writer(timeout=10.0)
        for service_id in service_ids:
            writer.delete_by_term("service_id", service_id)
        count = 0
        for doc in docs:
            writer.add_document(**fields_of(doc))
            count += 1
        writer.commit()
        return count

    def searcher(self):
        """A new searcher on the newest committed state of the index (the caller closes it)."""
        return self.index.searcher()

    def current(self):
        """The shared searcher, opened anew on the newest state of the index when it has changed.

        Not whoosh's `refresh()`: it reuses the reader of every segment it still knows by id,
        with the deletions that segment had then, so an edited service's replaced documents
        stayed in results beside the new ones (and a searcher opened on an empty index never
        looks up to date). Segment tables stay cached by segment id; live masks are read again.
        """
        with self._lock:
            if self._searcher is None or not self._searcher.up_to_date():
                self._searcher = self.index.searcher()
            return self._searcher

    def doc_count(self) -> int:
        """How many documents the index holds."""
        with self.searcher() as s:
            return s.doc_count()

    def vocabulary(self, searcher, extra_words: frozenset[str] = frozenset()) -> Vocabulary:
        """The words of names, organizations and taxonomy with their document counts, plus
        `extra_words`; rebuilt only when the index or the extra words change."""
        segments = tuple(sorted(segment_key(r) for r, _ in searcher.reader().leaf_readers()))
        key = (segments, hash(extra_words))
        with self._lock:
            return self._vocabulary_for(searcher, key, extra_words)

    def _vocabulary_for(self, searcher, key: tuple, extra_words: Iterable[str]) -> Vocabulary:
        """`vocabulary`, with the lock held: every word of every service, organization and
        taxonomy name, counted by the listings that carry it, and the need labels."""
        if self._vocabulary is None or self._vocabulary[0] != key:
            counts: dict[str, int] = {}
            for segment in self._segments_of(searcher):
                for (_, name), count in segment.tables.names.items():
                    for word in set(normalize(name).split()):
                        counts[word] = counts.get(word, 0) + count
            for word in {normalize(v) for labels in NEED_LABELS.values() for v in labels.values()}:
                counts[word] = counts.get(word, 0) + 1
            for word in extra_words:
                counts.setdefault(word, 1)
            self._vocabulary = (key, Vocabulary(counts))
        return self._vocabulary[1]

    def segments(self, searcher) -> list[Segment]:
        """The searcher's segments with their tables and live-document masks, in docnum order."""
        with self._lock:
            return self._segments_of(searcher)

    def _segments_of(self, searcher) -> list[Segment]:
        """`segments`, with the lock held (tables are read from the segment's files)."""
        found = []
        for reader, offset in searcher.reader().leaf_readers():
            key = segment_key(reader)
            tables = self._segments.get(key)
            if tables is None:
                tables = self._segments[key] = load_tables(reader)
            found.append(Segment(offset, tables, self._live(key, reader, tables)))
        current = {segment_key(r) for r, _ in searcher.reader().leaf_readers()}
        for key in set(self._segments) - current:
            self._segments.pop(key, None)
        return sorted(found, key=lambda segment: segment.offset)

    def _live(self, key: str, reader, tables: SegmentTables) -> np.ndarray:
        """The live mask of a segment, recomputed only when its deletions change."""
        deleted = reader.segment().deleted_count() if reader.has_deletions() else 0
        cached = self._live_masks.get(key)
        if cached is None or cached[0] != deleted:
            cached = self._live_masks[key] = (deleted, live_mask(reader, tables))
        return cached[1]

    def suggester(self, concepts) -> Suggester:
        """Autocomplete over the current index's names and the concepts; rebuilt on change."""
        searcher = self.current()
        segments = self.segments(searcher)
        key = (
            tuple(sorted(segment_key(r) for r, _ in searcher.reader().leaf_readers())),
            id(concepts),
        )
        with self._lock:
            if self._suggester is None or self._suggester[0] != key:
                names: dict[tuple[str, str], int] = {}
                for segment in segments:
                    for name, count in segment.tables.names.items():
                        names[name] = names.get(name, 0) + count
                self._suggester = (key, Suggester(labels_for(names, concepts, NEED_LABELS)))
            return self._suggester[1]

    def warm(self) -> None:
        """Read every segment's tables now rather than on the first search."""
        searcher = self.current()
        self.segments(searcher)
        self.vocabulary(searcher, default_concepts().words())


@dataclass(frozen=True)
class Segment:
    """One segment of a searcher: where its documents start, its tables, which are live."""

    offset: int
    tables: SegmentTables
    live: np.ndarray


def schema_signature(s: Schema) -> tuple:
    """The fields of a schema with their kinds, to tell whether an index on disk is current."""
    return tuple(
        (name, type(s[name]).__name__, type(getattr(s[name], "format", None)).__name__)
        for name in sorted(s.names())
    )


def segment_key(reader) -> str:
    """A name for the segment behind a leaf reader (unique while the segment exists)."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else str(id(reader))

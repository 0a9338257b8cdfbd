"""The whoosh index of search documents, and the per-segment table of what each result shows."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map
from whoosh.writing import CLEAR

from referral.search.documents import SearchDocument

Progress = Callable[[str], None]
INDEX_NAME = "services"
TEXT_FIELDS = ("name", "organization", "taxonomy", "need_words", "description")


def analyzer():
    """English stemming with accents folded, so "Café" and "cafe" meet."""
    return StemmingAnalyzer() | CharsetFilter(accent_map)


def schema() -> Schema:
    """The fields of a search document; weights favour names and taxonomy over descriptions."""
    text = analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        service_id=ID(stored=True),
        name=TEXT(analyzer=text, field_boost=3.0),
        organization=TEXT(analyzer=text, field_boost=1.5),
        taxonomy=TEXT(analyzer=text, field_boost=2.5),
        need_words=TEXT(analyzer=text, field_boost=2.0),
        description=TEXT(analyzer=text),
        needs=KEYWORD(commas=True, lowercase=True),
        areas=KEYWORD(commas=True, lowercase=True),
        languages=KEYWORD(commas=True, lowercase=True),
        latitude=NUMERIC(float, stored=True),
        longitude=NUMERIC(float, stored=True),
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
        "needs": ",".join(doc.needs),
        "areas": ",".join(doc.areas),
        "languages": ",".join(doc.languages),
        "payload": json.dumps(meta_of(doc), separators=(",", ":")),
    }
    if doc.latitude is not None and doc.longitude is not None:
        fields.update(latitude=doc.latitude, longitude=doc.longitude)
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
    }


@dataclass
class Meta:
    """What the search needs of one indexed document, kept in memory per segment."""

    service_id: str
    latitude: float | None
    longitude: float | None
    areas: frozenset[str]
    data: dict


class ServiceIndex:
    """An on-disk whoosh index with an in-memory table of each document's stored data."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._index = None
        self._lock = threading.Lock()
        self._segments: dict[str, list[Meta | None]] = {}

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
        """Replace the whole index with `docs`; searches go on against the old one meanwhile."""
        writer = self.index.writer(limitmb=256, procs=1)
        count = 0
        for count, doc in enumerate(docs, start=1):
            writer.add_document(**fields_of(doc))
            if progress and count % 5000 == 0:
                progress(f"indexed {count:,} documents")
        writer.commit(mergetype=CLEAR, optimize=True)
        return count

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
        """A searcher on the newest committed state of the index."""
        return self.index.searcher()

    def doc_count(self) -> int:
        """How many documents the index holds."""
        with self.searcher() as s:
            return s.doc_count()

    def metas(self, searcher) -> Callable[[int], Meta | None]:
        """A look-up from a searcher's document number to its in-memory Meta."""
        tables = []
        live = set()
        for reader, offset in searcher.reader().leaf_readers():
            live.add(segment_key(reader))
            tables.append((offset, self._segment_table(reader)))
        tables.sort(key=lambda pair: pair[0])
        for key in set(self._segments) - live:
            self._segments.pop(key, None)

        def lookup(docnum: int) -> Meta | None:
            for offset, table in reversed(tables):
                if docnum >= offset:
                    return table[docnum - offset]
            return None

        return lookup

    def _segment_table(self, reader) -> list[Meta | None]:
        """The Metas of one segment's documents, read once and kept while the segment lives."""
        key = segment_key(reader)
        table = self._segments.get(key)
        if table is None:
            table = [None] * reader.doc_count_all()
            for docnum, stored in reader.iter_docs():
                table[docnum] = meta_from_stored(stored)
            self._segments[key] = table
        return table


def segment_key(reader) -> str:
    """A name for the segment behind a leaf reader (unique while the segment exists)."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else str(id(reader))


def meta_from_stored(stored: dict) -> Meta:
    """Build the in-memory Meta of a document from its stored fields."""
    data = json.loads(stored["payload"])
    return Meta(
        service_id=stored["service_id"],
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        areas=frozenset(data.get("areas") or ()),
        data=data,
    )

"""What the search reads from one whoosh segment, held in memory as numpy arrays.

whoosh segments never change once written (an edit adds a new small segment and marks the old
document deleted), so each segment is read once: its postings with BM25 weights already applied
per field, its stored payloads, and per-document columns for the filters and ranking. Searches
then work on whole arrays instead of walking postings one by one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from referral.search.documents import windows_from_payload
from referral.search.hours import Window

K1 = 1.2
B = 0.75
FIELD_BOOSTS = {
    "name": 3.0,
    "organization": 1.5,
    "taxonomy": 2.5,
    "need_words": 2.0,
    "description": 1.0,
}


@dataclass
class Meta:
    """What a result row shows of one indexed document."""

    service_id: str
    latitude: float | None
    longitude: float | None
    areas: frozenset[str]
    needs: frozenset[str]
    verified: int | None
    data: dict
    _windows: list[Window] | None = None

    @property
    def windows(self) -> list[Window]:
        """The weekly opening windows (read from the payload on first use)."""
        if self._windows is None:
            self._windows = windows_from_payload(self.data.get("hours") or [])
        return self._windows


@dataclass
class SegmentTables:
    """One segment's documents: payloads, postings and filter columns, by local document number."""

    size: int
    metas: list[Meta | None]
    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    usage: dict[str, tuple[int, int]]
    keys: dict[str, np.ndarray]
    latitude: np.ndarray
    longitude: np.ndarray
    verified: np.ndarray
    minimum_age: np.ndarray
    maximum_age: np.ndarray
    free: np.ndarray
    present: np.ndarray
    needs: dict[str, np.ndarray] = field(default_factory=dict)

    def key_mask(self, keys) -> np.ndarray:
        """Documents carrying any of the keys (map squares, areas, needs, languages)."""
        mask = np.zeros(self.size, dtype=bool)
        for key in keys:
            ids = self.keys.get(key)
            if ids is not None:
                mask[ids] = True
        return mask


def load_tables(reader) -> SegmentTables:
    """Read one whoosh segment into SegmentTables."""
    size = reader.doc_count_all()
    metas: list[Meta | None] = [None] * size
    for docnum, stored in reader.iter_docs():
        metas[docnum] = meta_from_stored(stored)
    postings, usage = read_postings(reader, size)
    tables = SegmentTables(
        size=size,
        metas=metas,
        postings=postings,
        usage=usage,
        keys=key_lists(metas),
        **columns(metas),
    )
    return tables


def read_postings(reader, size: int) -> tuple[dict, dict[str, tuple[int, int]]]:
    """Every text token with its documents and combined BM25 field weight (no idf yet), and how
    many documents use it in their labels (name, organization, taxonomy, needs) and in their
    descriptions."""
    merged: dict[str, dict[int, float]] = {}
    usage: dict[str, list[int]] = {}
    for name, boost in FIELD_BOOSTS.items():
        lengths = np.array(
            [reader.doc_field_length(d, name) or 0 for d in range(size)], dtype=float
        )
        average = lengths[lengths > 0].mean() if (lengths > 0).any() else 1.0
        norm = K1 * (1 - B + B * lengths / average)
        for raw, info in reader.iter_field(name):
            matcher = reader.postings(name, raw)
            token = as_text(raw)
            usage.setdefault(token, [0, 0])[name == "description"] += info.doc_frequency()
            weights = merged.setdefault(token, {})
            while matcher.is_active():
                doc, tf = matcher.id(), matcher.weight()
                weights[doc] = weights.get(doc, 0.0) + boost * tf * (K1 + 1) / (tf + norm[doc])
                matcher.next()
    postings = {
        token: (
            np.fromiter(w.keys(), np.int32, len(w)),
            np.fromiter(w.values(), np.float32, len(w)),
        )
        for token, w in merged.items()
    }
    return postings, {token: (labels, text) for token, (labels, text) in usage.items()}


def as_text(term: bytes | str) -> str:
    """A term as text (whoosh gives the terms of a field as UTF-8 bytes)."""
    return term.decode("utf-8") if isinstance(term, bytes) else term


def key_lists(metas: list[Meta | None]) -> dict[str, np.ndarray]:
    """Document lists per filter key: `cell:…`, area keys, `need:…`, `lang:…`."""
    found: dict[str, list[int]] = {}
    for docnum, meta in enumerate(metas):
        if meta is None:
            continue
        keys = [f"cell:{c}" for c in meta.data.get("cells") or ()]
        keys += list(meta.areas)
        keys += [f"need:{n}" for n in meta.needs]
        keys += [f"lang:{code}" for code in meta.data.get("languages") or ()]
        for key in keys:
            found.setdefault(key, []).append(docnum)
    return {key: np.array(ids, dtype=np.int32) for key, ids in found.items()}


def columns(metas: list[Meta | None]) -> dict[str, np.ndarray]:
    """Per-document columns for distance, freshness, age and cost."""
    nan = math.nan

    def column(get) -> np.ndarray:
        return np.array(
            [nan if m is None or get(m) is None else get(m) for m in metas], dtype=float
        )

    return {
        "latitude": column(lambda m: m.latitude),
        "longitude": column(lambda m: m.longitude),
        "verified": column(lambda m: m.verified),
        "minimum_age": column(lambda m: m.data.get("minimum_age")),
        "maximum_age": column(lambda m: m.data.get("maximum_age")),
        "free": np.array([bool(m and m.data.get("free")) for m in metas], dtype=bool),
        "present": np.array([m is not None for m in metas], dtype=bool),
    }


def meta_from_stored(stored: dict) -> Meta:
    """Build the in-memory Meta of a document from its stored fields."""
    data = json.loads(stored["payload"])
    verified = data.get("last_verified")
    return Meta(
        service_id=stored["service_id"],
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        areas=frozenset(data.get("areas") or ()),
        needs=frozenset(data.get("needs") or ()),
        verified=date.fromisoformat(verified).toordinal() if verified else None,
        data=data,
    )


def live_mask(reader, tables: SegmentTables) -> np.ndarray:
    """Documents of the segment that are present and not deleted since it was written."""
    mask = tables.present.copy()
    if reader.has_deletions():
        for docnum in reader.segment().deleted_docs():
            mask[docnum] = False
    return mask

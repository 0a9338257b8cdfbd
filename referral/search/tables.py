"""What the search reads from one whoosh segment, held in memory as numpy arrays.

whoosh segments never change once written (an edit adds a new small segment and marks the old
document deleted), so each segment is read once: its postings with BM25 weights already applied
per field, its stored payloads, and per-document columns for the filters and ranking. Searches
then work on whole arrays instead of walking postings one by one.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import math
from array import array
from dataclasses import dataclass
from datetime import date

import numpy as np
import orjson

from referral.capacity.rules import STATUSES
from referral.directory.hsds.languages import language_groups
from referral.search.documents import windows_from_payload
from referral.search.hours import Window, open_flags, window_span

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
    """One indexed document as a result row needs it (built for the rows of a page only)."""

    latitude: float | None
    longitude: float | None
    timezone: str
    data: dict

    @property
    def service_id(self) -> str:
        """The id the service had in the package it came from."""
        return self.data["service_id"]

    @property
    def windows(self) -> list[Window]:
        """The weekly opening windows."""
        return windows_from_payload(self.data.get("hours") or [])


@dataclass
class SegmentTables:
    """One segment's documents as arrays, by local document number.

    No Python object is kept per document (payloads share one bytes blob), so reading a segment
    of 50,000 documents leaves little behind but the arrays.
    """

    size: int
    blob: bytes
    spans: np.ndarray
    zones: list[str]
    windows: dict[str, np.ndarray]
    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    usage: dict[str, tuple[int, int]]
    keys: dict[str, np.ndarray]
    latitude: np.ndarray
    longitude: np.ndarray
    verified: np.ndarray
    minimum_age: np.ndarray
    maximum_age: np.ndarray
    capacity: np.ndarray
    capacity_until: np.ndarray
    free: np.ndarray
    present: np.ndarray
    names: dict[tuple[str, str], int]

    def meta(self, docnum: int) -> Meta | None:
        """Document `docnum` as a Meta, or None when the number holds no document."""
        if not self.present[docnum]:
            return None
        start, end = self.spans[docnum]
        latitude, longitude = self.latitude[docnum], self.longitude[docnum]
        return Meta(
            latitude=None if math.isnan(latitude) else float(latitude),
            longitude=None if math.isnan(longitude) else float(longitude),
            timezone=self.zones[docnum],
            data=orjson.loads(self.blob[start:end]),
        )

    def key_mask(self, keys) -> np.ndarray:
        """Documents carrying any of the keys (map squares, areas, needs, languages)."""
        mask = np.zeros(self.size, dtype=bool)
        for key in keys:
            ids = self.keys.get(key)
            if ids is not None:
                mask[ids] = True
        return mask

    def open_mask(self, ids: np.ndarray, moments: np.ndarray) -> np.ndarray:
        """Which of the documents `ids` are open at their local `moments` (see hours.is_open)."""
        position = np.full(self.size, -1)
        position[ids] = np.arange(len(ids))
        owners = position[self.windows["owner"]]
        mine = owners >= 0
        return open_flags(
            self.windows["start"][mine],
            self.windows["length"][mine],
            owners[mine],
            moments,
            len(ids),
        )


def load_tables(reader) -> SegmentTables:
    """Read one whoosh segment into SegmentTables, one document at a time."""
    builder = TableBuilder(reader.doc_count_all())
    for docnum, stored in reader.iter_docs():
        builder.add(docnum, stored["payload"])
    postings, usage = read_postings(reader, builder.size)
    tables = builder.finish(postings, usage)
    del builder
    release_memory()
    return tables


class TableBuilder:
    """Collects a segment's documents into compact buffers and arrays as they are read, keeping
    no parsed payload (so a large segment leaves little garbage behind)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.blob = io.BytesIO()
        self.spans = np.zeros((size, 2), dtype=np.int64)
        self.columns = {name: np.full(size, np.nan) for name in NUMBER_COLUMNS}
        self.free = np.zeros(size, dtype=bool)
        self.present = np.zeros(size, dtype=bool)
        self.zones = [""] * size
        self.shared_zones: dict[str, str] = {}
        self.keys: dict[str, array] = {}
        self.windows = {name: array("q") for name in ("start", "length", "owner")}
        self.names: dict[tuple[str, str], int] = {}

    def add(self, docnum: int, payload: str) -> None:
        """Take in one document's stored payload."""
        raw = payload.encode("utf-8")
        start = self.blob.tell()
        self.blob.write(raw)
        self.spans[docnum] = (start, start + len(raw))
        self.present[docnum] = True
        data = orjson.loads(raw)
        for name, value in number_values(data).items():
            if value is not None:
                self.columns[name][docnum] = value
        self.free[docnum] = bool(data.get("free"))
        zone = data.get("timezone") or ""
        self.zones[docnum] = self.shared_zones.setdefault(zone, zone)
        for key in filter_keys(data):
            self.keys.setdefault(key, array("i")).append(docnum)
        self.add_windows(docnum, data)
        self.add_names(data)

    def add_windows(self, docnum: int, data: dict) -> None:
        """Record the document's opening windows."""
        for window in windows_from_payload(data.get("hours") or []):
            start, length = window_span(window)
            self.windows["start"].append(start)
            self.windows["length"].append(length)
            self.windows["owner"].append(docnum)

    def add_names(self, data: dict) -> None:
        """Count the document's service, organization and taxonomy names (the vocabulary typos
        are corrected towards, and autocomplete's labels)."""
        names = [
            ("service", data.get("service_name")),
            ("organization", data.get("organization_name")),
        ]
        names += [("taxonomy", term) for term in data.get("taxonomy") or ()]
        for kind, name in names:
            name = (name or "").strip()
            if name:
                self.names[kind, name] = self.names.get((kind, name), 0) + 1

    def finish(self, postings: dict, usage: dict) -> SegmentTables:
        """The finished tables."""
        return SegmentTables(
            size=self.size,
            blob=self.blob.getvalue(),
            spans=self.spans,
            zones=self.zones,
            windows={
                name: np.frombuffer(values, dtype=np.int64) for name, values in self.windows.items()
            },
            postings=postings,
            usage=usage,
            keys={key: np.frombuffer(ids, dtype=np.int32) for key, ids in self.keys.items()},
            names=self.names,
            free=self.free,
            present=self.present,
            **self.columns,
        )


NUMBER_COLUMNS = (
    "latitude",
    "longitude",
    "verified",
    "minimum_age",
    "maximum_age",
    "capacity",
    "capacity_until",
)


def number_values(data: dict) -> dict[str, float | None]:
    """The numeric columns of one payload; capacity is its place in `STATUSES` and the day
    number of its `until` (NaN when nothing was set)."""
    capacity = data.get("capacity") or {}
    status = capacity.get("status")
    return {
        "latitude": data.get("latitude"),
        "longitude": data.get("longitude"),
        "verified": day_number(data.get("last_verified")),
        "minimum_age": data.get("minimum_age"),
        "maximum_age": data.get("maximum_age"),
        "capacity": STATUSES.index(status) if status in STATUSES else None,
        "capacity_until": day_number(capacity.get("until")),
    }


def filter_keys(data: dict) -> list[str]:
    """The filter keys of one payload: `cell:…`, area keys, `need:…`, `lang:…`."""
    keys = [f"cell:{c}" for c in data.get("cells") or ()]
    keys += list(data.get("areas") or ())
    keys += [f"need:{n}" for n in data.get("needs") or ()]
    keys += [f"lang:{code}" for code in searched_languages(data.get("languages") or ())]
    return keys


def searched_languages(codes) -> list[str]:
    """The languages a document is found by: its own, and the macrolanguage or group of each
    ("yue" is found by "zh" too, "ase" by "sgn")."""
    return list(dict.fromkeys(key for code in codes for key in (code, *language_groups(code))))


def release_memory() -> None:
    """Hand memory freed after a load back to the operating system (glibc), where possible."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def read_postings(reader, size: int) -> tuple[dict, dict[str, tuple[int, int]]]:
    """Every text token with its documents and combined BM25 field weight (no idf yet), and how
    many documents use it in their labels (name, organization, taxonomy, needs) and in their
    descriptions."""
    merged: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    usage: dict[str, list[int]] = {}
    for name, boost in FIELD_BOOSTS.items():
        lengths = np.array(
            [reader.doc_field_length(d, name) or 0 for d in range(size)], dtype=float
        )
        average = lengths[lengths > 0].mean() if (lengths > 0).any() else 1.0
        norm = K1 * (1 - B + B * lengths / average)
        for raw, info in reader.iter_field(name):
            token = as_text(raw)
            usage.setdefault(token, [0, 0])[name == "description"] += info.doc_frequency()
            docs, tf = read_matcher(reader.postings(name, raw))
            weight = boost * tf * (K1 + 1) / (tf + norm[docs])
            merged.setdefault(token, []).append((docs, weight.astype(np.float32)))
    postings = {token: combine(parts) for token, parts in merged.items()}
    return postings, {token: (labels, text) for token, (labels, text) in usage.items()}


def read_matcher(matcher) -> tuple[np.ndarray, np.ndarray]:
    """The document numbers and term frequencies of one posting list."""
    ids, tfs = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        tfs.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int32), np.array(tfs, dtype=np.float32)


def combine(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """One posting list from a token's lists in several fields, weights of a document added."""
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([d for d, _ in parts])
    weights = np.concatenate([w for _, w in parts])
    unique, where = np.unique(docs, return_inverse=True)
    return unique.astype(np.int32), np.bincount(where, weights=weights).astype(np.float32)


def as_text(term: bytes | str) -> str:
    """A term as text (whoosh gives the terms of a field as UTF-8 bytes)."""
    return term.decode("utf-8") if isinstance(term, bytes) else term


def day_number(day: str | None) -> int | None:
    """An ISO date (the day a listing was last verified, a capacity's last day) as a day number."""
    return date.fromisoformat(day).toordinal() if day else None


def live_mask(reader, tables: SegmentTables) -> np.ndarray:
    """Documents of the segment that are present and not deleted since it was written."""
    mask = tables.present.copy()
    if reader.has_deletions():
        for docnum in reader.segment().deleted_docs():
            mask[docnum] = False
    return mask

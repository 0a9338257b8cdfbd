"""Running a search: words, needs, place, radius and filters in; ranked results out.

1. The words are read (`understanding`): typos corrected against the directory's vocabulary,
   lay and Spanish phrases turned into the concepts they name, filler words dropped.
2. They become a `scoring.Plan`, scored with BM25 over the whoosh index's postings, a whole
   segment at a time (`tables`), and only where the need, language, age, cost and map-square
   filters let through; the filters add nothing to the score.
3. Exact distance (within the radius, or a service area covering the place), opening hours,
   then `ranking.blend` for everyone left, then one page with its hours worked out.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import numpy as np

from referral.capacity import rules as capacity_rules
from referral.directory.needs import needs_for
from referral.search import hours as h
from referral.search import ranking
from referral.search.geo import EARTH_RADIUS_MILES, cells_covering
from referral.search.index import Segment, ServiceIndex, analyzer
from referral.search.scoring import Clause, Part, Plan, Statistics, score
from referral.search.tables import Meta, SegmentTables
from referral.search.understanding import (
    ConceptTable,
    Match,
    Understood,
    default_concepts,
    understand,
)

ANALYZER = analyzer()
ANALYZER_LOCK = threading.Lock()
CONCEPT_BOOST = 1.2
OWN_WORDS_BOOST = 1.5
MODIFIER_BOOST = 0.5
NEED_CLAUSE_BOOST = 0.3


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: every value already checked by the caller."""

    q: str = ""
    place: object | None = None
    radius_miles: float = 10.0
    categories: tuple[str, ...] = ()
    language: str = ""
    open_now: bool = False
    at: datetime | None = None
    age: float | None = None
    free: bool = False
    limit: int = 20
    offset: int = 0
    timezone: str = "America/New_York"

    @property
    def wants_open(self) -> bool:
        """Whether only places open now (or at `at`, when given) are wanted."""
        return self.open_now


@dataclass
class Result:
    """One service at one location, as a result row shows it."""

    meta: Meta
    data: dict
    score: float
    distance_miles: float | None
    open_now: bool | None = None
    hours_today: str | None = None
    capacity: dict = field(default_factory=capacity_rules.nothing_said)


@dataclass
class SearchResponse:
    """One page of ranked results and the total that matched."""

    total: int
    results: list[Result] = field(default_factory=list)
    did_you_mean: str | None = None
    needs: frozenset[str] = frozenset()


@dataclass
class Candidate:
    """A document that passed the filters, with what ranking needs of it."""

    meta: Meta
    text_score: float
    distance: float | None
    served: bool
    open_now: bool | None = None


def search(
    index: ServiceIndex,
    request: SearchRequest,
    now: datetime | None = None,
    concepts: ConceptTable | None = None,
) -> SearchResponse:
    """Find, filter and rank the documents that answer `request`."""
    concepts = concepts or default_concepts()
    searcher = index.current()
    segments = index.segments(searcher)
    vocabulary = index.vocabulary(searcher, concepts.words())
    understood = understand(request.q, concepts, vocabulary, known_in(segments))
    plan = plan_of(understood)
    wanted = wanted_needs(request, understood)
    pool = Pool.gather(segments, plan, request, wanted, now)
    order = pool.ranked(request, now)
    chosen = order[request.offset : request.offset + request.limit]
    page = [finish(pool.candidate(i), request, now, float(pool.scores[i])) for i in chosen]
    return SearchResponse(len(order), page, understood.corrected, wanted)


def known_in(segments: list[Segment]):
    """Whether the index uses a word: in names, organizations or taxonomy, or in descriptions
    often enough not to be a typo."""

    def known(word: str) -> bool:
        tokens = tokens_of(word)
        if not tokens:
            return True
        usage = [s.tables.usage.get(tokens[0], (0, 0)) for s in segments]
        return any(labels for labels, _ in usage) or sum(text for _, text in usage) >= 3

    return known


@lru_cache(maxsize=4096)
def tokens_of(text: str) -> tuple[str, ...]:
    """The index tokens of some text (stemmed, stop words dropped), each once."""
    with ANALYZER_LOCK:
        return tuple(dict.fromkeys(t.text for t in ANALYZER(text)))


def plan_of(understood: Understood) -> Plan | None:
    """The scored parts of a search: one per concept, one per remaining word, one for needs.

    A concept counts the person's own words most, then the directory's words for it; when
    concepts were named, the other words only refine them ("diapers for my baby") and weigh
    less; every service meeting a named concept's main need is a candidate, after the services
    that use the words.
    """
    parts = [concept_part(m) for m in understood.matches]
    weight = MODIFIER_BOOST if understood.matches else 1.0
    for word in understood.words:
        if tokens := tokens_of(word):
            parts.append(Part((Clause(tokens),), boost=weight))
    primary = tuple(sorted({m.concept.needs[0] for m in understood.matches if m.concept.needs}))
    if primary:
        parts.append(Part(needs=primary, boost=NEED_CLAUSE_BOOST))
    parts = [p for p in parts if p.clauses or p.needs]
    return Plan(tuple(parts)) if parts else None


def concept_part(match: Match) -> Part:
    """The part of a plan that stands for one named concept."""
    own = [Clause(t, OWN_WORDS_BOOST) for t in map(tokens_of, match.said) if t]
    terms = [Clause(t) for t in map(tokens_of, match.concept.terms) if t]
    return Part(tuple(own + terms), boost=CONCEPT_BOOST)


def wanted_needs(request: SearchRequest, understood: Understood) -> frozenset[str]:
    """The needs asked for: categories, the concepts named, and needs the other words name."""
    from_words = needs_for([("", w) for w in understood.words]) if understood.words else []
    return frozenset(request.categories) | understood.needs | frozenset(from_words)


class Pool:
    """Every candidate of a search, as parallel arrays across segments."""

    def __init__(self) -> None:
        self.parts: list[
            tuple[Segment, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
        ] = []
        self.scores = np.zeros(0)

    @classmethod
    def gather(cls, segments, plan, request, wanted, now) -> Pool:
        """Score and filter every segment, keeping what passes."""
        pool = cls()
        stats = Statistics([s.tables for s in segments], plan) if plan else None
        for segment in segments:
            pool.add(segment, plan, stats, request, wanted)
        pool.merge()
        return pool

    def add(self, segment: Segment, plan, stats, request: SearchRequest, wanted) -> None:
        """The candidates of one segment."""
        tables = segment.tables
        ids = np.nonzero(segment.live & filter_mask(tables, request))[0]
        if not len(ids):
            return
        text = score(plan, tables, stats, ids) if plan else np.zeros(len(ids), dtype=np.float32)
        keep = text > 0 if plan else np.ones(len(ids), dtype=bool)
        ids, text = ids[keep], text[keep]
        distance, served = placement(tables, ids, request)
        keep = within(distance, served, request)
        ids, text, distance, served = ids[keep], text[keep], distance[keep], served[keep]
        needs = tables.key_mask(f"need:{n}" for n in wanted)[ids]
        self.parts.append((segment, ids, text, distance, served, needs))

    def merge(self) -> None:
        """Join the segments' arrays into one of each."""
        self.segment_of = np.concatenate(
            [np.full(len(p[1]), i) for i, p in enumerate(self.parts)] or [np.zeros(0)]
        )
        self.ids = np.concatenate([p[1] for p in self.parts] or [np.zeros(0, dtype=np.int32)])
        self.text = np.concatenate([p[2] for p in self.parts] or [np.zeros(0)]).astype(float)
        self.distance = np.concatenate([p[3] for p in self.parts] or [np.zeros(0)])
        self.served = np.concatenate([p[4] for p in self.parts] or [np.zeros(0, dtype=bool)])
        self.needs = np.concatenate([p[5] for p in self.parts] or [np.zeros(0, dtype=bool)])
        self.verified = self.column("verified")
        self.capacity = self.column("capacity")
        self.capacity_until = self.column("capacity_until")

    def column(self, name: str) -> np.ndarray:
        """One numeric column of the segments' tables, for every candidate."""
        return np.concatenate(
            [getattr(p[0].tables, name)[p[1]] for p in self.parts] or [np.zeros(0)]
        )

    def candidate(self, i: int) -> Candidate:
        """Candidate number i as an object, for the page."""
        segment = self.parts[int(self.segment_of[i])][0]
        meta = segment.tables.meta(int(self.ids[i]))
        distance = None if np.isnan(self.distance[i]) else float(self.distance[i])
        return Candidate(meta, float(self.text[i]), distance, bool(self.served[i]))

    def ranked(self, request: SearchRequest, now: datetime | None) -> list[int]:
        """Candidate numbers, best first, after the opening-hours filter."""
        keep = np.arange(len(self.ids))
        if request.wants_open:
            keep = keep[self.open_mask(request, now)]
        today = day_of(request, now).toordinal()
        radius = request.radius_miles if request.place is not None else None
        best = float(self.text[keep].max()) if len(keep) else 0.0
        self.scores = np.zeros(len(self.ids))
        self.scores[keep] = ranking.blend_arrays(
            self.text[keep],
            best,
            self.distance[keep],
            self.served[keep],
            self.needs[keep],
            today - self.verified[keep],
            radius,
            ranking.capacity_factors(self.capacity[keep], self.capacity_until[keep], today),
        )
        tie = np.nan_to_num(self.distance[keep], nan=1e9)
        order = np.lexsort((tie, -self.scores[keep]))
        return [int(i) for i in keep[order]]

    def open_mask(self, request: SearchRequest, now: datetime | None) -> np.ndarray:
        """Which candidates are open at the time the search asks about, in their own zones."""
        flags = [np.zeros(0, dtype=bool)]
        moments: dict[str, int] = {}
        for segment, ids, *_ in self.parts:
            zones = [segment.tables.zones[i] or request.timezone for i in ids]
            for zone in set(zones) - set(moments):
                moments[zone] = h.moment_of(local_in(zone, request, now))
            local = np.array([moments[z] for z in zones], dtype=np.int64)
            flags.append(segment.tables.open_mask(ids, local))
        return np.concatenate(flags)


def filter_mask(tables: SegmentTables, request: SearchRequest) -> np.ndarray:
    """Documents passing the need, language, place-square, age and cost filters."""
    mask = np.ones(tables.size, dtype=bool)
    if request.categories:
        mask &= tables.key_mask(f"need:{c}" for c in request.categories)
    if request.language:
        mask &= tables.key_mask([f"lang:{request.language.lower()}"])
    if request.place is not None:
        squares = [f"cell:{c}" for c in cells_covering(request.place, request.radius_miles)]
        mask &= tables.key_mask(squares + request.place.area_keys())
    if request.free:
        mask &= tables.free
    if request.age is not None:
        mask &= ~(tables.minimum_age > request.age) & ~(tables.maximum_age < request.age)
    return mask


def placement(tables: SegmentTables, ids: np.ndarray, request: SearchRequest):
    """Distances in miles (NaN without a point) and whether a service area covers the place."""
    if request.place is None:
        return np.full(len(ids), np.nan), np.zeros(len(ids), dtype=bool)
    place = request.place
    served = tables.key_mask(place.area_keys())[ids]
    distance = haversine_miles(
        place.latitude, place.longitude, tables.latitude[ids], tables.longitude[ids]
    )
    return distance, served


def within(distance: np.ndarray, served: np.ndarray, request: SearchRequest) -> np.ndarray:
    """Which candidates lie within the radius or serve the place (all, without a place)."""
    if request.place is None:
        return np.ones(len(distance), dtype=bool)
    return served | (np.nan_to_num(distance, nan=np.inf) <= request.radius_miles)


def haversine_miles(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle miles from one point to many (NaN where a point is missing)."""
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def finish(c: Candidate, request: SearchRequest, now: datetime | None, score: float) -> Result:
    """A Result for the page, with its hours worked out in the location's time zone.

    Distances are great-circle miles on geopy's mean Earth radius, as geopy's `great_circle`
    gives them (computed for all candidates at once in `placement`).
    """
    local = local_time(c.meta, request, now)
    windows = c.meta.windows
    return Result(
        meta=c.meta,
        data=c.meta.data,
        score=score,
        distance_miles=round(c.distance, 2) if c.distance is not None else None,
        open_now=h.is_open(windows, local),
        hours_today=h.hours_on(windows, local.weekday()),
        capacity=capacity_shown(c.meta.data.get("capacity"), day_of(request, now)),
    )


def capacity_shown(stored: dict | None, today: date) -> dict:
    """A result's capacity as the API shows it: the status in effect today and its last day."""
    stored = stored or {}
    until = capacity_rules.as_day(stored.get("until"))
    return capacity_rules.shown(stored.get("status", capacity_rules.ACCEPTING), until, today)


def day_of(request: SearchRequest, now: datetime | None) -> date:
    """The day of the search (today, or the day of `now`) in the search's time zone."""
    return h.local_now(request.timezone, now).date()


def local_time(meta: Meta, request: SearchRequest, now: datetime | None) -> datetime:
    """The local time to judge "open" at: `at` as given, or now in the location's time zone."""
    return local_in(meta.timezone or request.timezone, request, now)


def local_in(zone: str, request: SearchRequest, now: datetime | None) -> datetime:
    """The local time in `zone` to judge "open" at."""
    if request.at is None:
        return h.local_now(zone, now)
    if request.at.tzinfo is not None:
        return h.local_now(zone, request.at)
    return request.at

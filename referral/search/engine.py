"""Running a search: words, needs, place, radius and filters in; ranked results out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from whoosh import query as wq

from referral.directory.needs import needs_for
from referral.search import hours as h
from referral.search import ranking
from referral.search.documents import windows_from_payload
from referral.search.geo import Place, bounding_box, miles_between
from referral.search.index import TEXT_FIELDS, Meta, ServiceIndex, analyzer

MAX_CANDIDATES = 20000


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: every value already checked by the caller."""

    q: str = ""
    place: Place | None = None
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


@dataclass
class Result:
    """One service at one location, as a result row shows it."""

    meta: Meta
    score: float
    distance_miles: float | None
    open_now: bool | None
    hours_today: str | None


@dataclass
class SearchResponse:
    """One page of ranked results and the total that matched."""

    total: int
    results: list[Result] = field(default_factory=list)
    did_you_mean: str | None = None


def search(
    index: ServiceIndex, request: SearchRequest, now: datetime | None = None
) -> SearchResponse:
    """Find, filter and rank the documents that answer `request`."""
    text_query = words_query(request.q)
    with index.searcher() as searcher:
        hits = searcher.search(
            text_query or wq.Every(),
            filter=filter_query(request),
            limit=MAX_CANDIDATES,
            scored=text_query is not None,
        )
        meta_of = index.metas(searcher)
        candidates = [(meta_of(hit.docnum), hit.score or 0.0) for hit in hits]
    ranked = rank(candidates, request, implied_needs(request), now)
    page = ranked[request.offset : request.offset + request.limit]
    return SearchResponse(total=len(ranked), results=page)


def words_query(q: str) -> wq.Query | None:
    """Each word of `q` sought in every text field; matching more words scores higher."""
    tokens = [t.text for t in analyzer()(q or "")]
    if not tokens:
        return None
    per_word = [wq.Or([wq.Term(f, token) for f in TEXT_FIELDS]) for token in dict.fromkeys(tokens)]
    return wq.Or(per_word, scale=0.9) if len(per_word) > 1 else per_word[0]


def filter_query(request: SearchRequest) -> wq.Query | None:
    """The exact filters whoosh can apply itself: need categories and language."""
    parts: list[wq.Query] = []
    if request.categories:
        parts.append(wq.Or([wq.Term("needs", c) for c in request.categories]))
    if request.language:
        parts.append(wq.Term("languages", request.language.lower()))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def implied_needs(request: SearchRequest) -> frozenset[str]:
    """The needs asked for: the categories given plus those the search words name."""
    from_words = needs_for([("", request.q)]) if request.q else []
    return frozenset(request.categories) | frozenset(from_words)


def rank(
    candidates: list[tuple[Meta | None, float]],
    request: SearchRequest,
    wanted: frozenset[str],
    now: datetime | None,
) -> list[Result]:
    """Keep the candidates that pass place, hours, age and cost filters, best first."""
    box = bounding_box(request.place, request.radius_miles) if request.place else None
    area_keys = frozenset(request.place.area_keys()) if request.place else frozenset()
    kept: list[tuple[Meta, float, float | None, bool]] = []
    for meta, text_score in candidates:
        if meta is None or not passes_filters(meta, request):
            continue
        where = placement(meta, request, box, area_keys)
        if where is not None:
            kept.append((meta, text_score, *where))
    best = max((score for _, score, _, _ in kept), default=0.0)
    results = [
        result(meta, request, wanted, score, distance, served, best, now)
        for meta, score, distance, served in kept
    ]
    results = [r for r in results if not (request.open_now or request.at) or r.open_now]
    results.sort(
        key=lambda r: (-r.score, r.distance_miles if r.distance_miles is not None else 1e9)
    )
    return results


def placement(
    meta: Meta, request: SearchRequest, box, area_keys
) -> tuple[float | None, bool] | None:
    """(distance, served by area) when the document belongs in a search near a place, else None."""
    place = request.place
    if place is None:
        return None, False
    served = bool(meta.areas & area_keys)
    distance = None
    has_point = meta.latitude is not None and meta.longitude is not None
    if has_point and (served or in_box(meta, box)):
        distance = miles_between((place.latitude, place.longitude), (meta.latitude, meta.longitude))
    if distance is not None and distance <= request.radius_miles:
        return distance, served
    return (distance, True) if served else None


def in_box(meta: Meta, box: tuple[float, float, float, float]) -> bool:
    """Whether the document's point lies inside the bounding box."""
    return box[0] <= meta.latitude <= box[1] and box[2] <= meta.longitude <= box[3]


def passes_filters(meta: Meta, request: SearchRequest) -> bool:
    """Whether the document passes the age and cost filters."""
    data = meta.data
    if request.free and not data.get("free"):
        return False
    if request.age is not None:
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if (low is not None and request.age < low) or (high is not None and request.age > high):
            return False
    return True


def result(meta, request, wanted, text_score, distance, served, best, now) -> Result:
    """A ranked Result with its hours evaluated in the location's own time zone."""
    need_match = bool(wanted & set(meta.data.get("needs") or ()))
    signals = ranking.Signals(text_score, distance, need_match, served)
    radius = request.radius_miles if request.place else None
    windows = windows_from_payload(meta.data.get("hours") or [])
    local = local_time(meta, request, now)
    return Result(
        meta=meta,
        score=ranking.blend(signals, best, radius),
        distance_miles=round(distance, 2) if distance is not None else None,
        open_now=h.is_open(windows, local),
        hours_today=h.hours_on(windows, local.weekday()),
    )


def local_time(meta: Meta, request: SearchRequest, now: datetime | None) -> datetime:
    """The local time to judge "open" at: `at` as given, or now in the location's time zone."""
    zone = meta.data.get("timezone") or request.timezone
    if request.at is None:
        return h.local_now(zone, now)
    if request.at.tzinfo is not None:
        return h.local_now(zone, request.at)
    return request.at

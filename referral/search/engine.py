"""Running a search: words, needs, place, radius and filters in; ranked results out.

1. The words are read (`understanding`): typos corrected against the directory's vocabulary,
   lay and Spanish phrases turned into the concepts they name, filler words dropped.
2. whoosh scores the documents that match the words AND lie in the map squares around the
   place (or serve it through a service area) AND meet the need and language filters; the
   place and filters only narrow the set, they add nothing to the text score.
3. Exact distance, age, cost and opening-hours filters, then `ranking.blend`, then one page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from whoosh import query as wq

from referral.directory.needs import needs_for
from referral.search import hours as h
from referral.search import ranking
from referral.search.geo import cells_covering, fast_miles, miles_between
from referral.search.index import TEXT_FIELDS, Meta, ServiceIndex, analyzer
from referral.search.understanding import ConceptTable, Match, Understood, understand

NO_PLACE_POOL = 500
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
        """Whether only places open now (or at `at`) are wanted."""
        return self.open_now or self.at is not None


@dataclass
class Result:
    """One service at one location, as a result row shows it."""

    meta: Meta
    score: float
    distance_miles: float | None
    open_now: bool | None = None
    hours_today: str | None = None


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
    from referral.search.understanding import default_concepts

    concepts = concepts or default_concepts()
    with index.searcher() as searcher:
        vocabulary = index.vocabulary(searcher, concepts.words())
        understood = understand(request.q, concepts, vocabulary, known_in(searcher))
        text = text_query(understood)
        limit = None if request.place else max(NO_PLACE_POOL, request.offset + request.limit)
        hits = searcher.search(combine(text, filter_query(request)), limit=limit)
        lookup = index.metas(searcher)
        found = [(lookup(hit.docnum), hit.score if text is not None else 0.0) for hit in hits]
    wanted = wanted_needs(request, understood)
    ranked = rank(found, request, wanted, now)
    page = [
        finish(c, request, now, score) for score, c in ranked[request.offset :][: request.limit]
    ]
    return SearchResponse(len(ranked), page, understood.corrected, wanted)


def known_in(searcher):
    """Whether the index uses a word: in names, organizations or taxonomy, or in descriptions
    often enough not to be a typo."""
    reader = searcher.reader()
    stem = analyzer()

    def known(word: str) -> bool:
        tokens = [t.text for t in stem(word)]
        if not tokens:
            return True
        token = tokens[0]
        if any(reader.doc_frequency(f, token) for f in TEXT_FIELDS[:4]):
            return True
        return reader.doc_frequency("description", token) >= 3

    return known


def tokens_of(text: str) -> list[str]:
    """The index tokens of some text (stemmed, stop words dropped)."""
    return [t.text for t in analyzer()(text)]


def word_clause(text: str) -> wq.Query | None:
    """Documents holding every token of `text`, each in any text field."""
    per_token = [
        wq.Or([wq.Term(f, t) for f in TEXT_FIELDS]) for t in dict.fromkeys(tokens_of(text))
    ]
    if not per_token:
        return None
    return per_token[0] if len(per_token) == 1 else wq.And(per_token)


def concept_clause(match: Match) -> wq.Query | None:
    """Documents that use the person's own words for a concept or any of its directory words;
    the person's own words count most, and a listing using several of the words is more on topic.
    """
    own = [c for c in (word_clause(said) for said in match.said) if c is not None]
    clauses = [boosted(c, OWN_WORDS_BOOST) for c in own]
    clauses += [c for c in (word_clause(t) for t in match.concept.terms) if c is not None]
    if not clauses:
        return None
    return wq.Or(clauses, boost=CONCEPT_BOOST)


def boosted(query: wq.Query, boost: float) -> wq.Query:
    """The query with its weight multiplied by `boost`."""
    query = query.copy()
    query.boost = query.boost * boost
    return query


def text_query(understood: Understood) -> wq.Query | None:
    """One clause per concept and per remaining word; matching more clauses scores higher.

    When concepts were named, the other words only refine them ("diapers for my baby"), so they
    weigh less; and every service meeting a named concept's main need is a candidate, after the
    services that use the words.
    """
    weight = MODIFIER_BOOST if understood.matches else 1.0
    clauses = [concept_clause(m) for m in understood.matches]
    words = [word_clause(w) for w in understood.words]
    clauses += [boosted(c, weight) for c in words if c is not None]
    clauses = [c for c in clauses if c is not None]
    primary = {m.concept.needs[0] for m in understood.matches if m.concept.needs}
    if primary:
        needs = [wq.Term("needs", need) for need in sorted(primary)]
        clauses.append(wq.Or(needs, boost=NEED_CLAUSE_BOOST))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses, scale=0.9)


def filter_query(request: SearchRequest) -> wq.Query | None:
    """Place, need and language as a filter that adds nothing to the score."""
    parts: list[wq.Query] = []
    if request.place is not None:
        squares = cells_covering(request.place, request.radius_miles)
        areas = request.place.area_keys()
        parts.append(
            wq.Or([wq.Term("cells", c) for c in squares] + [wq.Term("areas", a) for a in areas])
        )
    if request.categories:
        parts.append(wq.Or([wq.Term("needs", c) for c in request.categories]))
    if request.language:
        parts.append(wq.Term("languages", request.language.lower()))
    if not parts:
        return None
    return wq.ConstantScoreQuery(parts[0] if len(parts) == 1 else wq.And(parts), 0.0)


def combine(text: wq.Query | None, filters: wq.Query | None) -> wq.Query:
    """The words and the filters together."""
    if text is not None and filters is not None:
        return wq.And([text, filters])
    return text or filters or wq.Every()


def wanted_needs(request: SearchRequest, understood: Understood) -> frozenset[str]:
    """The needs asked for: categories, the concepts named, and needs the other words name."""
    from_words = needs_for([("", w) for w in understood.words]) if understood.words else []
    return frozenset(request.categories) | understood.needs | frozenset(from_words)


def rank(
    found, request: SearchRequest, wanted: frozenset[str], now
) -> list[tuple[float, Candidate]]:
    """Keep what passes every filter, best first, as (score, candidate) pairs."""
    kept = [c for c in (candidate(meta, score, request) for meta, score in found) if c is not None]
    if request.wants_open:
        for c in kept:
            c.open_now = h.is_open(c.meta.windows, local_time(c.meta, request, now))
        kept = [c for c in kept if c.open_now]
    best = max((c.text_score for c in kept), default=0.0)
    radius = request.radius_miles if request.place is not None else None
    today = (now or datetime.now()).date().toordinal()
    scored = [(ranking.blend(signals(c, wanted, today), best, radius), c) for c in kept]
    scored.sort(
        key=lambda pair: (-pair[0], pair[1].distance if pair[1].distance is not None else 1e9)
    )
    return scored


def candidate(meta: Meta | None, score: float, request: SearchRequest) -> Candidate | None:
    """A Candidate when the document passes the place, age and cost filters, else None."""
    if meta is None or not passes_filters(meta, request):
        return None
    place = request.place
    if place is None:
        return Candidate(meta, score, None, False)
    served = bool(meta.areas and meta.areas & frozenset(place.area_keys()))
    distance = None
    if meta.latitude is not None and meta.longitude is not None:
        distance = fast_miles((place.latitude, place.longitude), (meta.latitude, meta.longitude))
    if served or (distance is not None and distance <= request.radius_miles):
        return Candidate(meta, score, distance, served)
    return None


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


def signals(c: Candidate, wanted: frozenset[str], today: int) -> ranking.Signals:
    """What ranking knows of a candidate."""
    age = today - c.meta.verified if c.meta.verified is not None else None
    return ranking.Signals(c.text_score, c.distance, bool(wanted & c.meta.needs), c.served, age)


def finish(c: Candidate, request: SearchRequest, now: datetime | None, score: float) -> Result:
    """A Result for the page: exact distance (geopy) and hours in the location's time zone."""
    place = request.place
    distance = None
    if place is not None and c.distance is not None:
        distance = round(
            miles_between((place.latitude, place.longitude), (c.meta.latitude, c.meta.longitude)), 2
        )
    local = local_time(c.meta, request, now)
    windows = c.meta.windows
    return Result(
        meta=c.meta,
        score=score,
        distance_miles=distance,
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

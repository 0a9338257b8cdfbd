"""Likely duplicate services and organizations, for the curator's de-duplication queue.

Values are compared normalized: names lower-cased, accents folded, punctuation and noise words
("inc", "the", "of", "llc", "corp", "program", ... and their misspellings) dropped, common
abbreviations spelled out ("ctr" -> "center"); street addresses with suffixes and directions
shortened ("Street" -> "st", "North" -> "n", "First" -> "1st") and suite, room, floor and
building kept apart from the street ("Suite 5", "Ste. 5" and "# 5" are all "ste 5"); ZIPs as
five digits; phones as their last ten digits, extension dropped; websites as the bare host
without "www.".

Blocking. Records are only compared within blocks, never all against all: records sharing a
phone number, a website host, a street address (street and ZIP), a ZIP and one of their two
rarest name words, or a ZIP and their first two name words; within a block only names at least
``NAME_FLOOR`` alike (words sorted) are judged. A phone number or website held by more than
``SHARED_LIMIT`` records is a switchboard or portal (211, a county's main line, a national
hotline, a county's web portal): it proves nothing, so it forms no block and counts as no
match. Address and name blocks over their limits are skipped as uninformative. Records with
identical normalized values are judged once.

Names. N is how alike two names are, 0-100: rapidfuzz ``token_sort_ratio`` on their words,
after dropping the words both organizations' names hold (a service "Centro Mater - East" of
"Centro Mater Childcare" is "east") and forgiving misspellings and split words (a word with
the same first letter and at least ``VARIANT`` alike counts as the same word: "Hopsice" is
"Hospice", but "Mental" is not "Dental"; "Food Bank" is "Foodbank"). N loses
``CONFLICT_PENALTY`` when each name has a word the other lacks ("Morning Tour" / "Evening
Tour", "North" / "South": sibling programs or sites of one organization) or when their numbers
differ ("Center 2" / "Center 3", "Hialeah I" / "Hialeah").

The rule. Two records are likely one when all of these hold:

1. N >= ``NAME_MATCH`` (90): a shared phone or address without alike names never makes a pair;
2. they are not two branches: another street address together with other phones means two
   places of one chain, however alike the names;
3. something besides the name agrees -- the address, a phone number, or the website host --
   or N >= ``NAME_ALONE`` (97) and no field disagrees (for services: the same organization);
4. score >= threshold (85 by default), where

       score = 0.8 N + 20 E - ADDRESS_PENALTY [another street]
                             - ORGANIZATION_PENALTY [unrelated organizations]

   E is the mean agreement over the fields that apply to the pair -- organization (services
   only), address, phone, website (only between records of different organizations: services
   of one organization share its website anyway) -- counting 1 for agreeing, 0 for
   disagreeing and 0.5 for unknown (a field one record leaves empty, or one street with
   different suites or ZIPs). Organizations are related when their names are at least
   ``ORGANIZATION_MATCH`` alike, unrelated below ``ORGANIZATION_UNRELATED``.

So identical services score 100; a slightly renamed copy (N 92) with the same address and phone
93.6; the same name and organization at the same address with another phone 93.3; the same name
and phone at another street 78.3 (a moved listing, below the default threshold); services of
unrelated organizations at most 80 (shown only below the default threshold).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import combinations, product

from rapidfuzz import fuzz, process

NAME_MATCH = 90.0
NAME_ALONE = 97.0
NAME_FLOOR = 80.0
CONFLICT_PENALTY = 20.0
VARIANT = 80.0
ORGANIZATION_MATCH = 90.0
ORGANIZATION_UNRELATED = 50.0
ADDRESS_PENALTY = 15.0
ORGANIZATION_PENALTY = 15.0
SHARED_LIMIT = 40
ADDRESS_BLOCK_LIMIT = 500
NAME_BLOCK_LIMIT = 200
SMALL_BLOCK = 6
FIELDS = ("name", "organization", "address", "phone", "website")

Agreement = dict[str, bool | None]
Similarity = Callable[[tuple[str, ...], tuple[str, ...]], float]


@dataclass(frozen=True)
class Candidate:
    """What duplicate detection compares about one service or organization."""

    id: str
    name: str
    organization: str = ""
    address: str = ""
    postal_code: str = ""
    phones: tuple[str, ...] = ()
    website: str = ""


@dataclass(frozen=True)
class Pair:
    """Two records that look like one, how alike (0-100) and which fields match."""

    left_id: str
    right_id: str
    score: float
    matches: tuple[str, ...]


# -- normalization -------------------------------------------------------------------------

NOISE_WORDS = frozenset(
    {"a", "an", "the", "of", "and", "for", "at", "in", "on", "to", "by", "de", "del", "la", "y"}
    | {"inc", "incorporated", "llc", "llp", "ltd", "limited", "corp", "corporation", "co"}
    | {"company", "pa", "pc", "pllc", "dba", "program", "programs"}
)
LONG_NOISE_WORDS = tuple(sorted(w for w in NOISE_WORDS if len(w) >= 7))
NAME_WORDS = {
    "ctr": "center",
    "centre": "center",
    "cntr": "center",
    "svc": "service",
    "svcs": "services",
    "dept": "department",
    "assn": "association",
    "assoc": "association",
    "intl": "international",
    "natl": "national",
    "univ": "university",
    "hosp": "hospital",
    "elem": "elementary",
    "st": "saint",
    "mt": "mount",
    "ft": "fort",
    "cmty": "community",
    "mgmt": "management",
}
ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}
ADDRESS_WORDS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "blvrd": "blvd",
    "drive": "dr",
    "road": "rd",
    "court": "ct",
    "place": "pl",
    "lane": "ln",
    "terrace": "ter",
    "terr": "ter",
    "highway": "hwy",
    "parkway": "pkwy",
    "circle": "cir",
    "trail": "trl",
    "square": "sq",
    "plaza": "plz",
    "expressway": "expy",
    "causeway": "cswy",
    "route": "rte",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northwest": "nw",
    "northeast": "ne",
    "southwest": "sw",
    "southeast": "se",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "seventh": "7th",
    "eighth": "8th",
    "ninth": "9th",
    "tenth": "10th",
    "saint": "st",
    "mount": "mt",
    "fort": "ft",
    "suite": "ste",
    "#": "ste",
    "unit": "ste",
    "apt": "ste",
    "apartment": "ste",
    "room": "rm",
    "floor": "fl",
    "flr": "fl",
    "building": "bldg",
    "bld": "bldg",
}
UNIT_WORDS = frozenset({"ste", "rm", "fl", "bldg"})
PLACEHOLDER_STREETS = frozenset(
    {"confidential", "confidential location", "undisclosed", "unknown", "none", "n a", "na", "tbd"}
    | {"call for address", "call for location", "address withheld"}
)

_DROPPED = re.compile(r"['\u2019`]")
_PUNCTUATION = re.compile(r"[^\w#]+")
_ORDINAL_FLOOR = re.compile(r"\b(\d+)(?:st|nd|rd|th)\s+(?:floor|flr|fl)\b")
_EXTENSION = re.compile(r"[^\d\s()+.\-/]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")


def fold(text: str) -> str:
    """Lower-case text with accents folded to plain letters."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    """Folded words of text: apostrophes dropped, other punctuation a space, `&` an `and`."""
    text = _DROPPED.sub("", fold(text)).replace("&", " and ").replace("_", " ")
    return _PUNCTUATION.sub(" ", text).split()


def _join_initials(words: list[str]) -> list[str]:
    """Runs of two or more single letters as one word ("u s" -> "us", "i r" -> "ir")."""
    joined: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        if word:
            joined.append(word)
    return joined


def name_words(name: str) -> tuple[str, ...]:
    """The meaningful words of a name: folded, abbreviations spelled out, noise words dropped."""
    words = _words(name.replace(".", " ").replace("#", " "))
    words = [NAME_WORDS.get(w, w) for w in _join_initials(words)]
    if words and words[-1] == "i":
        words[-1] = "1"
    words = [ROMAN.get(w, w) for w in words]
    kept = [w for w in words if not _noise(w)]
    return tuple(kept or words)


def _noise(word: str) -> bool:
    """Whether a word is a noise word, or a misspelling of a long one ("prgoram")."""
    return word in NOISE_WORDS or (len(word) >= 6 and _variant_of(word, LONG_NOISE_WORDS))


def normalize_name(name: str) -> str:
    """A name as compared: `"The Children's Trust, Inc."` -> `"childrens trust"`."""
    return " ".join(name_words(name))


def split_address(address: str) -> tuple[str, str]:
    """An address as (street, unit): `"419 North First St, Ste 5"` -> ("419 n 1st st", "ste 5")."""
    text = _ORDINAL_FLOOR.sub(r"floor \1", fold(address).replace("#", " # "))
    words = [ADDRESS_WORDS.get(w, w) for w in _words(text.replace(".", ""))]
    cut = next((i for i, w in enumerate(words) if w in UNIT_WORDS), len(words))
    return " ".join(words[:cut]), " ".join(words[cut:])


def normalize_zip(postal_code: str) -> str:
    """The five-digit ZIP of a postal code, or "" when it has none."""
    digits = re.sub(r"\D", "", postal_code)
    return digits[:5] if len(digits) >= 5 else ""


def normalize_phone(number: str) -> str:
    """The last ten digits of a phone number, extension dropped; "" for short codes like 211."""
    head = _EXTENSION.split(number, maxsplit=1)[0]
    digits = re.sub(r"\D", "", head)
    return digits[-10:] if len(digits) >= 10 else ""


def normalize_website(url: str) -> str:
    """The bare host of a website: `"HTTP://www.Example.org/about"` -> `"example.org"`."""
    text = _SCHEME.sub("", fold(url.strip()))
    host = re.split(r"[/?#\s]", text, maxsplit=1)[0].rsplit("@", 1)[-1].split(":")[0]
    host = re.sub(r"^www\d*\.", "", host).strip(".")
    return host if "." in host else ""


# -- prepared records ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Record:
    """One candidate's normalized values (candidates with the same values share one)."""

    words: tuple[str, ...]
    key: str
    own: tuple[str, ...]
    organization: str
    street: str
    unit: str
    zip: str
    phones: frozenset[str]
    website: str


class _Normalizer:
    """Normalizes candidates, each distinct value once (directories repeat values a lot)."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.names = cache(self._names)
        self.address = cache(split_address)
        self.phone = cache(normalize_phone)
        self.website = cache(normalize_website)
        self.zip = cache(normalize_zip)
        self.busy, self.portals = self._shared(candidates)

    def _names(self, name: str, organization: str) -> tuple[tuple[str, ...], ...]:
        """The name's words, the organization's, and the name's own words (less the latter)."""
        words = name_words(name)
        owner = name_words(organization) if organization else ()
        return words, owner, _without(words, set(owner))

    def _shared(self, candidates: list[Candidate]) -> tuple[set[str], set[str]]:
        """Phone numbers and websites held by more than SHARED_LIMIT candidates."""
        phones = Counter(p for c in candidates for p in {self.phone(n) for n in c.phones} if p)
        sites = Counter(self.website(c.website) for c in candidates if c.website)
        busy = {p for p, n in phones.items() if n > SHARED_LIMIT}
        return busy, {w for w, n in sites.items() if w and n > SHARED_LIMIT}

    def record(self, candidate: Candidate) -> _Record:
        """A candidate's values normalized for comparison, switchboards and portals left out."""
        words, owner, own = self.names(candidate.name, candidate.organization)
        street, unit = self.address(candidate.address)
        if street in PLACEHOLDER_STREETS:
            street, unit = "", ""
        phones = {self.phone(n) for n in candidate.phones} - self.busy - {""}
        website = self.website(candidate.website)
        return _Record(
            words=words,
            key=" ".join(sorted(own)),
            own=own,
            organization=" ".join(owner),
            street=street,
            unit=unit,
            zip=self.zip(candidate.postal_code),
            phones=frozenset(phones),
            website="" if website in self.portals else website,
        )


def _without(words: tuple[str, ...], dropped: set[str]) -> tuple[str, ...]:
    """Words less the dropped ones and their misspellings (all words if none would be left)."""
    if not dropped:
        return words
    kept = tuple(w for w in words if w not in dropped and not _variant_of(w, dropped))
    return kept or words


def _variant_of(word: str, others: Iterable[str]) -> bool:
    """Whether a word is a spelling variant (VARIANT alike) of one of the others."""
    return _variant(word, others) is not None


# -- blocking ------------------------------------------------------------------------------


def _blocks(records: list[_Record]) -> Iterator[list[int]]:
    """Groups of record indexes worth comparing within, each small enough to compare fully."""
    frequency = Counter(w for r in records for w in set(r.own))
    rarest = cache(lambda words: sorted(set(words), key=lambda w: (frequency[w], w))[:2])
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for key in _keys(record, rarest(record.own)):
            groups[key].append(index)
    for key, members in groups.items():
        if 1 < len(members) <= _limit(key[0]):
            yield members


def _keys(record: _Record, rare: list[str]) -> Iterator[tuple[str, ...]]:
    """The blocks a record belongs to, given its two rarest name words."""
    for phone in record.phones:
        yield ("phone", phone)
    if record.website:
        yield ("website", record.website)
    if record.street:
        yield ("address", record.street, record.zip)
    for word in rare:
        yield ("word", record.zip, word)
    if len(record.own) > 1:
        yield ("start", record.zip, *record.own[:2])


def _limit(kind: str) -> int:
    """How many records a block of this kind may hold before it is skipped."""
    if kind in ("phone", "website"):
        return SHARED_LIMIT
    return ADDRESS_BLOCK_LIMIT if kind == "address" else NAME_BLOCK_LIMIT


def _alike_names(records: list[_Record], members: list[int]) -> Iterator[tuple[int, int]]:
    """Pairs of a block whose names, words sorted, are at least NAME_FLOOR alike."""
    keys = [records[i].key for i in members]
    if len(members) <= SMALL_BLOCK:
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                if fuzz.ratio(keys[a], keys[b], score_cutoff=NAME_FLOOR):
                    yield members[a], members[b]
        return
    matrix = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=NAME_FLOOR, dtype="uint8")
    for a, b in zip(*matrix.nonzero(), strict=True):
        if a < b:
            yield members[int(a)], members[int(b)]


# -- judging a pair ------------------------------------------------------------------------


def name_similarity(left: Iterable[str], right: Iterable[str]) -> float:
    """How alike two names' words are (0-100), misspellings forgiven, conflicts penalized."""
    left, right = sorted((tuple(left), tuple(right)))
    left, right = _compounds(left, right), _compounds(right, left)
    right = _aligned(left, right)
    if sorted(left) == sorted(right):
        return 100.0
    score = fuzz.token_sort_ratio(" ".join(left), " ".join(right))
    return score - CONFLICT_PENALTY if _conflict(left, right) else score


def _compounds(words: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """Words with neighbours joined where the other name writes them as one ("food bank")."""
    others = set(other) - set(words)
    if len(words) < 2 or not others:
        return words
    joined: list[str] = []
    for word in words:
        match = _spelled_as(joined[-1] + word, others) if joined else None
        if match:
            joined[-1] = match
            others.discard(match)
        else:
            joined.append(word)
    return tuple(joined)


def _aligned(left: tuple[str, ...], right: tuple[str, ...]) -> tuple[str, ...]:
    """The right name with its misspellings of the left name's words spelled as there."""
    missing = list((Counter(left) - Counter(right)).elements())
    if not missing:
        return right
    known = set(left)
    aligned = []
    for word in right:
        match = None if word in known else _variant(word, missing)
        if match is not None:
            missing.remove(match)
        aligned.append(match or word)
    return tuple(aligned)


def _spelled_as(word: str, others: set[str]) -> str | None:
    """The one of the others that is the word, written alike or misspelled."""
    return word if word in others else _variant(word, others)


def _variant(word: str, others: Iterable[str]) -> str | None:
    """The first of the others the word is a misspelling of: same first letter, VARIANT alike.

    Words that differ in their first letter are kept apart ("mental" / "dental", "north" /
    "forth"), and numbers are never variants.
    """
    if any(c.isdigit() for c in word):
        return None
    return next(
        (o for o in others if o[0] == word[0] and fuzz.ratio(word, o, score_cutoff=VARIANT)),
        None,
    )


def _conflict(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Whether the names carry other numbers, or each has a word the other lacks."""
    if _numbers(left) != _numbers(right):
        return True
    counts = Counter(left), Counter(right)
    return bool(counts[0] - counts[1]) and bool(counts[1] - counts[0])


def _numbers(words: tuple[str, ...]) -> set[str]:
    """The words of a name that carry a digit ("2", "k8", "101")."""
    return {w for w in words if any(c.isdigit() for c in w)}


def _names(left: _Record, right: _Record, similarity: Similarity) -> float:
    """How alike two records' names are, without the words their organizations share."""
    if left.organization == right.organization:
        return similarity(left.own, right.own)
    shared = set(left.organization.split()) & set(right.organization.split())
    return similarity(_without(left.words, shared), _without(right.words, shared))


def _organization_alike(left: _Record, right: _Record) -> float | None:
    """How alike two records' organizations are (0-100), or None when one has none."""
    if not left.organization or not right.organization:
        return None
    if left.organization == right.organization:
        return 100.0
    return fuzz.token_sort_ratio(left.organization, right.organization)


def _address_agrees(left: _Record, right: _Record) -> bool | None:
    """True for one address, False for another street, None when unknown or unclear."""
    if not left.street or not right.street:
        return None
    if left.street != right.street:
        return False
    if left.zip and right.zip and left.zip != right.zip:
        return None
    if not left.unit or not right.unit or left.unit == right.unit:
        return True
    units = set(left.unit.split()), set(right.unit.split())
    return True if units[0] <= units[1] or units[1] <= units[0] else None


def _shares(left: frozenset[str], right: frozenset[str]) -> bool | None:
    """Whether two sets of values share one, or None when either is empty."""
    if not left or not right:
        return None
    return not left.isdisjoint(right)


def _website_agrees(left: _Record, right: _Record) -> bool | None:
    """Whether the websites agree, or None when one has none."""
    if not left.website or not right.website:
        return None
    return left.website == right.website


def _agreement(left: _Record, right: _Record, organization: float | None) -> Agreement:
    """Per field that applies to the pair: True (agrees), False (differs) or None (unknown).

    Organization applies to services only; website only between records of different
    organizations (services of one organization share its website anyway).
    """
    agreement: Agreement = {}
    same_owner = organization is not None and organization >= ORGANIZATION_MATCH
    if left.organization or right.organization:
        agreement["organization"] = None if organization is None else same_owner
    agreement["address"] = _address_agrees(left, right)
    agreement["phone"] = _shares(left.phones, right.phones)
    if not same_owner:
        agreement["website"] = _website_agrees(left, right)
    return agreement


def _judge(
    left: _Record, right: _Record, similarity: Similarity
) -> tuple[float, tuple[str, ...]] | None:
    """The score and matching fields of a pair, or None when it is not likely one record."""
    names = _names(left, right, similarity)
    if names < NAME_MATCH:
        return None
    organization = _organization_alike(left, right)
    agreement = _agreement(left, right, organization)
    if agreement["address"] is False and agreement["phone"] is False:
        return None
    if not _corroborated(agreement, names):
        return None
    score = _score(names, agreement, organization)
    return score, ("name", *(f for f in FIELDS[1:] if agreement.get(f)))


def _corroborated(agreement: Agreement, names: float) -> bool:
    """Whether something besides the name agrees, or the names alone suffice."""
    if agreement["address"] or agreement["phone"] or agreement.get("website"):
        return True
    return names >= NAME_ALONE and False not in agreement.values()


def _score(names: float, agreement: Agreement, organization: float | None) -> float:
    """0.8 N + 20 E less the penalties for another address and an unrelated organization."""
    values = [0.5 if v is None else float(v) for v in agreement.values()]
    score = 0.8 * names + 20 * sum(values) / len(values)
    if agreement["address"] is False:
        score -= ADDRESS_PENALTY
    if organization is not None and organization < ORGANIZATION_UNRELATED:
        score -= ORGANIZATION_PENALTY
    return round(max(0.0, min(100.0, score)), 1)


# -- the queue -----------------------------------------------------------------------------


def likely_duplicates(
    candidates: Iterable[Candidate],
    threshold: float = 85.0,
    ignore: frozenset[frozenset[str]] = frozenset(),
    limit: int | None = None,
) -> list[Pair]:
    """Pairs of records that look like one, best first, skipping pairs a curator set aside."""
    records, ids = _profiles(candidates)
    similarity = cache(name_similarity)
    found: list[Pair] = []
    for a, b in _candidate_pairs(records, ids):
        judged = _judge(records[a], records[b], similarity)
        if judged is not None and judged[0] >= threshold:
            found.extend(_pairs(ids[a], ids[b] if a != b else None, judged, ignore))
    found.sort(key=lambda p: (-p.score, p.left_id, p.right_id))
    return found if limit is None else found[:limit]


def _profiles(candidates: Iterable[Candidate]) -> tuple[list[_Record], list[list[str]]]:
    """Distinct normalized records and the ids of the candidates holding each (first id wins)."""
    unique: dict[str, Candidate] = {}
    for candidate in candidates:
        unique.setdefault(candidate.id, candidate)
    normalizer = _Normalizer(list(unique.values()))
    holders: dict[_Record, list[str]] = defaultdict(list)
    for candidate in unique.values():
        holders[normalizer.record(candidate)].append(candidate.id)
    return list(holders), list(holders.values())


def _candidate_pairs(records: list[_Record], ids: list[list[str]]) -> Iterator[tuple[int, int]]:
    """Each pair of record indexes worth judging once; (i, i) for values several ids share."""
    for index, holders in enumerate(ids):
        if len(holders) > 1:
            yield index, index
    seen: set[tuple[int, int]] = set()
    for members in _blocks(records):
        for pair in _alike_names(records, members):
            if pair not in seen:
                seen.add(pair)
                yield pair


def _pairs(
    left_ids: list[str],
    right_ids: list[str] | None,
    judged: tuple[float, tuple[str, ...]],
    ignore: frozenset[frozenset[str]],
) -> Iterator[Pair]:
    """The pairs of ids two judged records stand for (one record: its ids among themselves)."""
    couples = combinations(left_ids, 2) if right_ids is None else product(left_ids, right_ids)
    score, matches = judged
    for one, other in couples:
        left, right = (one, other) if one < other else (other, one)
        if not ignore or frozenset((left, right)) not in ignore:
            yield Pair(left, right, score, matches)

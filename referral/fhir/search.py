"""FHIR search parameters, read from the query string, and the searchset Bundle they give.

Each resource type declares the parameters it supports (listed in the CapabilityStatement);
anything else is refused with a 400 naming the parameter rather than silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from dateutil import parser as dates

from referral.fhir.outcome import FhirError, Issue

DEFAULT_COUNT, MAX_COUNT = 50, 200
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
IGNORED = {"_format", "_pretty"}
PAGING = {"_count", "_offset", "_include"}


@dataclass(frozen=True)
class Token:
    """A token search value: `code`, `system|code`, or `system|` (any code of the system)."""

    system: str | None
    code: str | None

    def matches(self, codings: list[dict]) -> bool:
        """Whether any of the codings is this token."""
        return any(
            (self.system is None or c.get("system") == self.system)
            and (self.code is None or c.get("code") == self.code)
            for c in codings
        )


@dataclass(frozen=True)
class Span:
    """A `_lastUpdated` condition: times at or after `start` and before `end`."""

    start: datetime | None
    end: datetime | None

    def holds(self, at: datetime) -> bool:
        """Whether a time is inside the span."""
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)


@dataclass
class Query:
    """A parsed search: the values of each parameter (several values of one parameter are
    alternatives; several parameters must all hold), and the page asked for."""

    values: dict[str, list] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0
    includes: list[str] = field(default_factory=list)
    counted: bool = True

    def get(self, name: str) -> list:
        """The values given for one parameter (empty when it was not given)."""
        return self.values.get(name, [])


def parse(args, supported: dict[str, str], includes: set[str], resource_type: str) -> Query:
    """Read a query string into a Query; 400 naming each parameter that is unknown or wrong."""
    query, issues = Query(), []
    for name in args:
        raws = args.getlist(name)
        try:
            read_parameter(query, name, raws, supported, includes)
        except ValueError as exc:
            issues.append(
                Issue(
                    "invalid" if name in supported else "not-supported",
                    str(exc),
                    f"{resource_type}?{name}",
                )
            )
    if issues:
        raise FhirError(400, issues)
    return query


def read_parameter(query: Query, name: str, raws: list[str], supported, includes) -> None:
    """Read one parameter's values into the query."""
    if name in IGNORED:
        return
    if name == "_count":
        query.count = whole(raws[-1], name, 1, MAX_COUNT)
    elif name == "_offset":
        query.offset = whole(raws[-1], name, 0, 10**9)
    elif name == "_include":
        unknown = [raw for raw in raws if raw not in includes]
        if unknown:
            choices = ", ".join(sorted(includes)) or "none"
            raise ValueError(f"_include={unknown[0]} is not supported here. Use: {choices}.")
        query.includes += raws
    elif name == "_lastUpdated":
        query.spans += [span(raw) for raw in raws]
    elif name in supported:
        for raw in raws:
            query.values.setdefault(name, []).append(value(supported[name], raw, name))
    else:
        choices = ", ".join(sorted({*supported, *PAGING, "_lastUpdated"}))
        raise ValueError(f"The search parameter {name!r} is not supported. Use: {choices}.")


def whole(raw: str, name: str, low: int, high: int) -> int:
    """A whole number parameter within bounds."""
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def value(kind: str, raw: str, name: str):
    """One value of a parameter of the given kind, read as alternatives separated by commas."""
    parts = [part for part in raw.split(",") if part]
    if not parts or "\x00" in raw:
        raise ValueError(f"{name} needs a value.")
    if kind == "token":
        return [token(part) for part in parts]
    if kind == "reference":
        return [reference(part, name) for part in parts]
    return parts


def token(raw: str) -> Token:
    """A token value."""
    if "|" not in raw:
        return Token(None, raw)
    system, _, code = raw.partition("|")
    return Token(system or None, code or None)


def reference(raw: str, name: str) -> str:
    """The id a reference value points at (`Patient/12`, `12` or an absolute URL)."""
    found = raw.rstrip("/").rsplit("/", 1)[-1]
    if not found:
        raise ValueError(f"{name} must name a resource, e.g. {name}=Patient/12.")
    return found


def span(raw: str) -> Span:
    """A `_lastUpdated` value with its prefix, e.g. `ge2026-01-01`."""
    prefix = raw[:2] if raw[:2] in PREFIXES else "eq"
    text = raw[2:] if raw[:2] in PREFIXES else raw
    if prefix in {"ne", "sa", "eb"}:
        raise ValueError(f"_lastUpdated does not take the prefix {prefix}; use ge, gt, le or lt.")
    try:
        start, end = moment(text)
    except (ValueError, OverflowError):
        raise ValueError(
            f"_lastUpdated={raw} is not a date or time; write e.g. ge2026-01-31 or "
            "lt2026-01-31T12:00:00Z."
        ) from None
    return {
        "eq": Span(start, end),
        "gt": Span(end, None),
        "ge": Span(start, None),
        "lt": Span(None, start),
        "le": Span(None, end),
    }[prefix]


def moment(text: str) -> tuple[datetime, datetime]:
    """The span of time a date or date-time stands for (a day, a second)."""
    if len(text) == 10:
        start = datetime.combine(date.fromisoformat(text), time(), UTC)
        return start, start + timedelta(days=1)
    at = dates.isoparse(text)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at, at + timedelta(seconds=1)


def bundle(
    resource_type: str,
    base: str,
    entries: list[dict],
    included: list[dict],
    total: int,
    query: Query,
    args,
) -> dict:
    """A searchset Bundle: the matches of one page, what they include, and paging links."""
    found = [entry(r, base, "match") for r in entries]
    found += [entry(r, base, "include") for r in included]
    body = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links(resource_type, base, total, query, args),
    }
    return body | {"entry": found} if found else body


def entry(found: dict, base: str, mode: str | None = None) -> dict:
    """One Bundle entry with its full URL (and its search mode in a searchset)."""
    item = {"fullUrl": f"{base}/{found['resourceType']}/{found['id']}", "resource": found}
    return item | {"search": {"mode": mode}} if mode else item


def links(resource_type: str, base: str, total: int, query: Query, args) -> list[dict]:
    """The self, first, previous and next links of a page."""
    kept = [(k, v) for k in args for v in args.getlist(k) if k not in {"_offset", "_count"}]

    def url(offset: int) -> str:
        pairs = [*kept, ("_count", query.count), ("_offset", offset)]
        return f"{base}/{resource_type}?{urlencode(pairs)}"

    found = [{"relation": "self", "url": url(query.offset)}, {"relation": "first", "url": url(0)}]
    if query.offset > 0:
        found.append({"relation": "previous", "url": url(max(query.offset - query.count, 0))})
    if query.offset + query.count < total:
        found.append({"relation": "next", "url": url(query.offset + query.count)})
    return found

"""Reading search parameters from a query string, every bad value named by its parameter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from referral.directory.hsds.languages import canonical_code
from referral.directory.needs import NEED_KEYS
from referral.search.engine import SearchRequest
from referral.search.geo import Geocoder, PlaceError, parse_near

MIN_RADIUS, MAX_RADIUS = 0.1, 100.0
MAX_LIMIT = 100
MAX_QUERY = 500


class ParamError(ValueError):
    """A search parameter with a value we cannot use."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_search(
    args: Mapping[str, str],
    getlist: Callable[[str], list[str]],
    geocoder: Geocoder | None = None,
    default_radius: float = 10.0,
    timezone: str = "America/New_York",
) -> SearchRequest:
    """A SearchRequest from query-string values; raises ParamError naming the first bad one."""
    categories = parse_categories(getlist("category"))
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        raise ParamError("q", f"The search text is too long (at most {MAX_QUERY} characters).")
    return SearchRequest(
        q=q,
        place=parse_place(args.get("near", ""), geocoder),
        radius_miles=parse_radius(args.get("radius"), default_radius),
        categories=categories,
        language=parse_language(args.get("language", "")),
        open_now=parse_flag(args, "open_now"),
        at=parse_at(args.get("at")),
        age=parse_number(args.get("age"), "age", 0, 130),
        free=parse_flag(args, "free"),
        limit=int(parse_number(args.get("limit"), "limit", 1, MAX_LIMIT, whole=True) or 20),
        offset=int(parse_number(args.get("offset"), "offset", 0, 10**6, whole=True) or 0),
        timezone=timezone,
    )


def parse_categories(values: list[str]) -> tuple[str, ...]:
    """Need keys, each one checked against the known list (commas also separate them)."""
    keys = [part.strip().lower() for value in values for part in value.split(",") if part.strip()]
    for key in keys:
        if key not in NEED_KEYS:
            raise ParamError(
                "category", f"Unknown category {key!r}. Use one of: {', '.join(NEED_KEYS)}."
            )
    return tuple(dict.fromkeys(keys))


def parse_place(near: str, geocoder: Geocoder | None):
    """The place searched near, or None when `near` is empty."""
    if not near.strip():
        return None
    try:
        return parse_near(near, geocoder)
    except PlaceError as exc:
        raise ParamError("near", str(exc)) from exc


def parse_radius(raw: str | None, default: float) -> float:
    """The radius in miles, between 0.1 and 100."""
    value = parse_number(raw, "radius", MIN_RADIUS, MAX_RADIUS)
    return default if value is None else value


def parse_number(raw, name: str, low: float, high: float, whole: bool = False) -> float | None:
    """A number within [low, high], or None when absent."""
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ParamError(name, f"{name} must be a number, not {raw!r}.") from None
    if value != value or not low <= value <= high or (whole and value != int(value)):
        kind = "a whole number" if whole else "a number"
        raise ParamError(name, f"{name} must be {kind} from {low:g} to {high:g}.")
    return value


def parse_language(raw: str) -> str:
    """An ISO 639 language code (two or three letters), lower-cased; "spa" is read as "es"."""
    code = raw.strip().lower()
    if code and not (code.isalpha() and 2 <= len(code) <= 3):
        raise ParamError("language", "language must be an ISO 639-1 code such as en or es.")
    return (canonical_code(code) or code) if code else ""


def parse_flag(args: Mapping[str, str], name: str) -> bool:
    """A yes/no flag: 1, true, yes or on mean yes."""
    raw = (args.get(name) or "").strip().lower()
    if raw in {"", "0", "false", "no", "off"}:
        return False
    if raw in {"1", "true", "yes", "on"}:
        return True
    raise ParamError(name, f"{name} must be 1 or 0.")


def parse_at(raw: str | None) -> datetime | None:
    """An ISO 8601 date-time to judge "open" at."""
    if not raw or not raw.strip():
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ParamError(
            "at", "at must be an ISO 8601 date-time such as 2026-05-04T18:30."
        ) from None

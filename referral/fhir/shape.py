"""Small pieces every FHIR resource is built from: meta, references, instants, ids."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import orjson

from referral.fhir.codes import PROFILES

ID_PATTERN = re.compile(r"[A-Za-z0-9\-.]{1,64}")
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def instant(at: datetime | None) -> str:
    """A stored time as a FHIR instant (UTC, seconds, with its zone)."""
    at = as_aware(at or EPOCH)
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def as_aware(at: datetime) -> datetime:
    """A stored time with its zone (SQLite gives naive UTC times back)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def meta(resource_type: str, version: int | str, updated: datetime | None) -> dict:
    """`meta` with the version, the time of the last change and the profile claimed."""
    found = {"versionId": str(version), "lastUpdated": instant(updated)}
    profile = PROFILES.get(resource_type)
    return found | {"profile": [profile]} if profile else found


def resource(resource_type: str, resource_id: str, version, updated, **elements) -> dict:
    """A resource: type, id, meta, then its elements with empty ones left out."""
    body = {
        "resourceType": resource_type,
        "id": resource_id,
        "meta": meta(resource_type, version, updated),
    }
    return body | {key: value for key, value in elements.items() if value not in (None, "", [])}


def ref(resource_type: str, resource_id, display: str | None = None) -> dict:
    """A relative reference, `Type/id`, with a display when there is one."""
    found = {"reference": f"{resource_type}/{resource_id}"}
    return found | {"display": display} if display else found


def content_version(body: dict) -> str:
    """A version for records that keep no counter: a digest of what the resource says."""
    without_meta = {key: value for key, value in body.items() if key != "meta"}
    return hashlib.sha256(orjson.dumps(without_meta, option=orjson.OPT_SORT_KEYS)).hexdigest()[:12]


def valid_id(value: str) -> bool:
    """Whether `value` can be a FHIR resource id."""
    return bool(ID_PATTERN.fullmatch(value))


def distinct(items: list[dict]) -> list[dict]:
    """The items without repeats, in their order (dicts cannot go in a set)."""
    found: list[dict] = []
    for item in items:
        if item not in found:
            found.append(item)
    return found

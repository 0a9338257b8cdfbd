"""Following references: what a search's `_include`s and `$everything` add, read together for
each type, leaving out what the caller may not read."""

from __future__ import annotations

from referral.fhir.access import Requester
from referral.fhir.outcome import FhirError
from referral.fhir.sources import SOURCES, Context, Found, Source


def includes(ctx: Context, source: Source, found: list[Found], wanted: list[str]) -> list[Found]:
    """The resources the matches reference through each `_include`, once each, leaving out
    what the caller may not see."""
    seen = {(f.resource["resourceType"], f.resource["id"]) for f in found}
    targets = []
    for name in wanted:
        for f in found:
            for target in references(f.resource.get(source.includes[name])):
                if target not in seen:
                    seen.add(target)
                    targets.append(target)
    return resolve_all(ctx, targets)


def references(value) -> list[tuple[str, str]]:
    """The (type, id) of every relative reference in an element (or a list of them)."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        item = item.get("detail", item) if isinstance(item, dict) else item
        for one in item if isinstance(item, list) else [item]:
            text = (one or {}).get("reference", "") if isinstance(one, dict) else ""
            text = text.get("reference", "") if isinstance(text, dict) else text
            if text.count("/") == 1:
                found.append(tuple(text.split("/")))
    return found


def resolve_all(ctx: Context, targets: list[tuple[str, str]]) -> list[Found]:
    """Referenced resources that exist, are served and the caller may read, read together
    for each type."""
    by_type: dict[str, list[str]] = {}
    for resource_type, resource_id in targets:
        by_type.setdefault(resource_type, []).append(resource_id)
    found = []
    for resource_type, ids in by_type.items():
        source = SOURCES.get(resource_type)
        if source is not None and may_read(ctx.requester, resource_type):
            found += source.read_many(ctx, ids)
    return found


def may_read(who: Requester, resource_type: str) -> bool:
    """Whether the caller's scopes let them read a resource type."""
    try:
        who.require(resource_type, "read")
    except FhirError:
        return False
    return True

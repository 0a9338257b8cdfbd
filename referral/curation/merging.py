"""Likely duplicates from the database, and merging two records into one.

A merge keeps one record and retires the other: the kept record takes the fields the curator
chose from the other, the other's referrals, flags, update requests and places move to it, the
retired record's change history stays and is shown with the kept one's, and each side records the
merge.
"""

from __future__ import annotations

from collections import defaultdict

from flask import current_app
from sqlalchemy import delete, func, select, update

from referral.capacity.models import ServiceCapacity
from referral.curation.duplicates import Candidate, Pair, likely_duplicates
from referral.curation.editing import EditContext, FieldChange, edit_service, service_document
from referral.curation.models import NotDuplicate, ServiceFlag, UpdateRequest
from referral.curation.operations import (
    EditProblems,
    claim_version,
    current_record,
    known_term_ids,
    record_changes,
    reindex_after_commit,
    save_record,
)
from referral.directory import models as m
from referral.errors import BadInput
from referral.extensions import db
from referral.referrals.models import Referral

KINDS = ("service", "organization")


def duplicate_pairs(kind: str, limit: int = 200) -> list[Pair]:
    """Likely duplicate services or organizations, best first, without the pairs a curator
    already judged distinct. The pairs are worked out once per state of the directory."""
    if kind not in KINDS:
        raise BadInput(f"kind must be one of: {', '.join(KINDS)}.", field="kind")
    ignore = frozenset(
        frozenset((row.left_id, row.right_id))
        for row in db.session.scalars(select(NotDuplicate).where(NotDuplicate.kind == kind))
    )
    key = (kind, *directory_stamp())
    cache = current_app.extensions.setdefault("duplicate-pairs", {})
    if key not in cache:
        found = service_candidates() if kind == "service" else organization_candidates()
        for stale in [k for k in cache if k[0] == kind]:
            del cache[stale]
        cache[key] = likely_duplicates(found)
    fresh = [p for p in cache[key] if frozenset((p.left_id, p.right_id)) not in ignore]
    return fresh[:limit]


def directory_stamp() -> tuple:
    """What changes whenever a record is added, edited or removed (a cache key)."""
    stamps = []
    for model in (m.Service, m.Organization, m.Location):
        stamps += db.session.execute(select(func.count(), func.max(model.updated_at))).one()
    return tuple(stamps)


def service_candidates() -> list[Candidate]:
    """Every service as duplicate detection compares it: names, first address, phones."""
    places = first_addresses()
    phones = phones_by("service_id")
    location_phones = phones_by("location_id")
    rows = db.session.execute(
        select(m.Service.id, m.Service.name, m.Organization.name, m.Service.url).join(
            m.Organization, m.Organization.id == m.Service.organization_id
        )
    )
    found = []
    for service_id, name, organization, url in rows:
        location, label, street, postal = places.get(service_id, ("", "", "", ""))
        numbers = (*phones.get(service_id, ()), *location_phones.get(location, ()))
        shown = full_name(name, label)
        found.append(Candidate(service_id, shown, organization, street, postal, numbers, url))
    return found


def full_name(name: str, place: str) -> str:
    """The name to compare: the place's name when it is the fuller label ending in the
    service's name (211 exports name a service by its site and the place "ORG - PROGRAM -
    SITE"), so programs sharing a site are not taken for one another."""
    if len(place) > len(name) and place.endswith(name):
        return place
    return name


def first_addresses() -> dict[str, tuple[str, str, str, str]]:
    """(location id, location name, street, ZIP) of each service's first place."""
    rows = db.session.execute(
        select(
            m.ServiceAtLocation.service_id,
            m.Address.location_id,
            m.Location.name,
            m.Address.address_1,
            m.Address.postal_code,
        )
        .join(m.Address, m.Address.location_id == m.ServiceAtLocation.location_id)
        .join(m.Location, m.Location.id == m.ServiceAtLocation.location_id)
        .order_by(m.ServiceAtLocation.id, m.Address.position)
    )
    found: dict[str, tuple[str, str, str, str]] = {}
    for service_id, location_id, label, street, postal in rows:
        found.setdefault(service_id, (location_id, label or "", street or "", postal or ""))
    return found


def phones_by(column: str) -> dict[str, tuple[str, ...]]:
    """Phone numbers grouped by their owner column."""
    owner = getattr(m.Phone, column)
    found: dict[str, list[str]] = defaultdict(list)
    for owner_id, number in db.session.execute(
        select(owner, m.Phone.number).where(owner.is_not(None))
    ):
        found[owner_id].append(number)
    return {key: tuple(value) for key, value in found.items()}


def organization_candidates() -> list[Candidate]:
    """Every organization as duplicate detection compares it."""
    phones = phones_by("organization_id")
    addresses: dict[str, tuple[str, str]] = {}
    for organization_id, street, postal in db.session.execute(
        select(m.Location.organization_id, m.Address.address_1, m.Address.postal_code)
        .join(m.Address, m.Address.location_id == m.Location.id)
        .order_by(m.Location.id, m.Address.position)
    ):
        addresses.setdefault(organization_id, (street or "", postal or ""))
    rows = db.session.execute(
        select(m.Organization.id, m.Organization.name, m.Organization.website)
    )
    return [
        Candidate(
            organization_id,
            name,
            "",
            *addresses.get(organization_id, ("", "")),
            phones.get(organization_id, ()),
            website or "",
        )
        for organization_id, name, website in rows
    ]


def not_duplicates(kind: str, left_id: str, right_id: str, user) -> None:
    """Remember that two records are distinct, so they are not offered again."""
    if kind not in KINDS:
        raise BadInput(f"kind must be one of: {', '.join(KINDS)}.", field="kind")
    low, high = sorted((left_id, right_id))
    if db.session.get(NotDuplicate, (kind, low, high)) is None:
        db.session.add(NotDuplicate(kind=kind, left_id=low, right_id=high, decided_by=user.id))


def merge_services(keep_id: str, other_id: str, take: list[str], versions: tuple, user) -> None:
    """Merge `other_id` into `keep_id`, taking the fields named in `take` from the other."""
    check_pair(keep_id, other_id, versions, "services")
    keep, other = current_record("service", keep_id), current_record("service", other_id)
    theirs = service_document(other)
    patch = {field: theirs[field] for field in take if field in theirs}
    edit = edit_service(keep, patch, EditContext(known_term_ids=known_term_ids(patch)))
    if not edit.ok:
        raise EditProblems(edit.problems)
    claim_version("service", keep_id, versions[0])
    claim_version("service", other_id, versions[1])
    move_service_links(other_id, keep_id)
    save_record("service", edit.record)
    merged = [*edit.changes, FieldChange("merged_from", "", other_id)]
    record_changes("service", keep_id, "merge", merged, user)
    record_changes("service", other_id, "merge", [FieldChange("merged_into", "", keep_id)], user)
    delete_service(other_id)
    reindex_after_commit([keep_id, other_id])


def check_pair(keep_id: str, other_id: str, versions: tuple, noun: str) -> None:
    """Refuse merging a record with itself, or without both versions."""
    if keep_id == other_id:
        raise BadInput(f"Choose two different {noun} to merge.", field="other_id")
    if len(versions) != 2 or None in versions:
        raise BadInput("Give the versions of both records you compared.", field="versions")


def move_service_links(from_id: str, to_id: str) -> None:
    """Move referrals, flags, update requests and places from one service to another."""
    for model in (Referral, ServiceFlag, UpdateRequest):
        db.session.execute(
            update(model).where(model.service_id == from_id).values(service_id=to_id)
        )
    kept = set(
        db.session.scalars(
            select(m.ServiceAtLocation.location_id).where(m.ServiceAtLocation.service_id == to_id)
        )
    )
    for link in db.session.scalars(
        select(m.ServiceAtLocation).where(m.ServiceAtLocation.service_id == from_id)
    ):
        if link.location_id not in kept:
            link.service_id = to_id
    db.session.flush()


def delete_service(service_id: str) -> None:
    """Remove a service and everything it still owns."""
    links = list(
        db.session.scalars(
            select(m.ServiceAtLocation.id).where(m.ServiceAtLocation.service_id == service_id)
        )
    )
    for model in (m.Phone, m.Schedule):
        db.session.execute(delete(model).where(model.service_at_location_id.in_(links)))
    db.session.execute(delete(m.ServiceAtLocation).where(m.ServiceAtLocation.id.in_(links)))
    for model in (m.Phone, m.Schedule, m.Language):
        db.session.execute(delete(model).where(model.service_id == service_id))
    for model in (m.ServiceArea, m.CostOption, m.ServiceTaxonomy, m.ServiceNeed, ServiceCapacity):
        db.session.execute(delete(model).where(model.service_id == service_id))
    db.session.execute(delete(m.Service).where(m.Service.id == service_id))


def merge_organizations(keep_id: str, other_id: str, versions: tuple, user) -> None:
    """Merge one organization into another: its services and locations move over."""
    check_pair(keep_id, other_id, versions, "organizations")
    current_record("organization", keep_id)
    current_record("organization", other_id)
    claim_version("organization", keep_id, versions[0], bump=True)
    claim_version("organization", other_id, versions[1])
    moved = list(
        db.session.scalars(select(m.Service.id).where(m.Service.organization_id == other_id))
    )
    for model in (m.Service, m.Location):
        db.session.execute(
            update(model).where(model.organization_id == other_id).values(organization_id=keep_id)
        )
    db.session.execute(delete(m.Phone).where(m.Phone.organization_id == other_id))
    db.session.execute(delete(m.Organization).where(m.Organization.id == other_id))
    merged = [FieldChange("merged_from", "", other_id)]
    record_changes("organization", keep_id, "merge", merged, user)
    gone = [FieldChange("merged_into", "", keep_id)]
    record_changes("organization", other_id, "merge", gone, user)
    reindex_after_commit(moved)

"""Keeping the directory true: edits with a field-by-field record, verification, the stale queue.

Helpers flush; the request commits. The search index follows each commit: the documents of the
services an operation touched are built before the commit and written right after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import event, func, select, update

from referral.capacity.models import HISTORY_ACTION
from referral.curation.editing import (
    Edit,
    EditContext,
    FieldChange,
    edit_location,
    edit_organization,
    edit_service,
)
from referral.curation.models import ChangeRecord, ServiceFlag
from referral.directory import models as m
from referral.directory import records as r
from referral.directory.snapshot import (
    OwnedRows,
    location_record,
    organization_record,
    read_directory,
)
from referral.directory.store import (
    ImportSummary,
    need_rows,
    replace_children,
    save_locations,
    save_organizations,
    save_services,
)
from referral.errors import AppError, BadInput, Conflict, NotFound
from referral.extensions import db
from referral.referrals.models import Referral
from referral.search.documents import documents
from referral.services import services

STALE_DAYS = 180
MODELS = {"service": m.Service, "organization": m.Organization, "location": m.Location}


class EditProblems(AppError):
    """An edit with invalid fields: 422 listing every one."""

    status, code = 422, "invalid_fields"

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(f"{field}: {message}" for field, message in problems.items())
        super().__init__(f"Fix these fields: {listed}", field=next(iter(problems), None))


def load_package(kind: str, record_id: str) -> r.Package:
    """The package holding one service (or the services of an organization or location), or 404."""
    if kind == "service":
        package = read_directory([record_id])
        if record_id not in package.services:
            raise NotFound(f"There is no service with id {record_id!r}.")
        return package
    must_exist(kind, record_id)
    return read_directory(linked_services(kind, record_id))


def must_exist(kind: str, record_id: str) -> None:
    """Answer 404 when there is no such record."""
    if db.session.get(MODELS[kind], record_id) is None:
        raise NotFound(f"There is no {kind} with id {record_id!r}.")


def linked_services(kind: str, record_id: str) -> list[str]:
    """The ids of the services an organization or a location serves."""
    if kind == "organization":
        query = select(m.Service.id).where(m.Service.organization_id == record_id)
    else:
        query = select(m.ServiceAtLocation.service_id).where(
            m.ServiceAtLocation.location_id == record_id
        )
    return list(dict.fromkeys(db.session.scalars(query)))


def current_record(kind: str, record_id: str):
    """The record of one service, organization or location as it stands, or 404."""
    if kind == "service":
        return load_package(kind, record_id).services[record_id]
    row = db.session.get(MODELS[kind], record_id)
    if row is None:
        raise NotFound(f"There is no {kind} with id {record_id!r}.")
    if kind == "organization":
        return organization_record(row, OwnedRows.load([], [], [], [row]))
    return location_record(row, OwnedRows.load([], [row], [], []))


def version_of(kind: str, record_id: str) -> int:
    """The stored version of a record."""
    return db.session.scalar(select(MODELS[kind].version).where(MODELS[kind].id == record_id))


def edit_record(
    kind: str, record_id: str, patch: dict, user, version, action: str = "update"
) -> Edit:
    """Apply a curator's patch to a service, organization or location: every field checked,
    a stale version refused, each changed field recorded, the index brought up to date."""
    if version is None:
        raise BadInput("Say which version you edited (`version` or an If-Match header).", "version")
    record = current_record(kind, record_id)
    context = EditContext(known_term_ids=known_term_ids(patch))
    edit = EDITORS[kind](record, patch, context)
    if not edit.ok:
        raise EditProblems(edit.problems)
    placed = place_record(edit)
    claim_version(kind, record_id, version)
    changes = [*edit.changes, *moved(record, edit.record, placed)]
    if changes:
        save_record(kind, placed)
        record_changes(kind, record_id, action, changes, user)
        reindex_after_commit(services_of(kind, record_id))
    return edit


EDITORS = {"service": edit_service, "organization": edit_organization, "location": edit_location}


def known_term_ids(patch: dict) -> frozenset[str]:
    """The taxonomy term ids a patch names that exist."""
    wanted = [str(t) for t in patch.get("taxonomy_term_ids") or [] if isinstance(t, str | int)]
    if not wanted:
        return frozenset()
    found = db.session.scalars(select(m.TaxonomyTerm.id).where(m.TaxonomyTerm.id.in_(wanted)))
    return frozenset(found)


def place_record(edit: Edit):
    """The edited record, with coordinates looked up when its address changed."""
    if not edit.needs_coordinates:
        return edit.record
    from dataclasses import replace

    point = locate(edit.record)
    if point is None:
        return edit.record
    return replace(edit.record, latitude=point[0], longitude=point[1])


def moved(before, edited, placed) -> list[FieldChange]:
    """The coordinates a location took from its new address, as changes."""
    if placed is edited:
        return []
    return [
        FieldChange(name, getattr(before, name), getattr(placed, name))
        for name in ("latitude", "longitude")
        if getattr(before, name) != getattr(placed, name)
    ]


def locate(location: r.Location) -> tuple[float, float] | None:
    """Coordinates of a location's address: the geocoder when one is configured, else the
    centre of its ZIP code."""
    from referral.search.geo import zip_place

    address = next((a for a in location.addresses if a.address_type != "postal"), None)
    if address is None:
        return None
    geocoder = services().geocoder
    if geocoder is not None:
        parts = (address.address_1, address.city, f"{address.state_province} {address.postal_code}")
        try:
            place = geocoder(", ".join(parts))
        except Exception:  # a geocoder outage falls back to the ZIP code
            place = None
        if place is not None:
            return place.latitude, place.longitude
    place = zip_place(address.postal_code[:5]) if address.postal_code else None
    return (place.latitude, place.longitude) if place else None


def claim_version(kind: str, record_id: str, version: int, bump: bool = False) -> None:
    """Hold the record at `version` until the request ends (raising it when `bump`), or answer
    409 when someone saved it since. Saving the record raises its version too."""
    model = MODELS[kind]
    claimed = db.session.execute(
        update(model)
        .where(model.id == record_id, model.version == version)
        .values(version=version + 1 if bump else version)
    )
    if claimed.rowcount != 1:
        current = version_of(kind, record_id)
        raise Conflict(
            f"This {kind} was changed by someone else since you opened it (it is now at version "
            f"{current}, you had version {version}). Reload it and make your change again.",
            field="version",
        )


def save_record(kind: str, record) -> None:
    """Write one edited record and everything it owns; its version goes up by one."""
    package = r.Package()
    getattr(package, f"{kind}s")[record.id] = record
    SAVERS[kind](package, ImportSummary())
    db.session.flush()


SAVERS = {"service": save_services, "organization": save_organizations, "location": save_locations}


def record_changes(
    kind: str, record_id: str, action: str, changes: Iterable[FieldChange], user
) -> None:
    """Add one change record per changed field."""
    for change in changes:
        db.session.add(
            ChangeRecord(
                resource_type=kind,
                resource_id=record_id,
                action=action,
                field_name=change.field,
                previous_value=as_text(change.old),
                replacement_value=as_text(change.new),
                updated_by=user.username if user else "organization (update request)",
                user_id=user.id if user else None,
            )
        )


def as_text(value) -> str:
    """A field value as the change record keeps it: text as is, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def services_of(kind: str, record_id: str) -> list[str]:
    """The services whose search documents depend on a record."""
    return [record_id] if kind == "service" else linked_services(kind, record_id)


def reindex_after_commit(service_ids: Iterable[str]) -> None:
    """Build the services' search documents now and write them once the request commits."""
    ids = list(dict.fromkeys(service_ids))
    if not ids:
        return
    db.session.flush()
    docs = list(documents(read_directory(ids)))
    index = services().index
    event.listen(
        db.session(), "after_commit", lambda _s: index.update_services(ids, docs), once=True
    )


def verify_services(service_ids: list[str], user, today: date | None = None) -> int:
    """Mark services verified today with no other change: all of them, or none when one
    does not exist."""
    today = today or date.today()
    ids = list(dict.fromkeys(service_ids))
    found = dict(
        db.session.execute(
            select(m.Service.id, m.Service.last_verified).where(m.Service.id.in_(ids))
        ).all()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"There is no service with id {missing[0]!r}.", field="service_ids")
    db.session.execute(update(m.Service).where(m.Service.id.in_(ids)).values(last_verified=today))
    for service_id in ids:
        change = FieldChange("last_verified", as_date(found[service_id]), today.isoformat())
        record_changes("service", service_id, "verify", [change], user)
    reindex_after_commit(ids)
    return len(ids)


def as_date(value) -> str | None:
    """A date as ISO text, or None."""
    return value.isoformat() if value else None


def stale_services(days: int = STALE_DAYS, limit: int = 100, offset: int = 0, today=None):
    """Services not verified in `days` days (or never), the most referred first: rows of
    (service, organization name, referral count, open flag count), and how many there are."""
    cutoff = (today or date.today()) - timedelta(days=days)
    referred = (
        select(Referral.service_id, func.count().label("n"))
        .group_by(Referral.service_id)
        .subquery()
    )
    flagged = (
        select(ServiceFlag.service_id, func.count().label("n"))
        .where(ServiceFlag.status == "open")
        .group_by(ServiceFlag.service_id)
        .subquery()
    )
    stale = (m.Service.last_verified.is_(None)) | (m.Service.last_verified < cutoff)
    total = db.session.scalar(select(func.count()).select_from(m.Service).where(stale))
    query = (
        select(
            m.Service,
            m.Organization.name,
            func.coalesce(referred.c.n, 0),
            func.coalesce(flagged.c.n, 0),
        )
        .join(m.Organization, m.Organization.id == m.Service.organization_id)
        .outerjoin(referred, referred.c.service_id == m.Service.id)
        .outerjoin(flagged, flagged.c.service_id == m.Service.id)
        .where(stale)
        .order_by(
            func.coalesce(referred.c.n, 0).desc(),
            m.Service.last_verified.is_not(None),
            m.Service.last_verified,
            m.Service.name,
        )
        .limit(limit)
        .offset(offset)
    )
    return [tuple(row) for row in db.session.execute(query)], total


def history(kind: str, record_id: str) -> list[ChangeRecord]:
    """Every recorded change of a record, and of the records merged into it, newest first."""
    merged = list(
        db.session.scalars(
            select(ChangeRecord.replacement_value).where(
                ChangeRecord.resource_type == kind,
                ChangeRecord.resource_id == record_id,
                ChangeRecord.field_name == "merged_from",
            )
        )
    )
    ids = [record_id, *merged]
    query = select(ChangeRecord).where(
        ChangeRecord.resource_type == kind, ChangeRecord.resource_id.in_(ids)
    )
    return list(db.session.scalars(query.order_by(ChangeRecord.at.desc(), ChangeRecord.id.desc())))


def change_json(change: ChangeRecord) -> dict:
    """A change record as the API shows it."""
    return {
        "field": change.field_name,
        "old": change.previous_value,
        "new": change.replacement_value,
        "by": change.updated_by,
        "at": m.as_utc(change.at).isoformat(),
        "action": change.action,
        "resource_type": change.resource_type,
        "resource_id": change.resource_id,
    }


def export_package() -> r.Package:
    """The whole directory with its change history as HSDS metadata, ready to export (capacity
    changes left out: HSDS has no such field)."""
    package = read_directory()
    changes = select(ChangeRecord).where(ChangeRecord.action != HISTORY_ACTION)
    package.metadata = [metadata_row(c) for c in db.session.scalars(changes)]
    return package


def metadata_row(change: ChangeRecord) -> dict:
    """A change record as an HSDS 3.0 metadata object."""
    return {
        "id": f"change-{change.id}",
        "resource_id": change.resource_id,
        "resource_type": change.resource_type,
        "last_action_date": m.as_utc(change.at).isoformat(),
        "last_action_type": change.action,
        "field_name": change.field_name,
        "previous_value": change.previous_value,
        "replacement_value": change.replacement_value,
        "updated_by": change.updated_by,
    }


TERM_FIELDS = ("name", "code", "description")


def edit_term(term_id: str, data: dict, user) -> list[FieldChange]:
    """Rename or describe a taxonomy term: recorded, and the services filed under it take the
    new words in search and in the needs derived from their terms."""
    term = db.session.get(m.TaxonomyTerm, term_id)
    if term is None:
        raise NotFound(f"There is no taxonomy term with id {term_id!r}.")
    unknown = sorted(set(data) - set(TERM_FIELDS))
    if unknown:
        raise EditProblems({field: "This field of a term cannot be edited." for field in unknown})
    values = {
        field: str(data.get(field, getattr(term, field)) or "").strip() for field in TERM_FIELDS
    }
    if not values["name"] or len(values["name"]) > 300:
        raise EditProblems({"name": "Give the term a name (at most 300 characters)."})
    changes = [
        FieldChange(field, getattr(term, field), values[field])
        for field in TERM_FIELDS
        if values[field] != getattr(term, field)
    ]
    for change in changes:
        setattr(term, change.field, change.new)
    record_changes("taxonomy_term", term_id, "update", changes, user)
    if changes:
        refresh_term_services(term_id)
    return changes


def refresh_term_services(term_id: str) -> None:
    """Re-derive the needs of the services filed under a term and renew their search documents."""
    ids = list(
        db.session.scalars(
            select(m.ServiceTaxonomy.service_id).where(m.ServiceTaxonomy.term_id == term_id)
        )
    )
    db.session.flush()
    package = read_directory(ids)
    rows = need_rows(list(package.services.values()), package)
    replace_children(m.ServiceNeed, "service_id", ids, rows)
    reindex_after_commit(ids)


def find_terms(query: str, limit: int = 200) -> list[tuple[m.TaxonomyTerm, int]]:
    """Taxonomy terms whose name or code holds the words typed, with how many services use each."""
    used = (
        select(m.ServiceTaxonomy.term_id, func.count().label("n"))
        .group_by(m.ServiceTaxonomy.term_id)
        .subquery()
    )
    like = f"%{query.lower()}%"
    rows = db.session.execute(
        select(m.TaxonomyTerm, func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.term_id == m.TaxonomyTerm.id)
        .where(
            func.lower(m.TaxonomyTerm.name).like(like) | func.lower(m.TaxonomyTerm.code).like(like)
        )
        .order_by(func.coalesce(used.c.n, 0).desc(), m.TaxonomyTerm.name)
        .limit(limit)
    )
    return [tuple(row) for row in rows]

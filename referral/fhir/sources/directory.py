"""The directory: services and places."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import false, or_, select
from sqlalchemy.orm import selectinload

from referral.directory.models import Address, Location, Service, ServiceAtLocation, ServiceNeed
from referral.directory.needs import NEED_KEYS
from referral.fhir import directory
from referral.fhir.codes import (
    SDOHCC,
    need_codes,
)
from referral.fhir.search import Query, Token
from referral.fhir.sources.base import (
    Found,
    Source,
    id_values,
    sql_page,
    within,
)


class HealthcareServiceSource(Source):
    resource_type = "HealthcareService"
    params: ClassVar[dict[str, str]] = {
        "_id": "string",
        "name": "string",
        "service-category": "token",
        "active": "token",
    }
    includes: ClassVar[dict[str, str]] = {
        "HealthcareService:location": "location",
        "HealthcareService:organization": "providedBy",
    }

    def search(self, ctx, q):
        query = named(Service, q)
        for alternatives in q.get("active"):
            query = query.where(or_(*(active_condition(t) for t in alternatives)))
        for alternatives in q.get("service-category"):
            needs = [n for n in NEED_KEYS if any(t.matches(category_of(n)) for t in alternatives)]
            offered = select(ServiceNeed.service_id).where(ServiceNeed.need.in_(needs))
            query = query.where(Service.id.in_(offered))
        query = query.where(*within(q.spans, Service.updated_at)).order_by(Service.id)
        query = query.options(
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.languages),
            selectinload(Service.needs),
            selectinload(Service.organization),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location),
        )
        rows, total = sql_page(query, q)
        return [Found(directory.healthcare_service(s, ctx.base)) for s in rows], total


def named(model, q: Query):
    """Directory records by FHIR id (their own or their HSDS id) and by words of their name."""
    query = select(model)
    if q.get("_id"):
        ids = id_values(q)
        query = query.where(or_(model.id.in_(ids), model.hsds_id.in_(ids)))
    for names in q.get("name"):
        query = query.where(or_(*(model.name.ilike(f"%{n}%") for n in names)))
    return query


def active_condition(t: Token):
    """Services that are (true) or are not (false) taking people now."""
    if t.code not in {"true", "false"}:
        return false()
    return (Service.status == "active") if t.code == "true" else (Service.status != "active")


def category_of(need: str) -> list[dict]:
    """The SDOH category coding of the services that meet a need."""
    return [{"system": SDOHCC, "code": need_codes(need).category}]


class LocationSource(Source):
    resource_type = "Location"
    params: ClassVar[dict[str, str]] = {
        "_id": "string",
        "name": "string",
        "address-postalcode": "string",
    }

    def search(self, ctx, q):
        query = named(Location, q)
        for codes in q.get("address-postalcode"):
            places = select(Address.location_id).where(Address.postal_code.in_(codes))
            query = query.where(Location.id.in_(places))
        query = query.where(*within(q.spans, Location.updated_at)).order_by(Location.id)
        query = query.options(
            selectinload(Location.addresses),
            selectinload(Location.phones),
            selectinload(Location.schedules),
        )
        rows, total = sql_page(query, q)
        return [Found(directory.location(p, ctx.base)) for p in rows], total

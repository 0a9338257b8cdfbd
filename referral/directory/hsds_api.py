"""HSDS API 3.0 read endpoints under /hsds, so 211s and other directories can sync from us."""

from __future__ import annotations

import math
from datetime import datetime

from flask import Blueprint, jsonify, request
from sqlalchemy import Select, func, or_, select

from referral.api.requests import is_whole
from referral.auth.access import require_directory_access
from referral.directory import models as m
from referral.directory import records as r
from referral.directory.hsds import objects
from referral.directory.hsds.identity import is_uuid
from referral.directory.hsds.objects import publish
from referral.directory.hsds.writer import (
    organization_document,
    service_document,
    taxonomy_term_document,
)
from referral.directory.snapshot import read_directory, term_record
from referral.errors import BadInput, NotFound
from referral.extensions import db
from referral.search.geo import area_key, bounding_box, miles_between
from referral.search.params import ParamError, parse_place

bp = Blueprint("hsds", __name__, url_prefix="/hsds")
HSDS_VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
MAX_PER_PAGE = 1000
METRES_PER_MILE = 1609.344


@bp.get("/")
@require_directory_access
def root():
    """What this API is: the HSDS version and profile it serves."""
    return jsonify({"version": HSDS_VERSION, "profile": "", "openapi_url": OPENAPI_URL})


@bp.get("/services")
@require_directory_access
def list_services():
    """A page of services matching every filter given (HSDS `search`, `taxonomy_term_id`, …)."""
    query = service_filters(select(m.Service.id).order_by(m.Service.id))
    page, per_page = paging()
    total, ids = page_of(query, page, per_page)
    package = read_directory(ids)
    minimal = flag("minimal")
    contents = [
        minimal_service(package.services[i]) if minimal else service_document(package, i)
        for i in ids
        if i in package.services
    ]
    return jsonify(page_object(contents, total, page, per_page))


@bp.get("/services/<service_id>")
@require_directory_access
def get_service(service_id: str):
    """One fully nested service document, by its published UUID or the directory's own id."""
    service_id = local_id(m.Service, service_id)
    package = read_directory([service_id])
    if service_id not in package.services:
        raise NotFound(f"No service has id {service_id!r}.")
    return jsonify(service_document(package, service_id))


@bp.get("/service_at_locations")
@require_directory_access
def list_service_at_locations():
    """A page of services at locations, by the service filters plus `postcode` and `proximity`."""
    services = service_filters(select(m.Service.id))
    query = (
        select(m.ServiceAtLocation.id, m.Location.latitude, m.Location.longitude, m.Service.id)
        .join(m.Location, m.Location.id == m.ServiceAtLocation.location_id)
        .join(m.Service, m.Service.id == m.ServiceAtLocation.service_id)
        .where(m.Service.id.in_(services))
        .order_by(m.ServiceAtLocation.id)
    )
    rows = near_postcode(query)
    page, per_page = paging()
    chosen = rows[(page - 1) * per_page : page * per_page]
    package = read_directory({service for _, service in chosen})
    contents = [sal_document(package, sal_id) for sal_id, _ in chosen]
    return jsonify(page_object(contents, len(rows), page, per_page))


@bp.get("/service_at_locations/<sal_id>")
@require_directory_access
def get_service_at_location(sal_id: str):
    """One service at a location, with the service and the location nested."""
    sal_id = local_id(m.ServiceAtLocation, sal_id)
    sal = db.session.get(m.ServiceAtLocation, sal_id)
    if sal is None:
        raise NotFound(f"No service at a location has id {sal_id!r}.")
    return jsonify(sal_document(read_directory([sal.service_id]), sal_id))


@bp.get("/organizations")
@require_directory_access
def list_organizations():
    """A page of organizations, optionally filtered by `search`."""
    query = select(m.Organization.id).order_by(m.Organization.id)
    if text := request.args.get("search", "").strip():
        query = query.where(m.Organization.name.ilike(f"%{text}%"))
    page, per_page = paging()
    total, ids = page_of(query, page, per_page)
    orgs = db.session.scalars(select(m.Organization).where(m.Organization.id.in_(ids))).all()
    by_id = {o.id: o for o in orgs}
    contents = [organization_summary(by_id[i]) for i in ids if i in by_id]
    return jsonify(page_object(contents, total, page, per_page))


@bp.get("/organizations/<organization_id>")
@require_directory_access
def get_organization(organization_id: str):
    """One organization with its services."""
    organization_id = local_id(m.Organization, organization_id)
    service_ids = db.session.scalars(
        select(m.Service.id).where(m.Service.organization_id == organization_id)
    ).all()
    package = read_directory(service_ids)
    if organization_id not in package.organizations:
        org = db.session.get(m.Organization, organization_id)
        if org is None:
            raise NotFound(f"No organization has id {organization_id!r}.")
        return jsonify(organization_summary(org))
    return jsonify(organization_document(package, organization_id))


@bp.get("/taxonomies")
@require_directory_access
def list_taxonomies():
    """The vocabularies the directory's taxonomy terms come from."""
    names = db.session.scalars(
        select(m.TaxonomyTerm.taxonomy).distinct().order_by(m.TaxonomyTerm.taxonomy)
    ).all()
    contents = [publish(objects.taxonomy_object(name), "taxonomy") for name in names if name]
    page, per_page = paging()
    chosen = contents[(page - 1) * per_page : page * per_page]
    return jsonify(page_object(chosen, len(contents), page, per_page))


@bp.get("/taxonomies/<taxonomy_id>")
@require_directory_access
def get_taxonomy(taxonomy_id: str):
    """One vocabulary, by its published id or its name."""
    name = taxonomy_name(taxonomy_id)
    known = db.session.scalar(select(m.TaxonomyTerm.id).where(m.TaxonomyTerm.taxonomy == name))
    if not name or known is None:
        raise NotFound(f"No taxonomy has id {taxonomy_id!r}.")
    return jsonify(publish(objects.taxonomy_object(name), "taxonomy"))


@bp.get("/taxonomy_terms/<term_id>")
@require_directory_access
def get_taxonomy_term(term_id: str):
    """One taxonomy term."""
    term = db.session.get(m.TaxonomyTerm, local_id(m.TaxonomyTerm, term_id))
    if term is None:
        raise NotFound(f"No taxonomy term has id {term_id!r}.")
    return jsonify(taxonomy_term_document(term_record(term)))


@bp.get("/taxonomy_terms")
@require_directory_access
def list_taxonomy_terms():
    """A page of taxonomy terms, by `taxonomy_id`, `parent_id`, `search` and `top_only`."""
    query = select(m.TaxonomyTerm.id).order_by(m.TaxonomyTerm.id)
    if taxonomy := request.args.get("taxonomy_id"):
        query = query.where(m.TaxonomyTerm.taxonomy == taxonomy_name(taxonomy))
    if parent := request.args.get("parent_id"):
        query = query.where(m.TaxonomyTerm.parent_id == local_id(m.TaxonomyTerm, parent))
    if flag("top_only"):
        query = query.where(or_(m.TaxonomyTerm.parent_id.is_(None), m.TaxonomyTerm.parent_id == ""))
    if text := request.args.get("search", "").strip():
        query = query.where(m.TaxonomyTerm.name.ilike(f"%{text}%"))
    page, per_page = paging()
    total, ids = page_of(query, page, per_page)
    terms = {
        t.id: t
        for t in db.session.scalars(select(m.TaxonomyTerm).where(m.TaxonomyTerm.id.in_(ids)))
    }
    contents = [taxonomy_term_document(term_record(terms[i])) for i in ids if i in terms]
    return jsonify(page_object(contents, total, page, per_page))


def service_filters(query: Select) -> Select:
    """Apply the HSDS service filters of the query string; all combine with AND."""
    args = request.args
    if text := args.get("search", "").strip():
        like = f"%{text}%"
        query = query.where(or_(m.Service.name.ilike(like), m.Service.description.ilike(like)))
    if term := args.get("taxonomy_term_id"):
        term = local_id(m.TaxonomyTerm, term)
        linked = select(m.ServiceTaxonomy.service_id).where(m.ServiceTaxonomy.term_id == term)
        query = query.where(m.Service.id.in_(linked))
    if taxonomy := args.get("taxonomy_id"):
        linked = (
            select(m.ServiceTaxonomy.service_id)
            .join(m.TaxonomyTerm, m.TaxonomyTerm.id == m.ServiceTaxonomy.term_id)
            .where(m.TaxonomyTerm.taxonomy == taxonomy_name(taxonomy))
        )
        query = query.where(m.Service.id.in_(linked))
    if organization := args.get("organization_id"):
        query = query.where(m.Service.organization_id == local_id(m.Organization, organization))
    if modified := args.get("modified_after"):
        query = query.where(m.Service.updated_at > parse_datetime(modified, "modified_after"))
    return query


def local_id(model: type, value: str) -> str:
    """The directory's id of a record named by its published UUID (or by that id itself)."""
    if not is_uuid(value):
        return value
    found = db.session.scalar(select(model.id).where(model.hsds_id == value).limit(1))
    return found or value


def taxonomy_name(value: str) -> str:
    """The name of a taxonomy given by its published id (or by its name)."""
    if not is_uuid(value):
        return value
    names = db.session.scalars(select(m.TaxonomyTerm.taxonomy).distinct())
    return next((name for name in names if objects.taxonomy_id(name) == value), value)


def parse_datetime(raw: str, name: str) -> datetime:
    """An ISO 8601 date or date-time parameter."""
    try:
        return datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{name} must be an ISO 8601 date-time.", field=name) from None


def paging() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (1–1000, default 50)."""
    page = whole_number("page", 1, 1, 10**7)
    per_page = whole_number("per_page", 50, 1, MAX_PER_PAGE)
    return page, per_page


def whole_number(name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter within bounds."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not is_whole(raw) or not low <= int(raw) <= high:
        raise BadInput(f"{name} must be a whole number from {low} to {high}.", field=name)
    return int(raw)


def flag(name: str) -> bool:
    """A true/false parameter."""
    return request.args.get(name, "").strip().lower() in {"1", "true", "yes"}


def page_of(query: Select, page: int, per_page: int) -> tuple[int, list[str]]:
    """The total count of `query` and the ids on the asked page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    ids = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return total or 0, ids


def page_object(contents: list, total: int, page: int, per_page: int) -> dict:
    """The HSDS page wrapper around a list."""
    pages = max(math.ceil(total / per_page), 1) if total else 0
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def near_postcode(query: Select) -> list[tuple[str, str]]:
    """(service_at_location id, service id) rows, limited by `postcode` and `proximity`."""
    postcode = request.args.get("postcode", "").strip()
    proximity = request.args.get("proximity", "").strip()
    rows = db.session.execute(query).all()
    if not postcode:
        if proximity:
            raise BadInput("proximity needs a postcode to measure from.", field="proximity")
        return [(row[0], row[3]) for row in rows]
    try:
        place = parse_place(postcode, None)
    except ParamError as exc:
        raise BadInput(exc.message, field="postcode") from exc
    if proximity:
        return within(rows, place, proximity)
    served = services_serving(place)
    return [(row[0], row[3]) for row in rows if row[3] in served]


def within(rows, place, proximity: str) -> list[tuple[str, str]]:
    """Rows whose location lies within `proximity` metres of the place."""
    try:
        metres = float(proximity)
    except ValueError:
        raise BadInput("proximity must be a distance in metres.", field="proximity") from None
    if not 0 < metres <= 500_000:
        raise BadInput("proximity must be between 1 and 500000 metres.", field="proximity")
    miles = metres / METRES_PER_MILE
    box = bounding_box(place, miles)
    found = []
    for sal_id, lat, lon, service_id in rows:
        if lat is None or lon is None or not (box[0] <= lat <= box[1] and box[2] <= lon <= box[3]):
            continue
        if miles_between((place.latitude, place.longitude), (lat, lon)) <= miles:
            found.append((sal_id, service_id))
    return found


def services_serving(place) -> set[str]:
    """Ids of services whose service area covers the place or whose address is in its ZIP."""
    keys = set(place.area_keys())
    areas = db.session.execute(
        select(m.ServiceArea.service_id, m.ServiceArea.kind, m.ServiceArea.value)
    )
    served = {sid for sid, kind, value in areas if area_key(kind, value) in keys}
    at_zip = (
        select(m.ServiceAtLocation.service_id)
        .join(m.Address, m.Address.location_id == m.ServiceAtLocation.location_id)
        .where(m.Address.postal_code.like(f"{place.postal_code}%"))
    )
    return served | set(db.session.scalars(at_zip))


def minimal_service(service) -> dict:
    """The top-level fields of a service, without nested records."""
    return publish(objects.service_fields(service), "service")


def organization_summary(org: m.Organization) -> dict:
    """An organization's own fields."""
    fields = ORGANIZATION_FIELDS
    record = r.Organization(**{name: getattr(org, name) for name in fields})
    return publish(objects.organization_fields(record), "organization")


ORGANIZATION_FIELDS = (
    "id",
    "name",
    "description",
    "alternate_name",
    "email",
    "website",
    "tax_status",
    "tax_id",
    "year_incorporated",
    "legal_status",
)


def sal_document(package, sal_id: str) -> dict:
    """A service-at-location document: its own fields, the service and the location."""
    sal = package.service_at_locations[sal_id]
    service = service_document(package, sal.service_id, published=False)
    located = [x for x in service.get("service_at_locations", []) if x.get("id") == sal_id]
    document = {
        **objects.service_at_location_fields(sal),
        "service": {k: v for k, v in service.items() if k != "service_at_locations"},
    }
    if located and "location" in located[0]:
        document["location"] = located[0]["location"]
    return publish(document, "service_at_location")

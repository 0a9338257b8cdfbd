"""The case manager's pages: search, and a details page per service."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request, session
from flask_login import current_user
from sqlalchemy import select

from referral.auth.access import require_directory_access
from referral.auth.forms import ActionForm
from referral.auth.models import CARE_TEAM
from referral.capacity import operations as capacity_operations
from referral.capacity import rules as capacity_rules
from referral.curation.flags import STAFF_REASONS
from referral.directory.hsds.languages import language_name
from referral.directory.models import ServiceNeed, as_utc
from referral.directory.needs import NEED_KEYS, NEED_LABELS
from referral.directory.snapshot import read_directory
from referral.errors import BadInput, NotFound
from referral.extensions import db
from referral.paging import page_url
from referral.patients.blueprint import get_patient
from referral.patients.operations import record_access
from referral.search import hours as h
from referral.search.documents import effective_hours, location_timezone
from referral.search.engine import search as run_search
from referral.search.params import ParamError, parse_search
from referral.search.serialize import result_json
from referral.services import services

bp = Blueprint("web", __name__)
RADII = (1, 2, 5, 10, 15, 25, 50, 100)


@bp.get("/")
@require_directory_access
def search():
    """The search page: one box for words, one for the place, results below."""
    args = request.args.to_dict()
    patient = referring_patient()
    if "near" not in args and patient is not None and patient.postal_code:
        args["near"] = patient.postal_code
    if "near" not in args and session.get("near"):
        args["near"] = session["near"]
    form = SearchForm(args, request.args.getlist("category"))
    error, response, search_request = None, None, None
    if form.submitted:
        try:
            search_request = parse_search(
                args,
                lambda name: request.args.getlist(name),
                services().geocoder,
                current_app.config["REFERRAL"]["DEFAULT_RADIUS_MILES"],
                current_app.config["REFERRAL"]["DEFAULT_TIMEZONE"],
            )
            response = run_search(
                services().index, search_request, concepts=services().concepts.table()
            )
            session["near"] = args.get("near", "")
        except ParamError as exc:
            error = exc
    rows = [result_json(r) for r in response.results] if response else []
    status = 400 if error else 200
    return render_template(
        "search/search.html",
        form=form,
        error=error,
        response=response,
        search_request=search_request,
        rows=rows,
        needs=NEED_KEYS,
        need_labels=NEED_LABELS,
        radii=RADII,
        patient=patient,
        refer_form=ActionForm() if patient is not None else None,
    ), status


def referring_patient():
    """The patient the care team is finding services for (`patient`), if any; the view of
    their name is recorded."""
    wanted = request.args.get("patient", "")
    if not wanted or not current_user.is_authenticated or not current_user.has_role(*CARE_TEAM):
        return None
    if not wanted.isdigit():
        raise BadInput("patient must be a patient's number.", field="patient")
    patient = get_patient(int(wanted))
    record_access(current_user.id, patient.id, "view", "search")
    return patient


class SearchForm:
    """The values the search form shows back to the user."""

    def __init__(self, args: dict, categories: list[str]) -> None:
        self.q = args.get("q", "")
        self.near = args.get("near", "")
        self.radius = args.get("radius", "")
        self.categories = categories
        self.language = args.get("language", "")
        self.open_now = args.get("open_now") == "1"
        self.free = args.get("free") == "1"
        self.age = args.get("age", "")
        self.page = args.get("offset", "0")
        self.submitted = any(k in request.args for k in ("q", "near", "category"))


@bp.get("/services/<service_id>")
@require_directory_access
def service_details(service_id: str):
    """Everything a case manager tells a patient about one service."""
    package = read_directory([service_id])
    service = package.services.get(service_id)
    if service is None:
        raise NotFound("There is no service with that id. It may have been removed.")
    places = locations_of(package, service, request.args.get("location"))
    return render_template(
        "search/service.html",
        service=service,
        organization=package.organizations.get(service.organization_id),
        places=places,
        terms=[
            package.taxonomy_terms[t]
            for t in service.taxonomy_term_ids
            if t in package.taxonomy_terms
        ],
        need_labels=NEED_LABELS,
        needs=needs_of(service_id),
        areas=list(dict.fromkeys(a.name or a.value or "Nationwide" for a in service.service_areas)),
        report_reasons=STAFF_REASONS,
        **capacity_context(service),
    )


def capacity_context(service) -> dict:
    """What the service page shows of its capacity, and whether this user may set it."""
    today = capacity_operations.clinic_today()
    return {
        "capacity": capacity_rules.current(service.capacity, today),
        "capacity_choices": list(capacity_rules.LABELS.items()),
        "may_set_capacity": capacity_operations.may_set(current_user, service.id),
        "today": today,
    }


def locations_of(package, service, first_id: str | None) -> list[dict]:
    """The service's locations with their hours evaluated now; the one asked for first."""
    places = []
    for sal in package.service_at_locations.values():
        location = package.locations.get(sal.location_id)
        if sal.service_id != service.id or location is None:
            continue
        hours = effective_hours(service, sal, location)
        zone = location_timezone(location) or current_app.config["REFERRAL"]["DEFAULT_TIMEZONE"]
        now = h.local_now(zone)
        places.append(
            {
                "location": location,
                "sal": sal,
                "hours": hours,
                "week": h.format_week(hours.windows),
                "open_now": h.is_open(hours.windows, now),
                "today": now.weekday(),
            }
        )
    places.sort(key=lambda p: p["location"].id != first_id)
    return places


def needs_of(service_id: str) -> list[str]:
    """The need keys recorded for a service."""
    return list(
        db.session.scalars(select(ServiceNeed.need).where(ServiceNeed.service_id == service_id))
    )


@bp.app_template_filter("tel")
def tel_href(number: str) -> str:
    """A `tel:` link target for a phone number as written."""
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    return f"tel:{digits}"


@bp.app_template_filter("capacity_words")
def capacity_words(status: str, until: date | str | None = None) -> str:
    """A capacity as people read it ("Waitlist", "Not accepting referrals until 12 Jan"); ""
    when accepting."""
    day = until if isinstance(until, date) else capacity_rules.as_day(until)
    return capacity_rules.words(status, day, capacity_operations.clinic_today())


@bp.app_template_filter("language_names")
def language_names(codes: list[str]) -> str:
    """Language codes as names people read: "en, es" → "English, Spanish"."""
    return ", ".join(language_name(code) for code in codes)


@bp.app_template_filter("local_time")
def local_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time (UTC) on the clinic's clock, formatted."""
    if moment is None:
        return ""
    zone = ZoneInfo(current_app.config["REFERRAL"]["DEFAULT_TIMEZONE"])
    return as_utc(moment).astimezone(zone).strftime(pattern)


@bp.app_context_processor
def inject_now():
    """The current year for the footer."""
    return {"current_year": datetime.now().year}


bp.add_app_template_global(page_url)

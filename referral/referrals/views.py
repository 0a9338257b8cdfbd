"""The care team's referral pages: refer from search, worklists, a referral's page with its
follow-up calls, and the slips patients take home."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from referral.api.requests import whole_version
from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, check_posted_form
from referral.auth.models import CARE_TEAM, User
from referral.directory.models import Service, as_utc
from referral.directory.needs import NEED_LABELS
from referral.errors import AppError, BadInput, Forbidden, NotFound
from referral.extensions import db
from referral.network.messages import mark_read, thread
from referral.network.models import NetworkOrganization
from referral.network.scope import may_see_patient, referral_condition
from referral.paging import parse_page
from referral.patientlink.operations import with_printed_link
from referral.patients.blueprint import get_patient
from referral.patients.models import Patient
from referral.patients.operations import patients_by_id, record_access
from referral.referrals import followups, states
from referral.referrals.links import link_token
from referral.referrals.models import Referral
from referral.referrals.operations import (
    WORKLISTS,
    change_status,
    make_referrals,
    may_see,
    record_follow_up,
    visible_referral,
    worklist,
)
from referral.referrals.slip import PAPERS, build_slip, slip_language
from referral.referrals.slip_pdf import render_pdf

bp = Blueprint("referrals", __name__)
SLIP_ROLES = ("staff", *CARE_TEAM)
WORKLIST_TITLES = {
    "due": "Follow-ups due",
    "mine": "My open referrals",
    "quiet": "No update lately",
}


@bp.get("/referrals")
@require_roles(*CARE_TEAM)
def worklists():
    """Referrals still waiting for an outcome: due for a call, all of mine, or gone quiet."""
    which = request.args.get("list", "due")
    if which not in WORKLISTS:
        raise BadInput(f"Choose a worklist: {', '.join(WORKLISTS)}.", field="list")
    days = current_app.config["REFERRAL"]["QUIET_DAYS"]
    today = date.today()
    page = parse_page(request.args)
    found, total = worklist(current_user, which, today, days, page)
    return render_template(
        "referrals/worklist.html",
        which=which,
        page=page,
        total=total,
        titles=WORKLIST_TITLES,
        referrals=found,
        services=names_of(found),
        patients=patients_by_id(r.patient_id for r in found),
        today=today,
        quiet_days=days,
    )


def names_of(referrals: list[Referral]) -> dict[str, str]:
    """Service names by id, for listing referrals."""
    ids = {r.service_id for r in referrals}
    rows = db.session.execute(select(Service.id, Service.name).where(Service.id.in_(ids)))
    return {row.id: row.name for row in rows} if ids else {}


@bp.get("/referrals/<int:referral_id>")
@require_roles(*CARE_TEAM)
def show(referral_id: int):
    """One referral: where it stands, its history, the organization's link, follow-up calls."""
    referral = visible_referral(referral_id, current_user)
    service = db.session.get(Service, referral.service_id)
    receiving = (
        db.session.get(NetworkOrganization, referral.receiving_org_id)
        if referral.receiving_org_id
        else None
    )
    messages = thread(referral.id)
    page = render_template(
        "referrals/show.html",
        referral=referral,
        patient=get_patient(referral.patient_id),
        service=service,
        receiving=receiving,
        messages=messages,
        party="requester",
        link=url_for(
            "receiver.answer",
            token=link_token(current_app.secret_key, referral.id),
            _external=True,
        )
        if receiving is None or receiving.link_enabled
        else None,
        moves=states.allowed_moves(referral.status, states.Party.REQUESTER),
        outcomes=list(states.Outcome),
        needs_reason=states.REASON_REQUIRED,
        methods=list(followups.Method),
        results=list(followups.Result),
        patient_says=followups.PATIENT_SAYS,
        timeline=timeline(referral),
        link_days=current_app.config["REFERRAL"]["LINK_DAYS"],
        form=ActionForm(),
        today=date.today(),
    )
    mark_read(messages, current_user, states.Party.REQUESTER)
    return page


def timeline(referral: Referral) -> list[tuple]:
    """Status changes and follow-up calls together, oldest first."""
    entries = [(e.at, "change", e) for e in referral.history]
    entries += [(f.at, "call", f) for f in referral.follow_ups]
    return sorted(entries, key=lambda entry: (entry[0].replace(tzinfo=None), entry[1]))


@bp.post("/referrals/<int:referral_id>/follow-ups")
@require_roles(*CARE_TEAM)
def follow_up(referral_id: int):
    """Record a follow-up call from the referral's page."""
    check_posted_form()
    referral = visible_referral(referral_id, current_user)
    try:
        done = record_follow_up(referral, request.form, current_user, date.today())
    except AppError as exc:
        flash(f"Not recorded: {exc.message}", "error")
    else:
        due = f"next follow-up {done.next_due}" if done.next_due else "no more follow-ups"
        flash(f"Follow-up recorded; {due}.", "info")
    return redirect(url_for("referrals.show", referral_id=referral_id))


@bp.post("/referrals/<int:referral_id>/status")
@require_roles(*CARE_TEAM)
def status(referral_id: int):
    """Cancel, or mark entered in error, from the referral's page."""
    check_posted_form()
    referral = visible_referral(referral_id, current_user)
    try:
        version = whole_version(request.form.get("version"))
        change_status(
            referral, request.form, states.Party.REQUESTER, current_user.username, version
        )
    except AppError as exc:
        flash(f"Not changed: {exc.message}", "error")
    else:
        flash(f"Marked {referral.status.replace('-', ' ')}.", "info")
    return redirect(url_for("referrals.show", referral_id=referral_id))


@bp.post("/referrals/new")
@require_roles(*CARE_TEAM)
def refer():
    """Refer one patient to every service picked on the search page, for one need."""
    check_posted_form()
    wanted = request.form.get("patient_id", "")
    if not wanted.isdigit():
        raise BadInput("patient_id must be a patient's number.", field="patient_id")
    patient = get_patient(int(wanted))
    picked = request.form.getlist("service_id")
    data = {
        "patient_id": patient.id,
        "service_ids": picked,
        "need": request.form.get("need", ""),
        "note": request.form.get("note", ""),
        "consent": request.form.get("consent") == "1",
    }
    data["locations"] = {sid: request.form.get(f"location:{sid}", "") for sid in picked}
    try:
        made = make_referrals(data, current_user, current_app.config["REFERRAL"]["FOLLOW_UP_DAYS"])
    except AppError as exc:
        db.session.rollback()
        flash(f"Not referred: {exc.message}", "error")
        return redirect(request.form.get("back") or url_for("web.search", patient=patient.id))
    flash(f"Referred {patient.full_name} to {len(made)} service(s).", "info")
    return redirect(url_for("patients.show", patient_id=patient.id, _anchor="referrals"))


@bp.get("/referrals/<int:referral_id>/slip")
@require_roles(*SLIP_ROLES)
def slip(referral_id: int):
    """One referral's slip as a printable page."""
    return slip_page(slip_referrals([referral_id]))


@bp.get("/referrals/<int:referral_id>/slip.pdf")
@require_roles(*SLIP_ROLES)
def slip_pdf(referral_id: int):
    """One referral's slip as a PDF."""
    return slip_file(slip_referrals([referral_id]))


@bp.get("/patients/<int:patient_id>/slip")
@require_roles(*SLIP_ROLES)
def patient_slip(patient_id: int):
    """A patient's slip for every referral made on one day (default today)."""
    return slip_page(day_referrals(patient_id))


@bp.get("/patients/<int:patient_id>/slip.pdf")
@require_roles(*SLIP_ROLES)
def patient_slip_pdf(patient_id: int):
    """A patient's slip for one day's referrals, as a PDF."""
    return slip_file(day_referrals(patient_id))


def day_referrals(patient_id: int) -> list[Referral]:
    """The patient's referrals made on the day asked for (default today) that the user may print."""
    get_patient(patient_id)
    day = asked_day()
    start, end = day_bounds(day)
    ids = db.session.scalars(
        select(Referral.id)
        .where(Referral.patient_id == patient_id)
        .where(Referral.created_at >= start, Referral.created_at < end)
        .order_by(Referral.id)
    )
    found = slip_referrals(list(ids), quiet=True)
    if not found:
        raise BadInput(f"This patient has no referral made on {day} to print.", field="date")
    return found


def asked_day() -> date:
    """The day a slip is asked for, from `date` (default today)."""
    try:
        return date.fromisoformat(request.args.get("date") or date.today().isoformat())
    except ValueError:
        raise BadInput("date looks like 2026-12-01.", field="date") from None


def local_day(referral: Referral) -> date:
    """The day a referral was made, on the server's clock."""
    return as_utc(referral.created_at).astimezone().date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end of a day on the server's clock, in UTC."""
    start = datetime.combine(day, time()).astimezone(UTC)
    return start, start + timedelta(days=1)


def slip_referrals(ids: list[int], quiet: bool = False) -> list[Referral]:
    """The referrals the user may print: the care team their patients' referrals, front-desk
    staff those made today. `quiet` leaves out the others instead of refusing."""
    allowed = []
    for referral_id in ids:
        referral = db.session.get(Referral, referral_id)
        if referral is None:
            raise BadInput("There is no referral with that id.")
        if not may_see_patient(current_user, db.session.get(Patient, referral.patient_id)):
            raise NotFound("There is no referral with that id.")
        if may_print(referral):
            allowed.append(referral)
        elif not quiet:
            raise Forbidden(
                "Front-desk staff print slips for referrals made today; ask the patient's "
                "case manager for this one."
                if front_desk_only(current_user)
                else "Only the patient's case managers can print this slip."
            )
    return allowed


def front_desk_only(user) -> bool:
    """Whether the user prints slips at the front desk but does not manage cases."""
    return not user.has_role("case_manager")


def may_print(referral: Referral) -> bool:
    """Whether the current user may print a referral's slip."""
    if front_desk_only(current_user):
        return local_day(referral) == date.today()
    return may_see(referral, current_user)


def slip_context(referrals: list[Referral]):
    """The slip of some of one patient's referrals, with the view recorded."""
    patient = get_patient(referrals[0].patient_id)
    manager = db.session.get(User, referrals[0].created_by) if referrals[0].created_by else None
    language = slip_language(request.args.get("language"), patient.preferred_language)
    page = with_printed_link(
        build_slip(referrals, patient, manager, language), patient, current_user
    )
    subject = "slip:" + ",".join(str(r.id) for r in referrals)
    record_access(current_user.id, patient.id, "print", subject)
    return patient, page


def paper() -> str:
    """The paper size asked for, else the configured one."""
    asked = (request.args.get("paper") or current_app.config["REFERRAL"]["SLIP_PAPER"]).lower()
    if asked not in PAPERS:
        raise BadInput(f"paper must be one of: {', '.join(PAPERS)}.", field="paper")
    return asked


def slip_page(referrals: list[Referral]):
    """A slip as a page that prints on one sheet."""
    size = paper()
    patient, page = slip_context(referrals)
    return render_template(
        "referrals/slip.html",
        page=page,
        patient=patient,
        referrals=referrals,
        paper=size,
        papers=PAPERS,
        pdf_url=pdf_url(referrals, size, page.language),
    )


def pdf_url(referrals: list[Referral], size: str, language: str) -> str:
    """Where the same slip is as a PDF."""
    if request.endpoint == "referrals.slip":
        return url_for(
            "referrals.slip_pdf", referral_id=referrals[0].id, paper=size, language=language
        )
    return url_for(
        "referrals.patient_slip_pdf",
        patient_id=referrals[0].patient_id,
        date=asked_day().isoformat(),
        paper=size,
        language=language,
    )


def slip_file(referrals: list[Referral]) -> Response:
    """A slip as a PDF file."""
    size = paper()
    _, page = slip_context(referrals)
    pdf = render_pdf(page.slip, page.labels, size)
    name = f"referral-slip-{referrals[0].id}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/slips")
@require_roles(*SLIP_ROLES)
def slips():
    """Front desk: today's patients with referrals, to find and print their slips."""
    query = request.args.get("q", "").strip().lower()
    today = date.today()
    start, end = day_bounds(today)
    made = db.session.scalars(
        select(Referral)
        .where(Referral.created_at >= start, Referral.created_at < end)
        .where(referral_condition(current_user))
        .order_by(Referral.id)
    )
    patients: dict[int, list[Referral]] = {}
    for referral in made:
        if may_print(referral):
            patients.setdefault(referral.patient_id, []).append(referral)
    rows = []
    for patient_id, referrals in patients.items():
        patient = get_patient(patient_id)
        if query and query not in patient.full_name.lower():
            continue
        record_access(current_user.id, patient.id, "list", "slips")
        rows.append((patient, referrals))
    rows.sort(key=lambda row: (row[0].family_name.lower(), row[0].given_name.lower()))
    return render_template("referrals/slips.html", rows=rows, query=query, today=today)


@bp.app_context_processor
def need_words():
    """Need names in words, for every page that lists referrals."""
    return {"need_labels": NEED_LABELS}


@bp.app_template_filter("qr_svg")
def qr_svg(url: str) -> Markup:
    """A QR code of `url` as inline SVG."""
    return Markup(segno.make(url, error="m").svg_inline(scale=3, border=2, title=url))

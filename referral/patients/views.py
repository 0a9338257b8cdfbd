"""The care team's patient pages: find, register (with a duplicate check), consent, history."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, check_posted_form
from referral.auth.models import CARE_TEAM
from referral.careplans.page import care_plan
from referral.errors import AppError
from referral.extensions import db
from referral.network.models import NetworkOrganization
from referral.network.operations import organizations, shares_of
from referral.network.scope import care_org_ids
from referral.patients.blueprint import get_patient
from referral.patients.operations import (
    PatientProblems,
    find_patients,
    record_access,
    record_consent,
    register_patient,
    similar_patients,
)
from referral.patients.validation import (
    check_patient,
    contact_channel,
    display_phone,
    time_zone,
)
from referral.referrals.operations import list_referrals
from referral.referrals.views import local_day, names_of
from referral.screening import instrument, instrument_ids
from referral.screenings.operations import screening_history

bp = Blueprint("patients", __name__, url_prefix="/patients")
US_ZONES = (
    *("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix"),
    *("America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico"),
)


@bp.app_template_filter("phone_display")
def phone_display(e164: str) -> str:
    """A stored phone number the way people read it."""
    return display_phone(e164)


@bp.get("")
@require_roles(*CARE_TEAM)
def index():
    """Find a patient by name, birth date, MRN or phone."""
    query = request.args.get("q", "").strip()
    found = find_patients(current_user, query) if query else []
    for patient in found:
        record_access(current_user.id, patient.id, "list", "patient")
    return render_template("patients/index.html", query=query, found=found)


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*CARE_TEAM)
def new():
    """Register a patient; a likely duplicate must be confirmed before a second record is made."""
    form = ActionForm()
    zone = current_app.config["REFERRAL"]["TIME_ZONE"]
    values = request.form.to_dict() if request.method == "POST" else {"preferred_language": "en"}
    values.setdefault("time_zone", zone)
    problems: dict[str, str] = {}
    lookalikes = []
    if request.method == "POST":
        check_posted_form()
        checked = check_patient(values)
        problems = checked.problems
        if not problems and not values.get("confirmed"):
            v = checked.values
            lookalikes = similar_patients(
                current_user, v["given_name"], v["family_name"], v["birth_date"]
            )
        if not problems and not lookalikes:
            try:
                patient, _ = register_patient(values, current_user)
            except PatientProblems as exc:
                problems = exc.problems
            except AppError as exc:
                problems = {exc.field or "organization": exc.message}
            else:
                flash(f"Registered {patient.full_name}.", "info")
                return redirect(url_for("patients.show", patient_id=patient.id))
    status = 400 if problems else 200
    homes = sorted(care_org_ids(current_user))
    return render_template(
        "patients/new.html",
        form=form,
        values=values,
        problems=problems,
        lookalikes=lookalikes,
        homes=[db.session.get(NetworkOrganization, i) for i in homes] if len(homes) > 1 else [],
        zones=list(dict.fromkeys([zone, *US_ZONES])),
    ), status


@bp.get("/<int:patient_id>")
@require_roles(*CARE_TEAM)
def show(patient_id: int):
    """A patient's details, consents, screenings and care plan (the view is recorded)."""
    patient = get_patient(patient_id)
    record_access(current_user.id, patient.id, "view", "patient")
    return patient_page(patient)


def patient_page(patient, status: int = 200, **plan):
    """The patient's page; `plan` carries a care plan form's errors and input to show again."""
    instruments = [instrument(i) for i in instrument_ids()]
    referrals, _ = list_referrals(current_user, None, None, patient.id)
    shares = [s for s in shares_of(patient.id) if s.ended_at is None]
    taken = {patient.organization_id} | {s.organization_id for s in shares}
    return render_template(
        "patients/show.html",
        patient=patient,
        home=db.session.get(NetworkOrganization, patient.organization_id),
        shares=shares,
        share_choices=[o for o in organizations() if o.refers and o.id not in taken],
        referrals=sorted(referrals, key=lambda r: r.id, reverse=True),
        service_names=names_of(referrals),
        today=date.today(),
        slip_today=any(local_day(r) == date.today() for r in referrals),
        screenings=screening_history(patient.id),
        instruments=instruments,
        zones=list(dict.fromkeys([patient.time_zone, *US_ZONES])),
        form=ActionForm(),
        plan=care_plan(patient, current_user, referrals, request.args.getlist("kind"), **plan),
    ), status


@bp.post("/<int:patient_id>/reach")
@require_roles(*CARE_TEAM)
def reach(patient_id: int):
    """Change how the patient wants to be reached and their time zone, from their page."""
    check_posted_form()
    patient = get_patient(patient_id)
    try:
        channel = contact_channel(request.form.get("contact_channel"))
        zone = time_zone(request.form.get("time_zone")) or patient.time_zone
    except ValueError as exc:
        flash(f"Not changed: {exc}", "error")
    else:
        patient.contact_channel, patient.time_zone = channel, zone
        patient.version += 1
        record_access(current_user.id, patient.id, "update", "reach")
        flash("Saved how they want to be reached.", "info")
    return redirect(url_for("patients.show", patient_id=patient.id))


@bp.post("/<int:patient_id>/consents")
@require_roles(*CARE_TEAM)
def consent(patient_id: int):
    """Record a consent given or withdrawn, from the patient's page."""
    check_posted_form()
    patient = get_patient(patient_id)
    kind, granted = request.form.get("kind", ""), request.form.get("granted") == "1"
    record_consent(patient, kind, granted, current_user.id, request.form.get("note", "")[:500])
    record_access(current_user.id, patient.id, "consent", kind)
    flash("Consent recorded." if granted else "Consent withdrawn.", "info")
    return redirect(url_for("patients.show", patient_id=patient.id))

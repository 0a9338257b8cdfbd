"""The receiving organization's pages (its inbox and each referral in it) and the message
thread both sides of a referral write in."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from referral.api.requests import whole_version
from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, check_posted_form
from referral.auth.models import CARE_TEAM, RECEIVING
from referral.directory.models import Service, utcnow
from referral.errors import AppError, NotFound
from referral.extensions import db
from referral.network.inbox import VIEWS, inbox, view_counts
from referral.network.messages import mark_read, post_message, thread
from referral.network.operations import (
    end_share,
    organization_name,
    organization_named,
    share_patient,
    signed_as,
)
from referral.network.scope import receiving_org_ids, visible_patient
from referral.paging import parse_page
from referral.patients.models import Patient
from referral.patients.operations import patients_by_id, record_access
from referral.referrals import states
from referral.referrals.operations import change_status, received_patient, referral_and_side
from referral.referrals.views import names_of

bp = Blueprint("network", __name__)
VIEW_TITLES = {
    "new": "New",
    "waiting": "Waiting on you",
    "overdue": "Overdue",
    "accepted": "Accepted",
    "in-progress": "In progress",
    "closed": "Closed",
    "all": "All",
}


@bp.get("/inbox")
@require_roles(*RECEIVING)
def inbox_page():
    """The referrals sent to the user's organizations, by what they wait for."""
    view = request.args.get("view", "waiting")
    if view not in VIEWS:
        view = "waiting"
    days = current_app.config["REFERRAL"]["QUIET_DAYS"]
    now = utcnow()
    page = parse_page(request.args)
    rows, total = inbox(current_user, view, now, days, page)
    return render_template(
        "network/inbox.html",
        view=view,
        titles=VIEW_TITLES,
        counts=view_counts(current_user, now, days),
        rows=rows,
        page=page,
        total=total,
        patients=received_patients([r.patient_id for r, _ in rows]),
        services=names_of([r for r, _ in rows]),
        receiving=bool(receiving_org_ids(current_user)),
        form=ActionForm(),
    )


def received_patients(ids: list[int]) -> dict[int, dict]:
    """What a receiving organization may see of each patient, by id."""
    return {i: received_patient(p) for i, p in patients_by_id(ids).items()}


@bp.get("/inbox/<int:referral_id>")
@require_roles(*RECEIVING)
def received(referral_id: int):
    """One referral sent to the user's organization: who to contact, the need, the thread."""
    referral = received_referral(referral_id)
    messages = thread(referral.id)
    page = render_template(
        "network/received.html",
        referral=referral,
        service=db.session.get(Service, referral.service_id),
        patient=received_patient(db.session.get(Patient, referral.patient_id)),
        from_name=organization_name(referral.referring_org_id),
        moves=states.allowed_moves(referral.status, states.Party.RECEIVER),
        outcomes=list(states.Outcome),
        needs_reason=states.REASON_REQUIRED,
        messages=messages,
        party="receiver",
        form=ActionForm(),
    )
    mark_read(messages, current_user, states.Party.RECEIVER)
    return page


def received_referral(referral_id: int):
    """A referral the user answers for its receiving organization, or 404."""
    referral, party = referral_and_side(referral_id, current_user)
    if party is not states.Party.RECEIVER:
        raise NotFound("There is no referral with that id in your inbox.")
    return referral


@bp.post("/inbox/<int:referral_id>/status")
@require_roles(*RECEIVING)
def answer(referral_id: int):
    """Accept, decline or update a referral from the inbox or its page."""
    check_posted_form()
    referral = received_referral(referral_id)
    actor = signed_as(current_user.username, referral, states.Party.RECEIVER)
    try:
        version = whole_version(request.form.get("version"))
        change_status(referral, request.form, states.Party.RECEIVER, actor, version)
    except AppError as exc:
        db.session.rollback()
        flash(f"Not changed: {exc.message}", "error")
    else:
        flash(f"Referral {referral.id} is {referral.status.replace('-', ' ')}.", "info")
    return redirect(
        request.form.get("back") or url_for("network.received", referral_id=referral_id)
    )


@bp.post("/referrals/<int:referral_id>/messages")
@require_roles(*CARE_TEAM, *RECEIVING)
def write(referral_id: int):
    """Send a message to the other side from either side's referral page."""
    check_posted_form()
    referral, party = referral_and_side(referral_id, current_user)
    author = signed_as(current_user.display_name or current_user.username, referral, party)
    try:
        post_message(referral, request.form.get("body"), current_user, party, author)
    except AppError as exc:
        flash(f"Not sent: {exc.message}", "error")
    else:
        flash("Message sent.", "info")
    page = "referrals.show" if party is states.Party.REQUESTER else "network.received"
    return redirect(url_for(page, referral_id=referral_id, _anchor="messages"))


@bp.post("/patients/<int:patient_id>/shares")
@require_roles(*CARE_TEAM)
def share(patient_id: int):
    """Share the patient with another organization's care team, from the patient's page."""
    check_posted_form()
    patient = visible_patient(current_user, patient_id)
    try:
        organization = organization_named(request.form.get("organization", ""), "organization")
        share_patient(patient, organization, current_user, request.form.get("reason", ""))
    except AppError as exc:
        db.session.rollback()
        flash(f"Not shared: {exc.message}", "error")
    else:
        record_access(current_user.id, patient.id, "share", organization.key)
        flash(f"Shared with {organization.name}.", "info")
    return redirect(url_for("patients.show", patient_id=patient_id))


@bp.post("/patients/<int:patient_id>/shares/<key>/end")
@require_roles(*CARE_TEAM)
def unshare(patient_id: int, key: str):
    """Stop sharing the patient with an organization, from the patient's page."""
    check_posted_form()
    patient = visible_patient(current_user, patient_id)
    organization = organization_named(key)
    end_share(patient, organization, current_user)
    record_access(current_user.id, patient.id, "unshare", key)
    flash(f"No longer shared with {organization.name}.", "info")
    return redirect(url_for("patients.show", patient_id=patient_id))

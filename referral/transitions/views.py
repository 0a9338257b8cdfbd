"""Transitions of care pages: the ADT queue (/admin/adt), recording an encounter from the
patient's page, and closing a follow-up task from the worklist."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, check_posted_form
from referral.auth.models import CARE_TEAM
from referral.errors import AppError
from referral.network.scope import visible_patient
from referral.paging import parse_page
from referral.patients.operations import record_access
from referral.transitions import operations as ops
from referral.transitions.models import OUTCOMES, QUEUED_STATUSES

bp = Blueprint("transitions", __name__)


@bp.get("/admin/adt")
@require_roles(*CARE_TEAM)
def queue():
    """ADT messages waiting for a person: no patient, or several, has their MRN."""
    page = parse_page(request.args)
    status = request.args.get("status", "")
    chosen = status if status in (*QUEUED_STATUSES, "rejected", "set-aside", "matched") else ""
    found, total = ops.messages(current_user, chosen or QUEUED_STATUSES, page)
    return render_template(
        "transitions/queue.html",
        messages=found,
        total=total,
        page=page,
        status=chosen,
        form=ActionForm(),
    )


@bp.post("/admin/adt/<int:message_id>/match")
@require_roles(*CARE_TEAM)
def match(message_id: int):
    """Match a queued message to the patient whose id is given."""
    check_posted_form()
    message = ops.visible_message(current_user, message_id)
    typed = request.form.get("patient_id", "").strip()
    try:
        if not typed.isdigit() or int(typed) >= 2**31:
            raise AppError("Give the patient's id (a number from their page).", "patient_id")
        patient = visible_patient(current_user, int(typed))
        ops.match_message(message, patient, current_user, current_app.config["REFERRAL"])
    except AppError as exc:
        flash(f"Not matched: {exc.message}", "error")
        return redirect(url_for("transitions.queue"))
    record_access(current_user.id, patient.id, "update", "adt-match")
    flash(f"Matched message {message.control_id} to {patient.full_name}.", "info")
    return redirect(url_for("transitions.queue"))


@bp.post("/admin/adt/<int:message_id>/set-aside")
@require_roles(*CARE_TEAM)
def set_aside(message_id: int):
    """Set a queued message aside, with the reason given."""
    check_posted_form()
    message = ops.visible_message(current_user, message_id)
    try:
        ops.set_aside(message, request.form.get("reason", ""), current_user)
    except AppError as exc:
        flash(f"Not set aside: {exc.message}", "error")
    else:
        flash(f"Set aside message {message.control_id}.", "info")
    return redirect(url_for("transitions.queue"))


@bp.post("/patients/<int:patient_id>/encounters")
@require_roles(*CARE_TEAM)
def record(patient_id: int):
    """Record an encounter by hand from the patient's page."""
    check_posted_form()
    patient = visible_patient(current_user, patient_id)
    data = {k: request.form.get(k, "").strip() for k in ("kind", "at", "facility")}
    data["diagnosis_codes"] = request.form.get("diagnosis_codes", "").replace(",", " ").split()
    try:
        values = ops.check_encounter(data)
    except ops.EncounterProblems as exc:
        flash(f"Not recorded: {exc.message}", "error")
    else:
        _, task = ops.record_encounter(
            patient.id, values, current_app.config["REFERRAL"], current_user.id
        )
        record_access(current_user.id, patient.id, "create", "encounter")
        due = f"; follow up by {task.due.isoformat()}" if task else ""
        flash(f"Recorded the {values['kind']}{due}.", "info")
    return redirect(url_for("patients.show", patient_id=patient.id) + "#encounters")


@bp.post("/transitions/<int:task_id>/close")
@require_roles(*CARE_TEAM)
def close(task_id: int):
    """Close a follow-up task from the worklist, recording what was done."""
    check_posted_form()
    task = ops.visible_task(current_user, task_id)
    try:
        ops.close_task(
            task, request.form.get("outcome"), request.form.get("note", ""), current_user.id
        )
    except AppError as exc:
        flash(f"Not closed: {exc.message}", "error")
    else:
        record_access(current_user.id, task.patient_id, "update", "transition")
        flash(f"Closed: {OUTCOMES[task.outcome].lower()}.", "info")
    return redirect(url_for("worklist.index"))


@bp.app_context_processor
def transition_helpers() -> dict:
    """What the encounter section of the patient page and the worklist rows use."""
    return {"encounters_of": ops.encounters_of, "transition_outcomes": OUTCOMES}

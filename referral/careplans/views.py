"""The care plan on the patient's page: forms to add and change needs, goals and
interventions (a refused form shows the page again with the errors and the input kept), and
the printable plan in the patient's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from referral.api.requests import is_whole, whole_version
from referral.auth.access import require_roles
from referral.auth.forms import check_posted_form
from referral.auth.models import CARE_TEAM
from referral.careplans import operations as ops
from referral.careplans.models import Goal, Need
from referral.careplans.printing import printable_plan
from referral.errors import AppError, NotFound
from referral.patients.blueprint import get_patient
from referral.patients.operations import record_access
from referral.patients.views import patient_page

bp = Blueprint("careplans", __name__, url_prefix="/patients")


def posted() -> dict:
    """The form's fields, the need's id as a whole number where it is one (none when empty)."""
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    need_id = values.get("need_id")
    if need_id is not None:
        values["need_id"] = int(need_id) if is_whole(need_id) else (need_id or None)
    return values


def handled(patient_id: int, form: str, change: Callable, done: str, anchor: str):
    """Run a form's change: back to the patient's page on success, or the page again with the
    error beside the field and the input kept."""
    check_posted_form()
    patient = get_patient(patient_id)
    values = posted()
    try:
        change(patient, values)
    except AppError as exc:
        errors = {exc.field or "form": exc.message}
        return patient_page(
            patient, exc.status, errors=errors, values=request.form.to_dict(), form=form
        )
    flash(done, "info")
    return redirect(url_for("patients.show", patient_id=patient.id, _anchor=anchor))


def own(model, record_id: int, patient, what: str):
    """A need or goal of this patient, or 404."""
    found = ops.visible(model, record_id, current_user, what)
    if found.patient_id != patient.id:
        raise NotFound(f"There is no {what} with that id.")
    return found


@bp.post("/<int:patient_id>/needs")
@require_roles(*CARE_TEAM)
def add_need(patient_id: int):
    """Add a need by hand."""
    return handled(
        patient_id,
        "need",
        lambda p, v: ops.add_need(p, v, current_user),
        "Need added.",
        "care-plan",
    )


@bp.post("/<int:patient_id>/needs/<int:need_id>/status")
@require_roles(*CARE_TEAM)
def need_status(patient_id: int, need_id: int):
    """Resolve, decline or void a need, saying why."""

    def change(patient, values):
        need = own(Need, need_id, patient, "need")
        ops.change_need(need, values, current_user, whole_version(values.pop("version", None)))

    return handled(patient_id, f"need-{need_id}", change, "Need updated.", "care-plan")


@bp.post("/<int:patient_id>/goals")
@require_roles(*CARE_TEAM)
def add_goal(patient_id: int):
    """Agree a goal for a need."""

    def change(patient, values):
        ops.add_goal(patient, values, current_user, date.today())

    form = f"goal-for-{request.form.get('need_id', '')}"
    return handled(patient_id, form, change, "Goal added.", "care-plan")


@bp.post("/<int:patient_id>/goals/<int:goal_id>")
@require_roles(*CARE_TEAM)
def update_goal(patient_id: int, goal_id: int):
    """Record a goal's progress."""

    def change(patient, values):
        goal = own(Goal, goal_id, patient, "goal")
        values = {k: v for k, v in values.items() if v != ""}
        ops.change_goal(
            goal, values, current_user, whole_version(values.pop("version", None)), date.today()
        )

    return handled(patient_id, f"goal-{goal_id}", change, "Goal updated.", f"goal-{goal_id}")


@bp.post("/<int:patient_id>/interventions")
@require_roles(*CARE_TEAM)
def add_intervention(patient_id: int):
    """Record education given, counseling or other help."""
    form = f"intervention-for-{request.form.get('need_id', '')}"
    return handled(
        patient_id,
        form,
        lambda p, v: ops.add_intervention(p, v, current_user),
        "Recorded.",
        "care-plan",
    )


@bp.get("/<int:patient_id>/plan/print")
@require_roles(*CARE_TEAM)
def print_plan(patient_id: int):
    """The care plan as one printable page in the patient's language."""
    patient = get_patient(patient_id)
    plan = printable_plan(patient, current_user, request.args.get("language"))
    record_access(current_user.id, patient.id, "print", "care-plan")
    return render_template("careplans/print.html", patient=patient, plan=plan)

"""The care plan API: a patient's needs, goals and interventions, and their timeline."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, request
from flask_login import current_user

from referral.api.requests import json_body, whole_version
from referral.auth.access import json_api, require_roles
from referral.auth.models import CARE_TEAM
from referral.careplans import operations as ops
from referral.careplans.models import Goal, Need
from referral.careplans.timeline import parse_kinds, timeline
from referral.errors import BadInput
from referral.network.scope import visible_patient
from referral.paging import page_json, parse_page
from referral.patients.operations import record_access

bp = Blueprint("careplans_api", __name__, url_prefix="/api/v1")
json_api(bp)


def patient(patient_id: int, subject: str):
    """The patient if the user's care team sees them (the view recorded), or 404."""
    found = visible_patient(current_user, patient_id)
    record_access(current_user.id, found.id, "view", subject)
    return found


def given_version() -> int | None:
    """The version a change was made from: `version` in the body or If-Match."""
    data = request.get_json(silent=True)
    body = data.get("version") if isinstance(data, dict) else None
    return whole_version(body if body is not None else request.headers.get("If-Match"))


@bp.get("/patients/<int:patient_id>/needs")
@require_roles(*CARE_TEAM)
def needs(patient_id: int):
    """The patient's needs, active first."""
    found = ops.patient_needs(patient(patient_id, "needs").id)
    return jsonify({"results": [ops.need_json(n) for n in found]})


@bp.post("/patients/<int:patient_id>/needs")
@require_roles(*CARE_TEAM)
def add_need(patient_id: int):
    """Add a need by hand."""
    need = ops.add_need(visible_patient(current_user, patient_id), json_body(), current_user)
    return jsonify(ops.need_json(need)), 201


@bp.get("/needs/<int:need_id>")
@require_roles(*CARE_TEAM)
def need(need_id: int):
    """One need with its history."""
    found = ops.visible(Need, need_id, current_user, "need")
    record_access(current_user.id, found.patient_id, "view", f"need:{found.id}")
    return jsonify(ops.need_json(found))


@bp.patch("/needs/<int:need_id>")
@require_roles(*CARE_TEAM)
def change_need(need_id: int):
    """Resolve, decline, reopen or mark a need entered in error (`version`/If-Match current)."""
    found = ops.visible(Need, need_id, current_user, "need")
    data = json_body()
    ops.change_need(found, data, current_user, given_version())
    return jsonify(ops.need_json(found))


@bp.get("/patients/<int:patient_id>/goals")
@require_roles(*CARE_TEAM)
def goals(patient_id: int):
    """The patient's goals, soonest target first."""
    found = ops.patient_goals(patient(patient_id, "goals").id)
    return jsonify({"results": [ops.goal_json(g) for g in found]})


@bp.post("/patients/<int:patient_id>/goals")
@require_roles(*CARE_TEAM)
def add_goal(patient_id: int):
    """Agree a goal for one of the patient's needs."""
    goal = ops.add_goal(
        visible_patient(current_user, patient_id), json_body(), current_user, date.today()
    )
    return jsonify(ops.goal_json(goal)), 201


@bp.get("/goals/<int:goal_id>")
@require_roles(*CARE_TEAM)
def goal(goal_id: int):
    """One goal with its history."""
    found = ops.visible(Goal, goal_id, current_user, "goal")
    record_access(current_user.id, found.patient_id, "view", f"goal:{found.id}")
    return jsonify(ops.goal_json(found))


@bp.patch("/goals/<int:goal_id>")
@require_roles(*CARE_TEAM)
def change_goal(goal_id: int):
    """Update a goal's achievement, lifecycle, target date or wording."""
    found = ops.visible(Goal, goal_id, current_user, "goal")
    data = json_body()
    ops.change_goal(found, data, current_user, given_version(), date.today())
    return jsonify(ops.goal_json(found))


@bp.get("/patients/<int:patient_id>/interventions")
@require_roles(*CARE_TEAM)
def interventions(patient_id: int):
    """Education given, counseling and other help, newest first."""
    found = ops.patient_interventions(patient(patient_id, "interventions").id)
    return jsonify({"results": [ops.intervention_json(i) for i in found]})


@bp.post("/patients/<int:patient_id>/interventions")
@require_roles(*CARE_TEAM)
def add_intervention(patient_id: int):
    """Record education given, counseling or other help."""
    made = ops.add_intervention(
        visible_patient(current_user, patient_id), json_body(), current_user
    )
    return jsonify(ops.intervention_json(made)), 201


@bp.get("/patients/<int:patient_id>/timeline")
@require_roles(*CARE_TEAM)
def patient_timeline(patient_id: int):
    """Everything that happened, newest first: `kind` (repeatable or comma-separated) narrows
    it; `limit`/`offset` page it."""
    try:
        kinds = parse_kinds(request.args.getlist("kind"))
    except ValueError as exc:
        raise BadInput(str(exc), field="kind") from None
    page = parse_page(request.args)
    found = timeline(patient(patient_id, "timeline").id, current_user, kinds)
    shown = found[page.offset : page.offset + page.limit]
    return jsonify(page_json([e.to_json() for e in shown], len(found), page))

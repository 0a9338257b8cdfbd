"""The transitions of care API: encounters, the follow-up tasks they raise, the ADT queue."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from referral.api.requests import json_body
from referral.auth.access import json_api, require_roles
from referral.auth.models import CARE_TEAM
from referral.directory.models import as_utc
from referral.errors import BadInput
from referral.network.scope import visible_patient
from referral.paging import page_json, parse_page
from referral.patients.operations import record_access
from referral.transitions import operations as ops
from referral.transitions.models import MESSAGE_STATUSES, TASK_STATUSES
from referral.worklist.operations import my_patients

bp = Blueprint("transitions_api", __name__, url_prefix="/api/v1")
json_api(bp)


def when(at) -> str | None:
    """A stored time in ISO form, UTC."""
    return as_utc(at).isoformat() if at else None


def encounter_json(e) -> dict:
    """An encounter as the API shows it."""
    return {
        "id": e.id,
        "patient_id": e.patient_id,
        "kind": e.kind,
        "at": when(e.at),
        "facility": e.facility,
        "diagnosis_codes": e.diagnosis_codes,
        "source": e.source,
        "message_id": e.message_id,
    }


def task_json(t) -> dict:
    """A transition task as the API shows it."""
    return {
        "id": t.id,
        "patient_id": t.patient_id,
        "encounter_id": t.encounter_id,
        "due": t.due.isoformat(),
        "status": t.status,
        "outcome": t.outcome,
        "note": t.note,
        "reason": ops.reason(t),
        "closed_by": t.closed_by,
        "closed_at": when(t.closed_at),
    }


def message_json(m) -> dict:
    """An ADT message as the API shows it (its text included: nothing is lost)."""
    return {
        "id": m.id,
        "received_at": when(m.received_at),
        "origin": m.origin,
        "control_id": m.control_id,
        "event": m.event,
        "sending_facility": m.sending_facility,
        "mrn": m.mrn,
        "status": m.status,
        "problem": m.problem,
        "patient_id": m.patient_id,
        "raw": m.raw,
    }


def settings() -> dict:
    """The app's settings."""
    return current_app.config["REFERRAL"]


def patient_id_of(data: dict) -> int:
    """The `patient_id` of a body, a whole number, or a 400 naming it."""
    value = data.get("patient_id")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise BadInput("patient_id must be the id of a patient.", field="patient_id")
    return value


@bp.post("/encounters")
@require_roles(*CARE_TEAM)
def create_encounter():
    """Record an emergency visit, admission or discharge; a follow-up task when one is due."""
    data = json_body()
    patient = visible_patient(current_user, patient_id_of(data))
    values = ops.check_encounter(data)
    encounter, task = ops.record_encounter(patient.id, values, settings(), current_user.id)
    record_access(current_user.id, patient.id, "create", "encounter")
    return jsonify(encounter_json(encounter) | {"task": task_json(task) if task else None}), 201


@bp.get("/patients/<int:patient_id>/encounters")
@require_roles(*CARE_TEAM)
def patient_encounters(patient_id: int):
    """A patient's encounters, latest first."""
    patient = visible_patient(current_user, patient_id)
    record_access(current_user.id, patient.id, "view", "encounters")
    return jsonify({"results": [encounter_json(e) for e in ops.encounters_of(patient.id)]})


@bp.get("/transitions")
@require_roles(*CARE_TEAM)
def transitions():
    """The follow-up tasks of the patients the case manager works with (`status` narrows)."""
    status = request.args.get("status", "")
    if status and status not in TASK_STATUSES:
        raise BadInput(f"status must be one of: {', '.join(TASK_STATUSES)}.", field="status")
    tasks = ops.tasks_of(my_patients(current_user), status or None)
    return jsonify({"results": [task_json(t) for t in tasks]})


@bp.post("/transitions/<int:task_id>/close")
@require_roles(*CARE_TEAM)
def close_transition(task_id: int):
    """Close a follow-up task, recording what was done."""
    data = json_body()
    task = ops.visible_task(current_user, task_id)
    ops.close_task(task, data.get("outcome"), data.get("note", ""), current_user.id)
    record_access(current_user.id, task.patient_id, "update", "transition")
    return jsonify(task_json(task))


@bp.get("/adt/messages")
@require_roles(*CARE_TEAM)
def adt_messages():
    """The ADT messages of the feeds the user works (`status` narrows), newest first."""
    status = request.args.get("status", "")
    if status and status not in MESSAGE_STATUSES:
        raise BadInput(f"status must be one of: {', '.join(MESSAGE_STATUSES)}.", field="status")
    page = parse_page(request.args)
    found, total = ops.messages(current_user, status or None, page)
    return jsonify(page_json([message_json(m) for m in found], total, page))


@bp.post("/adt/messages/<int:message_id>/match")
@require_roles(*CARE_TEAM)
def match(message_id: int):
    """Match a queued message to a patient; its encounter is recorded."""
    data = json_body()
    message = ops.visible_message(current_user, message_id)
    patient = visible_patient(current_user, patient_id_of(data))
    encounter, task = ops.match_message(message, patient, current_user, settings())
    record_access(current_user.id, patient.id, "update", "adt-match")
    body = message_json(message) | {"encounter": encounter_json(encounter)}
    return jsonify(body | {"task": task_json(task) if task else None})


@bp.post("/adt/messages/<int:message_id>/set-aside")
@require_roles(*CARE_TEAM)
def set_aside(message_id: int):
    """Take a queued message off the queue, saying why (it is kept)."""
    data = json_body()
    message = ops.visible_message(current_user, message_id)
    ops.set_aside(message, data.get("reason"), current_user)
    return jsonify(message_json(message))

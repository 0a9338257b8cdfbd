"""The screenings API (case managers and admins): score and store, read, and history."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from referral.api.requests import json_body
from referral.auth.access import json_api, require_roles
from referral.auth.models import CARE_TEAM
from referral.patients.blueprint import get_patient
from referral.patients.operations import record_access
from referral.screenings.operations import (
    record_screening,
    screening_history,
    screening_json,
    view_screening,
)

bp = Blueprint("screenings_api", __name__, url_prefix="/api/v1")
json_api(bp)


@bp.post("/screenings")
@require_roles(*CARE_TEAM)
def create():
    """Score a patient's answers and store the screening."""
    screening = record_screening(json_body(), current_user)
    return jsonify(screening_json(screening)), 201


@bp.get("/screenings/<int:screening_id>")
@require_roles(*CARE_TEAM)
def read(screening_id: int):
    """One screening (the view is recorded)."""
    return jsonify(screening_json(view_screening(screening_id, current_user)))


@bp.get("/patients/<int:patient_id>/screenings")
@require_roles(*CARE_TEAM)
def history(patient_id: int):
    """A patient's screenings, newest first (the view is recorded)."""
    patient = get_patient(patient_id)
    record_access(current_user.id, patient.id, "view", "screenings")
    return jsonify(
        {
            "patient_id": patient.id,
            "results": [screening_json(s) for s in screening_history(patient.id)],
        }
    )

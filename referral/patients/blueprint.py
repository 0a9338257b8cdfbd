"""The patients API: register, find, read, and record consent (case managers and admins)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from referral.api.requests import json_body
from referral.auth.access import json_api, require_roles
from referral.auth.models import CARE_TEAM
from referral.errors import BadInput
from referral.network.scope import visible_patient
from referral.patients.models import Patient
from referral.patients.operations import (
    find_patients,
    patient_json,
    record_access,
    record_consent,
    register_patient,
)

bp = Blueprint("patients_api", __name__, url_prefix="/api/v1/patients")
json_api(bp)


@bp.post("")
@require_roles(*CARE_TEAM)
def create():
    """Register a patient; possible duplicates come back as warnings."""
    patient, lookalikes = register_patient(json_body(), current_user)
    result = patient_json(patient)
    result["possible_duplicates"] = [
        {
            "id": x.patient.id,
            "name": x.patient.full_name,
            "birth_date": x.patient.birth_date.isoformat(),
            "score": x.score,
        }
        for x in lookalikes
    ]
    return jsonify(result), 201


@bp.get("")
@require_roles(*CARE_TEAM)
def search():
    """Patients matching `q` (name, MRN, phone or birth date)."""
    found = find_patients(current_user, request.args.get("q", ""))
    for patient in found:
        record_access(current_user.id, patient.id, "list", "patient")
    return jsonify({"results": [patient_json(p) for p in found]})


@bp.get("/<int:patient_id>")
@require_roles(*CARE_TEAM)
def read(patient_id: int):
    """One patient (the view is recorded)."""
    patient = get_patient(patient_id)
    record_access(current_user.id, patient.id, "view", "patient")
    return jsonify(patient_json(patient))


@bp.post("/<int:patient_id>/consents")
@require_roles(*CARE_TEAM)
def consent(patient_id: int):
    """Record that the patient gave or withdrew consent to be contacted or to share."""
    patient = get_patient(patient_id)
    data = json_body()
    if not isinstance(data.get("granted"), bool):
        raise BadInput("granted must be true or false.", field="granted")
    record_consent(
        patient,
        str(data.get("kind", "")),
        data["granted"],
        current_user.id,
        str(data.get("note", ""))[:500],
    )
    record_access(current_user.id, patient.id, "consent", str(data.get("kind", "")))
    return jsonify(patient_json(patient)), 201


def get_patient(patient_id: int) -> Patient:
    """The patient with that id if the signed-in user's care teams may see them, or 404."""
    return visible_patient(current_user, patient_id)

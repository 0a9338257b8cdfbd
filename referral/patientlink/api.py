"""The patient links API: make a link (texted, or to print or copy), list and revoke them."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from referral.api.requests import json_body
from referral.auth.access import json_api, require_roles
from referral.auth.models import CARE_TEAM
from referral.network.scope import visible_patient
from referral.patientlink import operations as links
from referral.patients.operations import record_access

bp = Blueprint("patientlink_api", __name__, url_prefix="/api/v1/patients")
json_api(bp)


@bp.post("/<int:patient_id>/link")
@require_roles(*CARE_TEAM)
def create(patient_id: int):
    """A new link to the patient's own page, shown this once; `send: sms` texts it to them."""
    patient = visible_patient(current_user, patient_id)
    data = json_body() if request.get_data() else {}
    send = data.get("send", "copy")
    link, url = links.create_link(patient, current_user, send if isinstance(send, str) else "")
    record_access(current_user.id, patient.id, "link", f"patient-link:{link.id}")
    body = {"id": link.id, "url": url, "expires_at": links.stamp(link.expires_at)}
    return jsonify(body | {"sent_via": link.sent_via}), 201


@bp.get("/<int:patient_id>/links")
@require_roles(*CARE_TEAM)
def index(patient_id: int):
    """Every link made for the patient, newest first, without their tokens."""
    patient = visible_patient(current_user, patient_id)
    record_access(current_user.id, patient.id, "list", "patient-links")
    return jsonify({"results": [links.link_json(link) for link in links.links_of(patient.id)]})


@bp.delete("/<int:patient_id>/links/<int:link_id>")
@require_roles(*CARE_TEAM)
def revoke(patient_id: int, link_id: int):
    """Stop a link working; the record of it stays."""
    patient = visible_patient(current_user, patient_id)
    link = links.revoke(patient, link_id)
    record_access(current_user.id, patient.id, "revoke-link", f"patient-link:{link.id}")
    return jsonify(links.link_json(link))

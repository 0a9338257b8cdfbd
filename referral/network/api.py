"""The network API: the receiving inbox, referral messages, and sharing patients."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from referral.api.requests import json_body
from referral.auth.access import json_api, require_roles
from referral.auth.models import CARE_TEAM, RECEIVING
from referral.directory.models import utcnow
from referral.network.inbox import inbox
from referral.network.messages import mark_read, message_json, post_message, thread
from referral.network.operations import end_share, organization_named, share_patient, signed_as
from referral.network.scope import visible_patient
from referral.paging import page_json, parse_page
from referral.patients.operations import patient_json, patients_by_id, record_access
from referral.referrals.operations import received_json, referral_and_side

bp = Blueprint("network_api", __name__, url_prefix="/api/v1")
json_api(bp)


@bp.get("/inbox")
@require_roles(*RECEIVING)
def inbox_index():
    """The referrals sent to the user's organizations, by inbox view or status."""
    days = current_app.config["REFERRAL"]["QUIET_DAYS"]
    page = parse_page(request.args)
    view = request.args.get("status") or "all"
    found, total = inbox(current_user, view, utcnow(), days, page)
    patients = patients_by_id(r.patient_id for r, _ in found)
    results = [
        dict(received_json(r, patients[r.patient_id]), unread_messages=unread)
        for r, unread in found
    ]
    return jsonify(page_json(results, total, page))


@bp.route("/referrals/<int:referral_id>/messages", methods=["GET", "POST"])
@require_roles(*CARE_TEAM, *RECEIVING)
def messages(referral_id: int):
    """A referral's message thread for both of its sides only (shown as it stood, then marked
    read), or a
    new message to the other side. One rule serves both methods so that an id too large for
    the database answers 404 to either."""
    referral, party = referral_and_side(referral_id, current_user)
    if request.method == "POST":
        body = json_body().get("body")
        author = signed_as(current_user.display_name or current_user.username, referral, party)
        message = post_message(referral, body, current_user, party, author)
        return jsonify(message_json(message)), 201
    found = thread(referral.id)
    shown = [message_json(m) for m in found]
    mark_read(found, current_user, party)
    return jsonify({"results": shown})


@bp.post("/patients/<int:patient_id>/shares")
@require_roles(*CARE_TEAM)
def share(patient_id: int):
    """Let another organization's care team see the patient, saying why."""
    patient = visible_patient(current_user, patient_id)
    data = json_body()
    organization = organization_named(str(data.get("organization") or ""), "organization")
    share_patient(patient, organization, current_user, str(data.get("reason") or ""))
    record_access(current_user.id, patient.id, "share", organization.key)
    return jsonify(patient_json(patient)), 201


@bp.delete("/patients/<int:patient_id>/shares/<key>")
@require_roles(*CARE_TEAM)
def unshare(patient_id: int, key: str):
    """Stop sharing the patient with an organization."""
    patient = visible_patient(current_user, patient_id)
    end_share(patient, organization_named(key), current_user)
    record_access(current_user.id, patient.id, "unshare", key)
    return jsonify(patient_json(patient))

"""The referrals API: refer, move through statuses (optimistic locking), read and list."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user

from referral.api.requests import is_whole, json_body, whole_version
from referral.auth.access import json_api, require_roles
from referral.auth.models import CARE_TEAM, RECEIVING
from referral.directory.models import MAX_ID
from referral.errors import BadInput
from referral.network.operations import signed_as
from referral.paging import page_json, parse_page
from referral.referrals import states
from referral.referrals.links import link_token
from referral.referrals.operations import (
    change_status,
    list_referrals,
    make_referral,
    make_referrals,
    received_json,
    record_follow_up,
    referral_and_side,
    referral_json,
    visible_referral,
    worklist,
)

bp = Blueprint("referrals_api", __name__, url_prefix="/api/v1/referrals")
json_api(bp)


@bp.post("")
@require_roles(*CARE_TEAM)
def create():
    """Refer a patient to a service (consent to share is required)."""
    days = current_app.config["REFERRAL"]["FOLLOW_UP_DAYS"]
    data = json_body()
    if "service_ids" in data:
        made = make_referrals(data, current_user, days)
        return jsonify({"referrals": [shown(r) for r in made]}), 201
    return jsonify(shown(make_referral(data, current_user, days))), 201


@bp.post("/<int:referral_id>/status")
@require_roles(*CARE_TEAM, *RECEIVING)
def status(referral_id: int):
    """Move a referral to a new status as the side the user is on (the patient's care team
    or the organization it was sent to); `version` or If-Match must be current when given."""
    referral, party = referral_and_side(referral_id, current_user)
    data = json_body()
    version = whole_version(data.get("version", request.headers.get("If-Match")))
    actor = signed_as(current_user.username, referral, party)
    change_status(referral, data, party, actor, version)
    return jsonify(side_json(referral, party))


@bp.post("/<int:referral_id>/follow-ups")
@require_roles(*CARE_TEAM)
def follow_up(referral_id: int):
    """Record an attempt to reach the patient and what they said."""
    referral = visible_referral(referral_id, current_user)
    record_follow_up(referral, json_body(), current_user, date.today())
    return jsonify(shown(referral)), 201


def shown(referral) -> dict:
    """A referral with the signed link its receiving organization answers through."""
    token = link_token(current_app.secret_key, referral.id)
    return referral_json(referral, url_for("receiver.answer", token=token, _external=True))


@bp.get("/<int:referral_id>")
@require_roles(*CARE_TEAM, *RECEIVING)
def read(referral_id: int):
    """One referral with its whole history, as the user's side sees it (the view is recorded)."""
    return jsonify(side_json(*referral_and_side(referral_id, current_user)))


def side_json(referral, party: states.Party) -> dict:
    """The referral as the care team (with its link) or the receiving organization sees it."""
    return shown(referral) if party is states.Party.REQUESTER else received_json(referral)


@bp.get("")
@require_roles(*CARE_TEAM)
def index():
    """Referrals by status, follow-up due date and patient."""
    try:
        due = (
            date.fromisoformat(request.args["due_before"])
            if request.args.get("due_before")
            else None
        )
    except ValueError:
        raise BadInput(
            "due_before must be a date such as 2026-12-01.", field="due_before"
        ) from None
    if request.args.get("worklist"):
        days = current_app.config["REFERRAL"]["QUIET_DAYS"]
        page = parse_page(request.args)
        found, total = worklist(current_user, request.args["worklist"], date.today(), days, page)
        return jsonify(page_json([referral_json(r) for r in found], total, page))
    patient = request.args.get("patient_id")
    if patient is not None and not (is_whole(patient) and int(patient) <= MAX_ID):
        raise BadInput("patient_id must be a whole number.", field="patient_id")
    page = parse_page(request.args)
    try:
        found, total = list_referrals(
            current_user, request.args.get("status"), due, int(patient) if patient else None, page
        )
    except states.TransitionError as exc:
        raise BadInput(exc.message, field="status") from exc
    return jsonify(page_json([referral_json(r) for r in found], total, page))

"""The outbox API: what was sent, what waits and what failed (admins)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from referral.auth.access import json_api, require_roles
from referral.auth.admin import managed_org_ids
from referral.notifications.operations import managed_outbox, outbox_json

bp = Blueprint("notifications_api", __name__, url_prefix="/api/v1")
json_api(bp)


@bp.get("/outbox")
@require_roles("admin")
def outbox():
    """The newest notifications of the organizations the admin manages, by status."""
    found = managed_outbox(managed_org_ids(), request.args.get("status") or None)
    return jsonify({"results": [outbox_json(row) for row in found]})

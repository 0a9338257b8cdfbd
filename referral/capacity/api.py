"""The capacity API: whether a service takes referrals, read by anyone signed in and set by the
organization that answers for it or a curator."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from referral.api.requests import json_body
from referral.auth.access import json_api, require_roles
from referral.capacity import operations

bp = Blueprint("capacity_api", __name__, url_prefix="/api/v1")
json_api(bp)


@bp.get("/services/<service_id>/capacity")
@require_roles()
def read(service_id: str):
    """The capacity in effect today (accepting when nothing was set)."""
    return jsonify(operations.capacity_json(operations.capacity_of(service_id)))


@bp.put("/services/<service_id>/capacity")
@require_roles()
def replace(service_id: str):
    """Set whether the service takes referrals: `status`, and `until` and `note` if wanted."""
    capacity = operations.set_capacity(service_id, json_body(), current_user)
    return jsonify(operations.capacity_json(capacity))

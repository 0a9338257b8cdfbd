"""`GET /api/v1/worklist`: the signed-in case manager's ranked work."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from referral.auth.access import json_api, require_roles
from referral.auth.models import CARE_TEAM
from referral.errors import BadInput
from referral.paging import page_json, parse_page
from referral.worklist.operations import Scope, worklist_page
from referral.worklist.ranking import KINDS, Item

bp = Blueprint("worklist_api", __name__, url_prefix="/api/v1")
json_api(bp)


@bp.get("/worklist")
@require_roles(*CARE_TEAM)
def worklist():
    """The work due, ranked: `kind` (repeatable) narrows it; `limit`/`offset` page it."""
    kinds = request.args.getlist("kind")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise BadInput(f"kind must be one of: {', '.join(KINDS)}.", field="kind")
    scope = Scope(current_user, date.today(), current_app.config["REFERRAL"])
    page = parse_page(request.args)
    listing = worklist_page(scope, kinds, page)
    results = [item_json(i, listing.patients.get(i.patient_id), scope.today) for i in listing.items]
    return jsonify(page_json(results, listing.total, page) | {"counts": listing.counts})


def item_json(item: Item, patient, today: date) -> dict:
    """One piece of work as the API shows it."""
    return {
        "kind": item.kind,
        "patient_id": item.patient_id,
        "patient_name": patient.full_name if patient else None,
        "due": item.due.isoformat(),
        "overdue": item.due < today,
        "reason": item.reason,
        "ref": item.ref,
        "risk": item.risk.reasons(today),
    }

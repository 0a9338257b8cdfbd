"""`GET /api/v1/worklist`: the signed-in case manager's ranked work."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from referral.auth.access import json_api, require_roles
from referral.auth.models import CARE_TEAM
from referral.errors import BadInput
from referral.paging import page_json, parse_page
from referral.patients.operations import patients_by_id, record_access
from referral.worklist.operations import Scope, counts, worklist_items
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
    page = parse_page(request.args)
    scope = Scope(current_user, date.today(), current_app.config["REFERRAL"])
    everything = worklist_items(scope)
    chosen = [i for i in everything if not kinds or i.kind in kinds]
    shown = chosen[page.offset : page.offset + page.limit]
    names = patients_by_id({i.patient_id for i in shown})
    for patient_id in names:
        record_access(current_user.id, patient_id, "list", "worklist")
    body = page_json(
        [item_json(i, names.get(i.patient_id), scope.today) for i in shown], len(chosen), page
    )
    return jsonify(body | {"counts": counts(everything)})


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

"""The worklist page: the case manager's home, one ranked list of what is due."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from referral.auth.access import require_roles
from referral.auth.models import CARE_TEAM
from referral.errors import BadInput
from referral.paging import parse_page
from referral.worklist.operations import Scope, worklist_page
from referral.worklist.ranking import KINDS, Item

bp = Blueprint("worklist", __name__)

TITLES = {
    "transition": "Transitions of care",
    "follow-up": "Follow-ups",
    "waiting-on-patient": "Waiting on the patient",
    "rescreening": "Rescreenings",
    "goal": "Goals past their date",
}


@bp.get("/worklist")
@require_roles(*CARE_TEAM)
def index():
    """Everything due, or one kind of work, ranked; a page at a time."""
    kind = request.args.get("kind", "")
    if kind and kind not in KINDS:
        raise BadInput(f"Choose a kind of work: {', '.join(KINDS)}.", field="kind")
    page = parse_page(request.args)
    scope = Scope(current_user, date.today(), current_app.config["REFERRAL"])
    listing = worklist_page(scope, [kind] if kind else [], page)
    return render_template(
        "worklist/index.html",
        kind=kind,
        titles=TITLES,
        listing=listing,
        page=page,
        today=scope.today,
        target=target,
    )


def target(item: Item) -> str:
    """Where to go to do the work: the referral, or the patient."""
    what, _, key = item.ref.partition(":")
    if what == "referral" and key.isdigit():
        return url_for("referrals.show", referral_id=int(key))
    if what == "goal" and key.isdigit():
        return url_for("patients.show", patient_id=item.patient_id, _anchor=f"goal-{key}")
    return url_for("patients.show", patient_id=item.patient_id)

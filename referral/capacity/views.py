"""The capacity form of the service page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from referral.auth.access import require_roles
from referral.auth.forms import check_posted_form
from referral.capacity import operations, rules
from referral.extensions import db

bp = Blueprint("capacity", __name__)


@bp.post("/services/<service_id>/capacity")
@require_roles()
def update(service_id: str):
    """Save the service page's capacity form by the API's rules, then show the page again."""
    check_posted_form()
    data = {name: request.form.get(name, "") for name in rules.FIELDS}
    try:
        capacity = operations.set_capacity(service_id, data, current_user)
    except operations.CapacityProblems as exc:
        db.session.rollback()
        flash(f"Not saved: {exc.message}", "error")
    else:
        said = rules.words(capacity.status, capacity.until, operations.clinic_today())
        flash(f"Saved: {said or 'Accepting referrals'}.", "info")
    return redirect(url_for("web.service_details", service_id=service_id))

"""The admins' outbox page: what waits, what failed and what was refused, with Retry."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from referral.auth.access import require_roles
from referral.auth.admin import managed_org_ids
from referral.auth.forms import ActionForm, check_posted_form
from referral.notifications import rules
from referral.notifications.operations import managed_outbox, retry

bp = Blueprint("outbox", __name__, url_prefix="/admin")
SHOWN = (rules.FAILED, rules.REFUSED, rules.QUEUED, rules.SENDING, rules.SENT)


@bp.get("/outbox")
@require_roles("admin")
def outbox():
    """Failed, refused and waiting notifications (or those of one status), newest first."""
    status = request.args.get("status", "")
    status = status if status in rules.STATUSES else ""
    managed = managed_org_ids()
    if status:
        rows = managed_outbox(managed, status)
    else:
        rows = [r for s in SHOWN[:4] for r in managed_outbox(managed, s)]
        rows.sort(key=lambda r: r.id, reverse=True)
    return render_template(
        "notifications/outbox.html", rows=rows, status=status, shown=SHOWN, form=ActionForm()
    )


@bp.post("/outbox/<int:message_id>/retry")
@require_roles("admin")
def retry_message(message_id: int):
    """Queue a failed or refused notification again; the worker sends it within a minute."""
    check_posted_form()
    row = retry(message_id, managed_org_ids())
    flash(f"Message {row.id} to {row.recipient or 'no address'} is queued again.", "info")
    return redirect(url_for("outbox.outbox", status=request.args.get("status") or None))

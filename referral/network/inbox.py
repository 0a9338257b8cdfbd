"""A receiving organization's inbox: the referrals sent to it, by what they wait for."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from referral.directory.models import as_utc
from referral.errors import BadInput
from referral.extensions import db
from referral.network.messages import unread_counts
from referral.network.scope import receiving_org_ids
from referral.referrals import states
from referral.referrals.models import CLOSED_STATUSES, Referral

VIEWS = ("new", "accepted", "in-progress", "waiting", "overdue", "closed", "all")
STATUSES = tuple(s.value for s in states.Status if s.value not in VIEWS)
ANSWER_DAYS = 3


def inbox_view(referral: Referral, unread: int, now: datetime, quiet_days: int) -> set[str]:
    """The inbox views a referral shows in: `new` (not answered yet), `accepted`,
    `in-progress`, `waiting` (the organization owes an answer or has unread messages),
    `overdue` (unanswered after ANSWER_DAYS, or open with no news in `quiet_days`) or `closed`."""
    if referral.status in CLOSED_STATUSES:
        return {"closed", "all"}
    views = {"all"}
    if referral.status == states.Status.REQUESTED:
        views |= {"new", "waiting"}
        if now - as_utc(referral.created_at) > timedelta(days=ANSWER_DAYS):
            views.add("overdue")
    elif now - as_utc(referral.updated_at) > timedelta(days=quiet_days):
        views.add("overdue")
    if referral.status in (states.Status.ACCEPTED, states.Status.IN_PROGRESS):
        views.add(referral.status)
    if unread:
        views.add("waiting")
    return views


def inbox(user, view: str, now: datetime, quiet_days: int) -> list[tuple[Referral, int]]:
    """The referrals sent to the user's organizations that show in `view`, oldest waiting
    first, each with its count of unread messages from the care team."""
    if view not in VIEWS + STATUSES:
        choices = ", ".join(VIEWS + STATUSES)
        raise BadInput(f"Choose an inbox view or a status: {choices}.", field="status")
    org_ids = receiving_org_ids(user)
    if not org_ids:
        return []
    query = select(Referral).where(Referral.receiving_org_id.in_(org_ids))
    if view in STATUSES:
        query, view = query.where(Referral.status == view), "all"
    elif view not in ("closed", "all"):
        query = query.where(Referral.status.not_in(CLOSED_STATUSES))
    query = query.options(selectinload(Referral.history)).order_by(Referral.created_at)
    found = list(db.session.scalars(query))
    unread = unread_counts([r.id for r in found], states.Party.RECEIVER)
    return [
        (r, unread.get(r.id, 0))
        for r in found
        if view in inbox_view(r, unread.get(r.id, 0), now, quiet_days)
    ]


def view_counts(rows, now: datetime, quiet_days: int) -> dict[str, int]:
    """How many of the inbox's referrals (with their unread counts) each view holds, for its
    tabs."""
    counts = dict.fromkeys(VIEWS, 0)
    for referral, unread in rows:
        for view in inbox_view(referral, unread, now, quiet_days):
            counts[view] += 1
    return counts

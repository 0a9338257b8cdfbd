"""A receiving organization's inbox: the referrals sent to it, by what they wait for."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import selectinload

from referral.errors import BadInput
from referral.extensions import db
from referral.network.messages import unread_counts
from referral.network.models import ReferralMessage
from referral.network.scope import receiving_org_ids
from referral.paging import Page, page_of
from referral.referrals import states
from referral.referrals.models import CLOSED_STATUSES, Referral

VIEWS = ("new", "accepted", "in-progress", "waiting", "overdue", "closed", "all")
STATUSES = tuple(s.value for s in states.Status if s.value not in VIEWS)
ANSWER_DAYS = 3


def view_conditions(now: datetime, quiet_days: int) -> dict:
    """Each inbox view as a condition on referrals: `new` (not answered yet), `accepted`,
    `in-progress`, `waiting` (the organization owes an answer or has unread messages),
    `overdue` (unanswered after ANSWER_DAYS, or open with no news in `quiet_days`), `closed`
    and `all`."""
    closed = Referral.status.in_(CLOSED_STATUSES)
    requested = Referral.status == states.Status.REQUESTED.value
    unread = (
        select(ReferralMessage.id)
        .where(
            ReferralMessage.referral_id == Referral.id,
            ReferralMessage.party != states.Party.RECEIVER.value,
            ReferralMessage.read_at.is_(None),
        )
        .exists()
    )
    unanswered = and_(requested, Referral.created_at < now - timedelta(days=ANSWER_DAYS))
    quiet = and_(~requested, Referral.updated_at < now - timedelta(days=quiet_days))
    return {
        "new": requested,
        "accepted": Referral.status == states.Status.ACCEPTED.value,
        "in-progress": Referral.status == states.Status.IN_PROGRESS.value,
        "waiting": and_(~closed, or_(requested, unread)),
        "overdue": and_(~closed, or_(unanswered, quiet)),
        "closed": closed,
        "all": true(),
    }


def inbox(
    user, view: str, now: datetime, quiet_days: int, page: Page | None = None
) -> tuple[list[tuple[Referral, int]], int]:
    """The referrals sent to the user's organizations that show in `view` (or have that
    status), oldest first, each with its count of unread messages from the care team: one
    page of them (all without a page) and how many there are."""
    if view not in VIEWS + STATUSES:
        choices = ", ".join(VIEWS + STATUSES)
        raise BadInput(f"Choose an inbox view or a status: {choices}.", field="status")
    org_ids = receiving_org_ids(user)
    if not org_ids:
        return [], 0
    query = select(Referral).where(Referral.receiving_org_id.in_(org_ids))
    if view in STATUSES:
        query = query.where(Referral.status == view)
    else:
        query = query.where(view_conditions(now, quiet_days)[view])
    query = query.options(selectinload(Referral.history)).order_by(Referral.created_at, Referral.id)
    found, total = page_of(query, page)
    unread = unread_counts([r.id for r in found], states.Party.RECEIVER)
    return [(r, unread.get(r.id, 0)) for r in found], total


def view_counts(user, now: datetime, quiet_days: int) -> dict[str, int]:
    """How many referrals sent to the user's organizations each view holds, for its tabs."""
    org_ids = receiving_org_ids(user)
    if not org_ids:
        return dict.fromkeys(VIEWS, 0)
    conditions = view_conditions(now, quiet_days)
    columns = [func.coalesce(func.sum(case((conditions[v], 1), else_=0)), 0) for v in VIEWS]
    row = db.session.execute(select(*columns).where(Referral.receiving_org_id.in_(org_ids))).one()
    return dict(zip(VIEWS, row, strict=True))

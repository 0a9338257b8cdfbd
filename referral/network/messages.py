"""The message thread of a referral: the care team and the receiving organization write to
each other, and each side sees what the other has not read yet. Helpers flush only."""

from __future__ import annotations

from sqlalchemy import func, select

from referral.directory.models import as_utc, utcnow
from referral.errors import BadInput
from referral.extensions import db
from referral.network.models import ReferralMessage
from referral.referrals import events
from referral.referrals.models import Referral
from referral.referrals.states import Party

MAX_LENGTH = 4000


def post_message(referral: Referral, body, user, party: Party, author: str) -> ReferralMessage:
    """Add a message to a referral's thread from one side."""
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        raise BadInput("Write a message before sending it.", field="body")
    if len(text) > MAX_LENGTH:
        raise BadInput(f"A message holds at most {MAX_LENGTH} characters.", field="body")
    message = ReferralMessage(
        referral_id=referral.id, author_id=user.id, author=author, party=party.value, body=text
    )
    db.session.add(message)
    referral.updated_at = utcnow()
    db.session.flush()
    events.message_posted.send(referral, message=message)
    return message


def thread(referral_id: int) -> list[ReferralMessage]:
    """A referral's messages, oldest first."""
    query = select(ReferralMessage).where(ReferralMessage.referral_id == referral_id)
    return list(db.session.scalars(query.order_by(ReferralMessage.id)))


def mark_read(messages: list[ReferralMessage], user, party: Party) -> None:
    """Record that one side has now seen the other side's messages."""
    now = utcnow()
    for message in messages:
        if message.party != party.value and message.read_at is None:
            message.read_at, message.read_by = now, user.id
    db.session.flush()


def unread_counts(referral_ids: list[int], party: Party) -> dict[int, int]:
    """How many messages from the other side each referral has that this side has not read."""
    if not referral_ids:
        return {}
    rows = db.session.execute(
        select(ReferralMessage.referral_id, func.count(ReferralMessage.id))
        .where(
            ReferralMessage.referral_id.in_(referral_ids),
            ReferralMessage.party != party.value,
            ReferralMessage.read_at.is_(None),
        )
        .group_by(ReferralMessage.referral_id)
    )
    return {referral_id: count for referral_id, count in rows}


def message_json(message: ReferralMessage) -> dict:
    """A message as the API shows it."""
    return {
        "id": message.id,
        "body": message.body,
        "by": message.author,
        "party": message.party,
        "at": as_utc(message.at).isoformat(),
        "read_at": as_utc(message.read_at).isoformat() if message.read_at else None,
    }

"""A service's capacity in the database: one row per service that has said anything."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from referral.capacity.rules import Capacity
from referral.directory.models import ID, as_utc, utcnow
from referral.extensions import db

HISTORY_ACTION = "capacity"
"""The action of capacity changes in the change history; not HSDS, so kept out of exports."""


class ServiceCapacity(db.Model):
    """Whether a service takes referrals now, as its receiving side or a curator last set it.

    Every change is also kept in the field-level change history (`change_records`).
    """

    __tablename__ = "service_capacity"

    service_id: Mapped[str] = mapped_column(ID, ForeignKey("services.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    set_by: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )


def capacity_record(row) -> Capacity:
    """A stored capacity (an ORM object or a plain row) as a record."""
    return Capacity(row.status, row.until, row.note or "", row.set_by, as_utc(row.set_at))

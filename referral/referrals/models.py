"""Referrals of patients to services, and every change of their status."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referral.directory.models import utcnow
from referral.extensions import db
from referral.referrals import states


class Referral(db.Model):
    """A patient referred to one service for one need, tracked to its outcome."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    service_id: Mapped[str] = mapped_column(String(255), ForeignKey("services.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(String(255), ForeignKey("locations.id"))
    need: Mapped[str] = mapped_column(String(32), nullable=False)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_source: Mapped[str | None] = mapped_column(String(16))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    follow_up_due: Mapped[date | None] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    referring_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_organizations.id"), index=True
    )
    receiving_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_organizations.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    history: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id"
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="referral", order_by="FollowUp.id"
    )


CLOSED_STATUSES = frozenset(s.value for s in states.TERMINAL)


class ReferralEvent(db.Model):
    """One change of a referral's status: who, when, from, to, why, and the outcome."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32), nullable=False)
    party: Mapped[str] = mapped_column(String(16), nullable=False)
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(32))

    referral: Mapped[Referral] = relationship(back_populates="history")


class FollowUp(db.Model):
    """One attempt by the care team to reach the patient about a referral, and what they said."""

    __tablename__ = "referral_follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    result: Mapped[str] = mapped_column(String(16), nullable=False)
    reached: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    patient_says: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    next_due: Mapped[date | None] = mapped_column(Date)

    referral: Mapped[Referral] = relationship(back_populates="follow_ups")

"""Organizations of the network, their members, their claimed listings and shared patients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referral.directory.models import utcnow
from referral.extensions import db

KINDS = ("referring", "receiving", "both")
DEFAULT_KEY = "default"


class NetworkOrganization(db.Model):
    """A clinic, hospital team or community organization using this installation."""

    __tablename__ = "network_organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="both")
    email: Mapped[str] = mapped_column(Text, default="", nullable=False)
    link_enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organization")
    claims: Mapped[list[Claim]] = relationship(
        back_populates="organization", order_by="Claim.id", cascade="all, delete-orphan"
    )

    @property
    def receives(self) -> bool:
        """Whether referrals can be sent to this organization."""
        return self.kind in ("receiving", "both")

    @property
    def refers(self) -> bool:
        """Whether this organization registers patients and refers them."""
        return self.kind in ("referring", "both")


class Membership(db.Model):
    """A user's place in one organization, with their role there."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, nullable=False)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("network_organizations.id"), index=True, nullable=False
    )
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organization: Mapped[NetworkOrganization] = relationship(back_populates="memberships")
    user = relationship("User", back_populates="memberships")


class Claim(db.Model):
    """A directory organization or one of its services that a network organization answers
    for: referrals to it reach that organization's inbox."""

    __tablename__ = "organization_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("network_organizations.id"), index=True, nullable=False
    )
    directory_organization_id: Mapped[str | None] = mapped_column(
        String(255), ForeignKey("organizations.id"), unique=True
    )
    service_id: Mapped[str | None] = mapped_column(
        String(255), ForeignKey("services.id"), unique=True
    )
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organization: Mapped[NetworkOrganization] = relationship(back_populates="claims")


class PatientShare(db.Model):
    """A patient shared with another organization's care team: who shared, why, and until when."""

    __tablename__ = "patient_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True, nullable=False)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("network_organizations.id"), index=True, nullable=False
    )
    shared_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organization: Mapped[NetworkOrganization] = relationship()


class ReferralMessage(db.Model):
    """A message on a referral between the patient's care team and the receiving organization;
    `read_at` is when the other side first opened it."""

    __tablename__ = "referral_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True, nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author: Mapped[str] = mapped_column(Text, nullable=False)
    party: Mapped[str] = mapped_column(String(16), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

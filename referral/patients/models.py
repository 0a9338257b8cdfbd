"""Patients, their consents, and the record of who looked at what."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referral.directory.models import utcnow
from referral.extensions import db

CONSENT_KINDS = ("contact", "share")


class Patient(db.Model):
    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("organization_id", "mrn"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    given_name: Mapped[str] = mapped_column(Text, nullable=False)
    family_name: Mapped[str] = mapped_column(Text, nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    contact_channel: Mapped[str] = mapped_column(
        String(8), default="phone", server_default="phone", nullable=False
    )
    time_zone: Mapped[str] = mapped_column(
        String(64), default="America/New_York", server_default="America/New_York", nullable=False
    )
    mrn: Mapped[str | None] = mapped_column(String(64), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("network_organizations.id"), index=True, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    consents: Mapped[list[Consent]] = relationship(
        back_populates="patient", order_by="Consent.recorded_at"
    )

    @property
    def full_name(self) -> str:
        """Given and family name."""
        return f"{self.given_name} {self.family_name}"

    def consents_to(self, kind: str) -> bool:
        """Whether the latest record of this kind of consent grants it."""
        records = [c for c in self.consents if c.kind == kind]
        return bool(records) and records[-1].granted


class Consent(db.Model):
    """One grant or revocation of a consent: to be contacted, or to share with organizations."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    patient: Mapped[Patient] = relationship(back_populates="consents")


class AccessRecord(db.Model):
    """Who looked at or changed a patient's information, and when."""

    __tablename__ = "access_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    subject: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

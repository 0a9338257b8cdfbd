"""Transitions of care: hospital and ED encounters, the ADT messages they arrive in, and the
follow-up tasks a discharge or an emergency visit puts on the care team's worklist."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referral.directory.models import utcnow
from referral.extensions import db

ENCOUNTER_KINDS = ("emergency", "admission", "discharge")
"""What happened: an emergency department visit, a hospital admission, a discharge."""
FOLLOWED_UP_KINDS = ("emergency", "discharge")
"""The encounters after which the care team follows up."""
ENCOUNTER_SOURCES = ("manual", "adt")
MESSAGE_STATUSES = ("matched", "unmatched", "ambiguous", "rejected", "set-aside")
QUEUED_STATUSES = ("unmatched", "ambiguous")
"""Messages waiting for a person to match them to a patient or set them aside."""
TASK_STATUSES = ("open", "done")
OUTCOMES = {
    "reached": "Reached the patient",
    "left-message": "Left a message",
    "not-reached": "Could not reach them",
    "not-needed": "No follow-up needed",
}
"""What closing a transition task records was done, and how it reads."""


class AdtMessage(db.Model):
    """One HL7 v2 ADT message exactly as received, and what became of it."""

    __tablename__ = "adt_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    origin: Mapped[str] = mapped_column(Text, default="", nullable=False)
    control_id: Mapped[str] = mapped_column(String(64), default="", nullable=False, index=True)
    event: Mapped[str] = mapped_column(String(8), default="", nullable=False)
    sending_facility: Mapped[str] = mapped_column(Text, default="", nullable=False)
    mrn: Mapped[str | None] = mapped_column(String(64))
    raw: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    problem: Mapped[str] = mapped_column(Text, default="", nullable=False)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_organizations.id"), index=True
    )
    """The organization whose patients the feed is for (None: every organization's); its
    care team works the queue."""


class Encounter(db.Model):
    """An emergency visit, admission or discharge of a patient, by hand or from ADT."""

    __tablename__ = "encounters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    facility: Mapped[str] = mapped_column(Text, default="", nullable=False)
    diagnosis_codes: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    source: Mapped[str] = mapped_column(String(8), default="manual", nullable=False)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("adt_messages.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )

    message: Mapped[AdtMessage | None] = relationship()


class TransitionTask(db.Model):
    """Follow up with a patient after a discharge or an emergency visit, by a due date."""

    __tablename__ = "transition_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True, nullable=False)
    encounter_id: Mapped[int] = mapped_column(
        ForeignKey("encounters.id"), index=True, nullable=False
    )
    due: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(8), default="open", nullable=False)
    outcome: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )

    encounter: Mapped[Encounter] = relationship()

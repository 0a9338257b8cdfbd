"""What curators change about how search reads people's words."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from referral.directory.models import utcnow
from referral.extensions import db


class SearchConcept(db.Model):
    """A curator's version of a search concept: it replaces the shipped one of the same id,
    adds a new one, or (disabled) switches a shipped one off."""

    __tablename__ = "search_concepts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    phrases: Mapped[list] = mapped_column(JSON, default=list)
    terms: Mapped[list] = mapped_column(JSON, default=list)
    needs: Mapped[list] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ServiceFlag(db.Model):
    """A service a curator should look at, and the evidence why: repeated referral outcomes
    such as no capacity, or a report from staff such as a disconnected phone."""

    __tablename__ = "service_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(255), ForeignKey("services.id"), index=True)
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    reason: Mapped[str] = mapped_column(String(64), nullable=False)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open", nullable=False, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ChangeRecord(db.Model):
    """One field of one directory record changed: what it was, what it became, who, when and
    how (an edit, a verification, a merge, an approved update request). Exported as HSDS
    metadata."""

    __tablename__ = "change_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(32), nullable=False)
    resource_id: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    field_name: Mapped[str] = mapped_column(String(64), nullable=False)
    previous_value: Mapped[str] = mapped_column(Text, default="")
    replacement_value: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class UpdateRequest(db.Model):
    """Changes an organization proposes to its own listing through a signed link, and the
    curator's decision on each field."""

    __tablename__ = "update_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(255), ForeignKey("services.id"), index=True)
    proposed: Mapped[dict] = mapped_column(JSON, default=dict)
    current: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_by: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending", nullable=False, index=True)
    decisions: Mapped[dict] = mapped_column(JSON, default=dict)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotDuplicate(db.Model):
    """Two records a curator judged distinct, so the duplicates queue stops offering them."""

    __tablename__ = "not_duplicates"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    left_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    right_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

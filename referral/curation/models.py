"""What curators change about how search reads people's words."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
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

"""People who use the app, their roles and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from referral.directory.models import utcnow
from referral.extensions import db

ROLES = ("admin", "case_manager", "curator", "staff", "receiver")
CARE_TEAM = ("case_manager", "admin")
RECEIVING = ("receiver", "admin")
TOKEN_PREFIX = "rfl_"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    instance_admin: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")
    memberships = relationship(
        "Membership", back_populates="user", order_by="Membership.id", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        """Whether the account may sign in."""
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password`, never the password itself."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Whether `password` is this user's password."""
        return check_password_hash(self.password_hash, password)

    @property
    def roles(self) -> set[str]:
        """Every role the user holds: in each of their organizations, and `admin` for the
        installation's admins."""
        held = {m.role for m in self.memberships}
        return held | {"admin"} if self.instance_admin else held

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds one of `roles` somewhere (admins hold every role)."""
        held = self.roles
        return "admin" in held or bool(held.intersection(roles))

    def role_in(self, organization_id: int) -> str | None:
        """The user's role in one organization, if they belong to it."""
        found = (m.role for m in self.memberships if m.organization_id == organization_id)
        return next(found, None)


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    user: Mapped[User] = relationship(back_populates="tokens")


def token_digest(token: str) -> str:
    """The stored form of a token (tokens are long and random, so a plain digest suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class SignInFailure(db.Model):
    """A sign-in that was refused: who was tried, from where, and why (admins review these)."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False, index=True
    )
    username: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)

"""Systems allowed to call the FHIR API (OAuth 2.0 clients) and the access tokens they hold."""

from __future__ import annotations

import hmac
from datetime import datetime

from authlib.oauth2.rfc6749 import ClientMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referral.auth.models import User, token_digest
from referral.directory.models import utcnow
from referral.extensions import db
from referral.fhir.scopes import as_text, covers
from referral.network.models import NetworkOrganization

GRANT_TYPE = "client_credentials"
AUTH_METHODS = ("client_secret_basic", "client_secret_post")


class FhirClient(ClientMixin, db.Model):
    """A system that gets tokens with its id and secret (only the secret's SHA-256 digest is
    stored), limited to its registered scopes and, when bound to one, an organization's data."""

    __tablename__ = "fhir_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    scopes: Mapped[str] = mapped_column(Text, nullable=False)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_organizations.id"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[NetworkOrganization | None] = relationship()
    creator: Mapped[User | None] = relationship()
    tokens: Mapped[list[FhirAccessToken]] = relationship(back_populates="client")

    @property
    def scope_list(self) -> list[str]:
        """The registered scopes, in order."""
        return sorted(self.scopes.split())

    @property
    def usable(self) -> bool:
        """Whether the client may get and use tokens: it and its organization are active."""
        return self.active and (self.organization is None or self.organization.active)

    def get_client_id(self) -> str:
        """The public identifier the client sends."""
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        """None: the client credentials grant never redirects."""
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The scope a token gets: all registered ones when none is asked for, the asked ones
        when the registered ones cover each, else None (refused)."""
        asked = (scope or "").split()
        if not asked:
            return as_text(self.scope_list)
        if all(covers(self.scope_list, word) for word in asked):
            return as_text(asked)
        return None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """False: no redirect is ever allowed."""
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        """Whether `client_secret` is this client's secret (compared in constant time)."""
        return hmac.compare_digest(token_digest(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Whether the client may authenticate at `endpoint` this way (secret in body or Basic)."""
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        """False: there is no authorization endpoint."""
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        """Whether the client may use `grant_type`: only client credentials."""
        return grant_type == GRANT_TYPE


class FhirAccessToken(db.Model):
    """An access token issued to a client; only its SHA-256 digest is stored."""

    __tablename__ = "fhir_access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    fhir_client_id: Mapped[int] = mapped_column(
        ForeignKey("fhir_clients.id"), index=True, nullable=False
    )
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    client: Mapped[FhirClient] = relationship(back_populates="tokens")

    @property
    def scopes(self) -> frozenset[str]:
        """The scopes the token grants."""
        return frozenset(self.scope.split())

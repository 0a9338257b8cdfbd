"""OAuth 2.0 client credentials for the FHIR API: registering clients, the token endpoint
(Authlib's authorization server) and checking the bearer tokens it issues. Helpers flush,
never commit."""

from __future__ import annotations

import binascii
import secrets
from datetime import timedelta
from typing import ClassVar

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import (
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    UnsupportedGrantTypeError,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy import delete, func, or_, select, update

from referral.auth.models import User, token_digest
from referral.directory.models import utcnow
from referral.errors import CONTROL_CHARACTERS, AppError
from referral.extensions import db
from referral.fhir.models import AUTH_METHODS, GRANT_TYPE, FhirAccessToken, FhirClient
from referral.fhir.scopes import ScopeError, as_text, covers, parse_scopes
from referral.network.models import NetworkOrganization

CLIENT_PREFIX = "fhir_"
SECRET_PREFIX = "rfs_"
TOKEN_PREFIX = "rft_"
FORM = "application/x-www-form-urlencoded"
KEEP_EXPIRED = timedelta(days=1)
UNKNOWN_CLIENT = "The client id and secret do not match an active client."
TOO_MANY = "Too many requests with wrong client credentials; wait a minute and try again."
NO_NAME = "Give the client a name people will recognise."


class ClientError(AppError):
    """A FHIR client that cannot be registered; `problems` lists every reason, `by_field` the
    same reasons by the field at fault."""

    status, code = 400, "invalid_fhir_client"

    def __init__(self, by_field: dict[str, list[str]]) -> None:
        self.problems = [problem for found in by_field.values() for problem in found]
        super().__init__(" ".join(self.problems), next(iter(by_field)))
        self.by_field = by_field


def client_problems(name: str, scopes: str) -> dict[str, list[str]]:
    """Every reason a client with this name and these scopes cannot be registered, by field."""
    problems = {"name": [NO_NAME]} if not name.strip() else {}
    try:
        parse_scopes(scopes)
    except ScopeError as exc:
        problems["scopes"] = exc.problems
    return problems


def create_client(
    name: str,
    scopes: str,
    organization: NetworkOrganization | None = None,
    created_by: User | None = None,
) -> tuple[FhirClient, str]:
    """Register a client with checked scopes; returns it and its secret (only a digest of the
    secret is kept, so show it now or never)."""
    problems = client_problems(name, scopes)
    if problems:
        raise ClientError(problems)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    client = FhirClient(
        client_id=CLIENT_PREFIX + secrets.token_hex(10),
        secret_hash=token_digest(secret),
        name=name.strip(),
        scopes=as_text(parse_scopes(scopes)),
        organization=organization,
        created_by=created_by.id if created_by else None,
    )
    db.session.add(client)
    db.session.flush()
    return client, secret


def find_client(client_id: str) -> FhirClient | None:
    """The client with that public id, active or not."""
    if not client_id or len(client_id) > 64 or CONTROL_CHARACTERS.search(client_id):
        return None
    return db.session.scalar(select(FhirClient).where(FhirClient.client_id == client_id))


def fhir_clients() -> list[FhirClient]:
    """Every client, oldest first."""
    return list(db.session.scalars(select(FhirClient).order_by(FhirClient.id)))


def clients_of(org_ids: set[int] | None) -> list[FhirClient]:
    """The clients bound to these organizations (every client when None), newest first."""
    query = select(FhirClient).order_by(FhirClient.id.desc())
    if org_ids is not None:
        query = query.where(FhirClient.organization_id.in_(org_ids))
    return list(db.session.scalars(query))


def live_token_counts(clients: list[FhirClient]) -> dict[int, int]:
    """How many unexpired, unrevoked tokens each of these clients holds, by client row id."""
    query = (
        select(FhirAccessToken.fhir_client_id, func.count(FhirAccessToken.id))
        .where(
            FhirAccessToken.fhir_client_id.in_([c.id for c in clients]),
            FhirAccessToken.revoked.is_(False),
            FhirAccessToken.expires_at > utcnow(),
        )
        .group_by(FhirAccessToken.fhir_client_id)
    )
    return {client_id: count for client_id, count in db.session.execute(query)}


def revoke_client(client: FhirClient) -> int:
    """Switch a client off and revoke its tokens; returns how many were not yet revoked."""
    client.active = False
    unrevoked = (
        update(FhirAccessToken)
        .where(FhirAccessToken.fhir_client_id == client.id, FhirAccessToken.revoked.is_(False))
        .values(revoked=True)
    )
    revoked = db.session.execute(unrevoked).rowcount
    db.session.flush()
    return revoked


def access_token_for(token: str) -> FhirAccessToken | None:
    """The live token a bearer string is: not expired or revoked, its client (and the client's
    organization, if bound to one) active."""
    query = (
        select(FhirAccessToken)
        .join(FhirAccessToken.client)
        .outerjoin(FhirClient.organization)
        .where(
            FhirAccessToken.digest == token_digest(token),
            FhirAccessToken.revoked.is_(False),
            FhirAccessToken.expires_at > utcnow(),
            FhirClient.active.is_(True),
            or_(FhirClient.organization_id.is_(None), NetworkOrganization.active.is_(True)),
        )
    )
    return db.session.scalar(query)


def usable_client(client_id: str) -> FhirClient | None:
    """The client a token request names, when it may get tokens."""
    client = find_client(client_id)
    return client if client is not None and client.usable else None


def new_access_token(**_context) -> str:
    """A fresh random access token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_seconds(client: FhirClient, grant_type: str) -> int:
    """How long new tokens last (`REFERRAL_FHIR_TOKEN_SECONDS`)."""
    return current_app.config["REFERRAL"]["FHIR_TOKEN_SECONDS"]


def save_token(token: dict, oauth_request) -> None:
    """Keep the digest of an issued token, forgetting the client's long-expired ones."""
    client: FhirClient = oauth_request.client
    issued = utcnow()
    db.session.execute(
        delete(FhirAccessToken).where(
            FhirAccessToken.fhir_client_id == client.id,
            FhirAccessToken.expires_at < issued - KEEP_EXPIRED,
        )
    )
    record = FhirAccessToken(
        digest=token_digest(token["access_token"]),
        client=client,
        scope=token.get("scope", ""),
        issued_at=issued,
        expires_at=issued + timedelta(seconds=token["expires_in"]),
    )
    db.session.add(record)
    db.session.flush()


def basic_credentials(headers) -> tuple[str | None, str | None]:
    """The client id and secret of an `Authorization: Basic` header, or (None, None)."""
    try:
        return extract_basic_authorization(headers)
    except (UnicodeDecodeError, binascii.Error):
        return None, None


def authenticate_basic(query_client, oauth_request) -> FhirClient | None:
    """The client whose id and secret an HTTP Basic header carries (client_secret_basic)."""
    client_id, secret = basic_credentials(oauth_request.headers)
    client = query_client(client_id) if client_id and secret else None
    return client if client is not None and client.check_client_secret(secret) else None


def ascii_text(text: str, limit: int = 300) -> str:
    """`text` with the characters OAuth error descriptions may not carry replaced by `?`."""
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text[:limit])


class ClientCredentials(ClientCredentialsGrant):
    """The client credentials grant: secret in the form or HTTP Basic, 401 for any bad client,
    and each asked-for scope covered by the registered ones."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)

    def authenticate_token_endpoint_client(self):
        """The client, or invalid_client (401) however the credentials were wrong."""
        try:
            return super().authenticate_token_endpoint_client()
        except InvalidClientError:
            raise InvalidClientError(status_code=401, description=UNKNOWN_CLIENT) from None

    def validate_requested_scope(self):
        """Refuse (invalid_scope) scopes the client's registered scopes do not cover."""
        asked = (self.request.payload.scope or "").split()
        beyond = [word for word in asked if not covers(self.client.scope_list, word)]
        if beyond:
            raise InvalidScopeError(
                description=ascii_text(
                    f"Not registered for this client: {' '.join(beyond)}. "
                    f"It may ask for: {' '.join(self.client.scope_list)}."
                )
            )


def init_oauth(app: Flask) -> None:
    """Build the token endpoint's authorization server for `app`, and have token requests with
    control characters refused in OAuth's error shape before the app-wide check sees them."""
    server = AuthorizationServer(query_client=usable_client, save_token=save_token)
    server.register_grant(ClientCredentials)
    server.register_token_generator(
        "default", BearerTokenGenerator(new_access_token, expires_generator=token_seconds)
    )
    server.register_client_auth_method("client_secret_basic", authenticate_basic)
    app.extensions["fhir_oauth"] = server
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_control_characters)


def refuse_control_characters() -> Response | None:
    """Answer a token request whose parameters hold control characters with invalid_request."""
    if request.endpoint != "fhir.token":
        return None
    pairs = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if any(CONTROL_CHARACTERS.search(name + value) for name, value in pairs):
        return error_response(InvalidRequestError("A parameter holds a control character."))
    return None


def malformed(form_type: str, args, form) -> OAuth2Error | None:
    """What is wrong with the shape of a token request before any client is looked at."""
    if form_type != FORM:
        return InvalidRequestError(f"Send the parameters form-encoded ({FORM}).")
    if args:
        return InvalidRequestError("Send the parameters in the body, not in the address.")
    if any(len(form.getlist(name)) > 1 for name in form):
        return InvalidRequestError("A parameter is sent more than once.")
    grant_type = form.get("grant_type", "")
    if not grant_type:
        return InvalidRequestError(f"grant_type is missing: send grant_type={GRANT_TYPE}.")
    if grant_type != GRANT_TYPE:
        error = UnsupportedGrantTypeError(grant_type)
        error.description = f"Only grant_type={GRANT_TYPE} is supported."
        return error
    return None


def token_response() -> Response:
    """The answer to POST /fhir/token: a bearer token, or an OAuth error; never cached."""
    server: AuthorizationServer = current_app.extensions["fhir_oauth"]
    refusal = malformed(request.mimetype, request.args, request.form)
    if refusal is not None:
        return error_response(refusal)
    try:
        return not_cached(server.create_token_response())
    except OAuth2Error as exc:  # raised before Authlib's own handling, e.g. plain HTTP
        return error_response(exc)


def error_response(error: OAuth2Error) -> Response:
    """An OAuth error as JSON with its status."""
    server: AuthorizationServer = current_app.extensions["fhir_oauth"]
    return not_cached(server.handle_error_response(None, error))


def not_cached(response: Response) -> Response:
    """`response` marked never to be stored by a cache."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def token_limit() -> str:
    """How many token requests with wrong credentials an address, or a client id, may make."""
    return current_app.config["REFERRAL"]["FHIR_TOKEN_LIMIT"]


def client_tried() -> str:
    """The throttling key of the client id a token request names."""
    basic_id, _ = basic_credentials(request.headers)
    return "fhir-client:" + (request.form.get("client_id") or basic_id or "")[:64]


def refused_client(response: Response) -> bool:
    """Whether a token answer counts against the limits: only refused credentials do."""
    return response.status_code == 401


def too_many_requests() -> Response:
    """The 429 answer once the limit is reached, in OAuth's error shape."""
    response = jsonify({"error": "slow_down", "error_description": TOO_MANY})
    response.status_code = 429
    response.headers["Retry-After"] = "60"
    return not_cached(response)

"""The `/fhir` blueprint: FHIR R4 JSON, bearer tokens, OperationOutcome errors."""

from __future__ import annotations

from flask import Blueprint
from flask_limiter import RateLimitExceeded

from referral.extensions import csrf, limiter
from referral.fhir import oauth

bp = Blueprint("fhir", __name__, url_prefix="/fhir")
csrf.exempt(bp)


@bp.post("/token")
@limiter.limit(oauth.token_limit, methods=["POST"], deduct_when=oauth.refused_client)
@limiter.limit(
    oauth.token_limit,
    key_func=oauth.client_tried,
    methods=["POST"],
    deduct_when=oauth.refused_client,
)
def token():
    """OAuth 2.0 client credentials grant: a bearer token for the FHIR API."""
    return oauth.token_response()


@bp.errorhandler(RateLimitExceeded)
def too_many_token_requests(_exc: RateLimitExceeded):
    """429 in OAuth's error shape once too many token requests were refused."""
    return oauth.too_many_requests()

"""The `/fhir` blueprint: FHIR R4 JSON, bearer tokens, OperationOutcome errors."""

from __future__ import annotations

from flask import Blueprint

from referral.extensions import csrf

bp = Blueprint("fhir", __name__, url_prefix="/fhir")
csrf.exempt(bp)

"""The FHIR endpoints: capabilities, read, search, $everything, and the writes an EHR and a
community organization's system make."""

from __future__ import annotations

from datetime import datetime

import orjson
from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date

from referral.errors import AppError
from referral.extensions import db
from referral.fhir import writes
from referral.fhir.access import Requester, requester
from referral.fhir.blueprint import bp
from referral.fhir.capability import capability_statement
from referral.fhir.codes import MIME
from referral.fhir.everything import everything
from referral.fhir.outcome import FhirError, Issue, fail, operation_outcome
from referral.fhir.resolve import includes
from referral.fhir.search import bundle, parse
from referral.fhir.sources import SOURCES, Context, Source

RELEASED = "2026-12-07"


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    """A FHIR JSON answer (with its ETag and Last-Modified for a single resource)."""
    response = Response(orjson.dumps(body), status=status, mimetype=MIME)
    meta = body.get("meta") or {}
    if body.get("resourceType") not in {"Bundle", "OperationOutcome", None} and meta:
        response.headers["ETag"] = f'W/"{meta["versionId"]}"'
        changed = datetime.fromisoformat(meta["lastUpdated"].replace("Z", "+00:00"))
        response.headers["Last-Modified"] = http_date(changed)
    response.headers.update(headers or {})
    return response


def context(who: Requester) -> Context:
    """This request's context: the caller and the server's base URL."""
    return Context(who, base_url())


def base_url() -> str:
    """The server's base URL as the caller reached it."""
    return request.url_root.rstrip("/") + bp.url_prefix


def source_for(resource_type: str) -> Source:
    """The source of a resource type, or 404 naming the types there are."""
    found = SOURCES.get(resource_type)
    if found is None:
        known = ", ".join(sorted(SOURCES))
        raise fail(
            404,
            "not-supported",
            f"{resource_type!r} is not a resource type served here. Served: {known}.",
            resource_type,
        )
    return found


JSON_FORMATS = {"json", "application/json", "application/fhir+json"}


@bp.before_request
def only_json():
    """This server speaks JSON: a client that accepts only XML (or asks `_format=xml`) is told
    so (406) rather than sent what it cannot read."""
    if request.endpoint == "fhir.token":
        return
    asked = request.args.get("_format")
    accepted = request.accept_mimetypes
    wants_other = asked is not None and asked.split(";")[0].strip() not in JSON_FORMATS
    if wants_other or (accepted and not accepted.best_match([MIME, "application/json"])):
        raise fail(
            406,
            "not-supported",
            "This server answers FHIR JSON only (application/fhir+json).",
            "_format" if wants_other else None,
        )


@bp.get("/metadata")
def metadata():
    """The CapabilityStatement (no token needed, as FHIR clients expect)."""
    version = current_app.config.get("VERSION", "0.1.0")
    return fhir_response(capability_statement(base_url(), version, RELEASED))


@bp.get("/<resource_type>")
def search(resource_type: str):
    """Search one resource type: a searchset Bundle of one page, with what it includes."""
    source = source_for(resource_type)
    who = requester()
    who.require(resource_type, "read")
    query = parse(request.args, source.params, set(source.includes), resource_type)
    ctx = context(who)
    found, total = source.search(ctx, query)
    included = includes(ctx, source, found, query.includes)
    who.record_many({f.patient_id for f in found + included}, "fhir-search", resource_type)
    entries = [f.resource for f in found]
    return fhir_response(
        bundle(
            resource_type,
            ctx.base,
            entries,
            [f.resource for f in included],
            total,
            query,
            request.args,
        )
    )


@bp.get("/<resource_type>/<resource_id>")
def read(resource_type: str, resource_id: str):
    """Read one resource (404 when it does not exist or the caller may not see it)."""
    source = source_for(resource_type)
    who = requester()
    who.require(resource_type, "read")
    found = source.read(context(who), resource_id)
    who.record(found.patient_id, "fhir-read", f"{resource_type}/{resource_id}")
    return fhir_response(found.resource)


@bp.get("/Patient/<resource_id>/$everything")
def patient_everything(resource_id: str):
    """Everything about one patient the caller may see, as one Bundle."""
    who = requester()
    who.require("Patient", "read")
    ctx = context(who)
    body = everything(ctx, resource_id)
    who.record(int(resource_id), "fhir-everything", f"Patient/{resource_id}")
    return fhir_response(body)


@bp.post("/QuestionnaireResponse")
def create_questionnaire_response():
    """An EHR's screening: scored here, answered with what it found (201)."""
    who = requester()
    who.require("QuestionnaireResponse", "write")
    ctx = context(who)
    body, location = writes.create_screening(ctx, writes.read_body("QuestionnaireResponse"))
    if "return=representation" in request.headers.get("Prefer", ""):
        body = body["entry"][0]["resource"]
    return fhir_response(body, 201, {"Location": location})


@bp.post("")
@bp.post("/")
def transaction():
    """A transaction Bundle: a ServiceRequest with its Task makes a referral."""
    who = requester()
    who.require("ServiceRequest", "write")
    ctx = context(who)
    return fhir_response(writes.transaction(ctx, writes.read_body("Bundle")))


@bp.put("/Task/<resource_id>")
def update_task(resource_id: str):
    """The receiving organization's system moves a referral on by updating its Task."""
    who = requester()
    who.require("Task", "write")
    ctx = context(who)
    body = writes.update_task(
        ctx, resource_id, writes.read_body("Task"), request.headers.get("If-Match")
    )
    return fhir_response(body)


def outcome_response(status: int, issues: list[Issue], headers: dict | None = None) -> Response:
    """An OperationOutcome answer, after undoing the request's changes."""
    db.session.rollback()
    extra = dict(headers or {})
    if status == 401:
        extra.setdefault("WWW-Authenticate", 'Bearer realm="fhir"')
    return fhir_response(operation_outcome(issues), status, extra)


@bp.errorhandler(FhirError)
def handle_fhir_error(exc: FhirError):
    """A refused FHIR request."""
    return outcome_response(exc.status, exc.issues, exc.headers)


APP_ERROR_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    412: "conflict",
    422: "processing",
}


def app_error_outcome(exc: AppError) -> Response:
    """A domain error raised under /fhir, as an OperationOutcome."""
    code = APP_ERROR_CODES.get(exc.status, "processing")
    return outcome_response(exc.status, [Issue(code, exc.message, exc.field)])


def http_error_outcome(exc: HTTPException) -> Response:
    """Flask's own errors under /fhir (no such address, wrong method), as OperationOutcomes."""
    codes = {404: "not-found", 405: "not-supported", 413: "too-long", 415: "not-supported"}
    issue = Issue(codes.get(exc.code, "exception"), exc.description or exc.name)
    return outcome_response(exc.code or 500, [issue])

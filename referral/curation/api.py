"""The curation API: read, edit and verify services, organizations and locations; the stale,
duplicates, flags and update-request queues. Curators and admins only, except reporting a
problem with a listing, which anyone signed in may do."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from referral.api.requests import is_whole, json_body, whole_version
from referral.auth.access import json_api, require_roles
from referral.curation import flags, merging, operations, requests
from referral.curation.editing import location_document, organization_document
from referral.directory.hsds.writer import service_document
from referral.directory.models import as_utc
from referral.errors import BadInput

bp = Blueprint("curation_api", __name__, url_prefix="/api/v1")
json_api(bp)
CURATORS = ("curator", "admin")
KINDS = {"services": "service", "organizations": "organization", "locations": "location"}


def kind_of(plural: str) -> str:
    """The record kind a URL names."""
    if plural not in KINDS:
        raise BadInput(f"Unknown kind of record {plural!r}.")
    return KINDS[plural]


def shown(kind: str, record_id: str) -> dict:
    """A record as the curation API shows it: HSDS fields, its version and last verification."""
    if kind == "service":
        package = operations.load_package(kind, record_id)
        body = service_document(package, record_id)
        body["last_verified"] = operations.as_date(package.services[record_id].last_verified)
    else:
        record = operations.current_record(kind, record_id)
        body = {"id": record_id, **DOCUMENTS[kind](record)}
    body["version"] = operations.version_of(kind, record_id)
    return body


DOCUMENTS = {"organization": organization_document, "location": location_document}


@bp.get("/<any(services, organizations, locations):plural>/<record_id>")
@require_roles(*CURATORS)
def read(plural: str, record_id: str):
    """One record with its version, ready to edit."""
    return jsonify(shown(kind_of(plural), record_id))


@bp.patch("/<any(services, organizations, locations):plural>/<record_id>")
@require_roles(*CURATORS)
def edit(plural: str, record_id: str):
    """Change fields of a record; 409 on a stale version, 422 listing every invalid field."""
    kind, patch = kind_of(plural), json_body()
    version = patch.pop("version", None) or request.headers.get("If-Match")
    operations.edit_record(kind, record_id, patch, current_user, whole_version(version))
    return jsonify(shown(kind, record_id))


@bp.get("/<any(services, organizations, locations):plural>/<record_id>/history")
@require_roles(*CURATORS)
def history(plural: str, record_id: str):
    """Every field-level change of a record, newest first."""
    kind = kind_of(plural)
    changes = operations.history(kind, record_id)
    if not changes:
        operations.load_package(kind, record_id)
    return jsonify({"results": [operations.change_json(c) for c in changes]})


@bp.post("/services/<service_id>/verify")
@require_roles(*CURATORS)
def verify(service_id: str):
    """Mark a service verified today, with no other change."""
    operations.verify_services([service_id], current_user)
    return jsonify(shown("service", service_id))


@bp.post("/curation/verify")
@require_roles(*CURATORS)
def verify_many():
    """Mark several services verified today: all of them, or none."""
    ids = json_body().get("service_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise BadInput("service_ids must be a list of service ids.", field="service_ids")
    return jsonify({"verified": operations.verify_services(ids, current_user)})


@bp.get("/curation/stale")
@require_roles(*CURATORS)
def stale():
    """Services not verified in `days` days (default 180), the most referred first."""
    days = number_arg("days", operations.STALE_DAYS, 0, 36500)
    limit, offset = number_arg("limit", 100, 1, 1000), number_arg("offset", 0, 0, 10**7)
    rows, total = operations.stale_services(days, limit, offset)
    return jsonify(
        {
            "total": total,
            "days": days,
            "results": [
                {
                    "id": service.id,
                    "name": service.name,
                    "organization_name": organization,
                    "last_verified": operations.as_date(service.last_verified),
                    "referrals": referrals,
                    "open_flags": open_flags,
                    "version": service.version,
                }
                for service, organization, referrals, open_flags in rows
            ],
        }
    )


def number_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole-number query argument within bounds, or 400 naming it."""
    raw = request.args.get(name, str(default)).strip()
    if not is_whole(raw) or not low <= int(raw) <= high:
        raise BadInput(f"{name} must be a whole number from {low} to {high}.", field=name)
    return int(raw)


@bp.get("/curation/duplicates")
@require_roles(*CURATORS)
def duplicates():
    """Likely duplicate services (or `kind=organization`): a score and the fields that match."""
    kind = request.args.get("kind", "service")
    pairs = merging.duplicate_pairs(kind, number_arg("limit", 200, 1, 2000))
    return jsonify(
        {
            "kind": kind,
            "results": [
                {
                    "left_id": p.left_id,
                    "right_id": p.right_id,
                    "score": round(p.score, 1),
                    "matches": list(p.matches),
                }
                for p in pairs
            ],
        }
    )


@bp.post("/curation/duplicates/merge")
@require_roles(*CURATORS)
def merge():
    """Merge `other_id` into `keep_id` (`take`: the fields to take from the other)."""
    data = json_body()
    kind, keep, other = data.get("kind", "service"), data.get("keep_id"), data.get("other_id")
    versions = data.get("versions")
    if not isinstance(versions, list) or len(versions) != 2:
        raise BadInput("versions must list the two records' versions.", field="versions")
    versions = tuple(whole_version(v) for v in versions)
    if kind not in merging.KINDS:
        raise BadInput(f"kind must be one of: {', '.join(merging.KINDS)}.", field="kind")
    if kind == "organization":
        merging.merge_organizations(str(keep), str(other), versions, current_user)
    else:
        take = data.get("take") or []
        if not isinstance(take, list) or not all(isinstance(f, str) for f in take):
            raise BadInput("take must list the names of the fields to take.", field="take")
        merging.merge_services(str(keep), str(other), take, versions, current_user)
    return jsonify(shown(kind, str(keep)))


@bp.post("/curation/duplicates/dismiss")
@require_roles(*CURATORS)
def dismiss():
    """Say two records are not duplicates."""
    data = json_body()
    merging.not_duplicates(
        data.get("kind", "service"),
        str(data.get("left_id")),
        str(data.get("right_id")),
        current_user,
    )
    return jsonify({"ok": True})


@bp.get("/curation/flags")
@require_roles(*CURATORS)
def flag_queue():
    """Open flags from referral outcomes and people's reports, with their evidence."""
    return jsonify({"results": [flags.flag_json(*row) for row in flags.flag_queue()]})


@bp.post("/curation/flags/<int:flag_id>")
@require_roles(*CURATORS)
def review(flag_id: int):
    """Close a flag as resolved or dismissed."""
    data = json_body()
    flag = flags.review_flag(
        flag_id, str(data.get("status", "")), str(data.get("note", "")), current_user
    )
    return jsonify(flags.flag_json(flag))


@bp.post("/services/<service_id>/flags")
@require_roles()
def report(service_id: str):
    """Anyone signed in reports a problem with a listing (phone disconnected, closed, …)."""
    data = json_body()
    flag = flags.report_problem(
        service_id, str(data.get("reason", "")), str(data.get("note", "")), current_user
    )
    return jsonify(flags.flag_json(flag)), 201


@bp.get("/curation/requests")
@require_roles(*CURATORS)
def request_queue():
    """Update requests from organizations waiting for a decision."""
    return jsonify({"results": [request_json(r) for r in requests.pending_requests()]})


@bp.post("/curation/requests/<int:request_id>")
@require_roles(*CURATORS)
def decide(request_id: int):
    """Approve or reject each proposed field: `{"decisions": {"name": "approve", …}}`."""
    decisions = json_body().get("decisions")
    if not isinstance(decisions, dict):
        raise BadInput("decisions must map each proposed field to approve or reject.")
    return jsonify(request_json(requests.decide_request(request_id, decisions, current_user)))


def request_json(request_) -> dict:
    """An update request as the API shows it."""
    return {
        "id": request_.id,
        "service_id": request_.service_id,
        "proposed": request_.proposed,
        "current": request_.current,
        "submitted_by": request_.submitted_by,
        "contact": request_.contact,
        "submitted_at": as_utc(request_.submitted_at).isoformat(),
        "status": request_.status,
        "decisions": request_.decisions,
    }


@bp.patch("/taxonomy_terms/<term_id>")
@require_roles(*CURATORS)
def edit_term(term_id: str):
    """Rename or describe a taxonomy term (`name`, `code`, `description`)."""
    changes = operations.edit_term(term_id, json_body(), current_user)
    return jsonify({"id": term_id, "changed": [c.field for c in changes]})

"""Update requests: an organization proposes changes to its own listing through a signed link,
and a curator approves or rejects each proposed field."""

from __future__ import annotations

from sqlalchemy import select

from referral.curation.editing import EditContext, edit_service, service_document
from referral.curation.models import UpdateRequest
from referral.curation.operations import (
    EditProblems,
    current_record,
    edit_record,
    version_of,
)
from referral.directory.models import utcnow
from referral.errors import BadInput, Conflict, NotFound, Refused
from referral.extensions import db
from referral.referrals.links import sign, unsign

SALT = "service-update-request"
PROPOSABLE = (
    "name",
    "description",
    "url",
    "email",
    "phones",
    "schedules",
    "hours_text",
    "languages",
    "application_process",
    "eligibility_description",
    "fees_description",
    "required_documents",
)
DECISIONS = ("approve", "reject")
EXPIRED = "This link has expired. Ask us for a new one."


def request_token(secret: str, service_id: str) -> str:
    """The signed token of a service's update-request link."""
    return sign(secret, SALT, "service", service_id)


def service_of(secret: str, token: str, days: int) -> str:
    """The service a token names, if it is genuine and not older than `days`."""
    return unsign(secret, SALT, token, "service", str, days, EXPIRED)


def submit_request(service_id: str, proposed: dict, submitted_by: str, contact: str):
    """Keep the fields an organization changed (checked like a curator's edit) for review."""
    record = current_record("service", service_id)
    current = service_document(record)
    changed = {
        field: value
        for field, value in proposed.items()
        if field in PROPOSABLE and value != current.get(field)
    }
    if not changed:
        raise Refused("Nothing was changed, so there is nothing to send.")
    edit = edit_service(record, changed, EditContext())
    if not edit.ok:
        raise EditProblems(edit.problems)
    if not submitted_by.strip():
        raise BadInput("Tell us your name so we can thank you.", field="submitted_by")
    request_ = UpdateRequest(
        service_id=service_id,
        proposed=changed,
        current={field: current.get(field) for field in changed},
        submitted_by=submitted_by.strip()[:200],
        contact=contact.strip()[:200],
    )
    db.session.add(request_)
    db.session.flush()
    return request_


def pending_requests() -> list[UpdateRequest]:
    """Update requests waiting for a curator, oldest first."""
    query = select(UpdateRequest).where(UpdateRequest.status == "pending")
    return list(db.session.scalars(query.order_by(UpdateRequest.submitted_at)))


def decide_request(request_id: int, decisions: dict[str, str], user) -> UpdateRequest:
    """Apply the approved fields of a request to the service and close the request."""
    request_ = db.session.get(UpdateRequest, request_id)
    if request_ is None:
        raise NotFound("There is no update request with that id.")
    if request_.status != "pending":
        raise Conflict(f"This request was already {request_.status}.")
    check_decisions(request_, decisions)
    approved = {f: v for f, v in request_.proposed.items() if decisions[f] == "approve"}
    if approved:
        apply_approved(request_.service_id, approved, user)
    request_.decisions = dict(decisions)
    request_.status = outcome_of(decisions)
    request_.decided_by, request_.decided_at = user.id, utcnow()
    return request_


def check_decisions(request_: UpdateRequest, decisions: dict[str, str]) -> None:
    """Every proposed field needs a decision of approve or reject."""
    for field in request_.proposed:
        if decisions.get(field) not in DECISIONS:
            raise BadInput(f"Approve or reject the proposed {field}.", field=field)


def apply_approved(service_id: str, approved: dict, user) -> None:
    """Edit the service with the approved fields, recorded as coming from the request."""
    version = version_of("service", service_id)
    edit_record("service", service_id, approved, user, version, action="update-request")


def outcome_of(decisions: dict[str, str]) -> str:
    """approved, rejected, or partly approved."""
    chosen = set(decisions.values())
    if chosen == {"approve"}:
        return "approved"
    return "rejected" if chosen == {"reject"} else "partly approved"

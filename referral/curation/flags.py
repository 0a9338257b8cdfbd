"""Raising flags on services from referral outcomes, for the curators' review queue."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from referral.curation.flagging import FLAG_OUTCOMES, OutcomeReport, outcome_flags
from referral.curation.models import ServiceFlag
from referral.directory.models import Organization, Service, as_utc, utcnow
from referral.errors import BadInput, Conflict, NotFound
from referral.extensions import db
from referral.referrals.models import Referral

OUTCOME_SOURCE = "referral-outcomes"


def flag_from_outcomes(service_id: str, now: datetime, threshold: int, window_days: int) -> None:
    """Open or update the service's flags that its recent referral outcomes call for."""
    found = outcome_flags(
        recent_reports(service_id, now - timedelta(days=window_days)),
        now,
        closed_since(service_id),
        threshold,
        window_days,
    )
    for reason, reports in found.items():
        flag = open_flag(service_id, reason) or new_flag(service_id, reason, now)
        flag.evidence = [report.evidence() for report in reports]
        flag.updated_at = now


def recent_reports(service_id: str, start: datetime) -> list[OutcomeReport]:
    """The service's referral outcomes that can raise a flag, since `start`."""
    rows = db.session.execute(
        select(Referral.id, Referral.outcome, Referral.outcome_source, Referral.closed_at).where(
            Referral.service_id == service_id,
            Referral.outcome.in_(FLAG_OUTCOMES),
            Referral.status != "entered-in-error",
            Referral.closed_at >= start,
        )
    )
    return [
        OutcomeReport(r.id, r.outcome, r.outcome_source or "", as_utc(r.closed_at)) for r in rows
    ]


def closed_since(service_id: str) -> dict[str, datetime]:
    """When a curator last closed each reason's flag on the service."""
    rows = db.session.execute(
        select(ServiceFlag.reason, func.max(ServiceFlag.resolved_at))
        .where(ServiceFlag.service_id == service_id, ServiceFlag.source == OUTCOME_SOURCE)
        .where(ServiceFlag.status != "open", ServiceFlag.resolved_at.is_not(None))
        .group_by(ServiceFlag.reason)
    )
    return {reason: as_utc(at) for reason, at in rows}


def open_flag(service_id: str, reason: str) -> ServiceFlag | None:
    """The service's open flag for `reason` from referral outcomes, if there is one."""
    return db.session.scalar(
        select(ServiceFlag).where(
            ServiceFlag.service_id == service_id,
            ServiceFlag.source == OUTCOME_SOURCE,
            ServiceFlag.reason == reason,
            ServiceFlag.status == "open",
        )
    )


def new_flag(service_id: str, reason: str, now: datetime) -> ServiceFlag:
    """A new open flag on the service."""
    flag = ServiceFlag(
        service_id=service_id, source=OUTCOME_SOURCE, reason=reason, created_at=now, evidence=[]
    )
    db.session.add(flag)
    return flag


def open_flags(service_id: str | None = None) -> list[ServiceFlag]:
    """The open flags, newest first, of one service or of all."""
    query = select(ServiceFlag).where(ServiceFlag.status == "open")
    if service_id is not None:
        query = query.where(ServiceFlag.service_id == service_id)
    return list(db.session.scalars(query.order_by(ServiceFlag.updated_at.desc())))


STAFF_SOURCE = "staff-report"
STAFF_REASONS = {
    "phone-disconnected": "Phone disconnected or wrong",
    "closed": "Closed, or no longer offers this",
    "wrong-hours": "Wrong hours",
    "wrong-address": "Wrong address",
    "wrong-eligibility": "Wrong eligibility",
    "other": "Something else",
}
REVIEW_STATES = ("resolved", "dismissed")


def report_problem(service_id: str, reason: str, note: str, user) -> ServiceFlag:
    """Record a person's report that a listing is wrong, on the service's open flag for that
    reason (or a new one)."""
    if reason not in STAFF_REASONS:
        raise BadInput(f"reason must be one of: {', '.join(STAFF_REASONS)}.", field="reason")
    if db.session.get(Service, service_id) is None:
        raise NotFound(f"There is no service with id {service_id!r}.")
    now = utcnow()
    flag = staff_flag(service_id, reason) or ServiceFlag(
        service_id=service_id, source=STAFF_SOURCE, reason=reason, created_at=now, evidence=[]
    )
    db.session.add(flag)
    evidence = {"by": user.username, "role": user.role, "at": now.isoformat(), "note": note[:1000]}
    flag.evidence = [*(flag.evidence or []), evidence]
    flag.updated_at = now
    db.session.flush()
    return flag


def staff_flag(service_id: str, reason: str) -> ServiceFlag | None:
    """The service's open flag from people's reports for `reason`, if any."""
    return db.session.scalar(
        select(ServiceFlag).where(
            ServiceFlag.service_id == service_id,
            ServiceFlag.source == STAFF_SOURCE,
            ServiceFlag.reason == reason,
            ServiceFlag.status == "open",
        )
    )


def review_flag(flag_id: int, status: str, note: str, user) -> ServiceFlag:
    """Close a flag as resolved (the listing was fixed) or dismissed (it was right)."""
    flag = db.session.get(ServiceFlag, flag_id)
    if flag is None:
        raise NotFound("There is no flag with that id.")
    if status not in REVIEW_STATES:
        raise BadInput(f"status must be one of: {', '.join(REVIEW_STATES)}.", field="status")
    if flag.status != "open":
        raise Conflict(f"This flag was already {flag.status}.", field="status")
    flag.status, flag.note = status, note[:1000]
    flag.resolved_by, flag.resolved_at = user.id, utcnow()
    return flag


def flag_queue(limit: int = 500) -> list[tuple[ServiceFlag, str, str]]:
    """Open flags with their service's and organization's names, the most evidence first."""
    rows = db.session.execute(
        select(ServiceFlag, Service.name, Organization.name)
        .join(Service, Service.id == ServiceFlag.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(ServiceFlag.status == "open")
        .order_by(ServiceFlag.updated_at.desc())
        .limit(limit)
    )
    found = [tuple(row) for row in rows]
    return sorted(found, key=lambda row: -len(row[0].evidence or []))


def flag_json(flag: ServiceFlag, service_name: str = "", organization: str = "") -> dict:
    """A flag as the API shows it."""
    return {
        "id": flag.id,
        "service_id": flag.service_id,
        "service_name": service_name,
        "organization_name": organization,
        "source": flag.source,
        "reason": flag.reason,
        "label": STAFF_REASONS.get(flag.reason, flag.reason.replace("-", " ")),
        "evidence": flag.evidence or [],
        "status": flag.status,
        "note": flag.note,
        "created_at": as_utc(flag.created_at).isoformat(),
        "updated_at": as_utc(flag.updated_at).isoformat(),
    }

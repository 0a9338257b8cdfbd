"""Raising flags on services from referral outcomes, for the curators' review queue."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from referral.curation.flagging import FLAG_OUTCOMES, OutcomeReport, outcome_flags
from referral.curation.models import ServiceFlag
from referral.directory.models import as_utc
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

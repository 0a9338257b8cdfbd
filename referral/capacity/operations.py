"""Setting and reading a service's capacity: checked by the rules, kept in the change history,
and in search as soon as the request commits. Helpers flush; the request commits."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from referral.capacity import rules
from referral.capacity.access import may_set_capacity
from referral.capacity.models import HISTORY_ACTION, ServiceCapacity, capacity_record
from referral.curation.editing import FieldChange
from referral.curation.operations import record_changes, reindex_after_commit
from referral.directory.models import Service, as_utc, utcnow
from referral.errors import BadInput, Forbidden, NotFound
from referral.extensions import db
from referral.search.hours import local_now


class CapacityProblems(BadInput):
    """A capacity with invalid fields: 400 naming each one and what to do."""

    code = "invalid_fields"

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(f"{field}: {message}" for field, message in problems.items())
        super().__init__(f"Fix these fields: {listed}", field=next(iter(problems)))


def clinic_today() -> date:
    """Today on the installation's clock (its default time zone)."""
    return local_now(current_app.config["REFERRAL"]["DEFAULT_TIMEZONE"]).date()


def service_or_404(service_id: str, lock: bool = False) -> Service:
    """The service row (held until the request ends when `lock`), or 404."""
    query = select(Service).where(Service.id == service_id)
    service = db.session.scalar(query.with_for_update() if lock else query)
    if service is None:
        raise NotFound(f"There is no service with id {service_id!r}. Check the id and try again.")
    return service


def stored_capacity(service_id: str) -> rules.Capacity | None:
    """The capacity last set for a service, or None when nobody set one."""
    row = db.session.get(ServiceCapacity, service_id)
    return capacity_record(row) if row is not None else None


def capacity_of(service_id: str) -> rules.Capacity:
    """The capacity in effect today for a service (accepting when none was set), or 404."""
    service_or_404(service_id)
    return rules.current(stored_capacity(service_id), clinic_today())


def may_set(user, service_id: str) -> bool:
    """Whether a signed-in user may set the capacity of the service with this id."""
    service = db.session.get(Service, service_id)
    return service is not None and user.is_authenticated and may_set_capacity(user, service)


def set_capacity(service_id: str, data: dict, user) -> rules.Capacity:
    """Set a service's capacity: 404, 403 or 400 naming each bad field; each changed field is
    recorded and the service's search documents follow at commit."""
    service = service_or_404(service_id, lock=True)
    if not may_set_capacity(user, service):
        raise Forbidden(
            "Only the organization that answers for this service, or a curator, can say whether "
            "it takes referrals. Ask a curator to change it."
        )
    wanted, problems = rules.read(data, clinic_today())
    if problems:
        raise CapacityProblems(problems)
    before = stored_capacity(service_id) or rules.Capacity()
    row = save(service_id, wanted, user)
    record_changes("service", service_id, HISTORY_ACTION, changes(before, wanted), user)
    reindex_after_commit([service_id])
    return capacity_record(row)


def save(service_id: str, wanted: rules.Capacity, user) -> ServiceCapacity:
    """Write the capacity row, who set it and when."""
    row = db.session.get(ServiceCapacity, service_id) or ServiceCapacity(service_id=service_id)
    row.status, row.until, row.note = wanted.status, wanted.until, wanted.note
    row.set_by, row.user_id, row.set_at = user.username, user.id, utcnow()
    db.session.add(row)
    db.session.flush()
    return row


def changes(before: rules.Capacity, after: rules.Capacity) -> list[FieldChange]:
    """The capacity fields that differ, as change-history entries (`capacity.status`, …)."""
    found = []
    for name in rules.FIELDS:
        old, new = as_text(getattr(before, name)), as_text(getattr(after, name))
        if old != new:
            found.append(FieldChange(f"capacity.{name}", old, new))
    return found


def as_text(value) -> str:
    """A capacity field as the change history keeps it."""
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def capacity_json(capacity: rules.Capacity) -> dict:
    """The capacity document of the API."""
    return {
        "status": capacity.status,
        "until": capacity.until.isoformat() if capacity.until else None,
        "note": capacity.note,
        "set_by": capacity.set_by or None,
        "set_at": as_utc(capacity.set_at).isoformat() if capacity.set_at else None,
    }

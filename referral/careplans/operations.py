"""Needs, goals and interventions: made, changed with their histories, and shown. Helpers
flush; the request commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from referral.careplans import codes, rules
from referral.careplans.models import Goal, GoalEvent, Intervention, Need, NeedEvent
from referral.directory.models import MAX_ID, as_utc, utcnow
from referral.directory.needs import NEED_KEYS, NEED_LABELS
from referral.errors import BadInput, Conflict, NotFound, Refused
from referral.extensions import db
from referral.network.scope import may_see_patient
from referral.patients.models import Patient
from referral.patients.operations import record_access


def refused(exc: rules.RuleError) -> Refused:
    """A rule's refusal as the 422 the API answers."""
    return Refused(exc.message, field=exc.field)


def active_need(patient_id: int, domain: str) -> Need | None:
    """The patient's active need of a domain, if there is one."""
    return db.session.scalar(
        select(Need)
        .where(Need.patient_id == patient_id, Need.domain == domain, Need.status == "active")
        .order_by(Need.id)
        .limit(1)
    )


def open_need(patient_id: int, domain: str, **fields) -> Need:
    """A new active need with the first event of its history."""
    actor = fields.pop("actor")
    need = Need(patient_id=patient_id, domain=domain, status="active", **fields)
    db.session.add(need)
    db.session.flush()
    db.session.add(
        NeedEvent(need_id=need.id, to_status="active", user_id=need.created_by, actor=actor)
    )
    return need


def need_for_referral(patient_id: int, domain: str, user_id: int | None, actor: str) -> Need:
    """The active need a new referral serves: the patient's of that domain, made if none."""
    found = active_need(patient_id, domain)
    if found is not None:
        return found
    return open_need(
        patient_id,
        domain,
        z_code=codes.default_z_code(domain),
        source="manual",
        note="Added with a referral.",
        created_by=user_id,
        actor=actor,
    )


def needs_from_screening(screening, actor: str) -> list[Need]:
    """The needs a screening found, as needs of the patient, unless one of that domain is
    already active."""
    made = []
    for found in screening.needs or []:
        domain = found.get("need")
        if domain not in NEED_KEYS or active_need(screening.patient_id, domain) is not None:
            continue
        made.append(
            open_need(
                screening.patient_id,
                domain,
                z_code=(found.get("z_codes") or [None])[0],
                source="screening",
                screening_id=screening.id,
                created_by=screening.created_by,
                actor=actor,
            )
        )
    return made


def checked_z_code(domain: str, value) -> str | None:
    """A need's Z code: one the domain's screenings suggest, or any well-formed Z code that
    belongs to no other domain; none given, the domain's only first suggestion."""
    if value in (None, ""):
        return codes.default_z_code(domain)
    if not isinstance(value, str) or not codes.Z_CODE.match(value.strip().upper()):
        raise Refused("z_code must be an ICD-10-CM Z code such as Z59.41.", field="z_code")
    code = value.strip().upper()
    owner = codes.z_code_domain(code)
    if owner not in (None, domain):
        suggested = ", ".join(codes.domain_z_codes().get(domain, ())) or "none suggested"
        raise Refused(
            f"{code} is a code for {owner} needs, not {domain} (for {domain}: {suggested}).",
            field="z_code",
        )
    return code


def need_key(domain) -> str | None:
    """The need key a domain names: a need key itself, or a screening's domain key
    (food-insecurity → food); None for anything else."""
    if not isinstance(domain, str):
        return None
    return domain if domain in NEED_KEYS else codes.screening_domain_needs().get(domain)


def add_need(patient: Patient, data: dict, user) -> Need:
    """Add a need by hand; a second active need of the same domain is refused."""
    domain = need_key(data.get("domain"))
    if domain is None:
        raise BadInput(
            f"domain must be one of: {', '.join(NEED_KEYS)} (or a screening's domain key, "
            "such as food-insecurity).",
            field="domain",
        )
    z_code = checked_z_code(domain, data.get("z_code"))
    try:
        note = rules.text(data.get("note"), "note", required=False)
    except rules.RuleError as exc:
        raise refused(exc) from exc
    existing = active_need(patient.id, domain)
    if existing is not None:
        raise Conflict(
            f"{patient.full_name} already has an active {domain} need (need {existing.id}). "
            "Add goals and services to that one, or resolve it first.",
            field="domain",
        )
    need = open_need(
        patient.id,
        domain,
        z_code=z_code,
        note=note,
        source="manual",
        created_by=user.id,
        actor=user.username,
    )
    record_access(user.id, patient.id, "create", f"need:{need.id}")
    return need


def check_version(record, version: int | None) -> None:
    """Refuse a change made from a version that is no longer current."""
    if version is not None and version != record.version:
        raise Conflict(
            f"This record changed since you loaded it (version {version}, now "
            f"{record.version}). Reload it and make your change again.",
            field="version",
        )


CHANGED_MEANWHILE = "Someone else changed this at the same moment. Reload it and try again."


def flush_checked(message: str = CHANGED_MEANWHILE) -> None:
    """Write the changes, answering 409 with `message` when someone else changed the record
    meanwhile (its version moved on)."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(message, field="version") from None


def by(user, model, **fields):
    """A history event made by the user."""
    return model(user_id=user.id, actor=user.username, **fields)


def change_need(need: Need, data: dict, user, version: int | None) -> Need:
    """Move a need to a new status as the rules allow, recording why in its history."""
    check_version(need, version)
    try:
        change = rules.need_change(need.status, data.get("status"), data.get("reason"))
        note = rules.text(data.get("note"), "note", required=False)
    except rules.RuleError as exc:
        raise refused(exc) from exc
    if change.to_status == "active":
        other = active_need(need.patient_id, need.domain)
        if other is not None:
            raise Conflict(
                f"Need {other.id} is already the active {need.domain} need.", field="status"
            )
    now = utcnow()
    need.status, need.reason, need.updated_at = change.to_status, change.reason, now
    need.resolved_at = now if change.to_status in ("resolved", "declined") else None
    db.session.add(
        by(
            user,
            NeedEvent,
            need_id=need.id,
            from_status=change.from_status,
            to_status=change.to_status,
            reason=change.reason,
            note=note,
            at=now,
        )
    )
    record_access(user.id, need.patient_id, "update", f"need:{need.id}")
    flush_checked()
    return need


def visible(model, record_id: int, user, what: str):
    """A need, goal or intervention of a patient the user's care team sees, or 404."""
    found = db.session.get(model, record_id) if 0 < record_id <= MAX_ID else None
    if found is None or not may_see_patient(user, db.session.get(Patient, found.patient_id)):
        raise NotFound(f"There is no {what} with that id.")
    return found


def patient_needs(patient_id: int) -> list[Need]:
    """A patient's needs, active first, then newest."""
    found = db.session.scalars(select(Need).where(Need.patient_id == patient_id))
    return sorted(found, key=lambda n: (n.status != "active", -n.id))


def patient_goals(patient_id: int) -> list[Goal]:
    """A patient's goals, soonest target first."""
    query = select(Goal).where(Goal.patient_id == patient_id)
    return list(db.session.scalars(query.order_by(Goal.target_date, Goal.id)))


def patient_interventions(patient_id: int) -> list[Intervention]:
    """A patient's interventions, newest first."""
    query = select(Intervention).where(Intervention.patient_id == patient_id)
    return list(db.session.scalars(query.order_by(Intervention.at.desc(), Intervention.id.desc())))


def patients_need(patient: Patient, need_id, field: str = "need_id") -> Need:
    """One of the patient's needs by id, or 422 naming the field."""
    if not isinstance(need_id, int) or isinstance(need_id, bool):
        raise BadInput(f"{field} must be the id of one of the patient's needs.", field=field)
    need = db.session.get(Need, need_id) if 0 < need_id <= MAX_ID else None
    if need is None or need.patient_id != patient.id:
        raise Refused(f"{patient.full_name} has no need with id {need_id}.", field=field)
    return need


def add_goal(patient: Patient, data: dict, user, today: date) -> Goal:
    """Agree a goal for one of the patient's active needs, by a date not in the past."""
    need = patients_need(patient, data.get("need_id"))
    if need.status != "active":
        raise Refused(
            f"The {need.domain} need is {need.status}; goals are set for active needs.",
            field="need_id",
        )
    try:
        description = rules.text(data.get("description"), "description")
        target = rules.target_date(data.get("target_date"), today)
    except rules.RuleError as exc:
        raise refused(exc) from exc
    system, code, display = codes.goal_code(need.domain) or (None, None, None)
    goal = Goal(
        patient_id=patient.id,
        need_id=need.id,
        description=description,
        code_system=system,
        code=code,
        code_display=display,
        target_date=target,
        achievement_status="in-progress",
        lifecycle_status="active",
        created_by=user.id,
    )
    db.session.add(goal)
    db.session.flush()
    db.session.add(
        GoalEvent(goal_id=goal.id, to_status="in-progress", user_id=user.id, actor=user.username)
    )
    record_access(user.id, patient.id, "create", f"goal:{goal.id}")
    return goal


GOAL_FIELDS = ("achievement_status", "lifecycle_status", "target_date", "description", "note")


def change_goal(goal: Goal, data: dict, user, version: int | None, today: date) -> Goal:
    """Update a goal's achievement, lifecycle, target date or wording; every status change is
    kept in its history."""
    check_version(goal, version)
    if not any(data.get(name) is not None for name in GOAL_FIELDS[:4]):
        raise BadInput(
            "Send achievement_status, lifecycle_status, target_date or description.",
            field="achievement_status",
        )
    if goal.lifecycle_status == "entered-in-error":
        raise Refused("This goal was entered in error and cannot change.", field="lifecycle_status")
    try:
        before = (goal.achievement_status, goal.lifecycle_status)
        apply_goal(goal, data, today)
        note = rules.text(data.get("note"), "note", required=False)
    except rules.RuleError as exc:
        raise refused(exc) from exc
    now = utcnow()
    goal.updated_at = now
    for old, new in zip(before, (goal.achievement_status, goal.lifecycle_status), strict=True):
        if old != new:
            db.session.add(
                by(
                    user,
                    GoalEvent,
                    goal_id=goal.id,
                    from_status=old,
                    to_status=new,
                    note=note,
                    at=now,
                )
            )
    record_access(user.id, goal.patient_id, "update", f"goal:{goal.id}")
    flush_checked()
    return goal


def apply_goal(goal: Goal, data: dict, today: date) -> None:
    """Set the fields of a goal that `data` gives, as the rules allow."""
    if data.get("description") is not None:
        goal.description = rules.text(data["description"], "description")
    if data.get("target_date") is not None:
        goal.target_date = rules.target_date(data["target_date"], today)
    if data.get("achievement_status") is not None:
        goal.achievement_status = rules.achievement(
            goal.achievement_status, data["achievement_status"]
        )
        goal.lifecycle_status = rules.lifecycle_after(
            goal.lifecycle_status, goal.achievement_status
        )
    if data.get("lifecycle_status") is not None:
        goal.lifecycle_status = rules.lifecycle(goal.lifecycle_status, data["lifecycle_status"])


def add_intervention(patient: Patient, data: dict, user) -> Intervention:
    """Record education given, counseling or other help for the patient (for a need or not)."""
    need_id = data.get("need_id")
    need = patients_need(patient, need_id) if need_id is not None else None
    try:
        kind = rules.intervention_kind(data.get("kind"))
        description = rules.text(data.get("description"), "description")
    except rules.RuleError as exc:
        raise refused(exc) from exc
    intervention = Intervention(
        patient_id=patient.id,
        need_id=need.id if need else None,
        kind=kind,
        description=description,
        at=given_time(data.get("at")),
        created_by=user.id,
    )
    db.session.add(intervention)
    db.session.flush()
    record_access(user.id, patient.id, "create", f"intervention:{intervention.id}")
    return intervention


def given_time(value) -> datetime:
    """When something was done: an ISO 8601 time not in the future, now when not given."""
    if value in (None, ""):
        return utcnow()
    try:
        at = as_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        raise Refused("at must be a time such as 2026-12-07T10:30:00Z.", field="at") from None
    if at > utcnow():
        raise Refused("at is in the future: record what was done.", field="at")
    return at


def stamp(at: datetime | None) -> str | None:
    """A stored time in ISO 8601 with its zone, or None."""
    return as_utc(at).isoformat() if at else None


def domain_label(domain: str, language: str = "en") -> str:
    """A need's domain in plain words."""
    return NEED_LABELS.get(domain, {}).get(language) or domain


def event_json(event) -> dict:
    """One change in a need's or goal's history."""
    return {
        "from": event.from_status,
        "to": event.to_status,
        "note": event.note or "",
        "by": event.actor,
        "at": stamp(event.at),
    }


def need_json(need: Need) -> dict:
    """A need with its history, as the API shows it."""
    return {
        "id": need.id,
        "patient_id": need.patient_id,
        "domain": need.domain,
        "domain_label": domain_label(need.domain),
        "z_code": need.z_code,
        "z_display": codes.z_display(need.z_code),
        "note": need.note or "",
        "status": need.status,
        "reason": need.reason,
        "source": need.source,
        "screening_id": need.screening_id,
        "created_by": need.created_by,
        "created_at": stamp(need.created_at),
        "updated_at": stamp(need.updated_at),
        "resolved_at": stamp(need.resolved_at),
        "version": need.version,
        "history": [event_json(e) | {"reason": e.reason} for e in need.history],
    }


def goal_json(goal: Goal, today: date | None = None) -> dict:
    """A goal with its history, as the API shows it."""
    coded = {"system": goal.code_system, "code": goal.code, "display": goal.code_display}
    return {
        "id": goal.id,
        "patient_id": goal.patient_id,
        "need_id": goal.need_id,
        "description": goal.description,
        "code": coded if goal.code else None,
        "target_date": goal.target_date.isoformat(),
        "overdue": goal_overdue(goal, today or date.today()),
        "achievement_status": goal.achievement_status,
        "lifecycle_status": goal.lifecycle_status,
        "created_by": goal.created_by,
        "created_at": stamp(goal.created_at),
        "updated_at": stamp(goal.updated_at),
        "version": goal.version,
        "history": [event_json(e) for e in goal.history],
    }


def goal_overdue(goal: Goal, today: date) -> bool:
    """Whether an active goal not achieved is past its target date."""
    return (
        goal.lifecycle_status == "active"
        and goal.achievement_status != "achieved"
        and goal.target_date < today
    )


def intervention_json(intervention: Intervention) -> dict:
    """An intervention as the API shows it."""
    return {
        "id": intervention.id,
        "patient_id": intervention.patient_id,
        "need_id": intervention.need_id,
        "kind": intervention.kind,
        "description": intervention.description,
        "at": stamp(intervention.at),
        "created_by": intervention.created_by,
        "created_at": stamp(intervention.created_at),
    }

"""What is on a case manager's worklist, gathered from each kind of work and ranked.

Each source gives the items of one kind for the patients the case manager works with; more
sources (transitions of care, goals) add themselves to SOURCES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select, union

from referral.careplans.models import Goal
from referral.extensions import among, db
from referral.network.scope import admin_org_ids, patients_of
from referral.patients.models import Patient
from referral.patients.operations import patients_by_id, record_access
from referral.referrals.models import CLOSED_STATUSES, Referral
from referral.referrals.operations import visible_to
from referral.screenings.models import Screening
from referral.transitions.operations import last_visits, open_need_counts, transition_items
from referral.worklist.ranking import KINDS, Item, Risk, ranked, rescreening_due

HORIZON_DAYS = 7
"""Work due within this many days is listed too, after what is due now."""
MANY = 5000
"""Up to this many patients, their ids are listed in the queries; beyond, the query is."""


@dataclass(frozen=True)
class Scope:
    """Whose work it is and when: the case manager, today, the horizon and the settings."""

    user: object
    today: date
    settings: dict

    @property
    def until(self) -> date:
        """The last day whose work is listed."""
        return self.today + timedelta(days=HORIZON_DAYS)

    @cached_property
    def patient_ids(self):
        """The case manager's patients, found once for all the sources: their ids, or for
        an admin of very many the query itself (a database takes only so many values)."""
        query = my_patients(self.user)
        ids = db.session.scalars(select(query.subquery().c[0]).limit(MANY + 1)).all()
        return ids if len(ids) <= MANY else query

    def of_patients(self, column):
        """A condition: `column` holds one of the case manager's patients."""
        return among(column, self.patient_ids)


def my_patients(user):
    """The ids of the patients a case manager works with: those they registered or referred,
    and for an organization's admins every patient it sees."""
    parts = [
        visible_to(user, select(Referral.patient_id)),
        select(Patient.id).where(Patient.created_by == user.id),
    ]
    admin_of = admin_org_ids(user)
    if admin_of:
        parts.append(select(Patient.id).where(patients_of(admin_of)))
    return union(*parts)


def follow_up_items(scope: Scope) -> list[Item]:
    """Referrals whose follow-up with the patient is due."""
    columns = select(Referral.id, Referral.patient_id, Referral.follow_up_due, Referral.need)
    query = visible_to(scope.user, columns).where(
        Referral.outcome.is_(None),
        Referral.status.not_in(CLOSED_STATUSES),
        Referral.status != "on-hold",
        Referral.follow_up_due <= scope.until,
    )
    return [
        Item(
            "follow-up",
            r.patient_id,
            r.follow_up_due,
            f"Follow up on the {r.need} referral",
            f"referral:{r.id}",
        )
        for r in db.session.execute(query)
    ]


def waiting_items(scope: Scope) -> list[Item]:
    """Referrals the organization put on hold, waiting on the patient (documents, a call)."""
    query = visible_to(scope.user, select(Referral)).where(Referral.status == "on-hold")
    found = []
    for r in db.session.scalars(query):
        why = next((e.reason for e in reversed(r.history) if e.to_status == "on-hold"), "")
        due = min(r.follow_up_due or scope.today, scope.today)
        reason = f"The {r.need} referral is on hold" + (f": {why}" if why else "")
        found.append(Item("waiting-on-patient", r.patient_id, due, reason, f"referral:{r.id}"))
    return found


def rescreening_items(scope: Scope) -> list[Item]:
    """Patients due to be screened again."""
    months = scope.settings.get("RESCREEN_MONTHS", 12)
    positive_months = scope.settings.get("RESCREEN_POSITIVE_MONTHS", 3)
    found = []
    # only screenings old enough to fall due are read; a few days' margin covers month ends
    soonest = scope.until - relativedelta(months=min(months, positive_months)) + timedelta(4)
    query = select(Screening.patient_id, Screening.created_at, Screening.positive_domains)
    query = query.where(
        Screening.id.in_(latest_screenings(scope.patient_ids)),
        Screening.created_at < datetime.combine(soonest, time.min, UTC),
    )
    for s in db.session.execute(query):
        due = rescreening_due(
            s.created_at.date(), bool(s.positive_domains), months, positive_months
        )
        if due <= scope.until:
            found.append(
                Item(
                    "rescreening",
                    s.patient_id,
                    due,
                    "Due to be screened again",
                    f"patient:{s.patient_id}",
                )
            )
    return found


def latest_screenings(patient_ids):
    """A query of the ids of each patient's latest screening (ids, or a query of them)."""
    latest = select(func.max(Screening.id)).where(among(Screening.patient_id, patient_ids))
    return latest.group_by(Screening.patient_id)


def goal_items(scope: Scope) -> list[Item]:
    """Active goals not yet achieved whose target date has come."""
    columns = select(Goal.id, Goal.patient_id, Goal.target_date, Goal.description)
    query = columns.where(
        scope.of_patients(Goal.patient_id),
        Goal.lifecycle_status == "active",
        Goal.achievement_status != "achieved",
        Goal.target_date <= scope.until,
    )
    return [
        Item(
            "goal",
            g.patient_id,
            g.target_date,
            f"Goal past its date: {g.description}",
            f"goal:{g.id}",
        )
        for g in db.session.execute(query)
    ]


Source = Callable[[Scope], list[Item]]
SOURCES: dict[str, Source] = {
    "follow-up": follow_up_items,
    "waiting-on-patient": waiting_items,
    "rescreening": rescreening_items,
    "goal": goal_items,
    "transition": transition_items,
}
"""Where each kind of work comes from."""


def risks(patient_ids: set[int]) -> dict[int, Risk]:
    """What ranks each patient up: their active needs, their latest emergency visit or
    discharge, and the safety concern of their latest screening."""
    if not patient_ids:
        return {}
    needs = open_need_counts(patient_ids)
    visits = last_visits(patient_ids)
    safety = set(
        db.session.scalars(
            select(Screening.patient_id).where(
                Screening.id.in_(latest_screenings(patient_ids)), Screening.clinician_review
            )
        )
    )
    return {
        p: Risk(open_needs=needs.get(p, 0), last_visit=visits.get(p), safety=p in safety)
        for p in patient_ids
        if needs.get(p) or p in safety or p in visits
    }


def worklist_items(scope: Scope, kinds: list[str] | None = None) -> list[Item]:
    """The ranked worklist, of the chosen kinds (all without a choice)."""
    items = [
        i for kind, source in SOURCES.items() if not kinds or kind in kinds for i in source(scope)
    ]
    found = risks({i.patient_id for i in items})
    weighted = [replace(i, risk=found[i.patient_id]) if i.patient_id in found else i for i in items]
    return ranked(weighted, scope.today)


def counts(items: list[Item]) -> dict[str, int]:
    """How many items of each kind (every kind named, zero included)."""
    return {kind: sum(1 for i in items if i.kind == kind) for kind in KINDS}


@dataclass(frozen=True)
class Listing:
    """One page of the worklist: its items and patients, how many match, and the counts of
    every kind of work (for the tabs)."""

    items: list[Item]
    patients: dict
    total: int
    counts: dict[str, int]
    everything: int


def worklist_page(scope: Scope, kinds: list[str], page) -> Listing:
    """One page of the worklist of the chosen kinds (all without a choice); the patients shown
    are recorded as listed."""
    everything = worklist_items(scope)
    chosen = [i for i in everything if not kinds or i.kind in kinds]
    shown = chosen[page.offset : page.offset + page.limit]
    patients = patients_by_id({i.patient_id for i in shown})
    for patient_id in patients:
        record_access(scope.user.id, patient_id, "list", "worklist")
    return Listing(shown, patients, len(chosen), counts(everything), len(everything))

"""What care plans give: Conditions (needs), Goals, Encounters (hospital visits), and one
CarePlan per patient."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import select

from referral.careplans.models import Goal, Intervention, Need
from referral.extensions import db
from referral.fhir import careplans, screening
from referral.fhir.search import Query
from referral.fhir.shape import ref
from referral.fhir.sources.base import (
    Context,
    Found,
    Source,
    codings_of,
    id_values,
    patient_values,
    python_page,
    row_id,
    tokens_hold,
    within,
)
from referral.patients.models import Patient
from referral.referrals.models import Referral
from referral.screenings.models import Screening
from referral.transitions.models import Encounter

PATIENT_PARAMS = {"_id": "string", "patient": "reference", "subject": "reference"}


class PatientRecordSource(Source):
    """A type made from one table of patients' records, read within the caller's reach."""

    model = None
    tokens: ClassVar[dict[str, tuple[str, ...]]] = {}

    def patients(self, ctx: Context):
        """The patients whose records of this type the caller sees (their care teams)."""
        return select(Patient.id).where(ctx.requester.care_patients())

    def rows(self, ctx: Context, q: Query) -> list:
        """The records in reach of the search, oldest first."""
        model = self.model
        query = select(model).where(model.patient_id.in_(self.patients(ctx)))
        if q.get("_id"):
            query = query.where(model.id.in_([row_id(v) or 0 for v in id_values(q)]))
        for ids in patient_values(q):
            query = query.where(model.patient_id.in_(ids))
        query = query.where(*within(q.spans, self.changed_column()))
        return list(db.session.scalars(query.order_by(model.id)))

    def changed_column(self):
        """The column `_lastUpdated` reads."""
        return self.model.updated_at

    def search(self, ctx, q):
        rows = self.rows(ctx, q)
        made = [(r, body) for r, body in zip(rows, self.made(ctx, rows), strict=True) if body]
        kept = [Found(body, r.patient_id) for r, body in made if self.holds_all(body, q)]
        return python_page(kept, q)

    def made(self, ctx: Context, rows: list) -> list[dict | None]:
        """The resource of each record (None for a record that gives none)."""
        raise NotImplementedError

    def holds_all(self, body: dict, q: Query) -> bool:
        """Whether the resource satisfies every token parameter asked."""
        for name, elements in self.tokens.items():
            values = [body.get(e) for e in elements]
            codings = codings_of(*[v for v in values if isinstance(v, (dict, list))])
            codings += [{"code": v} for v in values if isinstance(v, str)]
            if not tokens_hold(q, name, codings):
                return False
        return True


class ConditionSource(PatientRecordSource):
    resource_type = "Condition"
    model = Need
    params: ClassVar[dict[str, str]] = PATIENT_PARAMS | {
        "clinical-status": "token",
        "category": "token",
        "code": "token",
    }
    includes: ClassVar[dict[str, str]] = {
        "Condition:subject": "subject",
        "Condition:patient": "subject",
        "Condition:evidence-detail": "evidence",
    }
    tokens: ClassVar[dict[str, tuple[str, ...]]] = {
        "clinical-status": ("clinicalStatus",),
        "category": ("category",),
        "code": ("code",),
    }

    def patients(self, ctx):
        received = select(Referral.patient_id).where(ctx.requester.received())
        return select(Patient.id).where(ctx.requester.care_patients() | Patient.id.in_(received))

    def rows(self, ctx, q):
        rows = [n for n in super().rows(ctx, q) if careplans.is_condition(n)]
        if ctx.requester.care_orgs is None:
            return rows
        cared = cared_for(ctx, {n.patient_id for n in rows})
        referred = referred_needs(ctx, {n.patient_id for n in rows} - cared)
        return [n for n in rows if n.patient_id in cared or n.id in referred]

    def made(self, ctx, rows):
        screenings = {
            s.id: s
            for s in db.session.scalars(
                select(Screening).where(Screening.id.in_({n.screening_id for n in rows}))
            )
        }
        return [careplans.condition(n, evidence(n, screenings.get(n.screening_id))) for n in rows]


def evidence(need: Need, found: Screening | None) -> list[dict]:
    """What a need rests on: the screening's assessment of its domain and the response."""
    if found is None:
        return []
    domains = {n["need"]: n["domain"] for n in screening.coded_needs(found)}
    refs = (
        [ref("Observation", f"{found.id}-{domains[need.domain]}")] if need.domain in domains else []
    )
    return [*refs, ref("QuestionnaireResponse", found.id)]


def cared_for(ctx: Context, patient_ids: set[int]) -> set[int]:
    """Those of these patients whose care team the caller is on."""
    query = select(Patient.id).where(Patient.id.in_(patient_ids), ctx.requester.care_patients())
    return set(db.session.scalars(query))


def referred_needs(ctx: Context, patient_ids: set[int]) -> set[int]:
    """The needs these patients were referred to the caller's organizations for."""
    if not patient_ids:
        return set()
    query = select(Referral.need_id).where(
        Referral.patient_id.in_(patient_ids), ctx.requester.received()
    )
    return {n for n in db.session.scalars(query) if n is not None}


class GoalSource(PatientRecordSource):
    resource_type = "Goal"
    model = Goal
    params: ClassVar[dict[str, str]] = PATIENT_PARAMS | {
        "lifecycle-status": "token",
        "achievement-status": "token",
        "category": "token",
    }
    includes: ClassVar[dict[str, str]] = {
        "Goal:subject": "subject",
        "Goal:patient": "subject",
        "Goal:addresses": "addresses",
    }
    tokens: ClassVar[dict[str, tuple[str, ...]]] = {
        "lifecycle-status": ("lifecycleStatus",),
        "achievement-status": ("achievementStatus",),
        "category": ("category",),
    }

    def made(self, ctx, rows):
        needs = needs_by_id({g.need_id for g in rows})
        return [
            careplans.goal(g, needs.get(g.need_id), condition_ref(needs.get(g.need_id)))
            for g in rows
        ]


def needs_by_id(ids: set[int]) -> dict[int, Need]:
    """Needs by id, read together."""
    return {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_(ids)))}


def condition_ref(need: Need | None) -> dict | None:
    """A reference to the Condition a need is served as, when it is one."""
    return ref("Condition", need.id) if need and careplans.is_condition(need) else None


class EncounterSource(PatientRecordSource):
    resource_type = "Encounter"
    model = Encounter
    params: ClassVar[dict[str, str]] = PATIENT_PARAMS | {"class": "token", "status": "token"}
    includes: ClassVar[dict[str, str]] = {
        "Encounter:subject": "subject",
        "Encounter:patient": "subject",
    }
    tokens: ClassVar[dict[str, tuple[str, ...]]] = {"class": ("class",), "status": ("status",)}

    def changed_column(self):
        return Encounter.created_at

    def made(self, ctx, rows):
        discharges = latest_discharges({e.patient_id for e in rows})
        return [
            careplans.encounter(
                e, discharges.get(e.patient_id, e.at) > e.at if e.kind == "admission" else True
            )
            for e in rows
        ]


def latest_discharges(patient_ids: set[int]) -> dict:
    """Each patient's latest discharge time."""
    query = select(Encounter.patient_id, Encounter.at).where(
        Encounter.patient_id.in_(patient_ids), Encounter.kind == "discharge"
    )
    found: dict = {}
    for patient_id, at in db.session.execute(query):
        found[patient_id] = max(at, found.get(patient_id, at))
    return found


class CarePlanSource(Source):
    resource_type = "CarePlan"
    params: ClassVar[dict[str, str]] = PATIENT_PARAMS | {"status": "token"}
    includes: ClassVar[dict[str, str]] = {
        "CarePlan:subject": "subject",
        "CarePlan:patient": "subject",
        "CarePlan:goal": "goal",
        "CarePlan:addresses": "addresses",
        "CarePlan:activity-reference": "activity",
    }

    def search(self, ctx, q):
        query = select(Patient).where(ctx.requester.care_patients())
        if q.get("_id"):
            query = query.where(Patient.id.in_([row_id(v) or 0 for v in id_values(q)]))
        for ids in patient_values(q):
            query = query.where(Patient.id.in_(ids))
        patients = list(db.session.scalars(query.order_by(Patient.id)))
        ids = {p.id for p in patients}
        needs = grouped(Need, ids)
        goals = grouped(Goal, ids)
        interventions = grouped(Intervention, ids)
        referred = grouped(Referral, ids, ctx.requester.referrals(select(Referral)))
        found = []
        for p in patients:
            if not (needs.get(p.id) or goals.get(p.id) or referred.get(p.id)):
                continue
            body = careplans.care_plan(
                p,
                needs.get(p.id, []),
                goals.get(p.id, []),
                referred.get(p.id, []),
                interventions.get(p.id, []),
            )
            if within_spans(body, q) and tokens_hold(q, "status", [{"code": body["status"]}]):
                found.append(Found(body, p.id))
        return python_page(found, q)


def grouped(model, patient_ids: set[int], query=None) -> dict[int, list]:
    """A table's records of these patients, by patient, oldest first."""
    query = select(model) if query is None else query
    query = query.where(model.patient_id.in_(patient_ids)).order_by(model.id)
    found: dict[int, list] = {}
    for row in db.session.scalars(query):
        found.setdefault(row.patient_id, []).append(row)
    return found


def within_spans(body: dict, q: Query) -> bool:
    """Whether a resource's last change falls in the `_lastUpdated` spans asked."""
    changed = datetime.fromisoformat(body["meta"]["lastUpdated"].replace("Z", "+00:00"))
    return all(span.holds(changed) for span in q.spans)

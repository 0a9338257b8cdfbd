"""What referrals give: service requests, tasks, procedures, communications."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import selectinload

from referral.auth.models import User
from referral.careplans.models import Need
from referral.directory.models import Location, Service
from referral.extensions import db
from referral.fhir import directory, referrals
from referral.fhir.careplans import is_condition
from referral.fhir.codes import (
    NEEDS,
    OTHER_NEED,
    SDOHCC,
    SNOMED,
    TASK_CODE,
    need_codes,
)
from referral.fhir.referrals import SERVICE_REQUEST_STATUS, Parties
from referral.fhir.search import Query, Token
from referral.fhir.shape import ref
from referral.fhir.sources.base import (
    Context,
    Found,
    Source,
    id_values,
    patient_values,
    prefixed_id,
    python_page,
    row_id,
    sql_page,
    tokens_hold,
    within,
)
from referral.network.models import Membership, NetworkOrganization, ReferralMessage
from referral.patients.models import Consent, Patient
from referral.referrals.models import FollowUp, Referral


class ReferralSource(Source):
    """Resources made from referrals: ServiceRequest, Task, Procedure."""

    def query(self, ctx: Context, q: Query):
        """The referrals in reach of the search."""
        query = ctx.requester.referrals(select(Referral))
        if q.get("_id"):
            query = query.where(Referral.id.in_([row_id(v) or 0 for v in id_values(q)]))
        for ids in patient_values(q):
            query = query.where(Referral.patient_id.in_(ids))
        query = query.where(*within(q.spans, Referral.updated_at))
        for name in ("category", "code"):
            for alternatives in q.get(name):
                query = query.where(or_(*(self.coded(name, t) for t in alternatives)))
        return query.where(*self.conditions(ctx, q))

    def conditions(self, ctx: Context, q: Query) -> list:
        """The type's own SQL conditions."""
        return []

    def coded(self, name: str, t: Token):
        """Referrals whose category or code is this token."""
        keys = [need for need in NEEDS if t.matches(self.codings(name, need))]
        other = t.matches(self.codings(name, "other"))
        return or_(Referral.need.in_(keys), Referral.need.not_in(NEEDS) if other else false())

    coded_by = "request"
    """Which of a need's SNOMED CT codes the type's `code` is: the request, or the delivery."""

    def codings(self, name: str, need: str) -> list[dict]:
        """The codings a referral for `need` carries in `category` or `code`."""
        codes = need_codes(need) if need in NEEDS else OTHER_NEED
        if name == "category":
            return [
                {"system": SNOMED, "code": "410606002"},
                {"system": SDOHCC, "code": codes.category},
            ]
        return [{"system": SNOMED, "code": getattr(codes, self.coded_by)[0]}]

    def keeps(self, referral: Referral) -> bool:
        """Whether a referral gives a resource of this type."""
        return True

    def search(self, ctx, q):
        query = self.query(ctx, q).options(selectinload(Referral.history))
        rows, total = sql_page(query.order_by(Referral.id), q)
        parties = referral_parties(ctx, rows)
        return [Found(self.made(r, parties[r.id]), r.patient_id) for r in rows], total


REFERRAL_PARAMS = {"_id": "string", "patient": "reference", "subject": "reference"}


class ServiceRequestSource(ReferralSource):
    resource_type = "ServiceRequest"
    params: ClassVar[dict[str, str]] = REFERRAL_PARAMS | {
        "status": "token",
        "category": "token",
        "code": "token",
    }
    includes: ClassVar[dict[str, str]] = {
        "ServiceRequest:subject": "subject",
        "ServiceRequest:patient": "subject",
        "ServiceRequest:requester": "requester",
        "ServiceRequest:performer": "performer",
        "ServiceRequest:reason-reference": "reasonReference",
    }

    def conditions(self, ctx, q):
        return [statuses_in(q, lambda ours: SERVICE_REQUEST_STATUS[ours])]

    def made(self, referral, parties):
        return referrals.service_request(referral, parties)


def statuses_in(q: Query, shown) -> object:
    """Referrals whose status, as the type shows it, is one of the `status` values."""
    conditions = []
    for alternatives in q.get("status"):
        wanted = {t.code for t in alternatives}
        conditions.append(
            Referral.status.in_([s for s in SERVICE_REQUEST_STATUS if shown(s) in wanted])
        )
    return and_(*conditions) if conditions else and_(True)


class TaskSource(ReferralSource):
    resource_type = "Task"
    params: ClassVar[dict[str, str]] = REFERRAL_PARAMS | {
        "for": "reference",
        "status": "token",
        "code": "token",
        "focus": "reference",
        "owner": "reference",
    }
    includes: ClassVar[dict[str, str]] = {
        "Task:focus": "focus",
        "Task:patient": "for",
        "Task:subject": "for",
        "Task:owner": "owner",
        "Task:requester": "requester",
    }

    def conditions(self, ctx, q):
        found = [statuses_in(q, lambda ours: ours)]
        for values in q.get("focus"):
            found.append(Referral.id.in_([row_id(v) or 0 for v in values]))
        for values in q.get("owner"):
            keys = select(NetworkOrganization.id).where(NetworkOrganization.key.in_(values))
            found.append(Referral.receiving_org_id.in_(keys))
        return found

    def codings(self, name, need):
        return [{"system": TASK_CODE, "code": "fulfill"}]

    def made(self, referral, parties):
        return referrals.task(referral, parties)


class ProcedureSource(ReferralSource):
    resource_type = "Procedure"
    coded_by = "delivered"
    params: ClassVar[dict[str, str]] = REFERRAL_PARAMS | {
        "status": "token",
        "category": "token",
        "code": "token",
    }
    includes: ClassVar[dict[str, str]] = {
        "Procedure:subject": "subject",
        "Procedure:patient": "subject",
        "Procedure:based-on": "basedOn",
    }

    def conditions(self, ctx, q):
        completed = Referral.status == "completed"
        if any(not any(t.code == "completed" for t in alts) for alts in q.get("status")):
            return [false()]
        return [completed]

    def keeps(self, referral):
        return referral.status == "completed"

    def made(self, referral, parties):
        return referrals.procedure(referral, parties)


class CommunicationSource(Source):
    resource_type = "Communication"
    params: ClassVar[dict[str, str]] = {
        "_id": "string",
        "patient": "reference",
        "subject": "reference",
        "based-on": "reference",
        "status": "token",
    }
    includes: ClassVar[dict[str, str]] = {
        "Communication:subject": "subject",
        "Communication:patient": "subject",
        "Communication:based-on": "basedOn",
    }

    def search(self, ctx, q):
        referrals_in_reach = ctx.requester.referrals(select(Referral.id))
        for refs in patient_values(q):
            referrals_in_reach = referrals_in_reach.where(Referral.patient_id.in_(refs))
        for values in q.get("based-on"):
            wanted = [row_id(v) or 0 for v in values]
            referrals_in_reach = referrals_in_reach.where(Referral.id.in_(wanted))
        care = ctx.requester.care_referrals(select(Referral.id))
        follow_ups = self.rows(FollowUp, "f", q, referrals_in_reach.where(Referral.id.in_(care)))
        messages = self.rows(ReferralMessage, "m", q, referrals_in_reach)
        made = communications(ctx, follow_ups, messages)
        kept = [f for f in made if tokens_hold(q, "status", [{"code": f.resource["status"]}])]
        return python_page(kept, q)

    def rows(self, model, prefix: str, q: Query, referral_ids) -> list:
        """Follow-ups or messages on the referrals in reach, by id and time as asked."""
        query = select(model).where(model.referral_id.in_(referral_ids))
        if q.get("_id"):
            ids = [prefixed_id(v, prefix) for v in id_values(q)]
            query = query.where(model.id.in_([i for i in ids if i] or [0]))
        return list(db.session.scalars(query.where(*within(q.spans, model.at))))


def communications(ctx: Context, follow_ups: list, messages: list) -> list[Found]:
    """Follow-ups and messages as Communications, oldest first."""
    ids = {row.referral_id for row in follow_ups + messages}
    by_id = {r.id: r for r in db.session.scalars(select(Referral).where(Referral.id.in_(ids)))}
    made = [
        referrals.follow_up(f, by_id[f.referral_id], practitioner_ref(f.user_id))
        for f in follow_ups
    ]
    made += [
        referrals.message(m, by_id[m.referral_id], message_sender(ctx, m, by_id[m.referral_id]))
        for m in messages
    ]
    made.sort(key=lambda r: (r["sent"], r["id"]))
    return [Found(r, int(r["subject"]["reference"].split("/")[1])) for r in made]


def practitioner_ref(user_id: int | None) -> dict | None:
    """A reference to the person who did something."""
    return ref("Practitioner", user_id) if user_id else None


def message_sender(ctx: Context, item: ReferralMessage, referral: Referral) -> dict | None:
    """Who wrote a message: a person, or the organization of the side they wrote for."""
    if item.author_id:
        return ref("Practitioner", item.author_id, item.author)
    org = ctx.org(
        referral.receiving_org_id if item.party == "receiver" else referral.referring_org_id
    )
    return referrals.organization_ref(org)


def referral_parties(ctx: Context, rows: list[Referral]) -> dict[int, Parties]:
    """Who each referral is between, read for a page of referrals at once."""
    if not rows:
        return {}
    services = {
        s.id: s
        for s in db.session.scalars(
            select(Service).where(Service.id.in_({r.service_id for r in rows}))
        )
    }
    patients = {r.patient_id for r in rows}
    conditions = need_conditions(rows)
    consents = latest_share_consents(patients)
    roles = requester_roles(rows)
    found = {}
    for r in rows:
        service = services.get(r.service_id)
        found[r.id] = Parties(
            requester=roles.get(r.id)
            or referrals.organization_ref(ctx.org(r.referring_org_id))
            or patient_org_ref(ctx, r.patient_id),
            owner=referrals.organization_ref(ctx.org(r.receiving_org_id)),
            service=ref("HealthcareService", directory.fhir_id(service), service.name)
            if service
            else {"display": r.service_id},
            location=location_ref(r.location_id),
            condition=conditions.get(r.need_id),
            consent=consents.get(r.patient_id),
            service_name=service.name if service else r.need,
        )
    return found


def location_ref(location_id: str | None) -> dict | None:
    """A reference to a directory place."""
    if not location_id:
        return None
    place = db.session.get(Location, location_id)
    return ref("Location", directory.fhir_id(place)) if place else None


def patient_org_ref(ctx: Context, patient_id: int) -> dict:
    """The organization a patient belongs to, as a reference."""
    patient = db.session.get(Patient, patient_id)
    return referrals.organization_ref(ctx.org(patient.organization_id))


def need_conditions(rows: list[Referral]) -> dict[int, dict]:
    """For each need these referrals serve that is a Condition, a reference to it."""
    ids = {r.need_id for r in rows if r.need_id is not None}
    needs = db.session.scalars(select(Need).where(Need.id.in_(ids))) if ids else []
    return {n.id: ref("Condition", n.id) for n in needs if is_condition(n)}


def latest_share_consents(patient_ids: set[int]) -> dict[int, dict]:
    """For each patient who agreed to share, a reference to that Consent."""
    query = (
        select(Consent)
        .where(Consent.patient_id.in_(patient_ids), Consent.kind == "share")
        .order_by(Consent.recorded_at, Consent.id)
    )
    latest: dict[int, Consent] = {}
    for record in db.session.scalars(query):
        latest[record.patient_id] = record
    return {pid: ref("Consent", c.id) for pid, c in latest.items() if c.granted}


def requester_roles(rows: list[Referral]) -> dict[int, dict]:
    """The PractitionerRole of the person who made each referral, in the referring
    organization."""
    users = {r.created_by for r in rows if r.created_by}
    if not users:
        return {}
    query = select(Membership).where(Membership.user_id.in_(users))
    memberships = {(m.user_id, m.organization_id): m for m in db.session.scalars(query)}
    names = {
        u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(users)))
    }
    found = {}
    for r in rows:
        m = memberships.get((r.created_by, r.referring_org_id))
        if m is not None:
            found[r.id] = ref("PractitionerRole", m.id, names.get(r.created_by) or None)
    return found

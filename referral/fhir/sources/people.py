"""Patients, the network's organizations and people, and consents."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import false, or_, select
from sqlalchemy.orm import selectinload

from referral.auth.models import User
from referral.directory.models import Organization
from referral.extensions import db
from referral.fhir import directory, people
from referral.fhir.search import Token
from referral.fhir.sources.base import (
    Context,
    Found,
    Source,
    id_values,
    patient_values,
    python_page,
    row_id,
    sql_page,
    tokens_hold,
    within,
)
from referral.network.models import Membership, NetworkOrganization
from referral.patients.models import Consent, Patient


class PatientSource(Source):
    resource_type = "Patient"
    params: ClassVar[dict[str, str]] = {"_id": "string", "identifier": "token"}

    def search(self, ctx, q):
        query = select(Patient).where(ctx.requester.patients())
        ids = [row_id(v) or 0 for v in id_values(q)]
        if q.get("_id"):
            query = query.where(Patient.id.in_(ids))
        for alternatives in q.get("identifier"):
            query = query.where(or_(*(identifier_condition(t) for t in alternatives)))
        query = query.where(*within(q.spans, Patient.updated_at))
        rows, total = sql_page(
            query.options(selectinload(Patient.consents)).order_by(Patient.id), q
        )
        return [patient_found(ctx, p, full) for p, full in with_care(ctx, rows)], total


def identifier_condition(t: Token):
    """A Patient identifier token: our own id, or the MRN an organization gave."""
    if t.code is None:
        return false()
    if t.system and t.system.endswith("/Patient"):
        return Patient.id == (row_id(t.code) or 0)
    return Patient.mrn == t.code


def with_care(ctx: Context, rows: list[Patient]) -> list[tuple[Patient, bool]]:
    """Each patient and whether the caller is on their care team (else: receiving side)."""
    if not rows:
        return []
    ids = {p.id for p in rows}
    query = select(Patient.id).where(Patient.id.in_(ids), ctx.requester.care_patients())
    care = set(db.session.scalars(query))
    return [(p, p.id in care) for p in rows]


def patient_found(ctx: Context, found: Patient, full: bool) -> Found:
    """A patient as the caller may see them."""
    body = people.patient(found, ctx.base, ctx.org(found.organization_id), full)
    return Found(body, found.id)


class OrganizationSource(Source):
    resource_type = "Organization"
    params: ClassVar[dict[str, str]] = {"_id": "string", "name": "string"}

    def read_many(self, ctx, resource_ids):
        query = select(NetworkOrganization).where(NetworkOrganization.key.in_(resource_ids))
        found = {o.key: people.organization(o, ctx.base) for o in db.session.scalars(query)}
        rest = [i for i in resource_ids if i not in found]
        if rest:
            listed = select(Organization).where(
                or_(Organization.id.in_(rest), Organization.hsds_id.in_(rest))
            )
            made = [directory.organization(o, ctx.base) for o in db.session.scalars(listed)]
            found |= {body["id"]: body for body in made}
        return [Found(found[i]) for i in dict.fromkeys(resource_ids) if i in found]

    def search(self, ctx, q):
        query = select(NetworkOrganization).order_by(NetworkOrganization.key)
        if q.get("_id"):
            query = query.where(NetworkOrganization.key.in_(id_values(q)))
        for names in q.get("name"):
            query = query.where(or_(*(NetworkOrganization.name.ilike(f"%{n}%") for n in names)))
        query = query.where(*within(q.spans, NetworkOrganization.created_at))
        rows, total = sql_page(query, q)
        return [Found(people.organization(o, ctx.base)) for o in rows], total


class PractitionerSource(Source):
    resource_type = "Practitioner"

    def search(self, ctx, q):
        query = select(User).where(User.memberships.any()).order_by(User.id)
        if q.get("_id"):
            query = query.where(User.id.in_([row_id(v) or 0 for v in id_values(q)]))
        query = query.where(*within(q.spans, User.created_at))
        rows, total = sql_page(query, q)
        return [Found(people.practitioner(u, ctx.base)) for u in rows], total


class PractitionerRoleSource(Source):
    resource_type = "PractitionerRole"
    params: ClassVar[dict[str, str]] = {
        "_id": "string",
        "practitioner": "reference",
        "organization": "reference",
    }

    def search(self, ctx, q):
        query = select(Membership).order_by(Membership.id)
        if q.get("_id"):
            query = query.where(Membership.id.in_([row_id(v) or 0 for v in id_values(q)]))
        for values in q.get("practitioner"):
            query = query.where(Membership.user_id.in_([row_id(v) or 0 for v in values]))
        for values in q.get("organization"):
            keys = select(NetworkOrganization.id).where(NetworkOrganization.key.in_(values))
            query = query.where(Membership.organization_id.in_(keys))
        query = query.where(*within(q.spans, Membership.created_at))
        rows, total = sql_page(query, q)
        return [role_found(ctx, m) for m in rows], total


def role_found(ctx: Context, membership: Membership) -> Found:
    """A membership as a PractitionerRole."""
    user = db.session.get(User, membership.user_id)
    return Found(people.practitioner_role(membership, user, ctx.org(membership.organization_id)))


class ConsentSource(Source):
    resource_type = "Consent"
    params: ClassVar[dict[str, str]] = {"_id": "string", "patient": "reference", "status": "token"}
    includes: ClassVar[dict[str, str]] = {"Consent:patient": "patient"}

    def search(self, ctx, q):
        query = select(Consent).where(
            Consent.kind == "share",
            Consent.granted.is_(True),
            Consent.patient_id.in_(select(Patient.id).where(ctx.requester.care_patients())),
        )
        if q.get("_id"):
            query = query.where(Consent.id.in_([row_id(v) or 0 for v in id_values(q)]))
        for ids in patient_values(q):
            query = query.where(Consent.patient_id.in_(ids))
        query = query.where(*within(q.spans, Consent.recorded_at))
        made = [consent_found(ctx, c) for c in db.session.scalars(query.order_by(Consent.id))]
        kept = [f for f in made if tokens_hold(q, "status", [{"code": f.resource["status"]}])]
        return python_page(kept, q)


def consent_found(ctx: Context, record: Consent) -> Found:
    """A sharing consent, active while it is the patient's latest word on sharing."""
    latest = [c for c in record.patient.consents if c.kind == "share"][-1]
    org = ctx.org(record.patient.organization_id)
    return Found(people.consent(record, latest.id == record.id, org), record.patient_id)

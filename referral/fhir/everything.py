"""`Patient/{id}/$everything`: a patient's whole SDOH record the caller may see, as one Bundle
(their screenings, needs, consent, referrals and their progress, and whom they involve).

The patient's referrals are read once for their ServiceRequests, Tasks and Procedures, and the
resources they reference are read together, one query per type."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from referral.extensions import db
from referral.fhir.resolve import may_read, references, resolve_all
from referral.fhir.search import Query, entry
from referral.fhir.sources import SOURCES, Context, Found
from referral.fhir.sources.referrals import referral_parties
from referral.referrals.models import Referral

RECORD_TYPES = (
    "QuestionnaireResponse",
    "Observation",
    "Condition",
    "Goal",
    "CarePlan",
    "Encounter",
    "Consent",
    "Communication",
)
REFERRAL_TYPES = ("ServiceRequest", "Task", "Procedure")
REFERENCED_TYPES = (
    "Organization",
    "PractitionerRole",
    "Practitioner",
    "HealthcareService",
    "Location",
)
ALL = 10**6


def everything(ctx: Context, patient_id: str) -> dict:
    """The Bundle of everything about one patient (404 if the caller may not see them)."""
    found: list[Found] = [SOURCES["Patient"].read(ctx, patient_id)]
    for resource_type in RECORD_TYPES:
        if may_read(ctx.requester, resource_type):
            found += SOURCES[resource_type].search(ctx, whole_record(patient_id))[0]
    wanted = [t for t in REFERRAL_TYPES if may_read(ctx.requester, t)]
    if wanted:
        found += referral_resources(ctx, patient_id, wanted)
    found += referenced(ctx, found)
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "link": [{"relation": "self", "url": f"{ctx.base}/Patient/{patient_id}/$everything"}],
        "entry": [entry(f.resource, ctx.base, "match") for f in found],
    }


def whole_record(patient_id: str) -> Query:
    """A search for all of one patient's resources of a type, uncounted."""
    return Query(values={"patient": [[patient_id]]}, count=ALL, counted=False)


def referral_resources(ctx: Context, patient_id: str, wanted: list[str]) -> list[Found]:
    """The patient's referrals the caller sees, as each of the wanted types."""
    query = SOURCES["Task"].query(ctx, whole_record(patient_id))
    rows = list(
        db.session.scalars(query.options(selectinload(Referral.history)).order_by(Referral.id))
    )
    parties = referral_parties(ctx, rows)
    found = []
    for resource_type in wanted:
        source = SOURCES[resource_type]
        found += [
            Found(source.made(r, parties[r.id]), r.patient_id) for r in rows if source.keeps(r)
        ]
    return found


def referenced(ctx: Context, found: list[Found]) -> list[Found]:
    """The organizations, people, services and places the record refers to, once each."""
    seen = {(f.resource["resourceType"], f.resource["id"]) for f in found}
    targets = []
    for f in found:
        for key, value in f.resource.items():
            if key in {"meta", "id", "resourceType"}:
                continue
            for target in references(value):
                if target[0] in REFERENCED_TYPES and target not in seen:
                    seen.add(target)
                    targets.append(target)
    return resolve_all(ctx, targets)

"""`Patient/{id}/$everything`: a patient's whole SDOH record the caller may see, as one Bundle
(their screenings, needs, consent, referrals and their progress, and whom they involve)."""

from __future__ import annotations

from referral.fhir.search import Query, entry
from referral.fhir.sources import SOURCES, Context, Found

PATIENT_TYPES = (
    "QuestionnaireResponse",
    "Observation",
    "Condition",
    "Consent",
    "ServiceRequest",
    "Task",
    "Procedure",
    "Communication",
)
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
    from referral.fhir.views import may_read, references, resolve

    patient = SOURCES["Patient"].read(ctx, patient_id)
    found: list[Found] = [patient]
    for resource_type in PATIENT_TYPES:
        if may_read(ctx.requester, resource_type):
            query = Query(values={"patient": [[patient_id]]}, count=ALL)
            found += SOURCES[resource_type].search(ctx, query)[0]
    seen = {(f.resource["resourceType"], f.resource["id"]) for f in found}
    for target in sorted({t for f in found for t in referenced(f.resource, references)}):
        if target[0] in REFERENCED_TYPES and target not in seen:
            seen.add(target)
            found += resolve(ctx, *target)
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "link": [{"relation": "self", "url": f"{ctx.base}/Patient/{patient_id}/$everything"}],
        "entry": [entry(f.resource, ctx.base, "match") for f in found],
    }


def referenced(resource: dict, references) -> set[tuple[str, str]]:
    """Every relative reference a resource makes in its top-level elements."""
    found = set()
    for key, value in resource.items():
        if key not in {"meta", "id", "resourceType"}:
            found |= set(references(value))
    return found

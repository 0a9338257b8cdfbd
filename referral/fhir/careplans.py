"""A patient's care as FHIR: each need as an SDOHCC Condition, each goal as an SDOHCC Goal,
each hospital visit as a US Core Encounter, and the whole plan as a US Core CarePlan."""

from __future__ import annotations

from html import escape

from referral.fhir.codes import (
    ACT_CODE,
    CATEGORY_DISPLAY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    FINDINGS,
    ICD10CM,
    SNOMED,
    Z_CODE_DISPLAY,
    coding,
    concept,
    need_codes,
    sdoh_category,
)
from referral.fhir.screening import HEALTH_CONCERN, SDOH
from referral.fhir.shape import instant, ref, resource

GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
CARE_PLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
ACHIEVEMENT_DISPLAY = {
    "in-progress": "In Progress",
    "improving": "Improving",
    "worsening": "Worsening",
    "no-change": "No Change",
    "achieved": "Achieved",
    "sustaining": "Sustaining",
    "not-achieved": "Not Achieved",
    "no-progress": "No Progress",
    "not-attainable": "Not Attainable",
}
CLINICAL_STATUS = {
    "active": ("active", "Active"),
    "resolved": ("resolved", "Resolved"),
    "declined": ("inactive", "Inactive"),
}
ENCOUNTER_CLASS = {
    "emergency": ("EMER", "emergency"),
    "admission": ("IMP", "inpatient encounter"),
    "discharge": ("IMP", "inpatient encounter"),
}
ENCOUNTER_TYPE = {
    "emergency": ("50849002", "Emergency room admission"),
    "admission": ("32485007", "Hospital admission"),
    "discharge": ("32485007", "Hospital admission"),
}
INTERVENTION_CODES = {
    "education": ("409073007", "Education"),
    "counseling": ("409063005", "Counseling"),
}
"""SNOMED CT procedures for what a care team does beside referring."""


def category_of(domain: str) -> str:
    """The SDOHCC category of a need's domain."""
    return need_codes(domain).category


def is_condition(need) -> bool:
    """Whether a need is served as a Condition: it must be coded (a Z code, or a finding of
    its category); a safety concern found by screening waits for a clinician instead."""
    if need.source == "screening" and need.domain == "safety":
        return False
    return bool(need.z_code) or category_of(need.domain) in FINDINGS


def condition(need, evidence: list[dict]) -> dict:
    """A need as an SDOHCC Condition: a health concern, unconfirmed, with the screening that
    found it (when one did) as evidence."""
    category = category_of(need.domain)
    codings = [coding(ICD10CM, need.z_code, Z_CODE_DISPLAY.get(need.z_code))] if need.z_code else []
    if category in FINDINGS:
        codings.append(coding(SNOMED, *FINDINGS[category]))
    error = need.status == "entered-in-error"
    clinical = None if error else concept(CONDITION_CLINICAL, *CLINICAL_STATUS[need.status])
    verification = (
        concept(CONDITION_VERIFICATION, "entered-in-error", "Entered in Error")
        if error
        else concept(CONDITION_VERIFICATION, "unconfirmed", "Unconfirmed")
    )
    ended = need.resolved_at if need.status in ("resolved", "declined") else None
    return resource(
        "Condition",
        str(need.id),
        need.version,
        need.updated_at,
        clinicalStatus=clinical,
        verificationStatus=verification,
        category=[HEALTH_CONCERN, SDOH, sdoh_category(category)],
        code={"coding": codings, "text": CATEGORY_DISPLAY.get(category, need.domain.capitalize())},
        subject=ref("Patient", need.patient_id),
        onsetDateTime=instant(need.created_at),
        abatementDateTime=instant(ended) if ended else None,
        recordedDate=instant(need.created_at),
        recorder=ref("Practitioner", need.created_by) if need.created_by else None,
        evidence=[{"detail": evidence}] if evidence else None,
        note=[{"text": need.note}] if need.note else None,
    )


def goal(item, need, addresses: dict | None) -> dict:
    """A goal as an SDOHCC Goal: in the patient's words and, where a measure fits, coded."""
    description = {"text": item.description}
    if item.code:
        description["coding"] = [coding(item.code_system, item.code, item.code_display)]
    return resource(
        "Goal",
        str(item.id),
        item.version,
        item.updated_at,
        lifecycleStatus=item.lifecycle_status,
        achievementStatus=concept(
            GOAL_ACHIEVEMENT,
            item.achievement_status,
            ACHIEVEMENT_DISPLAY.get(item.achievement_status),
        ),
        category=[sdoh_category(category_of(need.domain))] if need else None,
        description=description,
        subject=ref("Patient", item.patient_id),
        startDate=item.created_at.date().isoformat(),
        target=[{"dueDate": item.target_date.isoformat()}],
        statusDate=item.updated_at.date().isoformat(),
        expressedBy=ref("Patient", item.patient_id),
        addresses=[addresses] if addresses else None,
    )


def encounter(item, discharged: bool) -> dict:
    """A hospital or emergency visit as a US Core Encounter; an admission stays in progress
    until a discharge follows it."""
    code, display = ENCOUNTER_CLASS[item.kind]
    at = instant(item.at)
    period = {"end": at} if item.kind == "discharge" else {"start": at}
    in_progress = item.kind == "admission" and not discharged
    return resource(
        "Encounter",
        str(item.id),
        1,
        item.created_at,
        identifier=[{"system": "urn:referral:adt-message", "value": str(item.message_id)}]
        if item.message_id
        else None,
        status="in-progress" if in_progress else "finished",
        **{"class": coding(ACT_CODE, code, display)},
        type=[concept(SNOMED, *ENCOUNTER_TYPE[item.kind], text=item.kind.capitalize())],
        subject=ref("Patient", item.patient_id),
        period=period,
        reasonCode=[concept(ICD10CM, c) for c in item.diagnosis_codes or []] or None,
        location=[{"location": {"display": item.facility}}] if item.facility else None,
    )


def intervention_activity(item) -> dict:
    """Something the care team did itself (education given, counseling) as a plan activity."""
    detail = {
        "kind": "ServiceRequest",
        "status": "completed",
        "description": item.description,
        "scheduledString": instant(item.at),
    }
    if item.kind in INTERVENTION_CODES:
        detail["code"] = concept(SNOMED, *INTERVENTION_CODES[item.kind])
    return {"detail": detail}


def care_plan(patient, needs: list, goals: list, referrals: list, interventions: list) -> dict:
    """A patient's plan: the needs it addresses, its goals, and what was done (referrals and
    the care team's own activities), with a short narrative."""
    changed = [patient.updated_at] + [
        x.updated_at for x in (*needs, *goals, *referrals) if getattr(x, "updated_at", None)
    ]
    changed += [x.created_at for x in interventions]
    last = max(a for a in changed if a is not None)
    open_needs = [n for n in needs if n.status == "active"]
    activity = [{"reference": ref("ServiceRequest", r.id)} for r in referrals]
    activity += [intervention_activity(i) for i in interventions]
    return resource(
        "CarePlan",
        str(patient.id),
        str(int(last.timestamp())),
        last,
        text={"status": "generated", "div": narrative(open_needs, goals)},
        status="active"
        if open_needs or any(g.lifecycle_status == "active" for g in goals)
        else "completed",
        intent="plan",
        category=[concept(CARE_PLAN_CATEGORY, "assess-plan", "Assessment and Plan of Treatment")],
        title="Social care plan",
        subject=ref("Patient", patient.id),
        addresses=[
            ref("Condition", n.id) for n in needs if n.status == "active" and is_condition(n)
        ],
        goal=[ref("Goal", g.id) for g in goals if g.lifecycle_status != "entered-in-error"],
        activity=activity,
    )


def narrative(open_needs: list, goals: list) -> str:
    """The plan in a sentence or two, as XHTML."""
    needs = ", ".join(escape(n.domain) for n in open_needs) or "none"
    active = [g for g in goals if g.lifecycle_status == "active"]
    items = "".join(
        f"<li>{escape(g.description)} (by {g.target_date:%Y-%m-%d})</li>" for g in active
    )
    goals_part = f"<ul>{items}</ul>" if items else "<p>No active goals.</p>"
    return (
        f'<div xmlns="http://www.w3.org/1999/xhtml"><p>Open needs: {needs}.</p>{goals_part}</div>'
    )

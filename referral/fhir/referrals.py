"""A referral as an SDOHCC ServiceRequest (what was asked for) with its Task for Referral
Management (where it stands), a Procedure once the service was given, and its follow-ups and
messages as Communications."""

from __future__ import annotations

from dataclasses import dataclass

from referral.fhir.codes import (
    SDOHCC,
    SNOMED,
    TASK_CODE,
    coding,
    concept,
    need_codes,
    sdoh_category,
)
from referral.fhir.shape import instant, ref, resource
from referral.network.models import NetworkOrganization, ReferralMessage
from referral.referrals import states
from referral.referrals.models import FollowUp, Referral

SOCIAL_SERVICE = concept(SNOMED, "410606002", "Social service procedure")
SERVICE_REQUEST_STATUS = {
    "draft": "draft",
    "requested": "active",
    "accepted": "active",
    "in-progress": "active",
    "on-hold": "on-hold",
    "completed": "completed",
    "rejected": "revoked",
    "cancelled": "revoked",
    "failed": "revoked",
    "entered-in-error": "entered-in-error",
}
"""Our referral status (a Task status already) as the ServiceRequest status it implies."""

OUTCOME_TEXT = {
    "got-help": "Got help",
    "couldnt-contact": "Couldn't contact",
    "not-eligible": "Not eligible",
    "no-capacity": "No capacity",
    "couldnt-get-help": "Couldn't get help",
    "no-longer-interested": "No longer interested",
    "referred-elsewhere": "Referred elsewhere",
}


@dataclass(frozen=True)
class Parties:
    """Who a referral is between, as references: the person and organization who asked, the
    organization asked, the service and place, and the need and consent it rests on."""

    requester: dict
    owner: dict | None
    service: dict
    location: dict | None
    condition: dict | None
    consent: dict | None
    service_name: str


def service_request(referral: Referral, parties: Parties) -> dict:
    """A referral as an SDOHCC ServiceRequest."""
    codes = need_codes(referral.need)
    performers = [parties.service] + ([parties.owner] if parties.owner else [])
    return resource(
        "ServiceRequest",
        str(referral.id),
        referral.version,
        referral.updated_at,
        status=SERVICE_REQUEST_STATUS[referral.status],
        intent="order",
        category=[SOCIAL_SERVICE, sdoh_category(codes.category)],
        code=concept(SNOMED, *codes.request, text=parties.service_name),
        subject=ref("Patient", referral.patient_id),
        authoredOn=instant(referral.created_at),
        requester=parties.requester,
        performer=performers,
        locationReference=[parties.location] if parties.location else None,
        reasonReference=[parties.condition] if parties.condition else None,
        supportingInfo=[parties.consent] if parties.consent else None,
        note=[{"text": referral.note}] if referral.note else None,
    )


def task(referral: Referral, parties: Parties) -> dict:
    """The referral's management as an SDOHCC Task For Referral Management: its status is
    ours, its business status says the outcome, its reason is the latest change's."""
    reason = status_reason(referral)
    completed = referral.status == states.Status.COMPLETED
    return resource(
        "Task",
        str(referral.id),
        referral.version,
        referral.updated_at,
        status=referral.status,
        businessStatus={"text": business_status(referral)},
        statusReason={"text": reason} if reason else None,
        intent="order",
        code=concept(TASK_CODE, "fulfill", "Fulfill the focal request"),
        focus=ref("ServiceRequest", referral.id),
        **{"for": ref("Patient", referral.patient_id)},
        authoredOn=instant(referral.created_at),
        lastModified=instant(referral.updated_at),
        requester=parties.requester,
        owner=parties.owner,
        output=[resulting_activity(referral)] if completed else None,
    )


def business_status(referral: Referral) -> str:
    """Where the referral stands in the words case managers use."""
    label = states.Status(referral.status).label.capitalize()
    outcome = OUTCOME_TEXT.get(referral.outcome or "")
    return f"{label}: {outcome}" if outcome else label


def status_reason(referral: Referral) -> str:
    """The reason given for the referral's current status, if any."""
    for event in reversed(referral.history):
        if event.to_status == referral.status:
            return event.reason or ""
    return ""


def resulting_activity(referral: Referral) -> dict:
    """The Task output naming the service delivered (the Procedure)."""
    return {
        "type": concept(SDOHCC, "resulting-activity", "Resulting Activity"),
        "valueReference": ref("Procedure", referral.id),
    }


def procedure(referral: Referral, parties: Parties) -> dict:
    """The service a completed referral delivered, as an SDOHCC Procedure."""
    codes = need_codes(referral.need)
    return resource(
        "Procedure",
        str(referral.id),
        referral.version,
        referral.updated_at,
        basedOn=[ref("ServiceRequest", referral.id)],
        status="completed",
        category={"coding": [SOCIAL_SERVICE["coding"][0], coding(SDOHCC, codes.category)]},
        code=concept(SNOMED, *codes.delivered),
        subject=ref("Patient", referral.patient_id),
        performedDateTime=instant(referral.closed_at or referral.updated_at),
        performer=[{"actor": parties.owner}] if parties.owner else None,
        reasonReference=[parties.condition] if parties.condition else None,
    )


def follow_up(item: FollowUp, referral: Referral, sender: dict | None) -> dict:
    """A care team's follow-up with the patient about a referral, as a Communication."""
    said = f", the patient says {item.patient_says.replace('-', ' ')}" if item.patient_says else ""
    text = f"Follow-up by {item.method}: {item.result.replace('-', ' ')}{said}."
    return communication(f"f{item.id}", item.at, referral, sender, text + note(item.note))


def message(item: ReferralMessage, referral: Referral, sender: dict | None) -> dict:
    """A message on a referral between the care team and the organization, as a
    Communication."""
    return communication(f"m{item.id}", item.at, referral, sender, item.body)


def communication(resource_id: str, at, referral: Referral, sender, text: str) -> dict:
    """A Communication about a referral."""
    return resource(
        "Communication",
        resource_id,
        1,
        at,
        basedOn=[ref("ServiceRequest", referral.id)],
        partOf=[ref("Task", referral.id)],
        status="completed",
        subject=ref("Patient", referral.patient_id),
        sent=instant(at),
        sender=sender,
        payload=[{"contentString": text}],
    )


def note(text: str) -> str:
    """A note after a sentence, when there is one."""
    return f" {text}" if text else ""


def organization_ref(org: NetworkOrganization | None) -> dict | None:
    """A reference to a network organization."""
    return ref("Organization", org.key, org.name) if org else None

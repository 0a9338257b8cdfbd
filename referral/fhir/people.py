"""Patients, organizations, the people who refer, and consents, as US Core / SDOHCC resources."""

from __future__ import annotations

from referral.auth.models import User
from referral.fhir.codes import (
    ACT_CODE,
    CONSENT_POLICY,
    CONSENT_SCOPE,
    IDENTIFIER_TYPE,
    LANGUAGE,
    concept,
)
from referral.fhir.shape import content_version, instant, ref, resource
from referral.network.models import Membership, NetworkOrganization
from referral.patients.models import Consent, Patient

LANGUAGES = {"en": "English", "es": "Spanish"}
ROLE_TEXT = {
    "admin": "Administrator",
    "case_manager": "Case manager",
    "staff": "Front-desk staff",
    "curator": "Resource curator",
    "receiver": "Intake coordinator",
}


def patient(found: Patient, base: str, organization: NetworkOrganization, full: bool) -> dict:
    """A patient as a US Core Patient; a receiving organization (`full` false) gets only what
    it needs to reach them: name, language and, with their consent, their phone."""
    contact_ok = full or found.consents_to("contact")
    return resource(
        "Patient",
        str(found.id),
        found.version,
        found.updated_at or found.created_at,
        identifier=patient_identifiers(found, base, organization, full),
        active=True,
        name=[{"use": "official", "family": found.family_name, "given": [found.given_name]}],
        telecom=[phone(found.phone)] if found.phone and contact_ok else None,
        gender="unknown",
        birthDate=found.birth_date.isoformat() if full else None,
        address=[{"use": "home", "postalCode": found.postal_code}]
        if full and found.postal_code
        else None,
        communication=[{"language": language(found.preferred_language), "preferred": True}],
        managingOrganization=ref("Organization", organization.key, organization.name),
    )


def patient_identifiers(found: Patient, base: str, organization, full: bool) -> list[dict]:
    """The platform's own identifier and, for the care team, the MRN their organization gave."""
    own = {"system": f"{base}/Patient", "value": str(found.id)}
    if not (full and found.mrn):
        return [own]
    mrn = {
        "use": "usual",
        "type": concept(IDENTIFIER_TYPE, "MR", "Medical record number"),
        "system": f"{base}/Organization/{organization.key}/mrn",
        "value": found.mrn,
        "assigner": ref("Organization", organization.key, organization.name),
    }
    return [mrn, own]


def phone(number: str, use: str = "mobile") -> dict:
    """A phone number as a ContactPoint."""
    return {"system": "phone", "value": number, "use": use}


def language(code: str) -> dict:
    """A language as a CodeableConcept of BCP 47."""
    return concept(LANGUAGE, code, LANGUAGES.get(code))


def organization(org: NetworkOrganization, base: str) -> dict:
    """A clinic, hospital or community organization of the network as a US Core Organization."""
    kinds = {"referring": "prov", "receiving": "cg", "both": "prov"}
    body = resource(
        "Organization",
        org.key,
        1,
        org.created_at,
        identifier=[{"system": f"{base}/Organization", "value": org.key}],
        active=org.active,
        type=[concept("http://terminology.hl7.org/CodeSystem/organization-type", kinds[org.kind])],
        name=org.name,
        telecom=[{"system": "email", "value": org.email, "use": "work"}] if org.email else None,
    )
    body["meta"]["versionId"] = content_version(body)
    return body


def practitioner(user: User, base: str) -> dict:
    """A person who refers, as a US Core Practitioner (their name, not their sign-in)."""
    words = (user.display_name or user.username).split()
    name = {"family": words[-1], "given": words[:-1]} if len(words) > 1 else {"family": words[0]}
    body = resource(
        "Practitioner",
        str(user.id),
        1,
        user.created_at,
        identifier=[{"system": f"{base}/Practitioner", "value": str(user.id)}],
        active=user.active,
        name=[{"text": " ".join(words)} | name],
    )
    body["meta"]["versionId"] = content_version(body)
    return body


def practitioner_role(membership: Membership, user: User, org: NetworkOrganization) -> dict:
    """A person's role in one organization, as an SDOHCC PractitionerRole (which asks for a
    way to reach them: their email or phone, else their organization's email; with none, it
    is a plain PractitionerRole)."""
    contact = [{"system": "email", "value": user.email or org.email, "use": "work"}]
    if not (user.email or org.email):
        contact = [phone(user.phone, "work")] if user.phone else []
    body = resource(
        "PractitionerRole",
        str(membership.id),
        1,
        membership.created_at,
        active=user.active and org.active,
        practitioner=ref("Practitioner", user.id, user.display_name or user.username),
        organization=ref("Organization", org.key, org.name),
        code=[{"text": ROLE_TEXT.get(membership.role, membership.role)}],
        telecom=contact,
    )
    if not contact:
        del body["meta"]["profile"]
    body["meta"]["versionId"] = content_version(body)
    return body


def consent(record: Consent, still_granted: bool, org: NetworkOrganization) -> dict:
    """A patient's agreement to share their information with the organizations they are
    referred to, as an SDOHCC Consent (inactive once they withdraw it)."""
    return resource(
        "Consent",
        str(record.id),
        "1" if still_granted else "2",
        record.recorded_at,
        status="active" if still_granted else "inactive",
        scope=concept(CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
        category=[concept(ACT_CODE, "IDSCL", "information disclosure")],
        patient=ref("Patient", record.patient_id),
        dateTime=instant(record.recorded_at),
        organization=[ref("Organization", org.key, org.name)],
        sourceAttachment={
            "title": record.note or "Agreement recorded by the care team",
            "creation": instant(record.recorded_at),
        },
        policyRule=concept(CONSENT_POLICY, "hipaa-auth", "HIPAA Authorization"),
        provision={"type": "permit", "purpose": [purpose()]},
    )


def purpose() -> dict:
    """The purpose a sharing consent permits: care coordination."""
    return {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
        "code": "CAREMGT",
        "display": "care management",
    }

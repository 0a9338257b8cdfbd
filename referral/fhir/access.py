"""Who is asking the FHIR API, and what they may see: a registered client with SMART system
scopes (bound to one organization or installation-wide), or a person with an API token and the
rights of their role. Every read of patient data is recorded in the access log."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request
from sqlalchemy import ColumnElement, insert, select, true

from referral.auth.access import bearer_token
from referral.auth.models import CARE_TEAM, RECEIVING, User
from referral.auth.operations import user_for_token
from referral.directory.models import utcnow
from referral.extensions import db
from referral.fhir import scopes as smart
from referral.fhir.outcome import fail
from referral.network.scope import (
    care_org_ids,
    patient_condition,
    patients_of,
    receiving_org_ids,
)
from referral.patients.models import AccessRecord, Patient
from referral.patients.operations import record_access
from referral.referrals.models import Referral
from referral.referrals.operations import visible_to


@dataclass
class Requester:
    """The caller of one FHIR request and the limits of what they see."""

    actor: str
    user: User | None = None
    scopes: frozenset[str] | None = None
    care_orgs: set[int] | None = field(default_factory=set)
    receiving_orgs: set[int] = field(default_factory=set)
    organization_id: int | None = None

    @property
    def everywhere(self) -> bool:
        """Whether the caller is an installation-wide client (sees every patient)."""
        return self.care_orgs is None

    def require(self, resource_type: str, mode: str) -> None:
        """Refuse (403) a request the caller's scopes or role do not cover."""
        if self.scopes is not None:
            if not smart.allows(self.scopes, resource_type, mode):
                needed = smart.covering(resource_type, mode)
                raise fail(403, "forbidden", f"This needs the scope {needed}.")
        elif mode == "write" and not self.user.has_role(*WRITERS.get(resource_type, ())):
            raise fail(403, "forbidden", f"Your role does not allow changing {resource_type}.")

    def care_patients(self) -> ColumnElement[bool]:
        """A condition on Patient: the patients the caller's care teams see."""
        if self.everywhere:
            return true()
        if self.user is not None:
            return patient_condition(self.user)
        return patients_of(self.care_orgs)

    def care_referrals(self, query):
        """Narrow a query of referrals to those the caller made or may see as the care team."""
        if self.everywhere:
            return query
        if self.user is not None:
            return visible_to(self.user, query)
        patients = select(Patient.id).where(self.care_patients())
        return query.where(Referral.patient_id.in_(patients))

    def received(self) -> ColumnElement[bool]:
        """A condition on Referral: the referrals sent to the caller's organizations."""
        return Referral.receiving_org_id.in_(self.receiving_orgs)

    def referrals(self, query):
        """Narrow a query of referrals to every one the caller sees, from either side (one
        side alone when the caller has no other, so that its index serves)."""
        if not self.receiving_orgs:
            return self.care_referrals(query)
        if not (self.everywhere or self.care_orgs):
            return query.where(self.received())
        care = self.care_referrals(select(Referral.id))
        return query.where(Referral.id.in_(care) | self.received())

    def patients(self) -> ColumnElement[bool]:
        """A condition on Patient: every patient the caller sees some of."""
        if not self.receiving_orgs:
            return self.care_patients()
        received = select(Referral.patient_id).where(self.received())
        if not (self.everywhere or self.care_orgs):
            return Patient.id.in_(received)
        return self.care_patients() | Patient.id.in_(received)

    def record(self, patient_id: int | None, action: str, subject: str) -> None:
        """Write the access log: who read or changed which patient's data."""
        if patient_id is not None:
            record_access(self.user_id, patient_id, action, self.subject(subject))

    def record_many(self, patient_ids: set[int], action: str, subject: str) -> None:
        """Write the access log for every patient a search showed, in one statement."""
        rows = [
            {
                "user_id": self.user_id,
                "patient_id": pid,
                "action": action,
                "subject": self.subject(subject),
                "at": utcnow(),
            }
            for pid in sorted(i for i in patient_ids if i is not None)
        ]
        if rows:
            db.session.execute(insert(AccessRecord), rows)

    @property
    def user_id(self) -> int | None:
        """The person asking, when it is a person."""
        return self.user.id if self.user is not None else None

    def subject(self, what: str) -> str:
        """What was read, with the client's name when a client read it."""
        who = "" if self.user is not None else f"{self.actor} "
        return (who + what)[:64]


WRITERS = {
    "QuestionnaireResponse": CARE_TEAM,
    "ServiceRequest": CARE_TEAM,
    "Consent": CARE_TEAM,
    "Task": CARE_TEAM + RECEIVING,
    "Bundle": CARE_TEAM,
}
"""The roles whose people may write each resource type with a personal API token."""


def requester() -> Requester:
    """The caller of this request, from its bearer token; 401 without a live one."""
    token = bearer_token(request)
    if token is None:
        raise fail(401, "login", "Send an access token: Authorization: Bearer TOKEN.")
    return client_requester(token) or user_requester(token)


def client_requester(token: str) -> Requester | None:
    """The registered client a token was issued to, if it is a client's token."""
    from referral.fhir.oauth import access_token_for

    issued = access_token_for(token)
    if issued is None:
        return None
    client = issued.client
    org = client.organization
    care = None if org is None else ({org.id} if org.kind != "receiving" else set())
    receiving = set() if org is None or not org.receives else {org.id}
    return Requester(
        actor=f"client:{client.name}",
        scopes=smart.parse_scopes(issued.scope),
        care_orgs=care,
        receiving_orgs=receiving,
        organization_id=org.id if org is not None else None,
    )


def user_requester(token: str) -> Requester:
    """The person a personal API token belongs to, with the rights of their role."""
    user = user_for_token(token)
    if user is None:
        raise fail(401, "login", "This access token is not valid (expired or revoked).")
    return Requester(
        actor=user.username,
        user=user,
        care_orgs=care_org_ids(user),
        receiving_orgs=receiving_org_ids(user),
    )

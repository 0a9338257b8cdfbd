"""Who may see which patients and referrals: the minimum necessary, as query conditions.

A patient belongs to the organization that registered them and is seen by its care team and by
the care teams it was shared with. A receiving organization sees only the referrals sent to it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from referral.errors import NotFound
from referral.extensions import db
from referral.network.models import PatientShare
from referral.patients.models import Patient
from referral.referrals.models import Referral

RECEIVING_ROLES = ("receiver", "admin")
NO_PATIENT = "There is no patient with that id."


def care_org_ids(user) -> set[int]:
    """The active organizations whose patients the user works with (every membership but
    receiving)."""
    return {
        m.organization_id
        for m in user.memberships
        if m.role != "receiver" and m.organization.active
    }


def admin_org_ids(user) -> set[int]:
    """The active organizations the user administers (whose patients' referrals they all
    see)."""
    return {
        m.organization_id for m in user.memberships if m.role == "admin" and m.organization.active
    }


def receiving_org_ids(user) -> set[int]:
    """The receiving organizations whose inbox the user answers."""
    return {
        m.organization_id
        for m in user.memberships
        if m.role in RECEIVING_ROLES and m.organization.receives and m.organization.active
    }


def shared_with(org_ids: set[int]):
    """The ids of patients shared, and not unshared, with any of these organizations."""
    return select(PatientShare.patient_id).where(
        PatientShare.organization_id.in_(org_ids), PatientShare.ended_at.is_(None)
    )


def patient_condition(user) -> ColumnElement[bool]:
    """A condition on `Patient` true for the patients the user's care teams may see."""
    return patients_of(care_org_ids(user))


def patients_of(org_ids: set[int]) -> ColumnElement[bool]:
    """A condition on `Patient` true for patients registered by, or shared with, any of these
    organizations."""
    if not org_ids:
        return false()
    return or_(Patient.organization_id.in_(org_ids), Patient.id.in_(shared_with(org_ids)))


def may_see_patient(user, patient: Patient) -> bool:
    """Whether the patient is registered by, or shared with, one of the user's care teams."""
    return seen_by(care_org_ids(user), patient)


def seen_by(org_ids: set[int], patient: Patient) -> bool:
    """Whether the patient is registered by, or shared with, one of these organizations."""
    if patient.organization_id in org_ids:
        return True
    query = shared_with(org_ids).where(PatientShare.patient_id == patient.id)
    return bool(org_ids) and db.session.scalar(query.limit(1)) is not None


def visible_patient(user, patient_id: int) -> Patient:
    """The patient, if the user's care teams may see them; else 404, as if there were none."""
    patient = db.session.get(Patient, patient_id)
    if patient is None or not may_see_patient(user, patient):
        raise NotFound(NO_PATIENT, field="patient_id")
    return patient


def receives(user, referral: Referral) -> bool:
    """Whether the user answers this referral for the organization it was sent to."""
    return referral.receiving_org_id in receiving_org_ids(user)


def referral_condition(user) -> ColumnElement[bool]:
    """A condition on `Referral` true for referrals of patients the user's care teams see."""
    return Referral.patient_id.in_(select(Patient.id).where(patient_condition(user)))

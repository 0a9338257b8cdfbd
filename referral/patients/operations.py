"""Registering, finding and consenting patients. Helpers flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from referral.directory.models import as_utc
from referral.errors import AppError
from referral.extensions import db
from referral.network.operations import home_organization, organization_key, shares_of
from referral.network.scope import patient_condition
from referral.patients.models import CONSENT_KINDS, AccessRecord, Consent, Patient
from referral.patients.validation import check_patient, display_phone

LIKELY_SAME = 85


class PatientProblems(AppError):
    """Patient details that cannot be saved; every problem is listed."""

    status, code = 400, "invalid_patient"

    def __init__(self, problems: dict[str, str]) -> None:
        field = next(iter(problems))
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(problems.values()), field)
        self.problems = problems


@dataclass
class Lookalike:
    """An existing patient who may be the same person, and how alike they are (0–100)."""

    patient: Patient
    score: float


def register_patient(data: dict, user) -> tuple[Patient, list[Lookalike]]:
    """Create a patient of the user's organization (the one `organization` names when they
    have several) from checked details, with the consent to contact as first recorded."""
    organization = home_organization(user, str(data.get("organization") or "") or None)
    checked = check_patient(data)
    mrn = checked.values.get("mrn")
    if not checked.problems and mrn and mrn_taken(mrn, organization.id):
        checked.problems["mrn"] = "Another patient has this medical record number."
    if checked.problems:
        raise PatientProblems(checked.problems)
    values = checked.values
    lookalikes = similar_patients(
        user, values["given_name"], values["family_name"], values["birth_date"]
    )
    contact_ok = values.pop("contact_ok")
    values["time_zone"] = values["time_zone"] or current_app.config["REFERRAL"]["TIME_ZONE"]
    patient = Patient(**values, created_by=user.id, organization_id=organization.id)
    db.session.add(patient)
    db.session.flush()
    record_consent(patient, "contact", contact_ok, user.id, "recorded at registration")
    record_access(user.id, patient.id, "create", "patient")
    return patient, lookalikes


def mrn_taken(mrn: str, organization_id: int) -> bool:
    """Whether a patient of the organization already has this MRN (each keeps its own)."""
    query = select(Patient.id).where(Patient.mrn == mrn, Patient.organization_id == organization_id)
    return db.session.scalar(query) is not None


def similar_patients(user, given: str, family: str, born: date, limit: int = 5) -> list[Lookalike]:
    """Patients the user may see who are likely the same person: alike names and the same (or
    a near) birth date. Other organizations' patients are never suggested."""
    candidates = db.session.scalars(
        select(Patient).where(
            patient_condition(user),
            or_(
                Patient.birth_date == born,
                func.lower(Patient.family_name) == family.lower(),
            ),
        )
    )
    found = []
    for other in candidates:
        score = likeness(given, family, born, other)
        if score >= LIKELY_SAME:
            found.append(Lookalike(other, score))
    return sorted(found, key=lambda x: -x.score)[:limit]


def likeness(given: str, family: str, born: date, other: Patient) -> float:
    """How alike two people's records are: names (typos, swapped order) and birth dates."""
    name = fuzz.token_sort_ratio(f"{given} {family}", other.full_name, processor=str.lower)
    same_day = born == other.birth_date
    swapped = (born.month, born.day) == (other.birth_date.day, other.birth_date.month)
    date_score = 100 if same_day else 90 if swapped and born.year == other.birth_date.year else 0
    return round(0.6 * name + 0.4 * date_score, 1)


def record_consent(patient: Patient, kind: str, granted: bool, user_id, note: str = "") -> Consent:
    """Record that the patient gave or withdrew a consent (who and when are kept)."""
    if kind not in CONSENT_KINDS:
        raise AppError(f"Unknown consent {kind!r}: use {' or '.join(CONSENT_KINDS)}.", "kind")
    consent = Consent(patient=patient, kind=kind, granted=granted, recorded_by=user_id, note=note)
    db.session.add(consent)
    db.session.flush()
    return consent


def record_access(user_id, patient_id, action: str, subject: str) -> None:
    """Remember that someone looked at or changed a patient's information."""
    db.session.add(
        AccessRecord(user_id=user_id, patient_id=patient_id, action=action, subject=subject)
    )


def patients_by_id(ids) -> dict[int, Patient]:
    """Patients by id with their consents, read together, for showing a list."""
    ids = set(ids)
    if not ids:
        return {}
    query = select(Patient).where(Patient.id.in_(ids)).options(selectinload(Patient.consents))
    return {p.id: p for p in db.session.scalars(query)}


def find_patients(user, query: str, limit: int = 20) -> list[Patient]:
    """Patients the user may see whose name, MRN, phone or birth date (YYYY-MM-DD) matches."""
    words = query.strip().split()
    if not words:
        return []
    statement = select(Patient).where(patient_condition(user))
    for word in words:
        like = f"%{word}%"
        statement = statement.where(
            or_(
                Patient.given_name.ilike(like),
                Patient.family_name.ilike(like),
                Patient.mrn.ilike(like),
                Patient.phone.ilike(f"%{''.join(ch for ch in word if ch.isdigit()) or word}%"),
                func.cast(Patient.birth_date, db.String).like(like),
            )
        )
    return list(db.session.scalars(statement.order_by(Patient.family_name).limit(limit)))


def patient_json(patient: Patient) -> dict:
    """A patient as the API shows it."""
    return {
        "id": patient.id,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "birth_date": patient.birth_date.isoformat(),
        "phone": patient.phone,
        "phone_display": display_phone(patient.phone),
        "postal_code": patient.postal_code,
        "preferred_language": patient.preferred_language,
        "contact_channel": patient.contact_channel,
        "time_zone": patient.time_zone,
        "mrn": patient.mrn,
        "organization": organization_key(patient.organization_id),
        "shared_with": [
            {
                "organization": share.organization.key,
                "reason": share.reason,
                "shared_by": share.shared_by,
                "shared_at": as_utc(share.shared_at).isoformat(),
            }
            for share in shares_of(patient.id)
            if share.ended_at is None
        ],
        "contact_ok": patient.consents_to("contact"),
        "share_ok": patient.consents_to("share"),
        "consents": [
            {
                "kind": c.kind,
                "granted": c.granted,
                "recorded_by": c.recorded_by,
                "recorded_at": as_utc(c.recorded_at).isoformat(),
                "note": c.note,
            }
            for c in patient.consents
        ],
    }

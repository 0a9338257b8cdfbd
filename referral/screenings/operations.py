"""Scoring and storing screenings, all or nothing. Helpers flush; the request commits."""

from __future__ import annotations

from sqlalchemy import select

from referral.careplans.operations import needs_from_screening
from referral.directory.models import MAX_ID, as_utc
from referral.errors import AppError, BadInput, NotFound
from referral.extensions import db
from referral.network.scope import may_see_patient, visible_patient
from referral.patients.models import Patient
from referral.patients.operations import record_access
from referral.screening import score
from referral.screening.errors import ScreeningError, UnknownInstrument
from referral.screenings.models import Screening

SAFETY_GUIDANCE = (
    "The answers about physical and emotional safety are positive. Involve a clinician before "
    "any referral: the person hurting the patient may be with them. This result is never shown "
    "on referral slips or to front-desk staff, and is not shared without the patient's consent."
)


class ScreeningProblems(AppError):
    """Answers that cannot be scored; every problem is listed and nothing is stored."""

    status, code = 400, "invalid_answers"


def record_screening(data: dict, user, mode: str = "staff") -> Screening:
    """Score a patient's answers and store the screening (nothing is stored on any problem)."""
    patient = screened_patient(data.get("patient_id"), user)
    instrument, answers = data.get("instrument"), data.get("answers")
    if not isinstance(instrument, str) or not instrument:
        raise BadInput("Name the instrument, e.g. ahc-hrsn-core.", field="instrument")
    if not isinstance(answers, dict):
        raise BadInput("answers must map question LOINC codes to answer codes.", field="answers")
    try:
        result = score(instrument, answers)
    except UnknownInstrument as exc:
        raise ScreeningProblems(str(exc), field="instrument") from exc
    except ScreeningError as exc:
        raise ScreeningProblems("; ".join(exc.problems) or str(exc), field="answers") from exc
    screening = Screening(
        patient_id=patient.id,
        instrument=instrument,
        answers=answers,
        positive_domains=list(result.positive_domains),
        needs=[need.to_dict() for need in result.needs],
        safety_score=result.safety_score,
        clinician_review=bool(result.clinician_review),
        language=patient.preferred_language,
        mode=mode,
        created_by=user.id,
    )
    db.session.add(screening)
    db.session.flush()
    needs_from_screening(screening, user.username)
    record_access(user.id, patient.id, "create", f"screening:{screening.id}")
    return screening


def screened_patient(patient_id, user) -> Patient:
    """The patient a screening is for, if the user's care team sees them, or a 400/404."""
    if not isinstance(patient_id, int) or isinstance(patient_id, bool):
        raise BadInput("patient_id must be a patient's id (a whole number).", field="patient_id")
    if not 0 < patient_id <= MAX_ID:
        raise NotFound("There is no patient with that id.", field="patient_id")
    return visible_patient(user, patient_id)


def view_screening(screening_id: int, user) -> Screening:
    """A screening of a patient the user's care team sees (the view is recorded), or 404."""
    screening = db.session.get(Screening, screening_id)
    if screening is None or not may_see_patient(user, screening.patient):
        raise NotFound("There is no screening with that id.")
    record_access(user.id, screening.patient_id, "view", f"screening:{screening.id}")
    return screening


def screening_history(patient_id: int) -> list[Screening]:
    """A patient's screenings, newest first."""
    return list(
        db.session.scalars(
            select(Screening)
            .where(Screening.patient_id == patient_id)
            .order_by(Screening.created_at.desc(), Screening.id.desc())
        )
    )


def screening_json(screening: Screening) -> dict:
    """A stored screening as the API shows it (to case managers and admins only)."""
    body = {
        "id": screening.id,
        "patient_id": screening.patient_id,
        "instrument": screening.instrument,
        "answers": screening.answers,
        "positive_domains": screening.positive_domains,
        "needs": screening.needs,
        "safety_score": screening.safety_score,
        "clinician_review": screening.clinician_review,
        "created_by": screening.created_by,
        "created_at": as_utc(screening.created_at).isoformat(),
    }
    if screening.clinician_review:
        body["guidance"] = SAFETY_GUIDANCE
    return body

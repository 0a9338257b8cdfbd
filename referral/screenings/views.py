"""The screening form (read aloud by a case manager, or a patient on a tablet) and results."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, check_posted_form
from referral.auth.models import CARE_TEAM
from referral.directory.needs import NEED_LABELS
from referral.errors import AppError, NotFound
from referral.extensions import db
from referral.patients.blueprint import get_patient
from referral.referrals.operations import make_referrals
from referral.screening import instrument, instrument_ids
from referral.screening.errors import UnknownInstrument
from referral.screenings.models import Screening
from referral.screenings.operations import (
    SAFETY_GUIDANCE,
    ScreeningProblems,
    record_screening,
    view_screening,
)
from referral.search.engine import SearchRequest, search
from referral.search.geo import zip_place
from referral.search.serialize import result_json
from referral.services import services

bp = Blueprint("screenings", __name__)
LANGUAGES = ("en", "es")
MODES = ("staff", "self")
SUGGESTIONS = 3


@bp.route("/patients/<int:patient_id>/screen/<instrument_id>", methods=["GET", "POST"])
@require_roles(*CARE_TEAM)
def form(patient_id: int, instrument_id: str):
    """Ask every question of an instrument; store the screening when every one is answered."""
    patient = get_patient(patient_id)
    tool = known_instrument(instrument_id)
    mode = request.values.get("mode", "staff") if request.values.get("mode") in MODES else "staff"
    lang = request.values.get("lang") if request.values.get("lang") in LANGUAGES else "en"
    answers, problems = {}, []
    if request.method == "POST":
        check_posted_form()
        answers = posted_answers(tool)
        problems = [
            f"Answer: “{q.text.get(lang)}”" for q in tool.questions if q.code not in answers
        ]
        if not problems:
            try:
                screening = record_screening(
                    {"patient_id": patient.id, "instrument": tool.id, "answers": answers},
                    current_user,
                    mode,
                )
            except ScreeningProblems as exc:
                problems = exc.message.split("; ")
            else:
                if mode == "self":
                    return render_template("screenings/thanks.html", lang=lang, screening=screening)
                return redirect(url_for("screenings.show", screening_id=screening.id))
    return render_template(
        "screenings/form.html",
        patient=patient,
        tool=tool,
        mode=mode,
        lang=lang,
        answers=answers,
        problems=problems,
        form=ActionForm(),
    ), 400 if problems else 200


def known_instrument(instrument_id: str):
    """The instrument, or a 404 listing the ones there are."""
    try:
        return instrument(instrument_id)
    except UnknownInstrument:
        raise NotFound(
            f"Unknown screening tool. Use one of: {', '.join(instrument_ids())}."
        ) from None


def posted_answers(tool) -> dict:
    """The answers the form sent, as score() takes them."""
    answers = {}
    for question in tool.questions:
        chosen = [c for c in request.form.getlist(question.code) if c]
        if chosen:
            answers[question.code] = chosen if question.kind == "multi" else chosen[0]
    return answers


@bp.get("/screenings/<int:screening_id>")
@require_roles(*CARE_TEAM)
def show(screening_id: int):
    """What a screening found, coded, with the best services near the patient for each need."""
    screening = view_screening(screening_id, current_user)
    patient = screening.patient
    return render_template(
        "screenings/show.html",
        screening=screening,
        patient=patient,
        labels=NEED_LABELS,
        tool=instrument(screening.instrument),
        guidance=SAFETY_GUIDANCE,
        suggestions=suggestions(screening, patient),
        form=ActionForm(),
    )


@bp.post("/screenings/<int:screening_id>/refer")
@require_roles(*CARE_TEAM)
def refer(screening_id: int):
    """Refer the screened patient to the ticked suggestions for one need, all at once (nothing
    about the screening travels with the referrals: the organization sees only the need)."""
    check_posted_form()
    screening = view_screening(screening_id, current_user)
    picked = request.form.getlist("service_id")
    data = {
        "patient_id": screening.patient_id,
        "service_ids": picked,
        "locations": {sid: request.form.get(f"location:{sid}", "") for sid in picked},
        "need": request.form.get("need", ""),
        "note": "",
        "consent": request.form.get("consent") == "1",
    }
    try:
        made = make_referrals(data, current_user, current_app.config["REFERRAL"]["FOLLOW_UP_DAYS"])
    except AppError as exc:
        db.session.rollback()
        flash(f"Not referred: {exc.message}", "error")
    else:
        due = made[0].follow_up_due
        flash(f"Referred to {len(made)} service(s); follow up by {due}.", "info")
    return redirect(url_for("screenings.show", screening_id=screening.id))


def suggestions(screening: Screening, patient) -> dict[str, list[dict]]:
    """For each need (not safety, which goes to a clinician first), nearby services in the
    patient's language, or in any language when none speaks it."""
    place = zip_place(patient.postal_code) if patient.postal_code else None
    found = {}
    for need in dict.fromkeys(n["need"] for n in screening.needs):
        if need == "safety":
            continue
        rows = nearby(need, place, patient.preferred_language) or nearby(need, place, "")
        found[need] = rows
    return found


def nearby(need: str, place, language: str) -> list[dict]:
    """The best few services for one need near the patient."""
    request_ = SearchRequest(
        place=place,
        radius_miles=15.0,
        categories=(need,),
        language=language,
        limit=SUGGESTIONS,
        timezone=current_app.config["REFERRAL"]["DEFAULT_TIMEZONE"],
    )
    response = search(services().index, request_, concepts=services().concepts.table())
    return [result_json(r) for r in response.results]

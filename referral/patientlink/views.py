"""The patient's own page at `/p/<token>`, and the care team's links box on the patient page.

The page needs no account: the token in the address is the key, and the answer forms carry
the session-bound CSRF token as every form does, so another site cannot post answers for a
patient whose link it learnt. Answers redirect back to the page (which then thanks them), and
nothing there needs JavaScript.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, check_posted_form
from referral.auth.models import CARE_TEAM
from referral.errors import AppError, handle_http_error
from referral.extensions import db, limiter
from referral.network.scope import visible_patient
from referral.notifications.operations import sms_problem
from referral.patientlink import operations as links
from referral.patientlink.models import PatientLink
from referral.patients.models import Patient
from referral.patients.operations import record_access
from referral.referrals.slip import slip_language

bp = Blueprint("patientlink", __name__)
TOO_MANY = (
    "Too many requests from this device. Wait a minute and try again. / Demasiadas solicitudes "
    "desde este dispositivo. Espere un minuto y vuelva a intentarlo."
)


def page_limit() -> str:
    """How often one address may open or answer patient pages (e.g. `30 per minute`)."""
    return current_app.config["REFERRAL"]["PATIENT_LINK_LIMIT"]


def private(response, status: int = 200):
    """A patient page answer that no cache keeps and no search engine lists."""
    response = current_app.make_response((response, status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def closed(status: int):
    """The friendly page, in English and Spanish, for a link that opens nothing."""
    return private(render_template("patientlink/closed.html", status=status), status)


@bp.route("/p/<token>", methods=["GET", "POST"])
@limiter.limit(page_limit, error_message=TOO_MANY)
def page(token: str):
    """The patient's open referrals, with a button for each answer; a posted answer is
    recorded and the page comes back thanking them."""
    try:
        link = links.link_for(token)
    except links.LinkClosed as exc:
        return closed(exc.status)
    patient = db.session.get(Patient, link.patient_id)
    language = slip_language(request.values.get("lang"), patient.preferred_language)
    if request.method == "POST":
        return answered(link, token, language)
    links.opened(link)
    record_access(None, patient.id, "view", f"patient-link:{link.id}")
    said = request.args.get("said")
    with force_locale(language):
        return private(
            render_template(
                "patientlink/page.html",
                own=links.own_page(link, language),
                token=token,
                said=said if said in links.ANSWERS else None,
                form=ActionForm(),
                page_lang=language,
            )
        )


def answered(link: PatientLink, token: str, language: str):
    """Record one posted answer and go back to the page to thank the patient."""
    form = request.form
    try:
        check_posted_form()
        links.answer(link, form.get("referral_id", ""), form.get("answer", ""), date.today())
    except AppError as exc:
        db.session.rollback()
        return closed(404 if exc.status == 404 else 400)
    target = url_for("patientlink.page", token=token, said=request.form["answer"], lang=language)
    return redirect(target + "#thanks", code=303)


@bp.errorhandler(CSRFError)
@bp.errorhandler(RateLimitExceeded)
def refused(exc: HTTPException):
    """A patient page refused for a missing form token or too many requests: the friendly
    page; the care team's pages answer as everywhere else."""
    if not request.path.startswith("/p/"):
        return handle_http_error(exc)
    db.session.rollback()
    return closed(exc.code or 400)


@bp.app_template_global()
def patient_links_box(patient: Patient) -> dict:
    """What the care team's links box on the patient page shows."""
    return {"active": links.active_links(patient.id), "text_problem": sms_problem(patient)}


@bp.post("/patients/<int:patient_id>/link")
@require_roles(*CARE_TEAM)
def make(patient_id: int):
    """Text the patient a new link, or show a new one once to copy."""
    check_posted_form()
    patient = visible_patient(current_user, patient_id)
    send = request.form.get("send", "copy")
    link, url = links.create_link(patient, current_user, send)
    record_access(current_user.id, patient.id, "link", f"patient-link:{link.id}")
    if send == "sms":
        flash("The link to their own page is queued as a text to the patient.", "info")
        return redirect(url_for("patients.show", patient_id=patient.id, _anchor="patient-link"))
    return private(render_template("patientlink/created.html", patient=patient, url=url, link=link))


@bp.post("/patients/<int:patient_id>/links/<int:link_id>/revoke")
@require_roles(*CARE_TEAM)
def revoke(patient_id: int, link_id: int):
    """Stop one of the patient's links working."""
    check_posted_form()
    patient = visible_patient(current_user, patient_id)
    links.revoke(patient, link_id)
    record_access(current_user.id, patient.id, "revoke-link", f"patient-link:{link_id}")
    flash("The link no longer works.", "info")
    return redirect(url_for("patients.show", patient_id=patient.id, _anchor="patient-link"))

"""The receiving organization's page: see a referral and answer it through a signed link."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from referral.api.requests import whole_version
from referral.auth.forms import ActionForm, check_posted_form
from referral.directory.models import Service
from referral.errors import AppError
from referral.extensions import db
from referral.network.models import NetworkOrganization
from referral.patients.models import Patient
from referral.patients.operations import record_access
from referral.referrals import states
from referral.referrals.links import LinkRefused, referral_id_of
from referral.referrals.models import Referral
from referral.referrals.operations import change_status, received_patient

bp = Blueprint("receiver", __name__, url_prefix="/r")


def referral_for(token: str) -> Referral:
    """The referral a link opens, or LinkRefused when it is expired, forged or closed."""
    settings = current_app.config["REFERRAL"]
    referral = db.session.get(
        Referral, referral_id_of(current_app.secret_key, token, settings["LINK_DAYS"])
    )
    if referral is None:
        raise LinkRefused("This referral no longer exists.")
    if not states.is_open(referral.status):
        raise LinkRefused("This referral is closed, so the link no longer works. Thank you.")
    receiving = (
        db.session.get(NetworkOrganization, referral.receiving_org_id)
        if referral.receiving_org_id
        else None
    )
    if receiving is not None and not receiving.link_enabled:
        raise LinkRefused(
            f"{receiving.name} answers referrals in its inbox: sign in to see this one."
        )
    return referral


@bp.route("/<token>", methods=["GET", "POST"])
def answer(token: str):
    """Show the referral to the receiving organization and take its answer."""
    try:
        referral = referral_for(token)
    except LinkRefused as exc:
        return render_template("referrals/link_refused.html", message=str(exc)), 410
    service = db.session.get(Service, referral.service_id)
    if request.method == "POST":
        check_posted_form()
        actor = f"{service.organization.name} (link)"
        try:
            version = whole_version(request.form.get("version"))
            change_status(referral, request.form, states.Party.RECEIVER, actor, version)
        except AppError as exc:
            flash(exc.message, "error")
        else:
            flash("Thank you. The case manager can see your answer now.", "info")
        return redirect(url_for("receiver.answer", token=token))
    record_access(None, referral.patient_id, "view", f"referral:{referral.id}:link")
    return render_template(
        "referrals/receiver.html",
        referral=referral,
        service=service,
        patient=received_patient(db.session.get(Patient, referral.patient_id)),
        moves=states.allowed_moves(referral.status, states.Party.RECEIVER),
        form=ActionForm(),
        outcomes=list(states.Outcome),
        needs_reason=states.REASON_REQUIRED,
    )

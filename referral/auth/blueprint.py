"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from referral.auth import access  # noqa: F401  (registers the user loaders)
from referral.auth.access import require_roles
from referral.auth.forms import DetailsForm, LoginForm
from referral.auth.operations import find_user, update_details
from referral.patients.validation import display_phone

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign the user in when the password matches."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = find_user(form.username.data or "")
        if user is not None and user.active and user.check_password(form.password.data or ""):
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        flash("That username and password do not match. Check them and try again.", "error")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out and return to the sign-in page."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@require_roles()
def account():
    """Your name, phone and email as referral slips show them."""
    form = DetailsForm(obj=current_user)
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        problems = update_details(current_user, form.data)
        if not problems:
            flash("Your details are saved; new slips show them.", "info")
            return redirect(url_for("auth.account"))
    elif form.is_submitted():
        problems = {name: errors[0] for name, errors in form.errors.items()}
    if current_user.phone and not form.is_submitted():
        form.phone.data = display_phone(current_user.phone)
    status = 400 if problems else 200
    return render_template("auth/account.html", form=form, problems=problems), status


def safe_next(target: str | None) -> str:
    """`next` when it points inside this site, else the search page."""
    if (
        target
        and not urlsplit(target).netloc
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("web.search")

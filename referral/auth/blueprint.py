"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from referral.auth import access  # noqa: F401  (registers the user loaders)
from referral.auth.forms import LoginForm
from referral.auth.operations import find_user

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

"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_user, logout_user

from referral.auth import access  # noqa: F401  (registers the user loaders)
from referral.auth.access import require_roles
from referral.auth.forms import DetailsForm, LoginForm, PasswordForm
from referral.auth.models import User
from referral.auth.operations import (
    change_password,
    find_user,
    record_sign_in_failure,
    update_details,
)
from referral.extensions import db, limiter
from referral.patients.validation import display_phone

bp = Blueprint("auth", __name__)

TOO_MANY = (
    "Too many sign-ins failed for this account or from this computer. Wait a minute and try "
    "again; if you have forgotten your password, ask an administrator for a new one."
)


def sign_in_limit() -> str:
    """How many failed sign-ins an account, or an address, may have (e.g. `10 per minute`)."""
    return current_app.config["REFERRAL"]["SIGN_IN_LIMIT"]


def account_tried() -> str:
    """The throttling key of the account a sign-in names."""
    return "account:" + request.form.get("username", "").strip().casefold()


def failed(response) -> bool:
    """Whether a sign-in answer counts against the limits: only refused passwords do."""
    return response.status_code == 401


def refuse_throttled(_limit) -> None:
    """Record a sign-in refused for being over the limit."""
    record_sign_in_failure(request.form.get("username", ""), request.remote_addr or "", "throttled")
    db.session.commit()  # kept although the answer is a refusal


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    sign_in_limit,
    methods=["POST"],
    deduct_when=failed,
    on_breach=refuse_throttled,
    error_message=TOO_MANY,
)
@limiter.limit(
    sign_in_limit,
    key_func=account_tried,
    methods=["POST"],
    deduct_when=failed,
    on_breach=refuse_throttled,
    error_message=TOO_MANY,
)
def login():
    """Show the sign-in form; sign the user in when the password matches."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = find_user(form.username.data or "")
        reason = refusal(user, form.password.data or "")
        if reason is None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), home_page(user)))
        record_sign_in_failure(form.username.data or "", request.remote_addr or "", reason)
        db.session.commit()  # kept although the answer is a refusal
        flash("That username and password do not match. Check them and try again.", "error")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


def refusal(user: User | None, password: str) -> str | None:
    """Why a sign-in is refused (`unknown user`, `switched off`, `wrong password`), or None."""
    if user is None:
        return "unknown user"
    if not user.check_password(password):
        return "wrong password"
    if not user.active:
        return "switched off"
    return None


@bp.errorhandler(RateLimitExceeded)
def too_many_sign_ins(exc: RateLimitExceeded):
    """The sign-in form again, saying why it is refused for now (429)."""
    flash(exc.description or TOO_MANY, "error")
    page = render_template("auth/login.html", form=LoginForm())
    response = current_app.make_response((page, 429))
    response.headers["Retry-After"] = "60"
    return response


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
    status = 400 if problems else 200
    return render_page(form, PasswordForm(formdata=None), problems, status)


@bp.post("/account/password")
@require_roles()
def new_password():
    """Change your own password: the current one, then a new one twice."""
    form = PasswordForm()
    if form.validate_on_submit():
        problems = change_password(
            current_user, form.current.data, form.new.data, form.repeated.data
        )
        if not problems:
            flash("Your password is changed; use the new one next time you sign in.", "info")
            return redirect(url_for("auth.account"))
    else:
        problems = {name: errors[0] for name, errors in form.errors.items()}
    return render_page(DetailsForm(obj=current_user), form, problems, 400)


def render_page(details: DetailsForm, password: PasswordForm, problems: dict, status: int):
    """The account page with both of its forms and any problems by field."""
    if current_user.phone and details.phone.data == current_user.phone:
        details.phone.data = display_phone(current_user.phone)
    page = render_template(
        "auth/account.html", form=details, password_form=password, problems=problems
    )
    return page, status


def home_page(user) -> str:
    """Where a person lands after signing in: a care team's worklist, else the search page."""
    care = any(m.role in ("case_manager", "admin") for m in user.memberships)
    return url_for("worklist.index") if care else url_for("web.search")


def safe_next(target: str | None, home: str | None = None) -> str:
    """`next` when it points inside this site, else the person's home page."""
    if (
        target
        and not urlsplit(target).netloc
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return home or url_for("web.search")

"""Account administration (admins only): add people, reset passwords, switch accounts off."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, NewUserForm, check_posted_form
from referral.auth.models import SignInFailure, User
from referral.auth.operations import (
    AccountError,
    count_sign_in_failures,
    create_user,
    list_users,
    recent_sign_in_failures,
    reset_password,
    sign_in_failure_counts,
)
from referral.directory.models import utcnow
from referral.errors import NotFound, Refused
from referral.extensions import db
from referral.network.models import NetworkOrganization
from referral.network.operations import find_organization, organizations

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@require_roles("admin")
def users():
    """The accounts the admin manages with their roles and state, and a form to add one."""
    return render_page(NewUserForm())


def managed_org_ids() -> set[int] | None:
    """The organizations whose members the signed-in admin manages (None: every one)."""
    if current_user.instance_admin:
        return None
    return {m.organization_id for m in current_user.memberships if m.role == "admin"}


def organization_choices(form: NewUserForm) -> None:
    """Offer the organizations the admin manages (and the whole installation to its admins)."""
    managed = managed_org_ids()
    found = [o for o in organizations() if managed is None or o.id in managed]
    form.organization.choices = [(o.key, o.name) for o in found]
    if managed is None and len(found) != 1:
        form.organization.choices.insert(0, ("", "— the whole installation (admins only) —"))


def render_page(form: NewUserForm, password: str | None = None, for_user: str = "", status=200):
    """The accounts page, optionally showing a new password once."""
    organization_choices(form)
    return render_template(
        "auth/users.html",
        users=list_users(managed_org_ids()),
        form=form,
        action=ActionForm(),
        password=password,
        for_user=for_user,
        refused_today=count_sign_in_failures(utcnow() - timedelta(hours=24)),
    ), status


@bp.post("/users")
@require_roles("admin")
def add_user():
    """Add an account with a random password, shown on the next page once."""
    form = NewUserForm()
    if not form.validate_on_submit():
        return render_page(form, status=400)
    password = secrets.token_urlsafe(12)
    try:
        organization = chosen_organization(form.organization.data)
        create_user(
            form.username.data,
            form.role.data,
            password,
            form.display_name.data or "",
            organization,
            form.email.data or "",
        )
    except AccountError as exc:
        form.username.errors.append(str(exc))
        return render_page(form, status=422)
    return render_page(NewUserForm(formdata=None), password, form.username.data)


@bp.post("/users/<int:user_id>/password")
@require_roles("admin")
def new_password(user_id: int):
    """Reset a user's password to a random one, shown once."""
    check_posted_form()
    user = find(user_id)
    return render_page(NewUserForm(formdata=None), reset_password(user), user.username)


@bp.post("/users/<int:user_id>/active")
@require_roles("admin")
def toggle_active(user_id: int):
    """Switch an account off (it can no longer sign in or use its tokens) or back on."""
    check_posted_form()
    user = find(user_id)
    if user.id == current_user.id:
        raise Refused("You cannot switch off your own account.")
    user.active = not user.active
    flash(f"{user.username} is {'active' if user.active else 'switched off'}.", "info")
    return redirect(url_for("admin.users"))


@bp.get("/sign-ins")
@require_roles("admin")
def sign_ins():
    """Refused sign-ins: the latest ones, and the accounts and addresses with the most today."""
    return render_template(
        "auth/sign_ins.html",
        failures=recent_sign_in_failures(),
        by_account=failures_today(SignInFailure.username),
        by_address=failures_today(SignInFailure.address),
    )


def failures_today(column) -> list[tuple[str, int]]:
    """Refused sign-ins of the last 24 hours per value of `column`, most first."""
    return sign_in_failure_counts(utcnow() - timedelta(hours=24), column)


def chosen_organization(key: str | None):
    """The organization picked for a new account, if the admin manages it; none for an
    installation admin who picked the whole installation."""
    managed = managed_org_ids()
    if not key:
        if managed is None:
            return None
        if len(managed) == 1:
            return db.session.get(NetworkOrganization, next(iter(managed)))
        raise AccountError("Choose the organization the person works for.")
    organization = find_organization(key)
    if organization is None or (managed is not None and organization.id not in managed):
        raise AccountError("Choose one of your organizations.")
    return organization


def find(user_id: int) -> User:
    """An account the admin manages, or 404."""
    user = db.session.get(User, user_id)
    managed = managed_org_ids()
    if user is None or (
        managed is not None and not managed & {m.organization_id for m in user.memberships}
    ):
        raise NotFound("There is no such account.")
    return user

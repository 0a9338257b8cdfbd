"""The organizations pages: the installation's admins set up organizations and the directory
listings they answer for; each organization's admins manage its members."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from referral.auth.access import require_roles
from referral.auth.admin import managed_org_ids
from referral.auth.forms import ROLE_CHOICES, ActionForm, check_posted_form
from referral.errors import AppError, Conflict, Forbidden, NotFound
from referral.network.listings import directory_matches, listing_name
from referral.network.models import Claim, Membership, NetworkOrganization
from referral.network.operations import (
    OrganizationProblems,
    add_member,
    check_not_self,
    claim,
    counts_by_organization,
    create_organization,
    edit_organization,
    find_organization,
    join,
    member_of,
    members_of,
    organization_version,
    organizations,
    remove_member,
    unclaim,
)

bp = Blueprint("organizations", __name__, url_prefix="/admin/organizations")
ROLE_NAMES = {choice.value: choice.label for choice in ROLE_CHOICES}
KIND_NAMES = {
    "referring": "Referring: refers patients",
    "receiving": "Receiving: gets referrals",
    "both": "Both",
}


def require_instance_admin() -> None:
    """Refuse everyone but the installation's admins."""
    if not current_user.instance_admin:
        raise Forbidden("Only the installation's administrators manage organizations.")


def managed(key: str) -> NetworkOrganization:
    """The organization with that key, if the signed-in admin manages its members."""
    organization = find_organization(key)
    if organization is None:
        raise NotFound("There is no organization with that key.")
    org_ids = managed_org_ids()
    if org_ids is not None and organization.id not in org_ids:
        raise Forbidden("You manage the members of your own organizations only.")
    return organization


def administered(key: str) -> NetworkOrganization:
    """The organization with that key, for the installation's admins only."""
    require_instance_admin()
    return managed(key)


@bp.get("")
@require_roles("admin")
def index():
    """Every organization with its members and claims, and a form to add one."""
    require_instance_admin()
    return render_list({"kind": "receiving"}, {})


def render_list(values: dict, problems: dict, status: int = 200):
    """The organizations page, with the new organization form as it was filled in."""
    return render_template(
        "network/organizations.html",
        organizations=organizations(),
        members=counts_by_organization(Membership.organization_id),
        claims=counts_by_organization(Claim.organization_id),
        kinds=KIND_NAMES,
        values=values,
        problems=problems,
        form=ActionForm(),
    ), status


@bp.post("")
@require_roles("admin")
def create():
    """Add an organization; every problem with the form is shown by its field."""
    require_instance_admin()
    check_posted_form()
    values = {name: request.form.get(name, "") for name in ("key", "name", "kind", "email")}
    try:
        organization = create_organization(**values)
    except OrganizationProblems as exc:
        return render_list(values, exc.problems, 400)
    next_step = "claim what it answers for and add" if organization.receives else "add"
    flash(f"Added {organization.name}. Now {next_step} its members.", "info")
    return redirect(url_for("organizations.show", key=organization.key))


@bp.get("/<key>")
@require_roles("admin")
def show(key: str):
    """One organization: its details, the listings it answers for, and its members."""
    return render_organization(managed(key))


def render_organization(organization, problems=None, entered=None, yours=None, status=200):
    """The organization's page; `entered` is what a refused details form held, `yours` what
    a stale one would have changed."""
    everything = bool(current_user.instance_admin)
    find = request.values.get("find", "").strip()
    return render_template(
        "network/organization.html",
        organization=organization,
        everything=everything,
        values=entered or details(organization),
        version=organization_version(organization),
        claims=[(c, listing_name(c)) for c in organization.claims],
        find=find,
        matches=directory_matches(find) if everything else [],
        members=members_of(organization),
        roles=ROLE_NAMES,
        kinds=KIND_NAMES,
        problems=problems or {},
        yours=yours or {},
        form=ActionForm(),
    ), status


def details(organization: NetworkOrganization) -> dict:
    """The organization's details as the edit form holds them."""
    return {
        "name": organization.name,
        "kind": organization.kind,
        "email": organization.email,
        "active": organization.active,
        "links": organization.link_enabled,
    }


@bp.post("/<key>")
@require_roles("admin")
def update(key: str):
    """Save the organization's details, unless someone changed them since the form was shown."""
    organization = administered(key)
    check_posted_form()
    entered = posted_details()
    try:
        edit_organization(organization, request.form.get("version", ""), **entered)
    except Conflict as exc:
        yours = unsaved(entered, details(organization))
        return render_organization(organization, {"version": exc.message}, yours=yours, status=409)
    except OrganizationProblems as exc:
        return render_organization(organization, exc.problems, entered, status=400)
    flash(f"Saved the details of {organization.name}.", "info")
    return redirect(url_for("organizations.show", key=key))


def unsaved(entered: dict, current: dict) -> dict:
    """What a refused form held that differs from the organization as it now is."""
    return {name: value for name, value in entered.items() if current[name] != value}


def posted_details() -> dict:
    """The details form as posted (an unticked box is not sent)."""
    form = request.form
    values = {name: form.get(name, "") for name in ("name", "kind", "email")}
    return {**values, "active": "active" in form, "links": "links" in form}


@bp.post("/<key>/claims")
@require_roles("admin")
def add_claim(key: str):
    """Make the organization answer for a directory organization or service, by id."""
    organization = administered(key)
    check_posted_form()
    try:
        found = claim(organization, request.form.get("listing", ""), current_user.id)
    except AppError as exc:
        return render_organization(organization, {"claim": exc.message}, status=400)
    flash(f"{organization.name} now answers for {listing_name(found)}.", "info")
    find = request.form.get("find") or None
    return redirect(url_for("organizations.show", key=key, find=find, _anchor="claims"))


@bp.post("/<key>/claims/<int:claim_id>/remove")
@require_roles("admin")
def remove_claim(key: str, claim_id: int):
    """Stop the organization answering for a listing; referrals sent already stay with it."""
    organization = administered(key)
    check_posted_form()
    name = next((listing_name(c) for c in organization.claims if c.id == claim_id), "")
    unclaim(organization, claim_id)
    flash(f"{organization.name} no longer answers for {name}.", "info")
    return redirect(url_for("organizations.show", key=key, _anchor="claims"))


@bp.post("/<key>/members")
@require_roles("admin")
def add(key: str):
    """Add an existing account to the organization with a role."""
    organization = managed(key)
    check_posted_form()
    role = request.form.get("role", "")
    try:
        membership = join(organization, request.form.get("username", ""), role)
    except AppError as exc:
        problem = {exc.field if exc.field == "role" else "username": exc.message}
        return render_organization(organization, problem, status=400)
    flash(f"{membership.user.username} joined as {ROLE_NAMES[role].lower()}.", "info")
    return redirect(url_for("organizations.show", key=key, _anchor="members"))


def posted_member(key: str, user_id: int):
    """The organization and the member a posted members form acts on."""
    organization = managed(key)
    check_posted_form()
    return organization, member_of(organization, user_id)


def refused_member(organization: NetworkOrganization, user_id: int, exc: AppError):
    """The organization's page with the reason by the member's row."""
    return render_organization(organization, {f"member-{user_id}": exc.message}, status=400)


@bp.post("/<key>/members/<int:user_id>")
@require_roles("admin")
def change_role(key: str, user_id: int):
    """Give a member another role in the organization."""
    organization, user = posted_member(key, user_id)
    role = request.form.get("role", "")
    try:
        check_not_self(user, current_user)
        add_member(user, organization, role)
    except AppError as exc:
        return refused_member(organization, user_id, exc)
    flash(f"{user.username} is now {ROLE_NAMES[role].lower()}.", "info")
    return redirect(url_for("organizations.show", key=key, _anchor="members"))


@bp.post("/<key>/members/<int:user_id>/remove")
@require_roles("admin")
def remove(key: str, user_id: int):
    """Take a member out of the organization."""
    organization, user = posted_member(key, user_id)
    try:
        check_not_self(user, current_user)
        remove_member(user, organization)
    except AppError as exc:
        return refused_member(organization, user_id, exc)
    alone = "" if user.memberships else " They now belong to no organization."
    flash(f"{user.username} is no longer a member of {organization.name}.{alone}", "info")
    return redirect(url_for("organizations.show", key=key, _anchor="members"))

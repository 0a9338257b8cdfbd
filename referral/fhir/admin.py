"""The FHIR clients pages: admins register the systems that call the FHIR API, see their
scopes and live tokens, and revoke them. An organization's admins manage its clients only;
installation-wide clients (which see every patient) are for the installation's admins."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from referral.auth.access import require_roles
from referral.auth.forms import ActionForm, check_posted_form
from referral.errors import NotFound
from referral.fhir.models import FhirClient
from referral.fhir.oauth import (
    client_problems,
    clients_of,
    create_client,
    find_client,
    live_token_counts,
    revoke_client,
)
from referral.fhir.scopes import GROUPS, WRITABLE, chosen_scopes
from referral.network.models import NetworkOrganization
from referral.network.operations import find_organization, organizations
from referral.network.scope import admin_org_ids

bp = Blueprint("fhir_clients", __name__, url_prefix="/admin/fhir-clients")
EVERYWHERE = "*"
NO_CLIENT = "There is no FHIR client with that id among the ones you manage."
CHOOSE = "Choose the organization whose patients it works with."
ALREADY_ADDED = (
    "That client was already added, and its secret is shown only once. If it was not copied, "
    "revoke the client and add it again."
)
CHOOSE_ANY = "Choose the organization whose patients it works with, or the whole installation."


def managed_orgs() -> set[int] | None:
    """The organizations whose clients the signed-in admin manages (None: every client)."""
    return None if current_user.instance_admin else admin_org_ids(current_user)


def choices() -> list[NetworkOrganization]:
    """The active organizations a new client may be bound to by the signed-in admin."""
    managed = managed_orgs()
    return [o for o in organizations() if o.active and (managed is None or o.id in managed)]


def managed_client(client_id: str) -> FhirClient:
    """The client with that public id, if the signed-in admin manages it; else 404."""
    client = find_client(client_id)
    managed = managed_orgs()
    if client is None or (managed is not None and client.organization_id not in managed):
        raise NotFound(NO_CLIENT)
    return client


@bp.get("")
@require_roles("admin")
def index():
    """The clients the admin manages, newest first, and a form to add one."""
    offered = choices()
    chosen = offered[0].key if len(offered) == 1 and managed_orgs() is not None else ""
    return render_list({"organization": chosen}, [], {})


def render_list(values: dict, ticked: list[str], problems: dict, status: int = 200):
    """The clients page, with the new client form as it was filled in."""
    clients = clients_of(managed_orgs())
    return render_template(
        "fhir/clients.html",
        clients=clients,
        tokens=live_token_counts(clients),
        organizations=choices(),
        everywhere=current_user.instance_admin,
        groups=GROUPS,
        writable=WRITABLE,
        values=values,
        ticked=ticked,
        problems=problems,
        form=ActionForm(),
        once=values.get("once") or secrets.token_urlsafe(16),
    ), status


@bp.post("")
@require_roles("admin")
def create():
    """Register a client; every problem is shown by its field, else its secret is shown once."""
    check_posted_form()
    values = {
        name: request.form.get(name, "") for name in ("name", "organization", "scopes", "once")
    }
    if values["once"] and values["once"] in session.get("fhir_clients_added", []):
        flash(ALREADY_ADDED, "error")
        return redirect(url_for("fhir_clients.index"))
    ticked = request.form.getlist("scope")
    scopes = chosen_scopes(ticked, values["scopes"])
    organization, problems = chosen_organization(values["organization"])
    problems |= client_problems(values["name"], scopes)
    if problems:
        return render_list(values, ticked, problems, 400)
    client, secret = create_client(values["name"], scopes, organization, current_user)
    remember_added(values["once"])
    page = render_template(
        "fhir/client_created.html",
        client=client,
        secret=secret,
        token_url=url_for("fhir.token", _external=True),
    )
    return page, 200, {"Cache-Control": "no-store"}


def remember_added(once: str) -> None:
    """Remember that this form was sent, so that sending it again adds no second client."""
    if once:
        session["fhir_clients_added"] = [*session.get("fhir_clients_added", [])[-19:], once]


def chosen_organization(key: str) -> tuple[NetworkOrganization | None, dict[str, list[str]]]:
    """The organization picked for a new client (None: installation-wide), or why not."""
    if key == EVERYWHERE:
        if current_user.instance_admin:
            return None, {}
        refused = "Only the installation's administrators add clients that see every patient."
        return None, {"organization": [refused]}
    if not key:
        return None, {"organization": [CHOOSE_ANY if current_user.instance_admin else CHOOSE]}
    organization = find_organization(key)
    if organization is None or organization not in choices():
        return None, {"organization": ["Choose one of the organizations offered."]}
    return organization, {}


@bp.get("/<client_id>")
@require_roles("admin")
def show(client_id: str):
    """One client: its organization, scopes, state, who added it and its live tokens."""
    return render_client(managed_client(client_id))


def render_client(client: FhirClient, confirming: bool = False):
    """The client's page, asking to confirm the revocation when `confirming`."""
    return render_template(
        "fhir/client.html",
        client=client,
        tokens=live_token_counts([client]).get(client.id, 0),
        confirming=confirming,
        form=ActionForm(),
    )


@bp.post("/<client_id>/revoke")
@require_roles("admin")
def revoke(client_id: str):
    """Revoke a client once confirmed: it gets no more tokens and its tokens stop working."""
    client = managed_client(client_id)
    check_posted_form()
    if not client.active:
        flash(f"{client.name} was already revoked.", "info")
    elif not request.form.get("confirmed"):
        return render_client(client, confirming=True)
    else:
        revoked = revoke_client(client)
        flash(f"Revoked {client.name}: {revoked} token(s) stopped working.", "info")
    return redirect(url_for("fhir_clients.show", client_id=client.client_id))

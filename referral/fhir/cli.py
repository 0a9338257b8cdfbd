"""`referral fhir-clients`: the systems allowed to call the FHIR API, their scopes and secrets."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("fhir-clients")
def fhir_clients_group() -> None:
    """Manage the OAuth clients of the FHIR API (client credentials)."""


@fhir_clients_group.command("create")
@click.argument("name")
@click.option(
    "--scopes",
    required=True,
    help='Space-separated system scopes, e.g. "system/Patient.read system/Task.write".',
)
@click.option("--org", "org_key", default=None, help="The organization (key) it acts for.")
@with_appcontext
def fhir_clients_create(name: str, scopes: str, org_key: str | None) -> None:
    """Register a client called NAME and print its id and secret (the secret is shown once)."""
    from referral.cli import require_database
    from referral.errors import AppError
    from referral.extensions import db
    from referral.fhir.oauth import create_client
    from referral.network.operations import organization_named

    require_database()
    try:
        organization = organization_named(org_key) if org_key else None
        client, secret = create_client(name, scopes, organization)
    except AppError as exc:
        db.session.rollback()
        raise click.ClickException("\n".join(getattr(exc, "problems", [exc.message]))) from exc
    db.session.commit()
    where = f" for {organization.key}" if organization else ""
    click.echo(f"Created FHIR client {client.name}{where} with scopes {client.scopes}.")
    click.echo(f"  client id:     {client.client_id}")
    click.echo(f"  client secret: {secret}")
    click.echo("  (the secret is shown once: only its hash is kept)")


@fhir_clients_group.command("list")
@with_appcontext
def fhir_clients_list() -> None:
    """Every client: name, client id, organization, scopes, active or revoked, created."""
    from referral.cli import require_database
    from referral.fhir.oauth import fhir_clients

    require_database()
    found = fhir_clients()
    if not found:
        click.echo("No FHIR clients yet (`referral fhir-clients create` makes one).")
    for client in found:
        click.echo(
            f"{client.name}\t{client.client_id}\t"
            f"{client.organization.key if client.organization else '-'}\t{client.scopes}\t"
            f"{'active' if client.active else 'revoked'}\t{client.created_at:%Y-%m-%d %H:%M}"
        )


@fhir_clients_group.command("revoke")
@click.argument("client_id")
@with_appcontext
def fhir_clients_revoke(client_id: str) -> None:
    """Switch off the client CLIENT_ID: it gets no more tokens and its tokens stop working."""
    from referral.cli import require_database
    from referral.extensions import db
    from referral.fhir.oauth import find_client, revoke_client

    require_database()
    client = find_client(client_id.strip())
    if client is None:
        raise click.ClickException(
            f"No FHIR client {client_id!r} (`referral fhir-clients list` shows them)."
        )
    revoked = revoke_client(client)
    db.session.commit()
    click.echo(f"Revoked {client.name} ({client.client_id}) and {revoked} token(s).")

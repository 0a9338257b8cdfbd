"""`referral orgs`: the organizations sharing this installation, and their members."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from referral.network.models import KINDS


@click.group("orgs")
def orgs_group() -> None:
    """Manage the organizations of the network (clinics, hospitals, community organizations)."""


@orgs_group.command("create")
@click.argument("key")
@click.option("--name", required=True, help="The organization's name as people know it.")
@click.option(
    "--kind", required=True, type=click.Choice(KINDS), help="Whether it refers, receives, or both."
)
@click.option("--email", default="", help="Where new referrals are announced (receiving).")
@click.option(
    "--claims",
    multiple=True,
    metavar="DIRECTORY_ID",
    help="A directory organization or service id it answers for (repeatable).",
)
@with_appcontext
def orgs_create(key: str, name: str, kind: str, email: str, claims: tuple[str, ...]) -> None:
    """Add an organization with the short KEY used in commands and links (e.g. clinic-a)."""
    from referral.cli import require_database
    from referral.errors import AppError
    from referral.extensions import db
    from referral.network.operations import create_organization

    require_database()
    try:
        organization = create_organization(key, name, kind, email, claims)
    except AppError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.field or 'org'}: {exc.message}") from exc
    db.session.commit()
    claimed = f", answering for {len(claims)} listing(s)" if claims else ""
    click.echo(f"Created {organization.kind} organization {organization.key}{claimed}.")


@orgs_group.command("list")
@with_appcontext
def orgs_list() -> None:
    """Every organization: key, kind, members, claimed listings, email and name."""
    from referral.cli import require_database
    from referral.network.operations import organizations

    require_database()
    found = organizations()
    if not found:
        click.echo("No organizations yet (the first user created makes one).")
    for organization in found:
        click.echo(
            f"{organization.key}\t{organization.kind}\t{len(organization.memberships)} members\t"
            f"{len(organization.claims)} claims\t{organization.email or '-'}\t{organization.name}"
        )


@orgs_group.command("update")
@click.argument("key")
@click.option("--name", default=None, help="A new name.")
@click.option("--email", default=None, help="A new address for referral announcements.")
@click.option(
    "--links/--no-links",
    default=None,
    help="Whether referrals to it may be answered through signed links without an account.",
)
@click.option(
    "--claims", multiple=True, metavar="DIRECTORY_ID", help="More listings it answers for."
)
@with_appcontext
def orgs_update(
    key: str, name: str | None, email: str | None, links: bool | None, claims: tuple[str, ...]
) -> None:
    """Change an organization's name, email, signed links or claimed listings."""
    from referral.cli import require_database
    from referral.errors import AppError
    from referral.extensions import db
    from referral.network.operations import claim, organization_named, update_organization

    require_database()
    try:
        organization = organization_named(key)
        update_organization(organization, name, email, links)
        for listing in claims:
            claim(organization, listing)
    except AppError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.field or 'org'}: {exc.message}") from exc
    db.session.commit()
    click.echo(f"Updated {organization.key}.")

"""The `referral` command: init, serve, import, export, reindex, users, orgs, fhir-clients."""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from referral import INSTANCE_CONFIG, PROJECT_ROOT
from referral.auth.models import ROLES
from referral.fhir.cli import fhir_clients_group
from referral.network.cli import orgs_group
from referral.notifications.cli import notify_group, worker_command
from referral.transitions.cli import adt_group

BUNDLED_DIRECTORY = "cleveland"


def say(line: str) -> None:
    """Progress output, on standard error so standard output stays clean for results."""
    click.echo(line, err=True)


def make_app() -> Flask:
    """The app for a command, giving a new instance folder its own secret key first."""
    from referral import create_app

    if not os.environ.get("REFERRAL_SECRET_KEY"):
        ensure_instance_secret()
    return create_app({"WARM_INDEX": False})


def ensure_instance_secret() -> None:
    """Write a random secret key into the instance config when none is configured anywhere."""
    default = Flask("referral", instance_relative_config=True).instance_path
    instance = Path(os.environ.get("REFERRAL_INSTANCE_PATH") or default)
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / INSTANCE_CONFIG
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if not data.get("SECRET_KEY"):
        data["SECRET_KEY"] = secrets.token_hex(32)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        path.chmod(0o600)
        say(f"wrote a new secret key to {path}")


@click.group(
    cls=FlaskGroup, create_app=make_app, add_default_commands=False, add_version_option=False
)
def main() -> None:
    """Community-resource referral platform."""


def bundled_directory() -> Path:
    """The starter directory shipped with the app."""
    checkout = PROJECT_ROOT / "resources_db" / BUNDLED_DIRECTORY
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / "resources_db" / BUNDLED_DIRECTORY


@click.command("init")
@click.option("--empty", is_flag=True, help="Start with no directory: do not load the bundled one.")
@with_appcontext
def init_command(empty: bool) -> None:
    """Create or upgrade the database, load the bundled directory if empty, build the index."""
    from flask_migrate import upgrade

    from referral.auth.operations import ensure_admin
    from referral.directory.importing import directory_is_empty, import_package
    from referral.directory.indexing import reindex_all
    from referral.extensions import db
    from referral.services import services

    say("upgrading the database")
    upgrade(directory=current_app.extensions["migrate"].directory)
    index = services().index
    if directory_is_empty() and not empty:
        say(f"loading the bundled directory from {bundled_directory()}")
        report = import_package(bundled_directory(), index, progress=say)
        if not report.ok:
            fail_with_problems(report.errors)
    elif index.doc_count() == 0:
        reindex_all(index, say)
    password = ensure_admin()
    db.session.commit()
    if password:
        click.echo("Created the first user: admin")
        click.echo(f"  password: {password}")
        click.echo(
            "  (shown once: sign in and keep it safe, or make users with `referral users create`)"
        )
    click.echo(f"Ready: {index.doc_count():,} service listings searchable.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not send email and texts from this process.")
@with_appcontext
def serve_command(host: str, port: int, no_worker: bool) -> None:
    """Run the web app on the development server (use gunicorn in production), with the
    notification worker in a thread unless --no-worker or REFERRAL_WORKER_IN_PROCESS=0."""
    from werkzeug.serving import run_simple

    from referral.notifications.worker import start_in_process
    from referral.services import services, warm_quietly

    app = current_app._get_current_object()
    threading.Thread(target=warm_quietly, args=(services().index,), daemon=True).start()
    if not no_worker and app.config["REFERRAL"]["WORKER_IN_PROCESS"]:
        start_in_process(app)
        say("sending email and texts from this process (`--no-worker` to stop that)")
    click.echo(f"Serving on http://{host}:{port}/ (press Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count everything, write nothing.")
@click.option("--verbose", is_flag=True, help="List every warning, one per line.")
@with_appcontext
def import_command(path: Path, dry_run: bool, verbose: bool) -> None:
    """Import an HSDS package (folder, .zip or 3.0 JSON); all or nothing."""
    from referral.directory.importing import import_package
    from referral.services import services

    require_database()
    report = import_package(path, services().index, dry_run=dry_run, progress=say)
    print_warnings(report, verbose)
    if not report.ok:
        fail_with_problems(report.errors)
    print_summary(report)


def require_database() -> None:
    """Stop with what to run when the database has not been set up yet."""
    from referral.directory.importing import database_is_ready

    if not database_is_ready():
        raise click.ClickException(
            "The database is not set up yet. Run `referral init` (with the starter directory) "
            "or `referral init --empty` (with none) first."
        )


def print_warnings(report, verbose: bool = False) -> None:
    """Warnings by kind of loss, with how many and three examples each (every one if verbose)."""
    if not report.warnings:
        return
    if verbose:
        for warning in report.warnings:
            click.echo(f"warning: {warning}")
    click.echo(f"{len(report.warnings):,} warnings (imported around), by kind:")
    for file, field, message, count in report.warning_counts():
        where = f"{file}: {field}" if field else file
        click.echo(f"  {count:>6,} × {where}: {message}")
        for warning in report.examples((file, field, message)):
            click.echo(f"           e.g. {warning}")
    if not verbose:
        click.echo("  (`--verbose` lists every warning)")


def print_summary(report) -> None:
    """Counts of what was (or would be) written."""
    verb = "Would import" if report.dry_run else "Imported"
    summary = report.summary
    click.echo(f"{verb} from {report.source}:")
    for kind in (
        "organizations",
        "services",
        "locations",
        "service_at_locations",
        "taxonomy_terms",
    ):
        new, changed = summary.created.get(kind, 0), summary.updated.get(kind, 0)
        click.echo(
            f"  {kind.replace('_', ' ')}: {new + changed:,} ({new:,} new, {changed:,} updated)"
        )
    click.echo(f"  warnings: {len(report.warnings):,} (listed above)")
    if report.dry_run:
        click.echo("Dry run: nothing was written.")


def fail_with_problems(problems) -> None:
    """Print every error as FILE:ROW: field: message and exit non-zero."""
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(
        f"{len(problems):,} errors: nothing was imported. Fix them and import again.", err=True
    )
    sys.exit(1)


@click.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["hsds-csv", "hsds-json"]),
    default="hsds-csv",
    show_default=True,
)
@with_appcontext
def export_command(path: Path, fmt: str) -> None:
    """Write the directory as HSDS 3.0 (a folder of CSV files, or one JSON file)."""
    from referral.curation.operations import export_package
    from referral.directory.hsds.writer import write_csv, write_json

    require_database()
    say("reading the directory")
    package = export_package()
    if fmt == "hsds-json":
        write_json(package, path)
    else:
        write_csv(package, path)
    click.echo(f"Exported {len(package.services):,} services to {path} ({fmt}).")


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database."""
    from referral.directory.indexing import reindex_all
    from referral.services import services

    require_database()
    count = reindex_all(services().index, say)
    click.echo(f"Indexed {count:,} service listings.")


@click.group("users")
def users_group() -> None:
    """Manage user accounts and API tokens."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", "display_name", default="", help="The name shown on referral slips.")
@click.option(
    "--org",
    "org_key",
    default=None,
    help="The organization (key) they work for; needed when there are several.",
)
@click.option("--email", default="", help="Where their notifications and daily digest go.")
@with_appcontext
def users_create(
    username: str, role: str, display_name: str, org_key: str | None, email: str
) -> None:
    """Create a user; the password is read from standard input or prompted for. An admin
    with no --org administers the whole installation."""
    from referral.auth.operations import AccountError, create_user
    from referral.errors import AppError
    from referral.extensions import db
    from referral.network.operations import organization_named

    require_database()
    try:
        organization = organization_named(org_key) if org_key else None
    except AppError as exc:
        raise click.ClickException(exc.message) from exc
    password = read_password()
    try:
        create_user(username, role, password, display_name, organization, email)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    where = f" in {organization.key}" if organization else ""
    click.echo(f"Created {role} {username}{where}.")


def read_password() -> str:
    """The new password: prompted twice at a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_group.command("token")
@click.argument("username")
@with_appcontext
def users_token(username: str) -> None:
    """Print a new API token for USERNAME (shown once; only its hash is stored)."""
    from referral.auth.operations import issue_token
    from referral.extensions import db

    token = issue_token(named_user(username))
    db.session.commit()
    click.echo(token)


@users_group.command("password")
@click.argument("username")
@with_appcontext
def users_password(username: str) -> None:
    """Set USERNAME's password; it is read from standard input or prompted for."""
    from referral.auth.passwords import password_problem
    from referral.extensions import db

    user = named_user(username)
    password = read_password()
    problem = password_problem(password, user.username)
    if problem:
        raise click.ClickException(problem)
    user.set_password(password)
    db.session.commit()
    click.echo(f"The password of {user.username} is changed.")


def named_user(username: str):
    """The account named USERNAME, after checking the database is set up; stops if there is none."""
    from referral.auth.operations import find_user

    require_database()
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No user named {username!r}.")
    return user


COMMANDS = (
    init_command,
    serve_command,
    import_command,
    export_command,
    reindex_command,
    users_group,
    orgs_group,
    worker_command,
    notify_group,
    fhir_clients_group,
    adt_group,
)
for _command in COMMANDS:
    main.add_command(_command)


def register(app: Flask) -> None:
    """Make the same commands available as `flask --app referral …`."""
    for command in COMMANDS:
        app.cli.add_command(command)


if __name__ == "__main__":
    main()

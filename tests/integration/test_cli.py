"""The `referral` command as a new user runs it: init on migrations, users and tokens."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import inspect, select

from referral.auth.models import User
from referral.extensions import db
from tests.conftest import ROOT


def run_cli(args, env, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "referral.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )


@pytest.fixture
def cli_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFERRAL_")}
    env["REFERRAL_INSTANCE_PATH"] = str(tmp_path / "instance")
    return env


def test_init_builds_the_database_from_migrations_loads_the_directory_and_prints_a_password(
    cli_env, tmp_path
):
    first = run_cli(["init"], cli_env)
    assert first.returncode == 0, first.stderr
    assert "password:" in first.stdout and "service listings searchable" in first.stdout
    assert (tmp_path / "instance" / "referral.db").exists()
    assert (tmp_path / "instance" / "config.json").exists()
    again = run_cli(["init"], cli_env)
    assert again.returncode == 0, again.stderr
    assert "password:" not in again.stdout, "the admin password is shown only once"


def test_users_create_reads_the_password_from_stdin_and_token_prints_one(cli_env, tmp_path):
    assert run_cli(["init"], cli_env).returncode == 0
    made = run_cli(
        ["users", "create", "maria", "--role", "case_manager"], cli_env, "a long password\n"
    )
    assert made.returncode == 0, made.stderr
    token = run_cli(["users", "token", "maria"], cli_env)
    assert token.returncode == 0 and token.stdout.strip().startswith("rfl_")
    missing = run_cli(["users", "token", "nobody"], cli_env)
    assert missing.returncode != 0 and "No user named" in missing.stderr


def test_users_create_refuses_a_short_password_and_an_unknown_role(cli_env):
    assert run_cli(["init"], cli_env).returncode == 0
    short = run_cli(["users", "create", "sam", "--role", "staff"], cli_env, "short\n")
    assert short.returncode != 0 and "at least" in short.stderr
    role = run_cli(["users", "create", "sam", "--role", "wizard"], cli_env, "a long password\n")
    assert role.returncode != 0


def test_migrations_create_the_same_tables_as_the_models(app):
    from flask_migrate import upgrade

    with app.app_context():
        db.drop_all()
        upgrade(directory=app.extensions["migrate"].directory)
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set(db.metadata.tables)
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff


def test_flask_app_command_offers_the_same_commands(app):
    result = app.test_cli_runner().invoke(args=["users", "--help"])
    assert result.exit_code == 0 and "create" in result.output and "token" in result.output


def test_users_create_through_the_app_runner(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "lee", "--role", "curator"], input="another long password\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.username == "lee")) == "curator"


def test_serve_answers_http_requests(cli_env):
    import socket
    import time
    import urllib.request

    assert run_cli(["init"], cli_env).returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "referral.cli", "serve", "--port", str(port)],
        env=cli_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = None
        for _ in range(100):
            try:
                url = f"http://127.0.0.1:{port}/api/v1/search?q=food&near=44113"
                with urllib.request.urlopen(url, timeout=2) as response:
                    body = response.read()
                break
            except OSError:
                time.sleep(0.2)
        assert body and b'"results"' in body
    finally:
        server.terminate()
        server.wait(timeout=30)

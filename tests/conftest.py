"""Shared fixtures: an app per database backend, clients, users, and the bundled directory."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy

from referral import create_app
from referral.extensions import db

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MIAMI = SHARED / "data" / "miami-hsds"
BUNDLED = ROOT / "resources_db" / "cleveland"
PG_URL = os.environ.get("REFERRAL_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="REFERRAL_TEST_DATABASE_URL is not set"),
        ],
    ),
]


def database_url(backend: str, folder: Path) -> str:
    """A database URL for the backend: a fresh SQLite file, or a fresh schema on PostgreSQL."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'test.db'}"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(pg_driver_url(PG_URL))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options=-csearch_path%3D{schema}"


def pg_driver_url(url: str) -> str:
    """The URL with the psycopg 3 driver named."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)


def drop_schema(url: str) -> None:
    """Remove a test schema made by `database_url`."""
    match = re.search(r"search_path%3D(t_[0-9a-f]+)", url)
    if not match:
        return
    engine = sqlalchemy.create_engine(pg_driver_url(PG_URL))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f"DROP SCHEMA IF EXISTS {match.group(1)} CASCADE"))
    engine.dispose()


def make_app(backend: str, folder: Path, **extra):
    """An app on an empty database with every table created."""
    os.environ["REFERRAL_INSTANCE_PATH"] = str(folder / "instance")
    config = {
        "TESTING": True,
        "ENV": "testing",
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url(backend, folder),
        "INDEX_DIR": str(folder / "index"),
        "PUBLIC_DIRECTORY": True,
        "GEOCODER": "",
        **extra,
    }
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def dispose(app) -> None:
    """Drop the app's tables (and test schema) and close its connections."""
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    drop_schema(app.config["REFERRAL"]["DATABASE_URL"])


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    """A fresh app and empty database, once per backend."""
    app = make_app(request.param, tmp_path)
    yield app
    dispose(app)


@pytest.fixture
def client(app):
    """An HTTP client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app's commands."""
    return app.test_cli_runner()


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token a page's form carries."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def add_user(app, username: str, role: str, password: str = PASSWORD):
    """Create a user directly (committed)."""
    from referral.auth.operations import create_user

    with app.app_context():
        create_user(username, role, password)
        db.session.commit()


def sign_in(client, username: str, password: str = PASSWORD):
    """Sign in through the login form, as a browser would."""
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def load_directory(app, path: Path = BUNDLED):
    """Import an HSDS package into the app and index it; returns the import report."""
    from referral.directory.importing import import_package
    from referral.services import services

    with app.app_context():
        report = import_package(path, services().index)
        assert report.ok, [str(e) for e in report.errors[:10]]
        return report


@pytest.fixture(scope="module", params=BACKENDS)
def bundled_app(request, tmp_path_factory):
    """An app with the bundled starter directory loaded, shared by a module's read-only tests."""
    folder = tmp_path_factory.mktemp("bundled")
    app = make_app(request.param, folder)
    load_directory(app)
    yield app
    dispose(app)

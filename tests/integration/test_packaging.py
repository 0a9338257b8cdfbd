"""A built wheel carries everything the app needs outside a checkout."""

import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT

NEEDED = [
    "referral/templates/base.html",
    "referral/templates/search/search.html",
    "referral/templates/auth/login.html",
    "referral/static/app.css",
    "referral/migrations/env.py",
    "referral/migrations/alembic.ini",
    "referral/directory/needs.json",
    "referral/search/concepts.json",
    "referral/translations/es/LC_MESSAGES/messages.mo",
    "referral/screening/instruments/ahc-hrsn-core.json",
    "referral/screening/instruments/hunger-vital-sign.json",
    "referral/patients/operations.py",
    "referral/screenings/blueprint.py",
    "referral/api/openapi.json",
    "referral/curation/concepts.py",
    "referral/static/search.js",
    "referral/resources_db/cleveland/services.csv",
    "referral/resources_db/cleveland/datapackage.json",
]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = out.glob("referral-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize("path", NEEDED)
def test_the_wheel_carries(wheel_names, path):
    assert path in wheel_names


def test_every_python_module_of_the_package_is_in_the_wheel(wheel_names):
    for module in (ROOT / "referral").rglob("*.py"):
        relative = module.relative_to(ROOT).as_posix()
        if "__pycache__" not in relative:
            assert relative in wheel_names


def test_every_migration_and_template_is_in_the_wheel(wheel_names):
    for folder, pattern in (("referral/migrations/versions", "*.py"), ("templates", "**/*.html")):
        for file in (ROOT / folder).glob(pattern):
            relative = file.relative_to(ROOT).as_posix()
            packaged = relative if relative.startswith("referral/") else f"referral/{relative}"
            assert packaged in wheel_names

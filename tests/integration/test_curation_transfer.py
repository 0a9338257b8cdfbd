"""Curators import and export the directory in the browser: check first, then all or nothing."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from referral.curation import transfer
from referral.curation.models import ChangeRecord
from referral.directory import models as m
from referral.directory.hsds.reader import read_package
from referral.directory.hsds.writer import write_json
from referral.extensions import db
from tests.conftest import BUNDLED, add_user, csrf_token, load_directory, sign_in

THREAD_START = transfer.start


@pytest.fixture(autouse=True)
def in_the_foreground(monkeypatch):
    """Run each job in the request that starts it, so a test sees its outcome at once."""
    monkeypatch.setattr(transfer, "start", transfer.run_job)


@pytest.fixture
def curator(app, client):
    add_user(app, "cora", "curator")
    sign_in(client, "cora")
    return client


def zip_folder(folder: Path, archive: Path, inside: str = "") -> Path:
    """Zip the files of `folder`, optionally under a folder inside the archive."""
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(folder.iterdir()):
            out.write(path, f"{inside}{path.name}")
    return archive


def upload(client, path: Path, name: str | None = None, data: bytes | None = None, **headers):
    """Post a file to the upload form, as the browser does (the body is built in memory)."""
    data = path.read_bytes() if data is None else data
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf_token(client, "/curation/import"),
            "package": FileStorage(io.BytesIO(data), name or path.name),
        }
    )
    return client.post(
        "/curation/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )


def token_of(response) -> str:
    """The job token a successful upload redirects to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"].rsplit("/", 1)[1]


def job(client, token: str) -> dict:
    """The job file, through its JSON address."""
    response = client.get(f"/curation/import/{token}.json")
    assert response.status_code == 200
    return response.get_json()


def confirm(client, token: str):
    """Press "Import now"."""
    path = f"/curation/import/{token}"
    return client.post(
        f"{path}/confirm", data={"csrf_token": csrf_token(client, "/curation/import")}
    )


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def broken_package(folder: Path) -> Path:
    """The bundled package with two bad service rows and one that only earns a warning."""
    shutil.copytree(BUNDLED, folder)
    with open(folder / "services.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    organization = rows[1][header.index("organization_id")]

    def row(**values):
        return [values.get(column, "") for column in header]

    rows += [
        row(id="bad-1", name="No Organization Pantry", status="active"),
        row(id="bad-2", organization_id=organization, status="active"),
        row(id="odd-1", organization_id="nobody", name="Stray Service", status="active"),
    ]
    with open(folder / "services.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return folder


def test_only_curators_and_admins_import_and_export(app, client):
    add_user(app, "maria", "case_manager")
    add_user(app, "ada", "admin")
    anonymous = client.get("/curation/import")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get("/curation/export?format=hsds-csv").status_code == 302
    sign_in(client, "maria")
    for path in ("/curation/import", "/curation/export", "/curation/import/x"):
        assert client.get(path).status_code == 403
    admin = app.test_client()
    sign_in(admin, "ada")
    assert admin.get("/curation/import").status_code == 200


def test_the_form_explains_the_limits_and_offers_both_exports(curator):
    html = curator.get("/curation/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    assert "200 MB" in html and "nothing is written" in html
    assert "format=hsds-csv" in html and "format=hsds-json" in html


def test_a_zip_is_checked_without_writing_then_imported_and_audited(app, curator, tmp_path):
    archive = zip_folder(BUNDLED, tmp_path / "cleveland.zip", inside="cleveland/")
    token = token_of(upload(curator, archive))
    checked = job(curator, token)
    assert (checked["phase"], checked["state"]) == ("dry-run", "done")
    assert checked["report"]["ok"] and checked["report"]["services"] == 150
    assert checked["report"]["created"]["services"] == 150
    assert checked["lines"] and any("services.csv" in line for line in checked["lines"])
    assert count(app, m.Service) == 0
    page = curator.get(f"/curation/import/{token}").get_data(as_text=True)
    assert "Would import" in page and "Import now" in page and "http-equiv" not in page

    assert confirm(curator, token).status_code == 302
    imported = job(curator, token)
    assert (imported["phase"], imported["state"]) == ("import", "done"), imported
    assert imported["report"]["created"]["services"] == 150
    assert imported["confirmed_by"] == "cora"
    assert count(app, m.Service) == 150
    with app.app_context():
        record = db.session.scalars(select(ChangeRecord)).one()
        assert (record.resource_type, record.resource_id) == ("package", "cleveland.zip")
        assert (record.action, record.field_name) == ("import", "services")
        assert record.replacement_value == "150 created, 0 updated"
        assert record.updated_by == "cora" and record.user_id is not None
    found = app.test_client().get("/api/v1/search?q=food").get_json()
    assert found["results"]
    page = curator.get(f"/curation/import/{token}").get_data(as_text=True)
    assert "Imported" in page and "Import now" not in page
    assert not (Path(app.instance_path) / "uploads" / token / "cleveland.zip").exists()


def test_importing_again_is_refused_and_a_second_package_updates_in_place(app, curator, tmp_path):
    archive = zip_folder(BUNDLED, tmp_path / "cleveland.zip")
    token = token_of(upload(curator, archive))
    confirm(curator, token)
    assert confirm(curator, token).status_code == 422
    again = token_of(upload(curator, archive))
    assert job(curator, again)["report"]["updated"]["services"] == 150
    confirm(curator, again)
    assert count(app, m.Service) == 150 and count(app, ChangeRecord) == 2


def test_a_broken_package_names_each_error_and_cannot_be_imported(app, curator, tmp_path):
    archive = zip_folder(broken_package(tmp_path / "pkg"), tmp_path / "broken.zip")
    token = token_of(upload(curator, archive))
    report = job(curator, token)["report"]
    assert not report["ok"] and report["error_count"] == 2
    assert {(e["file"], e["row"], e["field"]) for e in report["errors"]} == {
        ("services.csv", 152, "organization_id"),
        ("services.csv", 153, "name"),
    }
    assert report["warning_counts"][0][:2] == ["services.csv", "organization_id"]
    page = curator.get(f"/curation/import/{token}").get_data(as_text=True)
    assert "2 errors: nothing can be imported" in page
    assert '<td>services.csv</td><td class="num">152</td><td>organization_id</td>' in page
    assert "Import now" not in page and "confirm" not in page
    forced = confirm(curator, token)
    assert forced.status_code == 422 and "errors" in forced.get_data(as_text=True)
    assert count(app, m.Service) == 0 and count(app, ChangeRecord) == 0


def test_errors_beyond_the_first_200_are_counted(app, curator, tmp_path):
    folder = broken_package(tmp_path / "pkg")
    with open(folder / "services.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([[f"blank-{n}"] for n in range(250)])
    token = token_of(upload(curator, zip_folder(folder, tmp_path / "many.zip")))
    assert job(curator, token)["report"]["error_count"] > 200
    page = curator.get(f"/curation/import/{token}").get_data(as_text=True)
    assert "the first 200" in page and "more errors, not shown" in page


def test_an_hsds_json_file_is_checked(app, curator, tmp_path):
    path = tmp_path / "directory.json"
    write_json(read_package(BUNDLED), path)
    token = token_of(upload(curator, path))
    report = job(curator, token)["report"]
    assert report["ok"] and report["services"] == 150


def test_other_files_are_refused_by_name(app, curator, tmp_path):
    path = tmp_path / "services.csv"
    shutil.copy(BUNDLED / "services.csv", path)
    response = upload(curator, path)
    assert response.status_code == 400
    assert "“services.csv” is not a .zip or .json file" in response.get_data(as_text=True)
    fake = tmp_path / "notes.zip"
    fake.write_text("not a zip", encoding="utf-8")
    response = upload(curator, fake)
    assert response.status_code == 400 and "notes.zip" in response.get_data(as_text=True)
    assert not any((Path(app.instance_path) / "uploads").glob("*/job.json"))


def test_an_upload_over_the_limit_is_refused_with_the_limit(app, curator, monkeypatch):
    monkeypatch.setattr(transfer, "MAX_UPLOAD_BYTES", 2 * transfer.MB)
    big = b"\0" * (3 * transfer.MB)
    response = upload(curator, Path("big.zip"), data=big)
    assert response.status_code == 413
    assert "2 MB upload limit" in response.get_data(as_text=True)
    response = upload(curator, Path("big.zip"), data=big, Accept="application/json")
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert not any((Path(app.instance_path) / "uploads").glob("*/job.json"))
    anonymous = app.test_client().post(
        "/curation/import", data=big, content_type="multipart/form-data; boundary=x"
    )
    assert anonymous.status_code == 413 and "Upload and check" not in anonymous.get_data(
        as_text=True
    )


def test_unknown_and_malformed_tokens_are_not_found(curator):
    for path in (
        "/curation/import/AAAAAAAAAAAAAAAAAAAAAA",
        "/curation/import/x.y",
        "/curation/import/..%2Fx",
    ):
        assert curator.get(path).status_code == 404
    assert curator.get("/curation/import/AAAAAAAAAAAAAAAAAAAAAA.json").status_code == 404
    refused = curator.post(
        "/curation/import/AAAAAAAAAAAAAAAAAAAAAA/confirm",
        data={"csrf_token": csrf_token(curator, "/curation/import")},
    )
    assert refused.status_code == 404


def test_confirming_needs_the_form_token(app, curator, tmp_path):
    token = token_of(upload(curator, zip_folder(BUNDLED, tmp_path / "c.zip")))
    assert curator.post(f"/curation/import/{token}/confirm").status_code in (400, 422)
    assert count(app, m.Service) == 0


def test_a_checked_package_that_is_gone_cannot_be_imported(app, curator, tmp_path):
    token = token_of(upload(curator, zip_folder(BUNDLED, tmp_path / "c.zip")))
    (Path(app.instance_path) / "uploads" / token / "c.zip").unlink()
    page = curator.get(f"/curation/import/{token}").get_data(as_text=True)
    assert "no longer here" in page and "Import now" not in page
    assert confirm(curator, token).status_code == 422
    assert count(app, m.Service) == 0


def test_old_finished_jobs_are_removed_when_a_new_package_arrives(app, curator, tmp_path):
    archive = zip_folder(BUNDLED, tmp_path / "c.zip")
    old = token_of(upload(curator, archive))
    uploads = Path(app.instance_path) / "uploads"
    transfer.update_job(uploads / old, created_at="2000-01-01T00:00:00+00:00")
    new = token_of(upload(curator, archive))
    assert not (uploads / old).exists() and (uploads / new / "job.json").is_file()


def test_a_running_job_shows_its_progress_and_refreshes(app, curator, tmp_path):
    token = token_of(upload(curator, zip_folder(BUNDLED, tmp_path / "c.zip")))
    folder = Path(app.instance_path) / "uploads" / token
    with transfer.import_turn(folder.parent, transfer.JobProgress(folder)):
        transfer.update_job(folder, state="running", phase="import", lines=["writing services"])
        page = curator.get(f"/curation/import/{token}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Importing" in page and "<li>writing services</li>" in page
    assert "Import now" not in page


def test_a_job_whose_worker_is_gone_is_marked_failed(app, curator, tmp_path):
    token = token_of(upload(curator, zip_folder(BUNDLED, tmp_path / "c.zip")))
    folder = Path(app.instance_path) / "uploads" / token
    transfer.update_job(folder, state="running", phase="import", report=None)
    page = curator.get(f"/curation/import/{token}").get_data(as_text=True)
    assert "did not finish" in page and "server restarted" in page
    assert job(curator, token)["state"] == "failed"


def test_checks_and_imports_run_in_a_background_thread(app, curator, tmp_path, monkeypatch):
    monkeypatch.setattr(transfer, "start", THREAD_START)
    token = token_of(upload(curator, zip_folder(BUNDLED, tmp_path / "c.zip")))
    assert wait_for(curator, token)["report"]["ok"]
    confirm(curator, token)
    finished = wait_for(curator, token)
    assert finished["phase"] == "import" and finished["state"] == "done", finished
    assert count(app, m.Service) == 150 and count(app, ChangeRecord) == 1


def wait_for(client, token: str, seconds: float = 60.0) -> dict:
    """The job file once its job has finished."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = job(client, token)
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.1)
    raise AssertionError(f"job {token} did not finish in {seconds} s")


def test_export_as_a_zip_of_csv_files_matches_the_database(app, curator):
    load_directory(app)
    with curator.get("/curation/export?format=hsds-csv") as response:
        assert response.status_code == 200 and response.mimetype == "application/zip"
        disposition = response.headers["Content-Disposition"]
        data = response.get_data()
    assert f"directory-{date.today().isoformat()}.zip" in disposition
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert {"services.csv", "organizations.csv", "datapackage.json"} <= names
        text = archive.read("services.csv").decode("utf-8")
    assert len(list(csv.DictReader(io.StringIO(text)))) == count(app, m.Service) == 150


def test_export_as_hsds_json(app, curator):
    load_directory(app)
    with curator.get("/curation/export?format=hsds-json") as response:
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert "attachment" in response.headers["Content-Disposition"]
        documents = json.loads(response.get_data())
    assert len(documents) == 150 and all(d["name"] for d in documents)


def test_an_unknown_export_format_is_refused_with_the_choices(curator):
    response = curator.get("/curation/export?format=xlsx")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "hsds-csv" in text and "hsds-json" in text

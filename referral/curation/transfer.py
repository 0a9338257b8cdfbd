"""Importing and exporting the directory from the curators' pages.

An upload is saved as `<instance>/uploads/<token>/<file name>`, beside `job.json`, which records
the job's state, its progress lines and its report. Checks (dry runs) and imports run in a
background thread, one at a time per instance folder; any worker process reads the same file, so
the pages work the same under several gunicorn workers. The rules are the command line's: a
check writes nothing, and an import with any error writes nothing.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from referral.auth.access import require_roles
from referral.auth.forms import check_posted_form
from referral.curation.models import ChangeRecord
from referral.curation.operations import export_package
from referral.directory.hsds.writer import write_csv, write_json
from referral.directory.importing import ImportReport, import_package, warning_kind
from referral.directory.records import Package, Problem
from referral.errors import (
    AppError,
    BadInput,
    Refused,
    error_body,
    handle_app_error,
    wants_json,
)
from referral.extensions import db
from referral.search.index import ServiceIndex
from referral.services import services

bp = Blueprint("transfer", __name__, url_prefix="/curation")
log = logging.getLogger(__name__)

CURATORS = ("curator", "admin")
MB = 1024 * 1024
MAX_UPLOAD_BYTES = 200 * MB
MAX_UNPACKED_BYTES = 2048 * MB
EXTENSIONS = (".zip", ".json")
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
JOB_FILE = "job.json"
JOB_LOCK = ".job.lock"
IMPORT_LOCK = ".import.lock"
SHOWN_ERRORS = 200
STORED_ERRORS = 1000
STORED_WARNING_KINDS = 200
EXAMPLE_ROWS = 5
KEPT_LINES = 500
RECENT_JOBS = 10
KEEP_DAYS = 14
QUEUED_GRACE_SECONDS = 60
EXPORT_FORMATS = ("hsds-csv", "hsds-json")
KINDS = (
    ("organizations", "Organizations"),
    ("services", "Services"),
    ("locations", "Locations"),
    ("service_at_locations", "Services at locations"),
    ("taxonomy_terms", "Taxonomy terms"),
)


class TooLarge(AppError):
    status, code = 413, "too_large"


# Uploads ------------------------------------------------------------------------------------


@bp.url_value_preprocessor
def limit_upload_size(endpoint: str | None, _values: dict | None) -> None:
    """Cap an upload's size before any request hook reads the form (the CSRF check does)."""
    if endpoint == "transfer.upload":
        request.max_content_length = MAX_UPLOAD_BYTES
        if (request.content_length or 0) > MAX_UPLOAD_BYTES:
            raise TooLarge(too_large_message())


def too_large_message() -> str:
    """What a curator reads when the upload is over the limit."""
    return (
        f"The file is larger than the {MAX_UPLOAD_BYTES // MB} MB upload limit. Zip the CSV "
        "files (they compress well), or import it on the server with `referral import`."
    )


@bp.errorhandler(TooLarge)
@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_exc: Exception):
    """Answer an oversized upload with the limit: on the form for curators, else plainly."""
    if current_user.is_authenticated and current_user.has_role(*CURATORS):
        return refuse(too_large_message(), 413)
    return handle_app_error(TooLarge(too_large_message()))


@bp.get("/import")
@require_roles(*CURATORS)
def import_form():
    """The upload form, the recent imports and the export links."""
    return render_template("curation/import.html", **form_context())


@bp.post("/import")
@require_roles(*CURATORS)
def upload():
    """Save an uploaded package and start checking it (a dry run)."""
    check_posted_form()
    package = request.files.get("package")
    if package is None or not package.filename:
        return refuse("Choose a .zip or .json file to upload.")
    if not package.filename.lower().endswith(EXTENSIONS):
        return refuse(
            f"“{package.filename}” is not a .zip or .json file. Upload a .zip of HSDS CSV "
            "files or an HSDS 3.0 .json file."
        )
    uploads = uploads_folder()
    prune_uploads(uploads)
    token = secrets.token_urlsafe(16)
    folder = uploads / token
    path = save_upload(package, folder)
    problem = upload_problem(path, package.filename)
    if problem:
        shutil.rmtree(folder, ignore_errors=True)
        return refuse(problem)
    new_job(folder, token, path.name)
    start(current_app._get_current_object(), folder, "dry-run")
    return redirect(url_for("transfer.import_job", token=token))


def refuse(message: str, status: int = 400):
    """Turn an upload down: the form again with the reason, or a JSON error for scripts."""
    db.session.rollback()
    if wants_json():
        code = "too_large" if status == 413 else "bad_request"
        return jsonify(error_body(code, message, "package")), status
    return render_template("curation/import.html", **form_context(), problem=message), status


def form_context() -> dict[str, Any]:
    """What the upload page shows besides the form."""
    return {
        "max_upload_mb": MAX_UPLOAD_BYTES // MB,
        "max_unpacked_mb": MAX_UNPACKED_BYTES // MB,
        "keep_days": KEEP_DAYS,
        "recent": recent_jobs(uploads_folder()),
    }


def uploads_folder() -> Path:
    """Where uploads and their job files are kept."""
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(package: FileStorage, folder: Path) -> Path:
    """Store the uploaded file in its job folder under a safe name."""
    extension = Path(package.filename or "").suffix.lower()
    name = secure_filename(package.filename or "")
    if not name.lower().endswith(EXTENSIONS):
        name = f"package{extension}"
    folder.mkdir(parents=True)
    path = folder / name
    package.save(path)
    return path


def upload_problem(path: Path, shown_name: str) -> str | None:
    """Why a saved upload cannot be checked at all (empty, not a zip, unpacks too large)."""
    if path.stat().st_size == 0:
        return f"“{shown_name}” is empty."
    if path.suffix.lower() != ".zip":
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return f"“{shown_name}” is not a zip archive that can be opened."
    if unpacked > MAX_UNPACKED_BYTES:
        limit = MAX_UNPACKED_BYTES // MB
        return (
            f"“{shown_name}” unpacks to {unpacked // MB:,} MB, over the {limit:,} MB limit. "
            "Import it on the server with `referral import`."
        )
    return None


def prune_uploads(uploads: Path) -> None:
    """Remove job folders older than KEEP_DAYS, unless their job is still under way."""
    cutoff = datetime.now(UTC) - timedelta(days=KEEP_DAYS)
    for folder, job in job_folders(uploads):
        if job["state"] in ("done", "failed") and parse_time(job["created_at"]) < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


# Job pages ----------------------------------------------------------------------------------


@bp.get("/import/<token>")
@require_roles(*CURATORS)
def import_job(token: str):
    """A job's progress, then its report, with the button that imports a clean package."""
    folder = job_folder(token)
    job = current_job(folder)
    report = job.get("report") or {}
    return render_template(
        "curation/import_job.html",
        job=job,
        report=report,
        errors=report.get("errors", [])[:SHOWN_ERRORS],
        more_errors=max(0, report.get("error_count", 0) - SHOWN_ERRORS),
        finished=job["state"] in ("done", "failed"),
        can_import=can_import(job, folder),
        kinds=KINDS,
        elapsed=elapsed_seconds(job),
        created_at=parse_time(job["created_at"]),
    )


@bp.get("/import/<token>.json")
@require_roles(*CURATORS)
def import_job_json(token: str):
    """The job file as it stands, for scripts."""
    return jsonify(current_job(job_folder(token)))


@bp.post("/import/<token>/confirm")
@require_roles(*CURATORS)
def confirm(token: str):
    """Import a package whose check passed, all or nothing, in the background."""
    check_posted_form()
    folder = job_folder(token)
    with file_lock(folder / JOB_LOCK):
        job = read_job(folder)
        if not can_import(job, folder):
            raise Refused(refusal(job))
        job.update(
            phase="import",
            state="queued",
            dry_run_report=job["report"],
            report=None,
            lines=[],
            error="",
            started_at=None,
            confirmed_by=current_user.username,
            confirmed_by_id=current_user.id,
            updated_at=now_text(),
        )
        write_job(folder, job)
    start(current_app._get_current_object(), folder, "import")
    return redirect(url_for("transfer.import_job", token=token))


def job_folder(token: str) -> Path:
    """The folder of the job `token` names; 404 for malformed or unknown tokens."""
    if not TOKEN.fullmatch(token):
        abort(404, "There is no import with that address.")
    folder = uploads_folder() / token
    if not (folder / JOB_FILE).is_file():
        abort(404, "There is no import with that address.")
    return folder


def can_import(job: dict, folder: Path) -> bool:
    """Whether the job is a finished, clean check whose package is still here."""
    report = job.get("report") or {}
    return (
        job["phase"] == "dry-run"
        and job["state"] == "done"
        and bool(report.get("ok"))
        and (folder / job["file"]).is_file()
    )


def refusal(job: dict) -> str:
    """Why a job cannot be imported now."""
    report = job.get("report") or {}
    if job["phase"] == "import":
        return "This package has already been imported (or is being imported)."
    if job["state"] in ("queued", "running"):
        return "The check is still running. Wait for it to finish, then import."
    if job["state"] == "failed":
        return "The check did not finish, so nothing can be imported. Upload the package again."
    if not report.get("ok"):
        return "The check found errors, so nothing can be imported. Fix them and upload again."
    return "The uploaded file is gone. Upload the package again."


def elapsed_seconds(job: dict) -> int:
    """Seconds since the job's current phase started (or how long it took, once finished)."""
    began = parse_time(job.get("started_at") or job["updated_at"])
    until = parse_time(job["updated_at"]) if job["state"] in ("done", "failed") else None
    return max(0, int(((until or datetime.now(UTC)) - began).total_seconds()))


def recent_jobs(uploads: Path) -> list[dict]:
    """The newest jobs, newest first, for the upload page."""
    jobs = [job for _folder, job in job_folders(uploads)]
    jobs.sort(key=lambda job: job["created_at"], reverse=True)
    for job in jobs:
        job["created"] = parse_time(job["created_at"])
    return jobs[:RECENT_JOBS]


def job_folders(uploads: Path) -> Iterator[tuple[Path, dict]]:
    """Every job folder with a readable job file."""
    for folder in uploads.iterdir():
        if folder.is_dir() and TOKEN.fullmatch(folder.name) and (folder / JOB_FILE).is_file():
            try:
                yield folder, read_job(folder)
            except (OSError, ValueError):
                continue


# Export -------------------------------------------------------------------------------------


@bp.get("/export")
@require_roles(*CURATORS)
def export():
    """The whole directory as HSDS 3.0: a zip of CSV files, or one JSON file."""
    fmt = request.args.get("format", "hsds-csv")
    if fmt not in EXPORT_FORMATS:
        raise BadInput(
            f"There is no export format “{fmt}”: choose hsds-csv or hsds-json.", field="format"
        )
    package = export_package()
    stamp = date.today().isoformat()
    if fmt == "hsds-json":
        return send_file(
            json_file(package),
            mimetype="application/json",
            as_attachment=True,
            download_name=f"directory-{stamp}.json",
        )
    return send_file(
        zip_file(package),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"directory-{stamp}.zip",
    )


def zip_file(package: Package) -> IO[bytes]:
    """The CSV package zipped into an unnamed temporary file, removed once it is closed."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it with the response)
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(package, Path(tmp))
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(tmp).iterdir()):
                archive.write(path, path.name)
    out.seek(0)
    return out


def json_file(package: Package) -> IO[bytes]:
    """The service documents in a temporary file, open and already unlinked."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "directory.json"
        write_json(package, path)
        return path.open("rb")


# Running jobs -------------------------------------------------------------------------------


def start(app: Flask, folder: Path, phase: str) -> None:
    """Run a job in a background thread."""
    threading.Thread(target=run_job, args=(app, folder, phase), daemon=True).start()


def run_job(app: Flask, folder: Path, phase: str) -> None:
    """Check or import a job's package, recording progress and the outcome in its job file."""
    say = JobProgress(folder)
    with app.app_context(), import_turn(folder.parent, say):
        update_job(folder, state="running", started_at=now_text())
        index = WatchedIndex(services().index)
        package = folder / read_job(folder)["file"]
        try:
            report = import_package(package, index, dry_run=phase == "dry-run", progress=say)
        except Exception as exc:
            db.session.rollback()
            log.exception("import job %s failed", folder.name)
            fail_job(folder, phase, exc, saved=index.reached)
        else:
            finish_job(folder, phase, report)
        finally:
            db.session.remove()
    discard_package(folder)


class JobProgress:
    """The progress lines of a running job, written to its job file as they come."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        """Record one line."""
        self.lines.append(line)
        update_job(self.folder, lines=self.lines[-KEPT_LINES:])


class WatchedIndex:
    """The search index, noting whether an import reached it (it does only after committing)."""

    def __init__(self, index: ServiceIndex) -> None:
        self._index = index
        self.reached = False

    def __getattr__(self, name: str) -> Any:
        self.reached = True
        return getattr(self._index, name)


def finish_job(folder: Path, phase: str, report: ImportReport) -> None:
    """Store the report of a finished check or import, auditing a successful import."""
    error = ""
    if phase == "import" and report.ok and report.summary:
        error = audit(folder, report.summary.created, report.summary.updated)
    update_job(folder, state="done", report=report_document(report), error=error)


def fail_job(folder: Path, phase: str, exc: Exception, saved: bool) -> None:
    """Mark a job failed, saying whether anything was written (and auditing it if so)."""
    if not saved:
        what = "check" if phase == "dry-run" else "import"
        error = f"The {what} stopped with an unexpected error ({exc}). Nothing was written."
        update_job(folder, state="failed", error=error)
        return
    error = (
        f"The directory was imported, but updating the search index failed ({exc}). "
        "Run `referral reindex` on the server to bring search up to date."
    )
    job = update_job(folder, state="failed", error=error)
    checked = job.get("dry_run_report") or {}
    audit(folder, checked.get("created", {}), checked.get("updated", {}))


def audit(folder: Path, created: dict[str, int], updated: dict[str, int]) -> str:
    """Add the change record of an import; what went wrong, if anything."""
    try:
        record_import(read_job(folder), created, updated)
    except Exception as exc:
        db.session.rollback()
        log.exception("the change record of import job %s was not written", folder.name)
        return f"The import was written, but its change record was not ({exc})."
    return ""


def record_import(job: dict, created: dict[str, int], updated: dict[str, int]) -> None:
    """Add the audit row of an import and commit it."""
    db.session.add(
        ChangeRecord(
            resource_type="package",
            resource_id=job["file"][:255],
            action="import",
            field_name="services",
            previous_value="",
            replacement_value=(
                f"{created.get('services', 0)} created, {updated.get('services', 0)} updated"
            ),
            updated_by=job.get("confirmed_by") or "",
            user_id=job.get("confirmed_by_id"),
        )
    )
    db.session.commit()


def report_document(report: ImportReport) -> dict[str, Any]:
    """An import report as the job file stores it."""
    summary = report.summary
    kinds = report.warning_counts()[:STORED_WARNING_KINDS]
    return {
        "ok": report.ok,
        "dry_run": report.dry_run,
        "errors": [problem_document(p) for p in report.errors[:STORED_ERRORS]],
        "error_count": len(report.errors),
        "warning_counts": [list(kind) for kind in kinds],
        "warning_rows": example_rows(report.warnings, kinds),
        "warning_count": len(report.warnings),
        "created": dict(summary.created) if summary else {},
        "updated": dict(summary.updated) if summary else {},
        "services": len(report.package.services) if report.package else 0,
    }


def example_rows(warnings: list[Problem], kinds: list[tuple]) -> list[list[int]]:
    """The first few row numbers of each kind of warning, in the order of `kinds`."""
    rows: dict[tuple[str, str, str], list[int]] = {}
    for warning in warnings:
        found = rows.setdefault(warning_kind(warning), [])
        if warning.row is not None and len(found) < EXAMPLE_ROWS:
            found.append(warning.row)
    return [rows.get((file, field, message), []) for file, field, message, _count in kinds]


def problem_document(problem: Problem) -> dict[str, Any]:
    """One error as the job file stores it."""
    message = f"{problem.message} ({problem.detail})" if problem.detail else problem.message
    return {"file": problem.file, "row": problem.row, "field": problem.field, "message": message}


def discard_package(folder: Path) -> None:
    """Remove the uploaded file once nothing more can be done with it."""
    job = read_job(folder)
    if job["state"] == "done" and job["phase"] == "dry-run" and job["report"]["ok"]:
        return
    (folder / job["file"]).unlink(missing_ok=True)


# Job files ----------------------------------------------------------------------------------


def new_job(folder: Path, token: str, file: str) -> None:
    """Write the job file of a fresh upload."""
    stamp = now_text()
    job = {
        "token": token,
        "file": file,
        "state": "queued",
        "phase": "dry-run",
        "created_at": stamp,
        "updated_at": stamp,
        "started_at": None,
        "uploaded_by": current_user.username,
        "confirmed_by": None,
        "confirmed_by_id": None,
        "lines": [],
        "report": None,
        "dry_run_report": None,
        "error": "",
    }
    write_job(folder, job)


def read_job(folder: Path) -> dict:
    """The job file of `folder`."""
    return json.loads((folder / JOB_FILE).read_text(encoding="utf-8"))


def write_job(folder: Path, job: dict) -> None:
    """Replace the job file in one step, so readers never see half of it."""
    temporary = folder / f".{JOB_FILE}.{os.getpid()}.{threading.get_ident()}"
    temporary.write_text(json.dumps(job, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / JOB_FILE)


def update_job(folder: Path, **changes: Any) -> dict:
    """Change some fields of the job file, holding its lock."""
    with file_lock(folder / JOB_LOCK):
        job = read_job(folder)
        job.update(changes, updated_at=now_text())
        write_job(folder, job)
    return job


def current_job(folder: Path) -> dict:
    """The job file, first marking failed a job whose worker is gone (a server restart)."""
    job = read_job(folder)
    if job["state"] in ("queued", "running") and worker_is_gone(job, folder.parent):
        with file_lock(folder / JOB_LOCK):
            job = read_job(folder)
            if job["state"] in ("queued", "running") and worker_is_gone(job, folder.parent):
                job.update(state="failed", error=gone_message(job), updated_at=now_text())
                write_job(folder, job)
    return job


def worker_is_gone(job: dict, uploads: Path) -> bool:
    """Whether no process is working on a job that says it is under way: a running job's
    worker holds the import lock, and a queued job's worker takes or waits for it at once."""
    if not import_lock_is_free(uploads):
        return False
    if job["state"] == "running":
        return True
    waited = datetime.now(UTC) - parse_time(job["updated_at"])
    return waited > timedelta(seconds=QUEUED_GRACE_SECONDS)


def gone_message(job: dict) -> str:
    """What a curator reads when a job's worker stopped (the server restarted)."""
    if job["phase"] == "dry-run":
        return "The check stopped before it finished (the server restarted?). Upload again."
    return (
        "The import stopped before it finished (the server restarted?). If it stopped while "
        "saving, nothing was written; check the directory, and upload again if needed."
    )


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`, across threads and processes."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def import_turn(uploads: Path, say: JobProgress) -> Iterator[None]:
    """Wait for this instance's turn: checks and imports run one at a time."""
    with (uploads / IMPORT_LOCK).open("a") as handle:
        if not try_lock(handle):
            say("waiting for another check or import to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def import_lock_is_free(uploads: Path) -> bool:
    """Whether no check or import holds the instance's import lock."""
    with (uploads / IMPORT_LOCK).open("a") as handle:
        if not try_lock(handle):
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def try_lock(handle: IO[str]) -> bool:
    """Take an exclusive lock on an open file if nobody holds it."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def now_text() -> str:
    """The current time, as job files store it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """A time stored in a job file."""
    return datetime.fromisoformat(text)

"""Domain errors and the one place they become HTTP answers: JSON for APIs, pages for people."""

from __future__ import annotations

import re

from flask import Flask, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as NoRecord

from referral.extensions import db


class AppError(Exception):
    """An error a person can act on; `status` is its HTTP status, `field` the input at fault."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadInput(AppError):
    status, code = 400, "bad_request"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class Refused(AppError):
    status, code = 422, "unprocessable"


def wants_json() -> bool:
    """Whether the answer should be JSON (API paths, or a client that asks for JSON)."""
    if request.path.startswith(("/api/", "/hsds")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_body(code: str, message: str, field: str | None) -> dict:
    """The JSON error document of the API."""
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    return {"error": body}


def fhir_path() -> bool:
    """Whether the request is for the FHIR API (answered with OperationOutcomes)."""
    return request.path.startswith("/fhir") and request.path != "/fhir/token"


def handle_app_error(exc: AppError):
    """Answer a domain error as JSON or as a page, after undoing the request's changes."""
    db.session.rollback()
    if fhir_path():
        from referral.fhir.views import app_error_outcome

        return app_error_outcome(exc)
    if wants_json():
        body = error_body(exc.code, exc.message, exc.field)
        if getattr(exc, "problems", None):
            body["error"]["problems"] = exc.problems
        return jsonify(body), exc.status
    if exc.status == 401 and "Authorization" not in request.headers:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return render_template("error.html", status=exc.status, message=exc.message), exc.status


def handle_http_error(exc: HTTPException):
    """Answer Flask's own errors (404, 405, CSRF, …) in the same shapes."""
    db.session.rollback()
    if fhir_path():
        from referral.fhir.views import http_error_outcome

        return http_error_outcome(exc)
    if exc.code == 405 and beyond_row_ids(request.path):
        exc = NoRecord("There is no record with that id.")
    code = (exc.name or "error").lower().replace(" ", "_")
    message = exc.description or exc.name
    if wants_json():
        return jsonify(error_body(code, message, None)), exc.code
    return render_template("error.html", status=exc.code, message=message), exc.code


LARGE_NUMBER = re.compile(r"/(\d{11,})(?:/|$)")


def beyond_row_ids(path: str) -> bool:
    """Whether an address holds a number larger than any record id: with several routes of
    one path (GET and PATCH), Werkzeug answers 405 for it where one route would answer 404."""
    return any(int(n) > 2**31 - 1 for n in LARGE_NUMBER.findall(path))


def commit_or_rollback(response):
    """Commit the request's work once, at its end, when it succeeded."""
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters() -> None:
    """Refuse parameters carrying control characters (databases reject NUL) before any view."""
    for name, value in [*request.args.items(multi=True), *request.form.items(multi=True)]:
        if CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value):
            raise BadInput(
                f"{name} holds a control character; remove it and try again.", field=name
            )
    if CONTROL_CHARACTERS.search(request.path):
        raise NotFound("There is no page at that address.")


def register(app: Flask) -> None:
    """Install the error handlers, the input check and the end-of-request commit."""
    app.before_request(refuse_control_characters)
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.after_request(commit_or_rollback)

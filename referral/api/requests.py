"""Reading JSON request bodies the same way in every API."""

from __future__ import annotations

from flask import request

from referral.errors import BadInput


def json_body() -> dict:
    """The request's JSON object, or a 400 that says to send one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadInput("Send a JSON object as the request body.", field="body")
    return data


def whole_version(value) -> int | None:
    """A version number from a body, a form or an If-Match header (quotes allowed), or None."""
    if value is None or value == "":
        return None
    text = str(value).strip().strip('"')
    if not text.isdigit():
        raise BadInput("version must be a whole number.", field="version")
    return int(text)

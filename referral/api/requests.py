"""Reading requests the same way in every API: JSON bodies, versions and whole-number ids."""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

from referral.directory.models import MAX_ID
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
    if not is_whole(text) or int(text) > MAX_ID:
        raise BadInput("version must be a whole number.", field="version")
    return int(text)


def is_whole(text: str) -> bool:
    """Whether `text` is a whole number in the digits 0-9 (`int()` refuses ² and its kind)."""
    return text.isascii() and text.isdigit()


class RowIdConverter(IntegerConverter):
    """`<int:…>` in routes, up to the largest id the database holds: a larger number matches no
    route and answers 404 instead of failing in the database."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

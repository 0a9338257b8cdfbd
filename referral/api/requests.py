"""Reading requests the same way in every API: JSON bodies, versions and whole-number ids."""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

from referral.directory.models import MAX_ID
from referral.errors import CONTROL_CHARACTERS, BadInput


def json_body() -> dict:
    """The request's JSON object, or a 400 that says to send one or names the field holding a
    control character (databases refuse NUL, and no field of ours means one)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadInput("Send a JSON object as the request body.", field="body")
    where = control_character_at(data)
    if where is not None:
        raise BadInput(f"{where} holds a control character; remove it and try again.", field=where)
    return data


def control_character_at(value, path: str = "") -> str | None:
    """The path (`a.b[2]`) of the first key or string in a JSON document that holds a control
    character other than tab and line breaks, or None."""
    if isinstance(value, str):
        return (path or "body") if CONTROL_CHARACTERS.search(value) else None
    if isinstance(value, dict):
        items = value.items()
        for key, _ in items:
            if CONTROL_CHARACTERS.search(key):
                return f"{path}.{key!r}" if path else repr(key)
        children = ((f"{path}.{key}" if path else key, item) for key, item in items)
    elif isinstance(value, list):
        children = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for child_path, item in children:
        found = control_character_at(item, child_path)
        if found is not None:
            return found
    return None


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

"""Identifiers and values as HSDS 3.0 writes them: UUID ids, web addresses with a scheme, emails.

HSDS 3.0 requires every id to be a UUID. The directory keeps the id each record had in the
package it came from (Miami's 1.x ids are numbers: `136`), and writes it out as
`uuid5(NAMESPACE, "service:136")`: the same UUID on every export, which any system can compute
again from the original id. Ids that are UUIDs already are written as they are.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote, urlsplit

NAMESPACE = uuid.UUID("6f1c8e2a-6a8e-4d0c-9a57-2f1f4b0c8d31")
SOURCE_ID = "source_id"  # identifier_type (organizations), external_identifier_type (locations)
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,}")
_DOMAIN = re.compile(r"^(?:www\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?(?:[/?#]\S*)?$")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def is_uuid(value: str) -> bool:
    """Whether `value` is a UUID written in the canonical 8-4-4-4-12 form."""
    if len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def hsds_id(kind: str, value: str | None) -> str | None:
    """The UUID under which a record of `kind` with the directory id `value` is published."""
    if not value:
        return None
    return value if is_uuid(value) else str(uuid.uuid5(NAMESPACE, f"{kind}:{value}"))


def derived_id(*parts: str | None) -> str:
    """A stable UUID for a record that has no id of its own, from its owner and position."""
    return str(uuid.uuid5(NAMESPACE, "/".join(part or "" for part in parts)))


def web_address(text: str) -> str | None:
    """A web address with its scheme ("www.x.org" → "http://www.x.org"), or None if it is none."""
    text = text.strip().strip("<>").strip()
    if not text or any(ch.isspace() for ch in text):
        return None
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        if not _DOMAIN.match(text):
            return None
        text = f"http://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or "." not in parts.netloc:
        return None
    return quote(text, safe=_URL_SAFE)


def email_address(text: str) -> str | None:
    """An email address as written ("mailto:" dropped), or None when the text is not one."""
    text = text.strip().removeprefix("mailto:").strip()
    return text if _EMAIL.fullmatch(text) else None

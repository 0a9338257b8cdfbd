"""Signed, expiring links: a receiving organization answers a referral, or an organization
proposes changes to its listing, without an account."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "referral-receiver-link"
DEFAULT_DAYS = 30
EXPIRED = "This link has expired. Ask the case manager to send a new one."
NOT_VALID = "This link is not valid. Check that it was copied in full."


class LinkRefused(Exception):
    """A link that cannot be used; the message says why in words the organization understands."""


def sign(secret: str, salt: str, key: str, value) -> str:
    """A signed token carrying one named value."""
    return URLSafeTimedSerializer(secret, salt=salt).dumps({key: value})


def unsign(secret: str, salt: str, token: str, key: str, kind: type, days: int, expired: str):
    """The value a token carries, if it is genuine and not older than `days`."""
    try:
        data = URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=days * 86400)
    except SignatureExpired:
        raise LinkRefused(expired) from None
    except BadSignature:
        raise LinkRefused(NOT_VALID) from None
    if not isinstance(data, dict) or not isinstance(data.get(key), kind):
        raise LinkRefused(NOT_VALID)
    return data[key]


def link_token(secret: str, referral_id: int) -> str:
    """The signed token of a referral's receiver link."""
    return sign(secret, SALT, "referral", referral_id)


def referral_id_of(secret: str, token: str, days: int = DEFAULT_DAYS) -> int:
    """The referral a token names, if it is genuine and not older than `days`."""
    return unsign(secret, SALT, token, "referral", int, days, EXPIRED)

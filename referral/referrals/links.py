"""Signed, expiring links a receiving organization uses to answer a referral without an account."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "referral-receiver-link"
DEFAULT_DAYS = 30


class LinkRefused(Exception):
    """A link that cannot be used; the message says why in words the organization understands."""


def link_token(secret: str, referral_id: int) -> str:
    """The signed token of a referral's receiver link."""
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"referral": referral_id})


def referral_id_of(secret: str, token: str, days: int = DEFAULT_DAYS) -> int:
    """The referral a token names, if it is genuine and not older than `days`."""
    try:
        data = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=days * 86400)
    except SignatureExpired:
        raise LinkRefused(
            "This link has expired. Ask the case manager to send a new one."
        ) from None
    except BadSignature:
        raise LinkRefused("This link is not valid. Check that it was copied in full.") from None
    if not isinstance(data, dict) or not isinstance(data.get("referral"), int):
        raise LinkRefused("This link is not valid. Check that it was copied in full.")
    return data["referral"]

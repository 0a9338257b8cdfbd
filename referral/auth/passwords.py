"""What a password must be: long enough, and not one that guessing lists try first."""

from __future__ import annotations

import functools

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn's 0–4 scale: 3 holds out against an offline attack on a slow hash


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords, as zxcvbn ranks them."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` may not be used, in words for the person choosing it; None when it may."""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters long."
    if password.casefold() in common_passwords():
        return "That password is on the lists of common passwords; choose another."
    if username and username.strip().casefold() in password.casefold():
        return "The password may not contain the username."
    result = zxcvbn(password[:100], user_inputs=[username] if username else [])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"]["warning"] or "That password is easy to guess."
        return f"{warning.rstrip('.')}. Use a longer password or a few uncommon words."
    return None

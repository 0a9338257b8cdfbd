"""Who is asking: the browser session or a bearer token, and whether their role allows it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, request
from flask_login import current_user

from referral.auth.models import User
from referral.auth.operations import user_for_token
from referral.errors import Forbidden, Unauthorized
from referral.extensions import csrf, db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user of a browser session."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_request(req) -> User | None:
    """The user of an `Authorization: Bearer TOKEN` header."""
    token = bearer_token(req)
    return user_for_token(token) if token else None


def bearer_token(req) -> str | None:
    """The bearer token a request carries, if any."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_roles(*roles: str) -> Callable:
    """Let through signed-in users holding one of `roles` (any role when none are named)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            check_roles(roles)
            return view(*args, **kwargs)

        return guarded

    return decorate


def check_roles(roles: tuple[str, ...]) -> None:
    """Raise Unauthorized without a signed-in user, Forbidden without one of `roles`."""
    if not current_user.is_authenticated:
        raise Unauthorized("Sign in to continue.")
    if roles and not current_user.has_role(*roles):
        raise Forbidden("Your role does not allow this.")


def directory_is_public() -> bool:
    """Whether directory search and HSDS reads are open without signing in."""
    return bool(current_app.config["REFERRAL"]["PUBLIC_DIRECTORY"])


def require_directory_access(view: Callable) -> Callable:
    """Let anyone through when the directory is public, else any signed-in user."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not directory_is_public():
            check_roles(())
        return view(*args, **kwargs)

    return guarded


def protect_session_writes() -> None:
    """API writes from a signed-in browser session need the CSRF token; bearer-token clients
    do not, and requests with no credentials go on to be refused as unauthorized."""
    unsafe = request.method not in {"GET", "HEAD", "OPTIONS"}
    if unsafe and not bearer_token(request) and current_user.is_authenticated:
        csrf.protect()


def json_api(blueprint) -> None:
    """Make a blueprint a JSON API: no CSRF token for bearer clients, one for browsers."""
    csrf.exempt(blueprint)
    blueprint.before_request(protect_session_writes)

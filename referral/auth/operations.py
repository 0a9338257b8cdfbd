"""Creating users and tokens, and finding who a request comes from. Helpers flush, never commit."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from referral.auth.models import ROLES, ApiToken, SignInFailure, User, new_token, token_digest
from referral.auth.passwords import password_problem
from referral.directory.models import utcnow
from referral.extensions import db
from referral.network.models import Membership
from referral.network.operations import NetworkError, add_member, default_organization
from referral.patients.validation import phone as phone_number

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
KEEP_FAILURES_DAYS = 90


class AccountError(ValueError):
    """A user or token request that cannot be carried out; the message says why."""


def create_user(
    username: str,
    role: str,
    password: str,
    display_name: str = "",
    organization=None,
    email: str = "",
) -> User:
    """Add a user with a hashed password to an organization (the only one when none is named),
    after checking the name, role, email and password. An admin named with no organization is
    an admin of the whole installation."""
    username, email = username.strip(), (email or "").strip()
    if not username:
        raise AccountError("A username is required.")
    if email and not EMAIL.fullmatch(email):
        raise AccountError(f"{email!r} is not an email address such as name@clinic.org.")
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    if find_user(username) is not None:
        raise AccountError(f"There is already a user named {username!r}.")
    instance_admin = role == "admin" and organization is None
    home = organization or home_for_new_user(instance_admin)
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        email=email,
        instance_admin=instance_admin,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if home is not None:
        try:
            add_member(user, home, role)
        except NetworkError as exc:
            raise AccountError(exc.message) from None
    return user


def home_for_new_user(instance_admin: bool):
    """The organization a new user joins when none is named: the only one there is; an
    installation admin joins none when there are several."""
    try:
        return default_organization()
    except NetworkError as exc:
        if instance_admin:
            return None
        raise AccountError(exc.message.replace("Name the organization", "Name the --org")) from None


def find_user(username: str) -> User | None:
    """The user with that username, if any."""
    return db.session.scalar(select(User).where(User.username == username.strip()))


def issue_token(user: User) -> str:
    """A new API token for `user`; only its digest is kept, so show it now or never."""
    token = new_token()
    db.session.add(ApiToken(user_id=user.id, digest=token_digest(token)))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, recording its use."""
    record = db.session.scalar(
        select(ApiToken).where(ApiToken.digest == token_digest(token), ApiToken.revoked.is_(False))
    )
    if record is None or not record.user.active:
        return None
    record.last_used_at = utcnow()
    return record.user


def ensure_admin() -> str | None:
    """Create the first admin with a random password when there are no users; return it once."""
    if db.session.scalar(select(User.id).limit(1)) is not None:
        return None
    password = secrets.token_urlsafe(12)
    create_user("admin", "admin", password, display_name="Administrator")
    return password


def reset_password(user: User) -> str:
    """Give `user` a new random password and return it (to be shown once)."""
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    return password


def change_password(user: User, current: str, new: str, repeated: str) -> dict[str, str]:
    """Set a user's own new password after checking the current one; returns problems by field."""
    if not user.check_password(current):
        return {"current": "That is not your current password."}
    problem = password_problem(new, user.username)
    if problem:
        return {"new": problem}
    if new != repeated:
        return {"repeated": "The two new passwords differ; type the same one twice."}
    user.set_password(new)
    return {}


def record_sign_in_failure(username: str, address: str, reason: str) -> None:
    """Keep a refused sign-in for the admins' review, and forget those past the keeping time."""
    cutoff = utcnow() - timedelta(days=KEEP_FAILURES_DAYS)
    db.session.execute(delete(SignInFailure).where(SignInFailure.at < cutoff))
    failure = SignInFailure(username=username.strip()[:80], address=address[:64], reason=reason)
    db.session.add(failure)
    db.session.flush()


def recent_sign_in_failures(limit: int = 200) -> list[SignInFailure]:
    """The latest refused sign-ins, newest first."""
    query = select(SignInFailure).order_by(SignInFailure.at.desc(), SignInFailure.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def sign_in_failure_counts(since: datetime, column) -> list[tuple[str, int]]:
    """How many sign-ins were refused since `since`, per value of `column`, most first."""
    count = func.count(SignInFailure.id)
    query = (
        select(column, count)
        .where(SignInFailure.at >= since)
        .group_by(column)
        .order_by(count.desc(), column)
    )
    return [(value, number) for value, number in db.session.execute(query.limit(10))]


def count_sign_in_failures(since: datetime) -> int:
    """How many sign-ins were refused since `since`."""
    query = select(func.count(SignInFailure.id)).where(SignInFailure.at >= since)
    return db.session.scalar(query) or 0


def list_users(org_ids: set[int] | None = None) -> list[User]:
    """Every account, or those belonging to one of `org_ids`, by username."""
    query = select(User).order_by(User.username)
    if org_ids is not None:
        members = select(Membership.user_id).where(Membership.organization_id.in_(org_ids))
        query = query.where(User.id.in_(members))
    return list(db.session.scalars(query))


def update_details(user: User, data: dict) -> dict[str, str]:
    """Set a user's name, phone and email as slips show them; returns problems by field."""
    problems: dict[str, str] = {}
    try:
        number = phone_number(data.get("phone") or "")
    except ValueError as exc:
        problems["phone"] = str(exc)
    email = (data.get("email") or "").strip()
    if email and not EMAIL.fullmatch(email):
        problems["email"] = "Give an email address such as name@clinic.org."
    if not problems:
        user.display_name = (data.get("display_name") or "").strip() or user.username
        user.phone, user.email = number, email
    return problems

"""Configuration: defaults in code, overridden by `REFERRAL_*` environment variables."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

PREFIX = "REFERRAL_"
SMS_PROVIDERS = ("console", "twilio")


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message says what to set."""


def defaults(instance_path: str) -> dict[str, Any]:
    """The built-in settings for an app whose instance folder is `instance_path`."""
    instance = Path(instance_path)
    return {
        "DATABASE_URL": f"sqlite:///{instance / 'referral.db'}",
        "INDEX_DIR": str(instance / "index"),
        "SECRET_KEY": None,
        "PUBLIC_DIRECTORY": True,
        "ENV": "production",
        "DEFAULT_TIMEZONE": "America/New_York",
        "DEFAULT_RADIUS_MILES": 10.0,
        "GEOCODER": "",
        "GEOCODER_OPTIONS": {},
        "SESSION_HOURS": 12,
        "WARM_INDEX": True,
        "FOLLOW_UP_DAYS": 7,
        "LINK_DAYS": 30,
        "QUIET_DAYS": 14,
        "FLAG_THRESHOLD": 3,
        "FLAG_WINDOW_DAYS": 90,
        "SLIP_ORGANIZATION": "",
        "SLIP_PHONE": "",
        "SLIP_PAPER": "letter",
        "FORCE_HTTPS": False,
        "PROXIES": 0,
        "SIGN_IN_LIMIT": "10 per minute;50 per hour",
        "RATELIMIT_STORAGE_URI": "memory://",
        "TIME_ZONE": "",
        "PUBLIC_URL": "",
        "QUIET_HOURS": "21:00-08:00",
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False,
        "MAIL_FROM": "referrals@localhost",
        "MAIL_TIMEOUT": 10,
        "SMS_PROVIDER": "console",
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_FROM": "",
        "TWILIO_API_BASE": "https://api.twilio.com",
        "WORKER_IN_PROCESS": True,
        "WORKER_INTERVAL": 5,
        "WORKER_SENDING_TIMEOUT": 600,
        "DAILY_HOUR": 7,
        "REMINDER_DAYS": 2,
        "FHIR_TOKEN_SECONDS": 3600,
        "RESCREEN_MONTHS": 12,
        "RESCREEN_POSITIVE_MONTHS": 3,
        "TRANSITION_BUSINESS_DAYS": 2,
        "FHIR_TOKEN_LIMIT": "10 per minute;50 per hour",
        "PATIENT_LINK_DAYS": 30,
        "PATIENT_LINK_LIMIT": "30 per minute;300 per hour",
    }


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings named `REFERRAL_*` in the environment, with their prefix removed and types read."""
    environ = os.environ if environ is None else environ
    found = {}
    for key, raw in environ.items():
        if key.startswith(PREFIX) and not key.startswith("REFERRAL_TEST_"):
            found[key.removeprefix(PREFIX)] = parse_value(key.removeprefix(PREFIX), raw)
    return found


INTEGER_SETTINGS = frozenset(
    {"SESSION_HOURS", "FOLLOW_UP_DAYS", "LINK_DAYS", "QUIET_DAYS", "FLAG_THRESHOLD"}
    | {"FLAG_WINDOW_DAYS", "PROXIES", "MAIL_PORT", "MAIL_TIMEOUT", "WORKER_INTERVAL"}
    | {"WORKER_SENDING_TIMEOUT", "DAILY_HOUR", "REMINDER_DAYS", "FHIR_TOKEN_SECONDS"}
    | {"RESCREEN_MONTHS", "RESCREEN_POSITIVE_MONTHS"}
    | {"PATIENT_LINK_DAYS", "TRANSITION_BUSINESS_DAYS"}
)
FLAG_SETTINGS = frozenset(
    {"PUBLIC_DIRECTORY", "WARM_INDEX", "FORCE_HTTPS", "MAIL_USE_TLS", "WORKER_IN_PROCESS"}
)


def parse_value(name: str, raw: str) -> Any:
    """Turn one environment string into the type its setting takes."""
    if name in FLAG_SETTINGS:
        return raw.strip().lower() not in {"0", "false", "no", "off", ""}
    if name == "GEOCODER_OPTIONS":
        try:
            return json.loads(raw or "{}")
        except ValueError as exc:
            raise ConfigError(f"REFERRAL_GEOCODER_OPTIONS is not valid JSON: {exc}") from exc
    if name in {"DEFAULT_RADIUS_MILES"}:
        return float(raw)
    if name in INTEGER_SETTINGS:
        return int(raw)
    return raw


def flask_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The Flask and extension keys that follow from the project's own settings."""
    url = settings["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine_options = {"pool_pre_ping": True} if not url.startswith("sqlite") else {}
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SECRET_KEY": settings["SECRET_KEY"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": settings["FORCE_HTTPS"],
        "RATELIMIT_STORAGE_URI": settings["RATELIMIT_STORAGE_URI"],
        "RATELIMIT_HEADERS_ENABLED": True,
        # Pages send `Referrer-Policy: no-referrer`, so browsers post forms over HTTPS without a
        # Referer (and with `Origin: null`); the session-bound CSRF token and SameSite cookies
        # are the guard.
        "WTF_CSRF_SSL_STRICT": False,
        "JSON_SORT_KEYS": False,
    }


def check(settings: dict[str, Any]) -> None:
    """Refuse settings the app cannot safely run with; development gets a throw-away key."""
    if not settings.get("TIME_ZONE"):
        settings["TIME_ZONE"] = settings["DEFAULT_TIMEZONE"]
    if settings["SMS_PROVIDER"] not in SMS_PROVIDERS:
        raise ConfigError(
            f"REFERRAL_SMS_PROVIDER is {settings['SMS_PROVIDER']!r}: set it to "
            f"{' or '.join(SMS_PROVIDERS)}."
        )
    if settings["FHIR_TOKEN_SECONDS"] < 1:
        raise ConfigError(
            f"REFERRAL_FHIR_TOKEN_SECONDS is {settings['FHIR_TOKEN_SECONDS']}: set it to how many "
            "seconds FHIR access tokens last, e.g. 3600."
        )
    for name in ("RESCREEN_MONTHS", "RESCREEN_POSITIVE_MONTHS"):
        if not 1 <= settings[name] <= 120:
            raise ConfigError(
                f"REFERRAL_{name} is {settings[name]}: set it to a number of months from 1 to 120."
            )
    if not 1 <= settings["PATIENT_LINK_DAYS"] <= 365:
        raise ConfigError(
            f"REFERRAL_PATIENT_LINK_DAYS is {settings['PATIENT_LINK_DAYS']}: set it to how many "
            "days a patient's own link works, from 1 to 365."
        )
    if not 0 <= settings["TRANSITION_BUSINESS_DAYS"] <= 30:
        raise ConfigError(
            f"REFERRAL_TRANSITION_BUSINESS_DAYS is {settings['TRANSITION_BUSINESS_DAYS']}: set it "
            "to the business days (0 to 30) a follow-up after a discharge or ED visit is due in."
        )
    if settings.get("SECRET_KEY"):
        return
    if settings["ENV"] != "production":
        settings["SECRET_KEY"] = secrets.token_hex(32)
        return
    raise ConfigError(
        "REFERRAL_SECRET_KEY is not set. Set it to a long random string, for example "
        "`export REFERRAL_SECRET_KEY=$(python3 -c "
        "'import secrets; print(secrets.token_hex(32))')`, "
        "or run `referral init`, which writes one into the instance folder."
    )

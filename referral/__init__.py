"""Community-resource referral platform: screen for social needs, find services, close the loop."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
from typing import Any

from flask import Flask

from referral import config as cfg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_CONFIG = "config.json"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from defaults, the instance config, the environment and `test_config`."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("REFERRAL_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(templates_folder()),
    )
    settings = load_settings(app.instance_path, test_config)
    app.config.update(cfg.flask_settings(settings), REFERRAL=settings)
    if test_config and "TESTING" in test_config:
        app.config["TESTING"] = test_config["TESTING"]
    if test_config and "WTF_CSRF_ENABLED" in test_config:
        app.config["WTF_CSRF_ENABLED"] = test_config["WTF_CSRF_ENABLED"]
    register_extensions(app)
    register_blueprints(app)
    register_oauth(app)
    register_services(app)
    register_notifications(app)
    register_commands(app)
    settle_memory(app)
    return app


def settle_memory(app: Flask) -> None:
    """Keep what start-up made (instruments, language tables, the search index) out of the
    garbage collector's full passes, which otherwise stall large answers for a tenth of a
    second; tests, which make many apps, leave it."""
    if not app.testing:
        gc.freeze()


def load_settings(instance_path: str, test_config: dict[str, Any] | None) -> dict[str, Any]:
    """Merge the settings sources, later ones winning, and refuse unsafe results."""
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    settings = cfg.defaults(instance_path)
    settings.update(read_instance_config(instance_path))
    settings.update(cfg.from_environment())
    settings.update({k: v for k, v in (test_config or {}).items() if k.isupper()})
    cfg.check(settings)
    return settings


def read_instance_config(instance_path: str) -> dict[str, Any]:
    """Settings from `config.json` in the instance folder, if there is one."""
    path = Path(instance_path) / INSTANCE_CONFIG
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise cfg.ConfigError(f"{path} is not valid JSON: {exc}") from exc


def templates_folder() -> Path:
    """The `templates/` folder: beside the package in a checkout, or installed with it."""
    checkout = PROJECT_ROOT / "templates"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / "templates"


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, login, CSRF protection, throttling and headers to the app."""
    from referral import security
    from referral.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.install(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )


LOCALES = ("en", "es")


def select_locale() -> str:
    """The language of the interface: the `lang` a page asks for (screening forms), else English."""
    from flask import request

    asked = request.values.get("lang", "") if request else ""
    return asked if asked in LOCALES else "en"


def register_blueprints(app: Flask) -> None:
    """Mount the pages and APIs; JSON APIs take bearer tokens without CSRF tokens, and ids in
    paths stop at the largest the database holds."""
    from referral.api.blueprint import bp as api_bp
    from referral.api.requests import RowIdConverter
    from referral.auth.admin import bp as admin_bp
    from referral.auth.blueprint import bp as auth_bp
    from referral.capacity.api import bp as capacity_api_bp
    from referral.capacity.views import bp as capacity_bp
    from referral.careplans.blueprint import bp as careplans_api_bp
    from referral.careplans.views import bp as careplan_pages_bp
    from referral.curation.api import bp as curation_api_bp
    from referral.curation.blueprint import bp as curation_bp
    from referral.curation.transfer import bp as transfer_bp
    from referral.curation.views import bp as workspace_bp
    from referral.directory.hsds_api import bp as hsds_bp
    from referral.fhir.admin import bp as fhir_clients_bp
    from referral.fhir.views import bp as fhir_bp
    from referral.network.admin import bp as organizations_bp
    from referral.network.api import bp as network_api_bp
    from referral.network.views import bp as network_bp
    from referral.notifications.api import bp as notifications_api_bp
    from referral.notifications.inbound import bp as sms_bp
    from referral.notifications.views import bp as outbox_bp
    from referral.patientlink.api import bp as patientlink_api_bp
    from referral.patientlink.views import bp as patientlink_bp
    from referral.patients.blueprint import bp as patients_bp
    from referral.patients.views import bp as patient_pages_bp
    from referral.referrals.blueprint import bp as referrals_bp
    from referral.referrals.receiver import bp as receiver_bp
    from referral.referrals.views import bp as referral_pages_bp
    from referral.reports.views import bp as reports_bp
    from referral.screenings.blueprint import bp as screenings_bp
    from referral.screenings.views import bp as screening_pages_bp
    from referral.transitions.api import bp as transitions_api_bp
    from referral.transitions.views import bp as transitions_bp
    from referral.web.blueprint import bp as web_bp
    from referral.worklist.api import bp as worklist_api_bp
    from referral.worklist.views import bp as worklist_bp

    blueprints = (
        auth_bp,
        admin_bp,
        organizations_bp,
        fhir_clients_bp,
        curation_bp,
        workspace_bp,
        transfer_bp,
        web_bp,
        capacity_bp,
        patient_pages_bp,
        screening_pages_bp,
        referral_pages_bp,
        reports_bp,
        network_bp,
        api_bp,
        patients_bp,
        screenings_bp,
        referrals_bp,
        network_api_bp,
        curation_api_bp,
        capacity_api_bp,
        notifications_api_bp,
        outbox_bp,
        sms_bp,
        receiver_bp,
        hsds_bp,
        fhir_bp,
        worklist_api_bp,
        worklist_bp,
        careplans_api_bp,
        careplan_pages_bp,
        patientlink_api_bp,
        patientlink_bp,
        transitions_api_bp,
        transitions_bp,
    )
    app.url_map.converters["int"] = RowIdConverter
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    from referral import errors

    errors.register(app)


def register_oauth(app: Flask) -> None:
    """Build the FHIR API's OAuth token endpoint."""
    from referral.fhir.oauth import init_oauth

    init_oauth(app)


def register_services(app: Flask) -> None:
    """Build the search service and geocoder the views are handed."""
    from referral.services import build_services

    app.extensions["referral"] = build_services(app)


def register_notifications(app: Flask) -> None:
    """Queue email and texts on referral events; the providers are built from the settings
    by a factory tests may swap."""
    from referral.notifications import events
    from referral.notifications.providers import build_providers

    events.connect()
    app.extensions["notification_providers"] = build_providers


def register_commands(app: Flask) -> None:
    """Add the `referral` commands to `flask --app referral`."""
    from referral.cli import register

    register(app)

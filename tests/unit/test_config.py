"""Configuration from REFERRAL_* variables, and refusing to run without a secret key."""

import pytest

from referral import config


def test_environment_overrides_are_read_and_typed():
    found = config.from_environment(
        {
            "REFERRAL_DATABASE_URL": "postgresql://db/x",
            "REFERRAL_PUBLIC_DIRECTORY": "0",
            "REFERRAL_GEOCODER_OPTIONS": '{"domain": "localhost:8080"}',
            "REFERRAL_TEST_DATABASE_URL": "ignored",
            "OTHER": "ignored",
        }
    )
    assert found == {
        "DATABASE_URL": "postgresql://db/x",
        "PUBLIC_DIRECTORY": False,
        "GEOCODER_OPTIONS": {"domain": "localhost:8080"},
    }


def test_postgres_urls_use_the_psycopg_driver():
    settings = config.defaults("/tmp/x") | {"DATABASE_URL": "postgres://u@h/db"}
    assert (
        config.flask_settings(settings)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    )


def test_default_database_is_sqlite_in_the_instance_folder():
    assert config.defaults("/srv/inst")["DATABASE_URL"] == "sqlite:////srv/inst/referral.db"


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(config.ConfigError, match="REFERRAL_SECRET_KEY"):
        config.check(config.defaults("/tmp/x"))


def test_development_without_a_secret_key_gets_a_throw_away_one():
    settings = config.defaults("/tmp/x") | {"ENV": "development"}
    config.check(settings)
    assert len(settings["SECRET_KEY"]) == 64


def test_bad_geocoder_options_are_named():
    with pytest.raises(config.ConfigError, match="GEOCODER_OPTIONS"):
        config.from_environment({"REFERRAL_GEOCODER_OPTIONS": "{nope"})


def test_an_unknown_sms_provider_is_refused_and_the_patient_time_zone_follows_the_default():
    settings = config.defaults("/tmp/x") | {"ENV": "testing", "DEFAULT_TIMEZONE": "America/Chicago"}
    config.check(settings)
    assert settings["TIME_ZONE"] == "America/Chicago"
    with pytest.raises(config.ConfigError, match="REFERRAL_SMS_PROVIDER"):
        config.check(settings | {"SMS_PROVIDER": "pigeon"})


def test_mail_and_worker_settings_are_typed():
    found = config.from_environment(
        {
            "REFERRAL_MAIL_PORT": "587",
            "REFERRAL_MAIL_USE_TLS": "1",
            "REFERRAL_WORKER_IN_PROCESS": "0",
        }
    )
    assert found == {"MAIL_PORT": 587, "MAIL_USE_TLS": True, "WORKER_IN_PROCESS": False}

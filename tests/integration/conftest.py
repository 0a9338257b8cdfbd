"""Fixtures the referral tests share."""

import pytest
from sqlalchemy import select

from referral.directory.models import Service
from referral.extensions import db
from tests.conftest import load_directory
from tests.integration.network import network, referred  # noqa: F401  (shared fixtures)
from tests.integration.notify import town  # noqa: F401  (shared fixture)
from tests.integration.outside import SmtpServer, TwilioServer
from tests.integration.test_patients_api import ANA, token_for


@pytest.fixture
def setup(app, client):
    """The bundled directory, a case manager's token, a patient of theirs and a service."""
    load_directory(app)
    manager = token_for(app, "maria", "case_manager")
    patient = client.post("/api/v1/patients", json=ANA, headers=manager).get_json()["id"]
    with app.app_context():
        service = db.session.scalars(select(Service.id).order_by(Service.id)).first()
    return manager, patient, service


@pytest.fixture
def smtp():
    """A real SMTP server on this machine, keeping what it receives."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def twilio():
    """A server speaking Twilio's Messages API on this machine, keeping what it receives."""
    with TwilioServer() as server:
        yield server

"""The patient page changes how a patient wants to be reached (calls, texts or not at all) and
their time zone, which decide whether and when texts go."""

import pytest

from referral.extensions import db
from referral.patients.models import AccessRecord, Patient
from tests.conftest import add_user, csrf_token, sign_in
from tests.integration.test_patients_api import ANA


@pytest.fixture
def registered(app, client):
    """A patient registered by a case manager signed in to a browser session: the patient's
    page, its id and the session's CSRF token."""
    add_user(app, "maria", "case_manager")
    sign_in(client, "maria")
    token = csrf_token(client, "/patients/new")
    made = client.post("/api/v1/patients", json=ANA, headers={"X-CSRFToken": token}).get_json()
    return f"/patients/{made['id']}", made["id"], token


def test_the_care_team_switches_a_patient_to_texts_in_their_time_zone(app, client, registered):
    page, patient_id, token = registered
    assert 'name="contact_channel"' in client.get(page).get_data(as_text=True)
    saved = client.post(
        f"{page}/reach",
        data={"csrf_token": token, "contact_channel": "sms", "time_zone": "America/Chicago"},
    )
    assert saved.status_code == 302 and saved.headers["Location"] == page
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        assert (patient.contact_channel, patient.time_zone) == ("sms", "America/Chicago")
        actions = {r.subject for r in db.session.query(AccessRecord).filter_by(action="update")}
        assert "reach" in actions
    shown = client.get(page).get_data(as_text=True)
    assert '<option value="sms" selected>' in shown and "texts (America/Chicago)" in shown


def test_an_unknown_channel_or_zone_changes_nothing_and_says_why(app, client, registered):
    page, patient_id, token = registered
    for form in (
        {"contact_channel": "pigeon"},
        {"contact_channel": "sms", "time_zone": "Mars/Base"},
    ):
        client.post(f"{page}/reach", data={"csrf_token": token, **form})
        assert "Not changed:" in client.get(page).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Patient, patient_id).contact_channel == "phone"

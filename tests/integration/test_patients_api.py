"""POST /api/v1/patients and friends: roles, validation, duplicates, consent history, audit."""

import pytest
from sqlalchemy import select

from referral.auth.models import User
from referral.auth.operations import issue_token
from referral.extensions import db
from referral.patients.models import AccessRecord
from tests.conftest import add_user

ANA = {
    "given_name": "Ana",
    "family_name": "Lopez",
    "birth_date": "1980-04-30",
    "phone": "216-555-0100",
    "postal_code": "44113",
    "preferred_language": "es",
    "contact_ok": True,
}


def token_for(app, username, role):
    add_user(app, username, role)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        token = issue_token(user)
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def manager(app):
    return token_for(app, "maria", "case_manager")


def test_a_case_manager_registers_a_patient(app, client, manager):
    response = client.post("/api/v1/patients", json=ANA, headers=manager)
    body = response.get_json()
    assert response.status_code == 201 and isinstance(body["id"], int)
    assert (
        body["phone"] == "+12165550100" and body["contact_ok"] is True and body["share_ok"] is False
    )
    assert body["possible_duplicates"] == []


def test_only_case_managers_and_admins_may(app, client):
    assert client.post("/api/v1/patients", json=ANA).status_code == 401
    for role in ("staff", "curator"):
        headers = token_for(app, f"someone-{role}", role)
        assert client.post("/api/v1/patients", json=ANA, headers=headers).status_code == 403


def test_bad_details_are_refused_with_every_problem_and_nothing_saved(app, client, manager):
    response = client.post(
        "/api/v1/patients", json={"given_name": "", "birth_date": "soon"}, headers=manager
    )
    error = response.get_json()["error"]
    assert response.status_code == 400 and "problem" in error["message"]
    assert error["field"] in {"given_name", "family_name", "birth_date"}
    assert client.get("/api/v1/patients?q=a", headers=manager).get_json()["results"] == []


def test_a_body_that_is_not_json_is_a_400(client, manager):
    response = client.post("/api/v1/patients", data="nope", headers=manager)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "body"


def test_a_lookalike_is_returned_as_a_possible_duplicate(client, manager):
    first = client.post("/api/v1/patients", json=ANA, headers=manager).get_json()
    again = client.post(
        "/api/v1/patients",
        json=ANA | {"given_name": "Anna", "family_name": "López"},
        headers=manager,
    ).get_json()
    assert [d["id"] for d in again["possible_duplicates"]] == [first["id"]]
    other = client.post(
        "/api/v1/patients",
        json=ANA | {"given_name": "Robert", "birth_date": "1950-01-02"},
        headers=manager,
    ).get_json()
    assert other["possible_duplicates"] == []


def test_a_taken_mrn_is_refused(client, manager):
    client.post("/api/v1/patients", json=ANA | {"mrn": "A-1"}, headers=manager)
    response = client.post(
        "/api/v1/patients", json=ANA | {"given_name": "Bea", "mrn": "A-1"}, headers=manager
    )
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "mrn"


def test_consent_is_recorded_with_who_and_when_and_can_be_withdrawn(app, client, manager):
    patient = client.post("/api/v1/patients", json=ANA, headers=manager).get_json()
    path = f"/api/v1/patients/{patient['id']}/consents"
    shared = client.post(path, json={"kind": "share", "granted": True}, headers=manager).get_json()
    assert shared["share_ok"] is True
    withdrawn = client.post(
        path, json={"kind": "share", "granted": False, "note": "asked by phone"}, headers=manager
    ).get_json()
    assert withdrawn["share_ok"] is False
    history = [(c["kind"], c["granted"]) for c in withdrawn["consents"]]
    assert history == [("contact", True), ("share", True), ("share", False)]
    assert all(c["recorded_by"] and c["recorded_at"] for c in withdrawn["consents"])
    bad = client.post(path, json={"kind": "sell", "granted": True}, headers=manager)
    assert bad.status_code == 400


def test_every_view_of_a_patient_is_recorded(app, client, manager):
    patient = client.post("/api/v1/patients", json=ANA, headers=manager).get_json()
    client.get(f"/api/v1/patients/{patient['id']}", headers=manager)
    client.get("/api/v1/patients?q=lopez", headers=manager)
    with app.app_context():
        actions = db.session.scalars(
            select(AccessRecord.action).where(AccessRecord.patient_id == patient["id"])
        ).all()
    assert actions == ["create", "view", "list"]


def test_an_unknown_patient_is_a_404(client, manager):
    assert client.get("/api/v1/patients/99999", headers=manager).status_code == 404


def test_find_by_name_birth_date_or_mrn(client, manager):
    client.post("/api/v1/patients", json=ANA | {"mrn": "MRN-77"}, headers=manager)
    for q in ("lopez", "ana lopez", "1980-04-30", "MRN-77"):
        assert (
            len(client.get(f"/api/v1/patients?q={q}", headers=manager).get_json()["results"]) == 1
        ), q


def test_a_browser_session_needs_the_csrf_token_for_api_writes(app, client):
    from tests.conftest import csrf_token, sign_in

    add_user(app, "carla", "case_manager")
    sign_in(client, "carla")
    assert client.post("/api/v1/patients", json=ANA).status_code == 400
    token = csrf_token(client, "/")
    assert (
        client.post("/api/v1/patients", json=ANA, headers={"X-CSRFToken": token}).status_code == 201
    )

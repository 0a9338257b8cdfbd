"""POST /api/v1/screenings: scored, stored all or nothing, read by the care team only."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from referral.extensions import db
from referral.screenings.models import Screening
from tests.integration.test_patients_api import ANA, token_for

HUNGRY_AND_BEHIND = {
    "71802-3": "LA31994-9",  # worried about losing housing
    "96778-6": ["LA9-3"],  # no housing problems
    "88122-7": "LA28397-0",  # food ran out: often true
    "88123-5": "LA28398-8",
    "93030-5": "LA32-8",
    "96779-4": "LA32002-0",  # utilities already shut off
    "95618-5": "LA6270-8",
    "95617-7": "LA6270-8",
    "95616-9": "LA6270-8",
    "95615-1": "LA6270-8",
}


@pytest.fixture
def manager(app):
    return token_for(app, "maria", "case_manager")


@pytest.fixture
def patient_id(client, manager):
    return client.post("/api/v1/patients", json=ANA, headers=manager).get_json()["id"]


def screen(client, headers, patient_id, answers, instrument="ahc-hrsn-core"):
    return client.post(
        "/api/v1/screenings",
        json={"patient_id": patient_id, "instrument": instrument, "answers": answers},
        headers=headers,
    )


def test_a_screening_is_scored_into_positive_domains_and_coded_needs(client, manager, patient_id):
    response = screen(client, manager, patient_id, HUNGRY_AND_BEHIND)
    body = response.get_json()
    assert response.status_code == 201
    assert body["positive_domains"] == [
        "housing-instability",
        "food-insecurity",
        "utility-insecurity",
    ]
    needs = {n["domain"]: n for n in body["needs"]}
    assert (
        needs["food-insecurity"]["need"] == "food"
        and "Z59.41" in needs["food-insecurity"]["z_codes"]
    )
    assert needs["utility-insecurity"]["z_codes"] == ["Z59.12"]
    assert set(needs["housing-instability"]) == {"domain", "need", "z_codes", "category"}
    assert (
        body["safety_score"] == 4 and body["clinician_review"] is False and "guidance" not in body
    )


def test_a_positive_safety_screen_asks_for_a_clinician(client, manager, patient_id):
    unsafe = HUNGRY_AND_BEHIND | {
        "95618-5": "LA10082-8",
        "95617-7": "LA10082-8",
        "95616-9": "LA10066-1",
        "95615-1": "LA10082-8",
    }
    body = screen(client, manager, patient_id, unsafe).get_json()
    assert body["safety_score"] == 11 and "interpersonal-safety" in body["positive_domains"]
    assert body["clinician_review"] is True and "clinician" in body["guidance"]


def test_unknown_codes_are_named_and_nothing_is_stored(app, client, manager, patient_id):
    response = screen(client, manager, patient_id, {"00000-0": "LA1-1", "88122-7": "LA9999-9"})
    error = response.get_json()["error"]
    assert response.status_code == 400 and error["field"] == "answers"
    assert "00000-0" in error["message"] and "LA9999-9" in error["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Screening)) == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"instrument": "ahc-hrsn-core", "answers": {}}, "patient_id"),
        ({"patient_id": "x", "instrument": "ahc-hrsn-core", "answers": {}}, "patient_id"),
        ({"instrument": "", "answers": {}}, "instrument"),
        ({"instrument": "ahc-hrsn-core", "answers": []}, "answers"),
        ({"instrument": "prapare", "answers": {}}, "instrument"),
    ],
)
def test_malformed_screenings_name_the_field(client, manager, patient_id, payload, field):
    payload = (
        {"patient_id": patient_id, **payload}
        if "patient_id" not in payload and field != "patient_id"
        else payload
    )
    response = client.post("/api/v1/screenings", json=payload, headers=manager)
    assert response.status_code in {400, 404} and response.get_json()["error"]["field"] == field


def test_history_is_newest_first_and_every_view_is_recorded(app, client, manager, patient_id):
    first = screen(
        client,
        manager,
        patient_id,
        {"88122-7": "LA28398-8", "88123-5": "LA28398-8"},
        "hunger-vital-sign",
    ).get_json()
    second = screen(client, manager, patient_id, HUNGRY_AND_BEHIND).get_json()
    history = client.get(f"/api/v1/patients/{patient_id}/screenings", headers=manager).get_json()
    assert [s["id"] for s in history["results"]] == [second["id"], first["id"]]
    client.get(f"/api/v1/screenings/{first['id']}", headers=manager)
    from referral.patients.models import AccessRecord

    with app.app_context():
        subjects = db.session.scalars(
            select(AccessRecord.subject).where(AccessRecord.action == "view")
        ).all()
    assert "screenings" in subjects and f"screening:{first['id']}" in subjects


def test_staff_and_curators_never_see_screenings(app, client, manager, patient_id):
    created = screen(client, manager, patient_id, HUNGRY_AND_BEHIND).get_json()
    for role in ("staff", "curator"):
        headers = token_for(app, f"x-{role}", role)
        assert client.get(f"/api/v1/screenings/{created['id']}", headers=headers).status_code == 403
        assert (
            client.get(f"/api/v1/patients/{patient_id}/screenings", headers=headers).status_code
            == 403
        )
        assert screen(client, headers, patient_id, HUNGRY_AND_BEHIND).status_code == 403


def test_times_read_back_carry_their_utc_offset(client, manager, patient_id):
    screening = screen(client, manager, patient_id, HUNGRY_AND_BEHIND).get_json()["id"]
    stored = client.get(f"/api/v1/screenings/{screening}", headers=manager).get_json()
    patient = client.get(f"/api/v1/patients/{patient_id}", headers=manager).get_json()
    for stamp in (stored["created_at"], patient["consents"][0]["recorded_at"]):
        assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0), stamp

"""Follow-up calls, worklists, referring to several services at once, locking and outcome flags."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from referral.curation.models import ServiceFlag
from referral.directory.models import Service, ServiceAtLocation
from referral.extensions import db
from referral.referrals.models import Referral
from tests.integration.test_patients_api import ANA, token_for
from tests.integration.test_referrals_api import move, refer


def call(client, headers, referral, **data):
    return client.post(f"/api/v1/referrals/{referral}/follow-ups", json=data, headers=headers)


def worklist(client, headers, which):
    return client.get(f"/api/v1/referrals?worklist={which}", headers=headers)


def test_a_missed_call_is_recorded_and_sets_a_retry_soon(client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    body = call(client, manager, referral["id"], method="phone", result="no-answer").get_json()
    assert body["follow_ups"][0]["result"] == "no-answer"
    assert body["follow_ups"][0]["reached"] is False
    assert body["follow_up_due"] == (date.today() + timedelta(days=2)).isoformat()
    assert body["outcome"] is None


def test_a_patient_who_got_help_closes_the_loop_and_ends_follow_ups(client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    body = call(
        client, manager, referral["id"], method="phone", result="reached", patient_says="got-help"
    ).get_json()
    assert body["outcome"] == "got-help" and body["outcome_source"] == "patient"
    assert body["follow_up_due"] is None and body["closed_at"]
    assert body["status"] == "requested", "a follow-up never moves the organization's status"
    assert body["history"][-1]["outcome"] == "got-help"
    assert worklist(client, manager, "mine").get_json()["results"] == []


def test_only_a_reached_patient_can_say_anything(client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    response = call(
        client, manager, referral["id"], method="phone", result="no-answer", patient_says="got-help"
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "patient_says"
    again = client.get(f"/api/v1/referrals/{referral['id']}", headers=manager).get_json()
    assert again["follow_ups"] == [] and again["outcome"] is None


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("method", {"method": "pigeon", "result": "reached"}),
        ("result", {"method": "phone", "result": "maybe"}),
        ("next_due", {"method": "phone", "result": "no-answer", "next_due": "2001-01-01"}),
        ("next_due", {"method": "phone", "result": "no-answer", "next_due": "soon"}),
    ],
)
def test_bad_follow_ups_name_their_field(client, setup, field, data):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    response = call(client, manager, referral["id"], **data)
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field


def test_the_organizations_outcome_stands_over_a_later_patient_report(client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    move(
        client, manager, referral["id"], status="cancelled", reason="moved", outcome="not-eligible"
    )
    body = call(
        client, manager, referral["id"], method="phone", result="reached", patient_says="got-help"
    ).get_json()
    assert body["outcome"] == "not-eligible" and body["outcome_source"] == "care-team"
    assert body["follow_ups"][0]["patient_says"] == "got-help"


def test_worklists_hold_due_mine_and_quiet_referrals(app, client, setup):
    manager, patient, service = setup
    first = refer(client, manager, patient, service).get_json()
    second = refer(client, manager, patient, service, need="housing").get_json()
    with app.app_context():
        db.session.execute(
            update(Referral)
            .where(Referral.id == first["id"])
            .values(
                follow_up_due=date.today() - timedelta(days=1),
                updated_at=datetime.now(UTC) - timedelta(days=30),
            )
        )
        db.session.commit()
    due = [r["id"] for r in worklist(client, manager, "due").get_json()["results"]]
    mine = [r["id"] for r in worklist(client, manager, "mine").get_json()["results"]]
    quiet = [r["id"] for r in worklist(client, manager, "quiet").get_json()["results"]]
    assert due == [first["id"]] and quiet == [first["id"]]
    assert mine == [first["id"], second["id"]]
    other = token_for(app, "olga", "case_manager")
    assert worklist(client, other, "mine").get_json()["results"] == []
    assert worklist(client, manager, "everything").status_code == 400


def test_several_services_at_once_are_all_referred_or_none(app, client, setup):
    manager, patient, _ = setup
    with app.app_context():
        ids = list(db.session.scalars(select(Service.id).order_by(Service.id).limit(3)))
    payload = {"patient_id": patient, "need": "food", "consent": True, "note": ""}
    made = client.post(
        "/api/v1/referrals", json=payload | {"service_ids": ids[:2]}, headers=manager
    )
    assert made.status_code == 201
    assert [r["service_id"] for r in made.get_json()["referrals"]] == ids[:2]
    refused = client.post(
        "/api/v1/referrals", json=payload | {"service_ids": [ids[2], "no-such"]}, headers=manager
    )
    assert refused.status_code == 404
    listed = client.get(f"/api/v1/referrals?patient_id={patient}", headers=manager).get_json()
    assert sorted(r["service_id"] for r in listed["results"]) == sorted(ids[:2])


def test_a_second_open_referral_to_the_same_service_for_the_same_need_is_refused(client, setup):
    manager, patient, service = setup
    refer(client, manager, patient, service)
    again = refer(client, manager, patient, service)
    assert (
        again.status_code == 409 and "already has an open" in again.get_json()["error"]["message"]
    )


def test_a_location_must_belong_to_the_service(app, client, setup):
    manager, patient, service = setup
    with app.app_context():
        location = db.session.scalar(
            select(ServiceAtLocation.location_id).where(ServiceAtLocation.service_id == service)
        )
        foreign = db.session.scalar(
            select(ServiceAtLocation.location_id).where(ServiceAtLocation.service_id != service)
        )
    good = refer(client, manager, patient, service, location_id=location).get_json()
    assert good["location_id"] == location
    bad = refer(client, manager, patient, service, need="housing", location_id=foreign)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "location_id"


@pytest.mark.parametrize("outcome", [None, "no-capacity"])
def test_a_change_racing_another_is_refused_with_409(app, client, setup, outcome):
    """Optimistic locking holds at the database: the row's version is checked on write, also
    when the outcome may flag the service."""
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    from referral.errors import Conflict
    from referral.referrals.operations import change_status

    with app.test_request_context():
        mine = db.session.get(Referral, referral["id"])
        with db.engine.begin() as other:
            other.execute(
                text("UPDATE referrals SET version = version + 1 WHERE id = :id"),
                {"id": referral["id"]},
            )
        with pytest.raises(Conflict):
            change = {"status": "cancelled", "reason": "x", "outcome": outcome}
            change_status(mine, change, "requester", "maria", None)
        db.session.rollback()


def test_repeated_no_capacity_flags_the_service_for_curators(app, client, setup):
    manager, _, service = setup
    patients = [
        client.post(
            "/api/v1/patients",
            json=ANA | {"given_name": name, "phone": f"216-555-01{n:02d}"},
            headers=manager,
        ).get_json()["id"]
        for n, name in enumerate(["Bea", "Cruz", "Dina"], start=10)
    ]
    for n, patient in enumerate(patients):
        referral = refer(client, manager, patient, service).get_json()
        move(
            client,
            manager,
            referral["id"],
            status="cancelled",
            reason="full",
            outcome="no-capacity",
        )
        with app.app_context():
            flags = list(db.session.scalars(select(ServiceFlag)))
        assert len(flags) == (1 if n == 2 else 0), "the third no-capacity raises the flag"
    flag = flags[0]
    assert flag.service_id == service and flag.reason == "no-capacity" and flag.status == "open"
    assert [e["source"] for e in flag.evidence] == ["care-team"] * 3
    assert len({e["referral_id"] for e in flag.evidence}) == 3

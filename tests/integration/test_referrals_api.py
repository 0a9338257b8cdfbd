"""POST /api/v1/referrals and status changes: consent, the state machine, locking, history."""

import pytest

from tests.integration.test_patients_api import token_for


def refer(client, headers, patient, service, **extra):
    payload = {
        "patient_id": patient,
        "service_id": service,
        "need": "food",
        "note": "Hungry kids",
        "consent": True,
        **extra,
    }
    return client.post("/api/v1/referrals", json=payload, headers=headers)


def move(client, headers, referral, **data):
    return client.post(f"/api/v1/referrals/{referral}/status", json=data, headers=headers)


def test_a_referral_starts_requested_with_a_follow_up_and_records_consent(client, setup):
    manager, patient, service = setup
    response = refer(client, manager, patient, service)
    body = response.get_json()
    assert response.status_code == 201 and body["status"] == "requested" and body["follow_up_due"]
    assert body["history"][0]["to"] == "requested" and body["history"][0]["by"] == "maria"
    consents = client.get(f"/api/v1/patients/{patient}", headers=manager).get_json()
    assert consents["share_ok"] is True


def test_consent_is_required_to_share(client, setup):
    manager, patient, service = setup
    response = refer(client, manager, patient, service, consent=False)
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "consent"


@pytest.mark.parametrize(
    ("field", "value"), [("patient_id", 99999), ("service_id", "nope"), ("need", "pizza")]
)
def test_bad_references_name_their_field(client, setup, field, value):
    manager, patient, service = setup
    response = refer(client, manager, patient, service, **{field: value})
    assert response.status_code in {400, 404} and response.get_json()["error"]["field"] == field


def test_the_requester_cancels_with_a_reason_and_history_keeps_every_change(client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    refused = move(client, manager, referral["id"], status="cancelled")
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "reason"
    done = move(
        client,
        manager,
        referral["id"],
        status="cancelled",
        reason="Found help elsewhere",
        outcome="referred-elsewhere",
        version=referral["version"],
    )
    body = done.get_json()
    assert (
        done.status_code == 200
        and body["status"] == "cancelled"
        and body["outcome"] == "referred-elsewhere"
    )
    assert [(h["from"], h["to"]) for h in body["history"]] == [
        (None, "requested"),
        ("requested", "cancelled"),
    ]
    assert body["history"][1]["reason"] == "Found help elsewhere"


def test_a_move_only_the_receiving_organization_may_make_is_refused_and_changes_nothing(
    client, setup
):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    response = move(client, manager, referral["id"], status="accepted")
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "party"
    again = client.get(f"/api/v1/referrals/{referral['id']}", headers=manager).get_json()
    assert again["status"] == "requested" and again["version"] == referral["version"]


def test_a_stale_version_is_a_409_and_changes_nothing(client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    move(client, manager, referral["id"], status="entered-in-error", version=referral["version"])
    stale = move(
        client, manager, referral["id"], status="cancelled", reason="x", version=referral["version"]
    )
    assert stale.status_code == 409 and stale.get_json()["error"]["field"] == "version"
    header = client.post(
        f"/api/v1/referrals/{referral['id']}/status",
        json={"status": "cancelled", "reason": "x"},
        headers=manager | {"If-Match": str(referral["version"])},
    )
    assert header.status_code == 409
    quoted = client.post(
        f"/api/v1/referrals/{referral['id']}/status",
        json={"status": "cancelled", "reason": "x"},
        headers=manager | {"If-Match": f'"{referral["version"]}"'},
    )
    assert quoted.status_code == 409, "a quoted ETag-style version is read, not a server error"


def test_lists_filter_by_status_due_date_and_patient(client, setup):
    manager, patient, service = setup
    first = refer(client, manager, patient, service).get_json()
    refer(client, manager, patient, service, need="housing")
    move(client, manager, first["id"], status="cancelled", reason="duplicate")
    listed = client.get(
        f"/api/v1/referrals?status=requested&patient_id={patient}", headers=manager
    ).get_json()
    assert [r["need"] for r in listed["results"]] == ["housing"]
    assert (
        client.get("/api/v1/referrals?due_before=2000-01-01", headers=manager).get_json()["results"]
        == []
    )
    assert client.get("/api/v1/referrals?status=lost", headers=manager).status_code == 400


def test_only_the_patients_case_managers_and_admins_see_a_referral(app, client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    other = token_for(app, "olga", "case_manager")
    assert client.get(f"/api/v1/referrals/{referral['id']}", headers=other).status_code == 403
    assert client.get("/api/v1/referrals", headers=other).get_json()["results"] == []
    admin = token_for(app, "root", "admin")
    assert client.get(f"/api/v1/referrals/{referral['id']}", headers=admin).status_code == 200
    staff = token_for(app, "sam", "staff")
    assert client.get(f"/api/v1/referrals/{referral['id']}", headers=staff).status_code == 403

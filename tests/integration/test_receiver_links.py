"""The receiving organization answers through a signed link: accept, progress, close; refusals."""

import re

import pytest

from referral.referrals.links import link_token
from tests.integration.test_referrals_api import refer


@pytest.fixture
def linked(client, setup):
    manager, patient, service = setup
    referral = refer(client, manager, patient, service).get_json()
    path = referral["receiver_link"].split("localhost", 1)[-1]
    return manager, referral, path


def answer(client, path, **fields):
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return client.post(path, data={"csrf_token": token, "version": version, **fields})


def test_the_organization_sees_who_to_contact_but_no_screening(client, linked):
    from tests.integration.test_screenings_api import HUNGRY_AND_BEHIND, screen

    manager, referral, path = linked
    unsafe = HUNGRY_AND_BEHIND | {"95618-5": "LA10082-8", "95617-7": "LA10082-8"}
    screened = screen(client, manager, referral["patient_id"], unsafe).get_json()
    assert any(z.startswith("Z59") for n in screened["needs"] for z in n["z_codes"])
    page = client.get(path).get_data(as_text=True)
    assert "Ana Lopez" in page and "(216) 555-0100" in page and "Hungry kids" in page
    assert "Z59" not in page and "safety" not in page.lower()


def test_accepting_and_completing_show_at_once_to_the_case_manager(client, linked):
    manager, referral, path = linked
    answer(client, path, status="accepted")
    answer(client, path, status="completed", outcome="got-help")
    seen = client.get(f"/api/v1/referrals/{referral['id']}", headers=manager).get_json()
    assert seen["status"] == "completed" and seen["outcome"] == "got-help"
    assert [h["party"] for h in seen["history"]][1:] == ["receiver", "receiver"]
    assert "(link)" in seen["history"][1]["by"]


def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(client, linked):
    manager, referral, path = linked
    response = answer(client, path, status="rejected")
    assert "reason" in client.get(response.headers["Location"]).get_data(as_text=True).lower()
    assert (
        client.get(f"/api/v1/referrals/{referral['id']}", headers=manager).get_json()["status"]
        == "requested"
    )


def test_a_link_used_after_the_referral_closed_is_refused(client, linked):
    _, _, path = linked
    answer(client, path, status="rejected", reason="No capacity this month", outcome="no-capacity")
    response = client.get(path)
    assert response.status_code == 410 and "closed" in response.get_data(as_text=True)


def test_a_tampered_link_is_refused(client, linked):
    _, _, path = linked
    response = client.get(path[:-3] + "abc")
    assert response.status_code == 410 and "not valid" in response.get_data(as_text=True)


def test_an_expired_link_is_refused(app, client, linked):
    _, referral, _ = linked
    app.config["REFERRAL"]["LINK_DAYS"] = -1
    token = link_token(app.secret_key, referral["id"])
    response = client.get(f"/r/{token}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)

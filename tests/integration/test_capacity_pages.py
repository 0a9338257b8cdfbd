"""Capacity on the pages: plain words in results and on the service page, the service page's
form for those allowed to set it, and a warning (not a block) where a patient is referred."""

import html as htmllib
from datetime import timedelta

import pytest

from referral.capacity.operations import clinic_today
from referral.capacity.rules import day_words
from tests.conftest import csrf_token, load_directory, sign_in
from tests.integration.test_patients_api import ANA, token_for

FOOD = "category=food&near=44113&limit=100"


@pytest.fixture
def curator(app):
    load_directory(app)
    return token_for(app, "cora", "curator")


def food_services(client):
    """The first two different services of the food results near 44113."""
    results = client.get(f"/api/v1/search?{FOOD}").get_json()["results"]
    ids = list(dict.fromkeys(r["service_id"] for r in results))
    return ids[0], ids[1]


def text(response) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def until_in(app, days: int = 20):
    with app.app_context():
        today = clinic_today()
    day = today + timedelta(days=days)
    return day.isoformat(), f"Not accepting referrals until {day_words(day, today)}"


def test_results_and_the_service_page_say_it_in_plain_words(app, client, curator):
    full, waiting = food_services(client)
    until, words = until_in(app)
    body = {"status": "not-accepting", "until": until, "note": "Back after the holidays"}
    client.put(f"/api/v1/services/{full}/capacity", json=body, headers=curator)
    client.put(f"/api/v1/services/{waiting}/capacity", json={"status": "waitlist"}, headers=curator)
    page = text(client.get(f"/?{FOOD}"))
    assert words in page and ">Waitlist<" in page
    assert page.count('class="badge capacity') == page.count(words) + page.count(">Waitlist<")
    service = text(client.get(f"/services/{full}"))
    assert words in service and "Back after the holidays" in service


def test_nothing_extra_is_shown_for_a_service_accepting_referrals(app, client, curator):
    service, _ = food_services(client)
    page = text(client.get(f"/services/{service}"))
    assert "badge capacity" not in page and "Accepting referrals" not in page
    assert "badge capacity" not in text(client.get(f"/?{FOOD}"))


def test_the_form_is_offered_to_curators_only(app, client, curator):
    service, _ = food_services(client)
    assert "Taking referrals?" not in text(client.get(f"/services/{service}"))
    token_for(app, "maria", "case_manager")
    sign_in(client, "maria")
    assert "Taking referrals?" not in text(client.get(f"/services/{service}"))
    curators = app.test_client()
    sign_in(curators, "cora")
    assert "Taking referrals?" in text(curators.get(f"/services/{service}"))


def post_form(client, service, **fields):
    token = csrf_token(client, f"/services/{service}")
    data = {"status": "accepting", "until": "", "note": "", "csrf_token": token, **fields}
    return client.post(f"/services/{service}/capacity", data=data, follow_redirects=True)


def test_a_curator_sets_it_with_the_form_and_search_follows(app, client, curator):
    service, _ = food_services(client)
    sign_in(client, "cora")
    until, words = until_in(app)
    page = text(post_form(client, service, status="not-accepting", until=until, note="Full"))
    assert f"Saved: {words}." in page and "Last set by cora" in page
    results = client.get(f"/api/v1/search?{FOOD}").get_json()["results"]
    mine = [r["capacity"] for r in results if r["service_id"] == service]
    assert mine and mine[0] == {"status": "not-accepting", "until": until}
    back = text(post_form(client, service, status="accepting"))
    assert "Saved: Accepting referrals." in back and words not in back


def test_the_form_refuses_a_past_day_with_the_reason_and_saves_nothing(app, client, curator):
    service, _ = food_services(client)
    sign_in(client, "cora")
    page = text(post_form(client, service, status="not-accepting", until="2020-01-01"))
    assert "Not saved" in page and "in the past" in page
    capacity = client.get(f"/api/v1/services/{service}/capacity").get_json()
    assert capacity["status"] == "accepting"


def test_the_form_needs_its_csrf_token_and_the_right_role(app, client, curator):
    service, _ = food_services(client)
    sign_in(client, "cora")
    refused = client.post(f"/services/{service}/capacity", data={"status": "waitlist"})
    assert refused.status_code == 400 and "CSRF" in text(refused)
    token_for(app, "maria", "case_manager")
    client = app.test_client()
    sign_in(client, "maria")
    token = csrf_token(client, f"/services/{service}")
    forbidden = client.post(
        f"/services/{service}/capacity", data={"status": "waitlist", "csrf_token": token}
    )
    assert forbidden.status_code == 403 and "Ask a curator" in text(forbidden)
    assert client.get(f"/api/v1/services/{service}/capacity").get_json()["status"] == "accepting"


def test_referring_a_patient_to_a_service_not_accepting_warns_but_is_allowed(app, client, curator):
    full, _ = food_services(client)
    until, words = until_in(app)
    client.put(
        f"/api/v1/services/{full}/capacity",
        json={"status": "not-accepting", "until": until},
        headers=curator,
    )
    manager = token_for(app, "maria", "case_manager")
    patient = client.post("/api/v1/patients", json=ANA, headers=manager).get_json()["id"]
    sign_in(client, "maria")
    page = text(client.get(f"/?patient={patient}&{FOOD}"))
    result = page.split(f'value="{full}"')[1].split('class="result"')[0]
    assert f"{words}: you can still refer, but call them first." in result
    response = client.post(
        "/referrals/new",
        data={
            "csrf_token": csrf_token(client, f"/?patient={patient}&category=food"),
            "patient_id": patient,
            "service_id": full,
            "need": "food",
            "consent": "1",
        },
    )
    assert response.status_code == 302
    assert "Referred" in text(client.get(response.headers["Location"]))

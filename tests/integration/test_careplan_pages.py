"""The care plan on the patient's page: needs with Z codes, goals and progress, what was done,
messages and a timeline filtered by its query string; forms that keep the input on error; the
printable plan in the patient's language."""

import re
from datetime import date, timedelta

import pytest

from tests.conftest import sign_in

FOOD = {"88122-7": "LA28397-0", "88123-5": "LA28397-0"}
SOON = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def page(setup, client):
    """Maria signed in, her patient screened (a food need) and referred for food."""
    manager, patient, service = setup
    body = {"patient_id": patient, "instrument": "hunger-vital-sign", "answers": FOOD}
    client.post("/api/v1/screenings", json=body, headers=manager)
    referral = {"patient_id": patient, "service_id": service, "need": "food", "consent": True}
    client.post("/api/v1/referrals", json=referral, headers=manager)
    sign_in(client, "maria")
    return manager, patient


def token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_page_shows_needs_goals_what_was_done_and_the_timeline(page, client):
    manager, patient = page
    need = client.get(f"/api/v1/patients/{patient}/needs", headers=manager).get_json()["results"][0]
    body = {"need_id": need["id"], "description": "Food in the fridge", "target_date": SOON}
    client.post(f"/api/v1/patients/{patient}/goals", json=body, headers=manager)
    html = client.get(f"/patients/{patient}").get_data(as_text=True)
    assert 'id="care-plan"' in html and "Z59.41" in html and "Food insecurity" in html
    assert "Food in the fridge" in html and SOON in html and "in progress" in html
    assert "Referred to" in html and "follow up" in html
    assert 'id="timeline"' in html and "Need added: Food (Z59.41)" in html
    assert "Add a need" in html and "Add a goal" in html and "Record education" in html


def test_the_timeline_filter_works_from_the_query_string(page, client):
    _, patient = page
    html = client.get(f"/patients/{patient}?kind=referral").get_data(as_text=True)
    timeline = html[html.index('id="timeline"') :]
    assert "Referred for Food" in timeline and "Need added" not in timeline
    assert 'value="referral" checked' in timeline


def test_a_need_added_on_the_page_and_a_refused_one_keeps_the_input(page, client):
    _, patient = page
    html = client.get(f"/patients/{patient}").get_data(as_text=True)
    data = {"csrf_token": token(html), "domain": "housing", "z_code": "Z59.41", "note": "sofa"}
    refused = client.post(f"/patients/{patient}/needs", data=data)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Z59.41 is a code for food needs" in text and 'value="sofa"' in text
    made = client.post(f"/patients/{patient}/needs", data={**data, "z_code": "Z59.02"})
    assert made.status_code == 302 and made.location.endswith("#care-plan")
    assert "Z59.02" in client.get(f"/patients/{patient}").get_data(as_text=True)


def test_resolving_on_the_page_asks_why(page, client):
    manager, patient = page
    need = client.get(f"/api/v1/patients/{patient}/needs", headers=manager).get_json()["results"][0]
    html = client.get(f"/patients/{patient}").get_data(as_text=True)
    url = f"/patients/{patient}/needs/{need['id']}/status"
    data = {"csrf_token": token(html), "status": "resolved", "reason": "", "version": "1"}
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and "Say why the need is resolved" in refused.get_data(
        as_text=True
    )
    assert client.post(url, data={**data, "reason": "got-help"}).status_code == 302
    html = client.get(f"/patients/{patient}").get_data(as_text=True)
    assert "Closed needs" in html and "got help" in html


def test_a_goal_in_the_past_is_refused_on_the_page(page, client):
    manager, patient = page
    need = client.get(f"/api/v1/patients/{patient}/needs", headers=manager).get_json()["results"][0]
    html = client.get(f"/patients/{patient}").get_data(as_text=True)
    data = {
        "csrf_token": token(html),
        "need_id": str(need["id"]),
        "description": "Groceries",
        "target_date": "2020-02-02",
    }
    refused = client.post(f"/patients/{patient}/goals", data=data)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "target_date is in the past" in text and 'value="Groceries"' in text


def test_the_printed_plan_is_in_spanish_without_codes(page, client):
    manager, patient = page
    need = client.get(f"/api/v1/patients/{patient}/needs", headers=manager).get_json()["results"][0]
    body = {"need_id": need["id"], "description": "Comida en la casa", "target_date": SOON}
    client.post(f"/api/v1/patients/{patient}/goals", json=body, headers=manager)
    html = client.get(f"/patients/{patient}/plan/print").get_data(as_text=True)
    assert "Mi plan de cuidado" in html and "Tener suficiente comida" in html
    assert "Comida en la casa" in html and "En eso estoy" in html and "Adónde me refirieron" in html
    assert "Z59" not in html.split("<article", 1)[1]
    english = client.get(f"/patients/{patient}/plan/print?language=en").get_data(as_text=True)
    assert "My care plan" in english and "Having enough food" in english


def test_the_plan_pages_need_the_care_team(setup, client):
    _, patient, _ = setup
    assert client.get(f"/patients/{patient}/plan/print").status_code == 302
    assert client.post(f"/patients/{patient}/needs", data={"domain": "food"}).status_code in (
        302,
        400,
    )

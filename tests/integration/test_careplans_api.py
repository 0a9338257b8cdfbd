"""The care plan API: needs from screenings and by hand, their status rules and history,
goals and their progress, interventions, and the timeline; only for the patient's care team."""

from datetime import date, timedelta

import pytest

FOOD = {"88122-7": "LA28397-0", "88123-5": "LA28397-0"}
SOON = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def plan(setup, client):
    """A case manager's patient with a food need from a screening."""
    manager, patient, service = setup
    body = {"patient_id": patient, "instrument": "hunger-vital-sign", "answers": FOOD}
    assert client.post("/api/v1/screenings", json=body, headers=manager).status_code == 201
    return manager, patient, service


def needs_of(client, manager, patient):
    return client.get(f"/api/v1/patients/{patient}/needs", headers=manager).get_json()["results"]


def test_a_screening_makes_its_needs_once_per_domain(plan, client):
    manager, patient, _ = plan
    (need,) = needs_of(client, manager, patient)
    assert (need["domain"], need["z_code"], need["source"], need["status"]) == (
        "food",
        "Z59.41",
        "screening",
        "active",
    )
    body = {"patient_id": patient, "instrument": "hunger-vital-sign", "answers": FOOD}
    client.post("/api/v1/screenings", json=body, headers=manager)
    assert len(needs_of(client, manager, patient)) == 1, "the active food need is kept"


def test_a_need_added_by_hand_is_checked(plan, client):
    manager, patient, _ = plan
    url = f"/api/v1/patients/{patient}/needs"
    made = client.post(
        url, json={"domain": "housing", "z_code": "z59.01", "note": "car"}, headers=manager
    )
    assert made.status_code == 201
    assert (made.get_json()["z_code"], made.get_json()["source"]) == ("Z59.01", "manual")
    again = client.post(url, json={"domain": "housing"}, headers=manager)
    assert (
        again.status_code == 409
        and "already has an active housing need" in again.get_json()["error"]["message"]
    )
    for body in ({"domain": "pets"}, {"note": "no domain"}):
        answer = client.post(url, json=body, headers=manager)
        assert answer.status_code == 400 and answer.get_json()["error"]["field"] == "domain"
    by_screening_key = client.post(url, json={"domain": "food-insecurity"}, headers=manager)
    assert by_screening_key.status_code == 409, "the screening's domain key names the food need"
    for body, field in (
        ({"domain": "legal", "z_code": "59.41"}, "z_code"),
        ({"domain": "legal", "z_code": "Z59.41"}, "z_code"),
    ):
        answer = client.post(url, json=body, headers=manager)
        assert answer.status_code == 422 and answer.get_json()["error"]["field"] == field, body
    assert (
        client.post(url, json={"domain": "legal", "z_code": "Z65.3"}, headers=manager).status_code
        == 201
    )


def test_resolving_a_need_asks_why_and_keeps_its_history(plan, client):
    manager, patient, _ = plan
    (need,) = needs_of(client, manager, patient)
    url = f"/api/v1/needs/{need['id']}"
    missing = client.patch(url, json={"status": "resolved"}, headers=manager)
    assert missing.status_code == 422 and missing.get_json()["error"]["field"] == "reason"
    unknown = client.patch(url, json={"status": "gone"}, headers=manager)
    assert unknown.status_code == 422 and unknown.get_json()["error"]["field"] == "status"
    stale = client.patch(
        url, json={"status": "resolved", "reason": "got-help"}, headers=manager | {"If-Match": "7"}
    )
    assert stale.status_code == 409
    done = client.patch(
        url,
        json={"status": "resolved", "reason": "got-help", "version": need["version"]},
        headers=manager,
    )
    assert done.status_code == 200
    body = done.get_json()
    assert (body["status"], body["reason"]) == ("resolved", "got-help") and body["resolved_at"]
    assert [(e["from"], e["to"], e["reason"]) for e in body["history"]] == [
        (None, "active", None),
        ("active", "resolved", "got-help"),
    ]
    assert client.get(url, headers=manager).get_json()["version"] == need["version"] + 1


def test_declining_means_the_patient_declined(plan, client):
    manager, patient, _ = plan
    (need,) = needs_of(client, manager, patient)
    url = f"/api/v1/needs/{need['id']}"
    wrong = client.patch(url, json={"status": "declined", "reason": "got-help"}, headers=manager)
    assert wrong.status_code == 422 and wrong.get_json()["error"]["field"] == "reason"
    declined = client.patch(url, json={"status": "declined"}, headers=manager).get_json()
    assert (declined["status"], declined["reason"]) == ("declined", "patient-declined")


def test_goals_are_set_for_a_need_by_a_date_to_come(plan, client):
    manager, patient, _ = plan
    (need,) = needs_of(client, manager, patient)
    url = f"/api/v1/patients/{patient}/goals"
    past = {"need_id": need["id"], "description": "Food in the house", "target_date": "2020-01-01"}
    answer = client.post(url, json=past, headers=manager)
    assert (
        answer.status_code == 422
        and "target_date is in the past" in answer.get_json()["error"]["message"]
    )
    for body, field in (
        ({**past, "target_date": "soon"}, "target_date"),
        ({**past, "target_date": SOON, "description": " "}, "description"),
        ({**past, "target_date": SOON, "need_id": 99999}, "need_id"),
    ):
        refused = client.post(url, json=body, headers=manager)
        assert refused.status_code == 422 and refused.get_json()["error"]["field"] == field, body
    goal = client.post(url, json={**past, "target_date": SOON}, headers=manager)
    assert goal.status_code == 201
    goal = goal.get_json()
    assert goal["code"] == {
        "system": "http://loinc.org",
        "code": "88124-3",
        "display": "Food insecurity risk [HVS]",
    }
    assert (goal["achievement_status"], goal["lifecycle_status"]) == ("in-progress", "active")
    listed = client.get(url, headers=manager).get_json()["results"]
    assert [g["id"] for g in listed] == [goal["id"]]


def test_a_goal_achieved_is_completed_and_stale_changes_are_refused(plan, client):
    manager, patient, _ = plan
    (need,) = needs_of(client, manager, patient)
    body = {"need_id": need["id"], "description": "Food in the house", "target_date": SOON}
    goal = client.post(f"/api/v1/patients/{patient}/goals", json=body, headers=manager).get_json()
    url = f"/api/v1/goals/{goal['id']}"
    bad = client.patch(url, json={"achievement_status": "great"}, headers=manager)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "achievement_status"
    assert (
        client.patch(
            url, json={"achievement_status": "improving", "version": 9}, headers=manager
        ).status_code
        == 409
    )
    done = client.patch(
        url, json={"achievement_status": "achieved", "version": goal["version"]}, headers=manager
    ).get_json()
    assert (done["achievement_status"], done["lifecycle_status"]) == ("achieved", "completed")
    assert [(e["from"], e["to"]) for e in done["history"]] == [
        (None, "in-progress"),
        ("in-progress", "achieved"),
        ("active", "completed"),
    ]
    moved = client.patch(url, json={"target_date": "2020-01-01"}, headers=manager)
    assert moved.status_code == 422 and moved.get_json()["error"]["field"] == "target_date"
    assert client.get(url, headers=manager).get_json()["achievement_status"] == "achieved"


def test_interventions_are_recorded_for_a_need(plan, client):
    manager, patient, _ = plan
    (need,) = needs_of(client, manager, patient)
    url = f"/api/v1/patients/{patient}/interventions"
    body = {"need_id": need["id"], "kind": "education", "description": "SNAP leaflet"}
    made = client.post(url, json=body, headers=manager)
    assert made.status_code == 201 and made.get_json()["need_id"] == need["id"]
    for wrong, field in (
        ({**body, "kind": "magic"}, "kind"),
        ({**body, "at": "2999-01-01T00:00:00+00:00"}, "at"),
    ):
        answer = client.post(url, json=wrong, headers=manager)
        assert answer.status_code == 422 and answer.get_json()["error"]["field"] == field
    assert [i["description"] for i in client.get(url, headers=manager).get_json()["results"]] == [
        "SNAP leaflet"
    ]


def test_a_referral_serves_the_active_need_of_its_domain(plan, client):
    manager, patient, service = plan
    (need,) = needs_of(client, manager, patient)
    food = {"patient_id": patient, "service_id": service, "need": "food", "consent": True}
    referral = client.post("/api/v1/referrals", json=food, headers=manager).get_json()
    from referral.extensions import db
    from referral.referrals.models import Referral

    with client.application.app_context():
        assert db.session.get(Referral, referral["id"]).need_id == need["id"]
    legal = client.post("/api/v1/referrals", json={**food, "need": "legal"}, headers=manager)
    assert legal.status_code == 201
    domains = {n["domain"]: n["source"] for n in needs_of(client, manager, patient)}
    assert domains == {"food": "screening", "legal": "manual"}


def test_the_timeline_is_newest_first_and_filtered(plan, client):
    manager, patient, _service = plan
    (need,) = needs_of(client, manager, patient)
    client.patch(
        f"/api/v1/needs/{need['id']}",
        json={"status": "resolved", "reason": "no-longer-needed"},
        headers=manager,
    )
    client.post(
        f"/api/v1/patients/{patient}/interventions",
        json={"kind": "counseling", "description": "Budget talk"},
        headers=manager,
    )
    url = f"/api/v1/patients/{patient}/timeline"
    everything = client.get(url, headers=manager).get_json()
    kinds = [e["kind"] for e in everything["results"]]
    assert set(kinds) == {"screening", "need", "intervention"} and everything["total"] == 4
    stamps = [e["at"] for e in everything["results"]]
    assert stamps == sorted(stamps, reverse=True)
    needs = client.get(url, query_string={"kind": "need"}, headers=manager).get_json()["results"]
    assert [e["summary"] for e in needs] == [
        "Food need resolved: no longer needed",
        "Need added: Food (Z59.41), from screening",
    ]
    both = client.get(url + "?kind=need,intervention&limit=1&offset=1", headers=manager).get_json()
    assert both["total"] == 3 and len(both["results"]) == 1
    bad = client.get(url, query_string={"kind": "weather"}, headers=manager)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "kind"


def test_another_organizations_patient_is_not_found(network):
    web, a = network.web, network.a
    ann, ben = network.ann, network.ben
    (need,) = web.get(f"/api/v1/patients/{a.patient}/needs", headers=ann).get_json()["results"]
    body = {"need_id": need["id"], "description": "Groceries", "target_date": SOON}
    goal = web.post(f"/api/v1/patients/{a.patient}/goals", json=body, headers=ann).get_json()
    for method, url, json in (
        ("get", f"/api/v1/patients/{a.patient}/needs", None),
        ("post", f"/api/v1/patients/{a.patient}/needs", {"domain": "housing"}),
        ("get", f"/api/v1/needs/{need['id']}", None),
        ("patch", f"/api/v1/needs/{need['id']}", {"status": "declined"}),
        ("get", f"/api/v1/patients/{a.patient}/goals", None),
        ("post", f"/api/v1/patients/{a.patient}/goals", body),
        ("get", f"/api/v1/goals/{goal['id']}", None),
        ("patch", f"/api/v1/goals/{goal['id']}", {"achievement_status": "achieved"}),
        ("get", f"/api/v1/patients/{a.patient}/interventions", None),
        (
            "post",
            f"/api/v1/patients/{a.patient}/interventions",
            {"kind": "other", "description": "x"},
        ),
        ("get", f"/api/v1/patients/{a.patient}/timeline", None),
    ):
        answer = web.open(url, method=method.upper(), json=json, headers=ben)
        assert answer.status_code == 404, (method, url)
    assert web.get(f"/api/v1/needs/{need['id']}", headers=network.fay).status_code == 403
    assert web.get(f"/api/v1/needs/{need['id']}", headers=ann).get_json()["status"] == "active"


def test_a_need_is_reopened_only_when_no_other_of_its_domain_is_active(plan, client):
    manager, patient, _ = plan
    (need,) = needs_of(client, manager, patient)
    url = f"/api/v1/needs/{need['id']}"
    client.patch(url, json={"status": "resolved", "reason": "got-help"}, headers=manager)
    client.post(f"/api/v1/patients/{patient}/needs", json={"domain": "food"}, headers=manager)
    assert client.patch(url, json={"status": "active"}, headers=manager).status_code == 409
    client.patch(url, json={"status": "entered-in-error"}, headers=manager)
    again = client.patch(url, json={"status": "active"}, headers=manager)
    assert (
        again.status_code == 422 and "cannot become active" in again.get_json()["error"]["message"]
    )

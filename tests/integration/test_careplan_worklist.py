"""Goals reach the worklist when their date comes, until they are achieved; active needs rank
the patient up."""

from datetime import date, timedelta


def goal_for(client, manager, patient, days: int) -> dict:
    need = client.post(
        f"/api/v1/patients/{patient}/needs", json={"domain": "housing"}, headers=manager
    )
    body = {
        "need_id": need.get_json()["id"],
        "description": "Sign a lease",
        "target_date": (date.today() + timedelta(days=days)).isoformat(),
    }
    return client.post(f"/api/v1/patients/{patient}/goals", json=body, headers=manager).get_json()


def goal_work(client, manager) -> list:
    answer = client.get("/api/v1/worklist?kind=goal", headers=manager).get_json()
    return answer["results"]


def test_a_goal_whose_date_comes_is_on_the_worklist_until_achieved(setup, client):
    manager, patient, _ = setup
    goal = goal_for(client, manager, patient, 2)
    (item,) = goal_work(client, manager)
    assert (item["kind"], item["patient_id"], item["ref"]) == (
        "goal",
        patient,
        f"goal:{goal['id']}",
    )
    assert item["reason"] == "Goal past its date: Sign a lease"
    assert item["due"] == goal["target_date"] and item["risk"] == ["1 open need"]
    client.patch(
        f"/api/v1/goals/{goal['id']}", json={"achievement_status": "achieved"}, headers=manager
    )
    assert goal_work(client, manager) == []


def test_a_goal_far_off_is_not_on_the_worklist_yet(setup, client):
    manager, patient, _ = setup
    goal_for(client, manager, patient, 60)
    assert goal_work(client, manager) == []


def test_another_case_managers_goals_are_not_on_mine(setup, client, app):
    from tests.integration.test_patients_api import token_for

    manager, patient, _ = setup
    goal_for(client, manager, patient, 1)
    other = token_for(app, "otto", "case_manager")
    assert goal_work(client, other) == []

"""A patient's care plan through the FHIR API: needs as SDOHCC Conditions (from a screening or
added by hand), goals as SDOHCC Goals, and the plan as a US Core CarePlan, valid by the
standard's own rules and seen only by the patient's care team."""

from datetime import date, timedelta

import pytest

from tests.fhir_judge import assert_valid
from tests.integration.test_fhir_api import fhir, outcome, resources

SOON = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def planned(referred):
    """Clinic A's patient with a housing need added by hand, a goal for the food need the
    screening found, and education given."""
    n = referred
    needs = f"/api/v1/patients/{n.a.patient}/needs"
    housing = n.web.post(
        needs,
        json={"domain": "housing", "z_code": "Z59.819", "note": "Rent is late"},
        headers=n.ann,
    )
    assert housing.status_code == 201, housing.get_json()
    n.a.housing = housing.get_json()["id"]
    found = n.web.get(needs, headers=n.ann).get_json()["results"]
    n.a.food = next(x["id"] for x in found if x["domain"] == "food")
    goal = n.web.post(
        f"/api/v1/patients/{n.a.patient}/goals",
        json={"need_id": n.a.food, "description": "Enough food for the kids", "target_date": SOON},
        headers=n.ann,
    )
    assert goal.status_code == 201, goal.get_json()
    n.a.goal = goal.get_json()["id"]
    taught = n.web.post(
        f"/api/v1/patients/{n.a.patient}/interventions",
        json={"need_id": n.a.food, "kind": "education", "description": "How to apply for SNAP"},
        headers=n.ann,
    )
    assert taught.status_code == 201, taught.get_json()
    return n


def test_needs_read_as_conditions_from_the_screening_and_by_hand(planned):
    n = planned
    bundle = fhir(n, f"Condition?patient={n.a.patient}", n.ann).get_json()
    assert_valid(bundle)
    by_id = {c["id"]: c for c in resources(bundle)}
    assert set(by_id) == {str(n.a.food), str(n.a.housing)}
    food, housing = by_id[str(n.a.food)], by_id[str(n.a.housing)]
    assert food["code"]["coding"][0]["code"] == "Z59.41"
    assert f"QuestionnaireResponse/{n.a.screening}" in str(food["evidence"])
    assert housing["code"]["coding"][0] == {
        "system": "http://hl7.org/fhir/sid/icd-10-cm",
        "code": "Z59.819",
        "display": "Housing instability, housed unspecified",
    }
    assert "evidence" not in housing and housing["note"] == [{"text": "Rent is late"}]
    assert housing["clinicalStatus"]["coding"][0]["code"] == "active"


def test_a_goal_reads_as_an_sdohcc_goal_addressing_its_need(planned):
    n = planned
    goal = fhir(n, f"Goal/{n.a.goal}", n.ann).get_json()
    assert_valid(goal)
    assert goal["meta"]["profile"] == [
        "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-Goal"
    ]
    assert goal["description"]["text"] == "Enough food for the kids"
    assert goal["description"]["coding"][0]["code"] == "88124-3"
    assert goal["target"] == [{"dueDate": SOON}]
    assert goal["addresses"] == [{"reference": f"Condition/{n.a.food}"}]
    assert goal["achievementStatus"]["coding"][0]["code"] == "in-progress"
    searched = fhir(n, f"Goal?patient={n.a.patient}&lifecycle-status=active", n.ann).get_json()
    assert [g["id"] for g in resources(searched)] == [str(n.a.goal)]
    assert (
        fhir(n, f"Goal?patient={n.a.patient}&lifecycle-status=completed", n.ann).get_json()["total"]
        == 0
    )


def test_the_care_plan_gathers_needs_goals_and_what_was_done(planned):
    n = planned
    plan = fhir(n, f"CarePlan/{n.a.patient}", n.ann).get_json()
    assert_valid(plan)
    assert (plan["status"], plan["intent"]) == ("active", "plan")
    assert {r["reference"] for r in plan["addresses"]} == {
        f"Condition/{n.a.food}",
        f"Condition/{n.a.housing}",
    }
    assert plan["goal"] == [{"reference": f"Goal/{n.a.goal}"}]
    references = [a["reference"]["reference"] for a in plan["activity"] if "reference" in a]
    assert references == [f"ServiceRequest/{n.a.referral}"]
    [taught] = [a["detail"] for a in plan["activity"] if "detail" in a]
    assert taught["description"] == "How to apply for SNAP"
    assert "Enough food for the kids" in plan["text"]["div"]
    included = fhir(n, f"CarePlan?patient={n.a.patient}&_include=CarePlan:goal", n.ann).get_json()
    assert_valid(included)
    assert {r["resourceType"] for r in resources(included)} == {"CarePlan", "Goal"}


def test_everything_holds_the_plan_and_is_valid(planned):
    n = planned
    bundle = fhir(n, f"Patient/{n.a.patient}/$everything", n.ann).get_json()
    assert_valid(bundle)
    kinds = [r["resourceType"] for r in resources(bundle)]
    assert kinds.count("Condition") == 2 and kinds.count("Goal") == 1
    assert kinds.count("CarePlan") == 1


def test_a_resolved_need_and_one_entered_in_error_read_as_such(planned):
    n = planned
    patch = n.web.patch(
        f"/api/v1/needs/{n.a.housing}",
        json={"status": "resolved", "reason": "got-help"},
        headers=n.ann,
    )
    assert patch.status_code == 200, patch.get_json()
    resolved = fhir(n, f"Condition/{n.a.housing}", n.ann).get_json()
    assert_valid(resolved)
    assert resolved["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert "abatementDateTime" in resolved
    active = fhir(n, f"Condition?patient={n.a.patient}&clinical-status=active", n.ann).get_json()
    assert [c["id"] for c in resources(active)] == [str(n.a.food)]
    plan = fhir(n, f"CarePlan/{n.a.patient}", n.ann).get_json()
    assert plan["addresses"] == [{"reference": f"Condition/{n.a.food}"}]


def test_the_receiving_organization_sees_the_need_it_was_sent_for_and_no_plan(planned):
    n = planned
    food = fhir(n, f"Condition/{n.a.food}", n.fay)
    assert food.status_code == 200
    outcome(fhir(n, f"Condition/{n.a.housing}", n.fay), 404)
    outcome(fhir(n, f"Goal/{n.a.goal}", n.fay), 404)
    outcome(fhir(n, f"CarePlan/{n.a.patient}", n.fay), 404)
    outcome(fhir(n, f"CarePlan/{n.a.patient}", n.ben), 404)
    assert fhir(n, f"Goal?patient={n.a.patient}", n.ben).get_json()["total"] == 0


def test_the_capability_statement_lists_goals_and_care_plans(planned):
    n = planned
    statement = n.web.get("/fhir/metadata").get_json()
    served = {r["type"] for r in statement["rest"][0]["resource"]}
    assert {"Condition", "Goal", "CarePlan"} <= served


def test_a_hospital_visit_reads_as_a_us_core_encounter(planned):
    n = planned
    made = n.web.post(
        "/api/v1/encounters",
        json={
            "patient_id": n.a.patient,
            "kind": "discharge",
            "at": "2026-12-04T15:30:00Z",
            "facility": "Mercy Hospital",
        },
        headers=n.ann,
    )
    assert made.status_code == 201, made.get_json()
    bundle = fhir(n, f"Encounter?patient={n.a.patient}", n.ann).get_json()
    assert_valid(bundle)
    [visit] = resources(bundle)
    assert visit["status"] == "finished" and visit["class"]["code"] == "IMP"
    assert visit["period"] == {"end": "2026-12-04T15:30:00Z"}
    assert visit["location"] == [{"location": {"display": "Mercy Hospital"}}]
    outcome(fhir(n, f"Encounter/{visit['id']}", n.fay), 404)

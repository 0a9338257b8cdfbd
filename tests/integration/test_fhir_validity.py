"""Everything the FHIR API can return, for a patient whose record has every kind of entry (a
full AHC HRSN screening with several answers to one question and a safety concern, a referral
completed, one rejected with a reason, one on hold, follow-ups and messages), is valid by the
FHIR R4 base definitions and the SDOH Clinical Care profiles (tests/fhir_judge.py)."""

import pytest

from referral.fhir.sources import SOURCES
from tests.fhir_judge import assert_valid
from tests.integration.network import PATIENT

FULL_AHC = {
    "71802-3": "LA31995-6",
    "96778-6": ["LA31996-4", "LA31998-0"],
    "88122-7": "LA28397-0",
    "88123-5": "LA6729-3",
    "93030-5": "LA33-6",
    "96779-4": "LA32002-0",
    "95618-5": "LA6482-9",
    "95617-7": "LA6482-9",
    "95616-9": "LA16644-9",
    "95615-1": "LA6482-9",
    "76513-1": "LA15832-1",
    "96780-2": "LA31981-6",
}


@pytest.fixture(scope="module")
def record(network):
    """One patient with a record of every kind, and the ids to reach it."""
    n = network
    web = n.web
    patient = web.post("/api/v1/patients", json={**PATIENT, "mrn": "V-1"}, headers=n.ann)
    pid = patient.get_json()["id"]
    screened = web.post(
        "/api/v1/screenings",
        json={"patient_id": pid, "instrument": "ahc-hrsn", "answers": FULL_AHC},
        headers=n.ann,
    )
    assert screened.status_code == 201, screened.get_json()
    made = []
    for need in ("food", "housing", "transportation"):
        body = {"patient_id": pid, "service_id": n.service, "need": need, "consent": True}
        answer = web.post("/api/v1/referrals", json=body, headers=n.ann)
        assert answer.status_code == 201, answer.get_json()
        made.append(answer.get_json()["id"])
    food, housing, transport = made
    moves = [
        (food, "accepted", n.fay, {}),
        (food, "completed", n.fay, {}),
        (housing, "rejected", n.fay, {"reason": "Outside our area", "outcome": "not-eligible"}),
        (transport, "accepted", n.fay, {}),
        (transport, "on-hold", n.fay, {"reason": "Waiting for documents"}),
    ]
    for rid, status, who, extra in moves:
        moved = web.post(
            f"/api/v1/referrals/{rid}/status", json={"status": status, **extra}, headers=who
        )
        assert moved.status_code == 200, moved.get_json()
    follow = {"method": "phone", "result": "reached", "patient_says": "got-help", "note": "Thanks"}
    assert (
        web.post(f"/api/v1/referrals/{food}/follow-ups", json=follow, headers=n.ann).status_code
        == 201
    )
    for who in (n.ann, n.fay):
        posted = web.post(
            f"/api/v1/referrals/{transport}/messages", json={"body": "Any news?"}, headers=who
        )
        assert posted.status_code == 201, posted.get_json()
    return n, pid


def test_everything_of_a_full_record_is_valid(record):
    n, pid = record
    body = n.web.get(f"/fhir/Patient/{pid}/$everything", headers=n.ann).get_json()
    assert_valid(body)
    types = {e["resource"]["resourceType"] for e in body["entry"]}
    assert {"Procedure", "Communication", "PractitionerRole", "Practitioner"} <= types
    tasks = {
        e["resource"]["status"]: e["resource"]
        for e in body["entry"]
        if e["resource"]["resourceType"] == "Task"
    }
    assert tasks["rejected"]["statusReason"]["text"] == "Outside our area"
    assert tasks["on-hold"]["statusReason"]["text"] == "Waiting for documents"
    assert tasks["completed"]["output"][0]["valueReference"]["reference"].startswith("Procedure/")
    assert "Not eligible" in tasks["rejected"]["businessStatus"]["text"]


@pytest.mark.parametrize("resource_type", sorted(SOURCES))
@pytest.mark.parametrize("who", ["ann", "fay", "root"])
def test_every_search_answers_a_valid_bundle(record, resource_type, who):
    n, _ = record
    headers = getattr(n, who)
    found = n.web.get(f"/fhir/{resource_type}?_count=200", headers=headers)
    assert found.status_code == 200, found.get_data(as_text=True)
    assert_valid(found.get_json())


def test_the_multi_answer_question_gives_one_observation_per_answer(record):
    n, pid = record
    found = n.web.get(
        f"/fhir/Observation?patient={pid}&code=http://loinc.org|96778-6", headers=n.ann
    ).get_json()
    values = sorted(
        e["resource"]["valueCodeableConcept"]["coding"][0]["code"] for e in found["entry"]
    )
    assert values == ["LA31996-4", "LA31998-0"]


def test_the_safety_concern_is_observed_but_not_made_a_condition(record):
    n, pid = record
    observations = n.web.get(f"/fhir/Observation?patient={pid}", headers=n.ann).get_json()
    ids = {e["resource"]["id"] for e in observations["entry"]}
    assert any(i.endswith("-interpersonal-safety") for i in ids)
    conditions = n.web.get(f"/fhir/Condition?patient={pid}", headers=n.ann).get_json()
    assert not any(
        e["resource"]["id"].endswith("-interpersonal-safety") for e in conditions["entry"]
    )


def sent_items(answers: dict) -> list[dict]:
    """QuestionnaireResponse items for answers given as question code → code or codes."""
    return [
        {
            "linkId": code,
            "answer": [
                {"valueCoding": {"system": "http://loinc.org", "code": one}}
                for one in (value if isinstance(value, list) else [value])
            ],
        }
        for code, value in answers.items()
    ]


def answer_pairs(items: list[dict]) -> set[tuple[str, str]]:
    """(question, answer) pairs of a QuestionnaireResponse, groups opened."""
    found = set()
    for item in items:
        found |= answer_pairs(item.get("item", []))
        for answer in item.get("answer", []):
            coding = answer.get("valueCoding")
            if coding:
                found.add((item["linkId"].rsplit("/", 1)[-1], coding["code"]))
    return found


def test_a_questionnaire_response_round_trips_through_a_screening(record):
    n, pid = record
    sent = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "http://localhost/fhir/Questionnaire/ahc-hrsn",
        "status": "completed",
        "subject": {"reference": f"Patient/{pid}"},
        "item": sent_items(FULL_AHC),
    }
    made = n.web.post("/fhir/QuestionnaireResponse", json=sent, headers=n.ann)
    assert made.status_code == 201, made.get_data(as_text=True)
    stored_id = made.headers["Location"].split("/QuestionnaireResponse/")[1].split("/")[0]
    back = n.web.get(f"/fhir/QuestionnaireResponse/{stored_id}", headers=n.ann).get_json()
    assert_valid(back)
    expected = {(q, a) for q, v in FULL_AHC.items() for a in (v if isinstance(v, list) else [v])}
    assert expected <= answer_pairs(back["item"])
    stored = n.web.get(f"/api/v1/screenings/{stored_id}", headers=n.ann).get_json()
    assert stored["answers"] == FULL_AHC

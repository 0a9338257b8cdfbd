"""Transitions of care: ADT messages stored and matched by MRN (nothing lost, no duplicates),
the queue, encounters by hand, follow-up tasks due in business days on the worklist, the MLLP
listener, and the API's errors and scoping."""

import re
import socket
import threading
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from referral.extensions import db
from referral.network.operations import create_organization
from referral.transitions.models import AdtMessage, Encounter, TransitionTask
from tests.conftest import csrf_token, sign_in
from tests.integration.network import PATIENT, SCREENING, member

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adt"
FRIDAY_DISCHARGE = (
    "MSH|^~\\&|EPIC|JMH|REF|CLINIC|20261204083000||ADT^A03|D{n}|P|2.5\r"
    "EVN|A03|20261204150000\rPID|1||{mrn}^^^JMH^MR||Diaz^Rosa\rPV1|1|I|4W^^^Jackson Memorial\r"
)


@pytest.fixture
def care(app):
    """Two clinics; a case manager of each; a screened patient (one need) with MRN MRN1001 at
    clinic A and one with the same MRN at clinic B; an unscreened patient MRN2002 at A."""
    with app.app_context():
        create_organization("clinic-a", "Clinic A", "referring")
        create_organization("clinic-b", "Clinic B", "referring")
        db.session.commit()
    web = app.test_client()
    n = SimpleNamespace(app=app, web=web)
    n.ann = member(app, "ann", "case_manager", "clinic-a")
    n.ben = member(app, "ben", "case_manager", "clinic-b")

    def patient(who, mrn, screened=True):
        made = web.post("/api/v1/patients", json={**PATIENT, "mrn": mrn}, headers=who)
        assert made.status_code == 201, made.get_json()
        pid = made.get_json()["id"]
        if screened:
            body = {**SCREENING, "patient_id": pid}
            assert web.post("/api/v1/screenings", json=body, headers=who).status_code == 201
        return pid

    n.a = patient(n.ann, "MRN1001")
    n.b = patient(n.ben, "MRN1001")
    n.quiet = patient(n.ann, "MRN2002", screened=False)
    return n


def run_import(app, *args):
    return app.test_cli_runner().invoke(args=["adt", "import", *map(str, args)])


def stored(app):
    with app.app_context():
        return list(db.session.scalars(select(AdtMessage).order_by(AdtMessage.id)))


def test_a_folder_import_keeps_every_message_and_matches_within_the_organization(care):
    n = care
    result = run_import(n.app, FIXTURES, "--organization", "clinic-a")
    assert result.exit_code == 0, result.output
    rows = stored(n.app)
    texts = [m.raw for m in rows]
    inputs = sum(
        len(re.findall(r"(?:^|[\r\n\x0b])MSH", p.read_bytes().decode())) for p in FIXTURES.iterdir()
    )
    assert len(rows) == inputs, "every message has a row"
    assert all(t.startswith("MSH|") for t in texts)
    by_status = {m.control_id: m.status for m in rows}
    assert by_status["JMH0002"] == "matched" and by_status["JMH0005"] == "rejected"
    assert by_status["JMH0004"] == "rejected" and by_status["JMH0006"] == "rejected"
    assert (
        "7 matched, 0 unmatched, 0 ambiguous, 3 rejected" in result.output
        and "0 duplicates" in result.output
    )
    with n.app.app_context():
        encounters = db.session.scalars(select(Encounter)).all()
        assert {e.patient_id for e in encounters} == {n.a}
        tasks = db.session.scalars(select(TransitionTask)).all()
        assert {t.encounter.kind for t in tasks} == {"discharge", "emergency"}


def test_importing_again_records_nothing_twice(care):
    n = care
    run_import(n.app, FIXTURES, "--organization", "clinic-a")
    before = len(stored(n.app))
    again = run_import(n.app, FIXTURES, "--organization", "clinic-a")
    assert again.exit_code == 0 and len(stored(n.app)) == before
    assert f"{before} duplicates" in again.output


def test_an_mrn_two_organizations_hold_is_ambiguous_and_an_unknown_one_unmatched(care, tmp_path):
    n = care
    path = tmp_path / "feed.hl7"
    path.write_text(
        FRIDAY_DISCHARGE.format(n=1, mrn="MRN1001") + FRIDAY_DISCHARGE.format(n=2, mrn="NOPE")
    )
    result = run_import(n.app, path)
    assert result.exit_code == 0, result.output
    statuses = [m.status for m in stored(n.app)]
    assert statuses == ["ambiguous", "unmatched"]
    assert "2 patients have MRN MRN1001" in stored(n.app)[0].problem


def test_a_missing_path_or_organization_is_a_usage_error(care, tmp_path):
    assert run_import(care.app, tmp_path / "none.hl7").exit_code != 0
    assert run_import(care.app, FIXTURES, "--organization", "nowhere").exit_code != 0


def test_a_friday_discharge_is_due_two_business_days_later_and_closes(care, tmp_path):
    n = care
    path = tmp_path / "feed.hl7"
    path.write_text(FRIDAY_DISCHARGE.format(n=1, mrn="MRN1001"))
    assert run_import(n.app, path, "--org", "clinic-a").exit_code == 0, "--org as elsewhere"
    tasks = n.web.get("/api/v1/transitions?status=open", headers=n.ann).get_json()["results"]
    [task] = tasks
    assert task["due"] == "2026-12-08", "Friday 12/4 + 2 business days is Tuesday"
    assert task["reason"] == "Discharged from Jackson Memorial on 12/4: follow up"
    worklist = n.web.get("/api/v1/worklist?kind=transition", headers=n.ann).get_json()
    if date.today() + __import__("datetime").timedelta(days=7) >= date(2026, 12, 8):
        assert [i["ref"] for i in worklist["results"]] == [f"transition:{task['id']}"]
    assert n.web.get("/api/v1/transitions", headers=n.ben).get_json()["results"] == []
    refused = n.web.post(
        f"/api/v1/transitions/{task['id']}/close", json={"outcome": "x"}, headers=n.ann
    )
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "outcome"
    other = n.web.post(
        f"/api/v1/transitions/{task['id']}/close", json={"outcome": "reached"}, headers=n.ben
    )
    assert other.status_code == 404
    closed = n.web.post(
        f"/api/v1/transitions/{task['id']}/close",
        json={"outcome": "reached", "note": "Has a ride to the clinic"},
        headers=n.ann,
    )
    assert closed.status_code == 200 and closed.get_json()["status"] == "done"
    again = n.web.post(
        f"/api/v1/transitions/{task['id']}/close", json={"outcome": "reached"}, headers=n.ann
    )
    assert again.status_code == 422


def test_the_worklist_page_shows_a_transition_and_closes_it(care):
    n = care
    today = date.today().isoformat()
    made = n.web.post(
        "/api/v1/encounters",
        json={
            "patient_id": n.a,
            "kind": "emergency",
            "at": today + "T09:00:00",
            "facility": "Mercy ED",
        },
        headers=n.ann,
    )
    assert made.status_code == 201 and made.get_json()["task"]["status"] == "open"
    task = made.get_json()["task"]["id"]
    [item] = n.web.get("/api/v1/worklist", headers=n.ann).get_json()["results"]
    assert any(r.startswith("hospital visit on") for r in item["risk"])
    browser = n.app.test_client()
    sign_in(browser, "ann")
    page = browser.get("/worklist?kind=transition").get_data(as_text=True)
    assert "Seen in the ED at Mercy ED" in page and f"/transitions/{task}/close" in page
    token = csrf_token(browser, "/worklist?kind=transition")
    closed = browser.post(
        f"/transitions/{task}/close",
        data={"outcome": "left-message", "note": "", "csrf_token": token},
    )
    assert closed.status_code == 302
    with n.app.app_context():
        assert db.session.get(TransitionTask, task).outcome == "left-message"


def test_no_task_for_a_patient_without_open_needs_or_for_an_admission(care):
    n = care
    for pid, kind in ((n.quiet, "discharge"), (n.a, "admission")):
        made = n.web.post(
            "/api/v1/encounters",
            json={"patient_id": pid, "kind": kind, "at": "2026-11-02T10:00:00Z"},
            headers=n.ann,
        )
        assert made.status_code == 201 and made.get_json()["task"] is None
    listed = n.web.get(f"/api/v1/patients/{n.a}/encounters", headers=n.ann).get_json()["results"]
    assert [e["kind"] for e in listed] == ["admission"]
    assert n.web.get(f"/api/v1/patients/{n.a}/encounters", headers=n.ben).status_code == 404


def discharge(n, pid):
    made = n.web.post(
        "/api/v1/encounters",
        json={"patient_id": pid, "kind": "discharge", "at": "2026-11-02T10:00:00Z"},
        headers=n.ann,
    )
    assert made.status_code == 201, made.get_json()
    return made.get_json()["task"]


def test_open_needs_are_the_need_records_added_by_hand_or_resolved(care):
    n = care
    added = n.web.post(
        f"/api/v1/patients/{n.quiet}/needs", json={"domain": "housing"}, headers=n.ann
    )
    assert added.status_code == 201
    assert discharge(n, n.quiet) is not None, "a need added by hand, without any screening"
    [need] = n.web.get(f"/api/v1/patients/{n.a}/needs", headers=n.ann).get_json()["results"]
    resolved = n.web.patch(
        f"/api/v1/needs/{need['id']}",
        json={"status": "resolved", "reason": "got-help", "version": need["version"]},
        headers=n.ann,
    )
    assert resolved.status_code == 200
    assert discharge(n, n.a) is None, "screened, but the need it found is resolved"


def test_visits_and_the_follow_up_after_them_are_on_the_timeline(care):
    n = care
    task = discharge(n, n.a)
    closed = n.web.post(
        f"/api/v1/transitions/{task['id']}/close",
        json={"outcome": "reached", "note": "Has a ride"},
        headers=n.ann,
    )
    assert closed.status_code == 200
    url = f"/api/v1/patients/{n.a}/timeline?kind=encounter"
    entries = n.web.get(url, headers=n.ann).get_json()["results"]
    assert [e["summary"] for e in entries] == [
        "Follow-up after the hospital visit: reached (Has a ride)",
        "Discharged from hospital",
    ]
    assert {e["ref"] for e in entries} == {f"encounter:{task['encounter_id']}"}
    everything = n.web.get(f"/api/v1/patients/{n.a}/timeline", headers=n.ann).get_json()
    assert "encounter" in {e["kind"] for e in everything["results"]}
    assert n.web.get(url, headers=n.ben).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "picnic", "at": "2026-11-02T10:00:00Z"}, "kind"),
        ({"kind": "discharge", "at": "yesterday"}, "at"),
        ({"kind": "discharge", "at": "2099-01-01T00:00:00Z"}, "at"),
        ({"kind": "discharge", "at": "2026-11-02", "diagnosis_codes": "Z59"}, "diagnosis_codes"),
        ({"kind": "discharge", "at": "2026-11-02", "patient_id": "one"}, "patient_id"),
    ],
)
def test_bad_encounters_are_refused_naming_the_field(care, body, field):
    n = care
    refused = n.web.post("/api/v1/encounters", json={"patient_id": n.a, **body}, headers=n.ann)
    assert refused.status_code == 400, refused.get_json()
    assert field in refused.get_json()["error"]["field"]


def queued(n, tmp_path, slug="clinic-a"):
    path = tmp_path / "feed.hl7"
    path.write_text(FRIDAY_DISCHARGE.format(n=9, mrn="UNKNOWN-9"))
    assert run_import(n.app, path, "--organization", slug).exit_code == 0
    return stored(n.app)[-1].id


def test_the_queue_is_matched_through_the_api_and_only_by_its_organization(care, tmp_path):
    n = care
    message = queued(n, tmp_path)
    listed = n.web.get("/api/v1/adt/messages?status=unmatched", headers=n.ann).get_json()
    assert [m["id"] for m in listed["results"]] == [message]
    assert n.web.get("/api/v1/adt/messages", headers=n.ben).get_json()["results"] == []
    path = f"/api/v1/adt/messages/{message}/match"
    assert n.web.post(path, json={"patient_id": n.b}, headers=n.ben).status_code == 404
    assert n.web.post(path, json={"patient_id": n.b}, headers=n.ann).status_code == 404
    matched = n.web.post(path, json={"patient_id": n.a}, headers=n.ann)
    assert matched.status_code == 200, matched.get_json()
    body = matched.get_json()
    assert body["status"] == "matched" and body["encounter"]["source"] == "adt"
    assert body["task"]["due"] == "2026-12-08"
    assert n.web.post(path, json={"patient_id": n.a}, headers=n.ann).status_code == 422
    bad = n.web.get("/api/v1/adt/messages?status=lost", headers=n.ann)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "status"


def test_the_queue_page_matches_and_sets_aside(care, tmp_path):
    n = care
    message = queued(n, tmp_path)
    browser = n.app.test_client()
    sign_in(browser, "ann")
    page = browser.get("/admin/adt").get_data(as_text=True)
    assert "UNKNOWN-9" in page and f"/admin/adt/{message}/match" in page
    token = csrf_token(browser, "/admin/adt")
    empty = browser.post(
        f"/admin/adt/{message}/set-aside", data={"reason": "", "csrf_token": token}
    )
    assert empty.status_code == 302 and stored(n.app)[-1].status == "unmatched"
    browser.post(f"/admin/adt/{message}/match", data={"patient_id": str(n.a), "csrf_token": token})
    assert stored(n.app)[-1].status == "matched" and stored(n.app)[-1].patient_id == n.a
    other = n.app.test_client()
    sign_in(other, "ben")
    assert "UNKNOWN-9" not in other.get("/admin/adt?status=matched").get_data(as_text=True)


def test_the_waiting_tab_pages_through_waiting_messages_only(care, tmp_path):
    n = care
    message = queued(n, tmp_path)
    later = tmp_path / "later.hl7"
    later.write_text("".join(FRIDAY_DISCHARGE.format(n=20 + i, mrn="MRN1001") for i in range(3)))
    assert run_import(n.app, later, "--org", "clinic-a").exit_code == 0
    browser = n.app.test_client()
    sign_in(browser, "ann")
    page = browser.get("/admin/adt?limit=2").get_data(as_text=True)
    assert f'id="message-{message}"' in page, "three newer matched messages do not hide it"
    assert page.count('id="message-') == 1
    matched = browser.get("/admin/adt?status=matched&limit=2").get_data(as_text=True)
    assert matched.count('id="message-') == 2 and "offset=2" in matched, "a next page"


def test_the_patient_page_records_a_visit_by_hand(care):
    n = care
    browser = n.app.test_client()
    sign_in(browser, "ann")
    page = browser.get(f"/patients/{n.a}").get_data(as_text=True)
    assert "Hospital and ED visits" in page
    token = csrf_token(browser, f"/patients/{n.a}")
    form = {"kind": "discharge", "at": "2026-12-04T15:00", "facility": "Jackson Memorial"}
    done = browser.post(f"/patients/{n.a}/encounters", data={**form, "csrf_token": token})
    assert done.status_code == 302
    shown = browser.get(f"/patients/{n.a}").get_data(as_text=True)
    assert "Jackson Memorial" in shown and "follow up by 2026-12-08" in shown


def test_the_mllp_listener_stores_a_message_and_answers_with_an_ack(care):
    from referral.transitions.cli import MllpServer

    n = care
    with n.app.app_context():
        from referral.network.operations import organization_named

        org = organization_named("clinic-a").id
    server = MllpServer(("127.0.0.1", 0), n.app, org)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(server.server_address, timeout=10) as conn:
            raw = FRIDAY_DISCHARGE.format(n=5, mrn="MRN1001")
            conn.sendall(b"\x0b" + raw.encode() + b"\x1c\r" + b"\x0bMSH|^~\\&|X\x1c\r")
            answers = b""
            while answers.count(b"\x1c\r") < 2:
                answers += conn.recv(4096)
    finally:
        server.shutdown()
        server.server_close()
    first, second = answers.decode().split("\x1c\r")[:2]
    assert first.startswith("\x0bMSH|") and "MSA|AA|D5|" in first
    assert "MSA|AE|" in second and "MSH-10" in second
    rows = stored(n.app)
    assert [m.status for m in rows] == ["matched", "rejected"]
    assert rows[0].origin.startswith("mllp:127.0.0.1:") and rows[0].raw == raw.rstrip("\r")

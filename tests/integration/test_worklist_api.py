"""The case manager's one worklist: what is due from every kind of work, ranked, with counts
that match the lists behind them, and nothing of another organization's patients."""

from datetime import UTC, date, datetime, timedelta

from referral.extensions import db
from referral.referrals.models import Referral
from referral.screenings.models import Screening


def listed(n, who, query: str = "") -> dict:
    found = n.web.get(f"/api/v1/worklist{query}", headers=who)
    assert found.status_code == 200, found.get_json()
    return found.get_json()


def test_a_referral_due_for_follow_up_is_on_the_list(referred):
    n = referred
    body = listed(n, n.ann)
    [item] = [i for i in body["results"] if i["ref"] == f"referral:{n.a.referral}"]
    assert item["kind"] == "follow-up" and item["patient_id"] == n.a.patient
    assert item["patient_name"] == "Rosa Diaz"
    assert "1 open need" in item["risk"]


def test_another_organizations_work_is_never_listed(referred):
    n = referred
    refs = {i["ref"] for i in listed(n, n.ann)["results"]}
    assert f"referral:{n.b.referral}" not in refs
    assert n.web.get("/api/v1/worklist", headers=n.fay).status_code == 403


def test_a_patient_screened_long_ago_is_due_to_be_screened_again(referred):
    n = referred
    with n.app.app_context():
        screening = db.session.get(Screening, n.a.screening)
        screening.created_at = datetime.now(UTC) - timedelta(days=100)
        db.session.commit()
    body = listed(n, n.ann, "?kind=rescreening")
    [item] = body["results"]
    assert item["patient_id"] == n.a.patient and item["overdue"]
    assert date.fromisoformat(item["due"]) < date.today()


def test_an_on_hold_referral_waits_on_the_patient_and_counts_match(referred):
    n = referred
    moved = [
        n.web.post(f"/api/v1/referrals/{n.a.referral}/status", json=body, headers=n.fay)
        for body in ({"status": "accepted"}, {"status": "on-hold", "reason": "Bring an ID"})
    ]
    assert all(m.status_code == 200 for m in moved)
    body = listed(n, n.ann)
    waiting = listed(n, n.ann, "?kind=waiting-on-patient")
    assert [i["reason"] for i in waiting["results"]] == [
        "The food referral is on hold: Bring an ID"
    ]
    assert body["counts"]["waiting-on-patient"] == waiting["total"] == 1
    for kind, count in body["counts"].items():
        assert listed(n, n.ann, f"?kind={kind}")["total"] == count
    assert sum(body["counts"].values()) == body["total"]
    with n.app.app_context():
        assert db.session.get(Referral, n.a.referral).status == "on-hold"


def test_due_work_comes_first_and_pages_hold(referred):
    n = referred
    body = listed(n, n.ann, "?limit=1")
    assert len(body["results"]) == 1 and body["limit"] == 1
    today = date.today().isoformat()
    later = [i["due"] > today for i in listed(n, n.ann)["results"]]
    assert later == sorted(later), "nothing due later is listed before work due now"
    assert False in later


def test_an_unknown_kind_is_refused_naming_it(referred):
    n = referred
    refused = n.web.get("/api/v1/worklist?kind=chores", headers=n.ann)
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "kind"


def test_an_organization_admin_sees_the_work_of_every_patient_of_their_organization(referred):
    n = referred
    patients = {i["patient_id"] for i in listed(n, n.amy)["results"]}
    assert n.a.patient in patients and n.b.patient not in patients

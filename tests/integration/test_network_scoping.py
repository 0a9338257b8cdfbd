"""Minimum necessary across organizations: each care team sees only its own patients (and
those shared with it), a receiving organization only the referrals sent to it, and every
route of the app keeps to that."""

import re
from types import SimpleNamespace

from sqlalchemy import select

from referral.auth.models import User
from referral.extensions import db
from referral.network.operations import add_member, organization_named, update_organization
from tests.conftest import csrf_token, sign_in
from tests.integration.network import PATIENT, member


def test_the_same_mrn_is_kept_apart_in_two_organizations(network):
    n = network
    a = n.web.get(f"/api/v1/patients/{n.a.patient}", headers=n.ann).get_json()
    b = n.web.get(f"/api/v1/patients/{n.b.patient}", headers=n.ben).get_json()
    assert (a["mrn"], a["organization"]) == ("A-100", "clinic-a")
    assert (b["mrn"], b["organization"]) == ("A-100", "clinic-b")


def test_a_case_manager_gets_404_for_another_organizations_patient(network):
    n = network
    assert n.web.get(f"/api/v1/patients/{n.b.patient}", headers=n.ann).status_code == 404
    assert n.web.get(f"/api/v1/screenings/{n.b.screening}", headers=n.ann).status_code == 404
    assert n.web.get(f"/api/v1/patients/{n.a.patient}", headers=n.ann).status_code == 200


def test_searches_and_duplicate_checks_never_show_another_organizations_patients(network):
    n = network
    found = n.web.get("/api/v1/patients?q=Diaz", headers=n.ann).get_json()["results"]
    assert [p["id"] for p in found] == [n.a.patient]
    again = n.web.post("/api/v1/patients", json={**PATIENT, "mrn": "H-1"}, headers=n.hal)
    assert again.status_code == 201 and again.get_json()["possible_duplicates"] == []


def test_the_installation_admin_outside_every_organization_sees_no_patient(network):
    n = network
    assert n.web.get(f"/api/v1/patients/{n.a.patient}", headers=n.root).status_code == 404
    assert n.web.get("/api/v1/patients?q=Diaz", headers=n.root).get_json()["results"] == []


def test_an_organization_admin_sees_every_referral_of_their_own_patients_only(referred):
    n = referred
    mine = n.web.get("/api/v1/referrals", headers=n.amy).get_json()["results"]
    assert [r["id"] for r in mine] == [n.a.referral]
    assert n.web.get(f"/api/v1/referrals/{n.b.referral}", headers=n.amy).status_code == 404


def test_a_referral_to_a_claimed_listing_reaches_the_receiving_inbox(referred):
    n = referred
    shown = n.web.get(f"/api/v1/referrals/{n.a.referral}", headers=n.ann).get_json()
    assert shown["referring_organization"] == "clinic-a"
    assert shown["receiving_organization"] == "food-bank"
    inbox = n.web.get("/api/v1/inbox?status=new", headers=n.fay).get_json()["results"]
    assert {r["id"] for r in inbox} == {n.a.referral, n.b.referral}


def test_the_receiving_side_sees_what_it_needs_and_never_the_screening(referred):
    n = referred
    seen = n.web.get(f"/api/v1/referrals/{n.a.referral}", headers=n.fay).get_json()
    assert seen["patient"]["name"] == "Rosa Diaz" and seen["patient"]["phone"] == "+12165550142"
    assert seen["need"] == "food" and "follow_ups" not in seen and "patient_id" not in seen
    assert n.web.get(f"/api/v1/screenings/{n.a.screening}", headers=n.fay).status_code in {403, 404}
    assert n.web.get(f"/api/v1/patients/{n.a.patient}", headers=n.fay).status_code in {403, 404}
    history = f"/api/v1/patients/{n.a.patient}/screenings"
    assert n.web.get(history, headers=n.fay).status_code in {403, 404}


def test_the_receiving_side_answers_with_the_same_state_machine_and_versions(referred):
    n = referred
    path = f"/api/v1/referrals/{n.b.referral}/status"
    current = n.web.get(f"/api/v1/referrals/{n.b.referral}", headers=n.fay).get_json()
    accepted = n.web.post(
        path, json={"status": "accepted", "version": current["version"]}, headers=n.fay
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert accepted.get_json()["history"][-1]["by"] == "fay (Food Bank)"
    stale = n.web.post(
        path, json={"status": "in-progress", "version": current["version"]}, headers=n.fay
    )
    assert stale.status_code == 409
    forbidden = n.web.post(path, json={"status": "draft"}, headers=n.fay)
    assert forbidden.status_code == 422
    case_manager_view = n.web.get(f"/api/v1/referrals/{n.b.referral}", headers=n.ben).get_json()
    assert case_manager_view["status"] == "accepted"


def test_a_receiver_outside_the_receiving_organization_gets_404(referred):
    n = referred
    other = member(n.app, "otto", "receiver", "hospital")
    assert n.web.get(f"/api/v1/referrals/{n.a.referral}", headers=other).status_code == 404
    assert n.web.get("/api/v1/inbox", headers=other).get_json()["results"] == []


def test_messages_go_between_the_two_sides_of_a_referral_only(referred):
    n = referred
    path = f"/api/v1/referrals/{n.a.referral}/messages"
    asked = n.web.post(path, json={"body": "Does she need a delivery?"}, headers=n.fay)
    assert asked.status_code == 201 and asked.get_json()["by"] == "Fay (Food Bank)"
    waiting = n.web.get("/api/v1/inbox?status=waiting", headers=n.fay).get_json()["results"]
    assert any(r["id"] == n.a.referral for r in waiting)
    thread = n.web.get(path, headers=n.ann).get_json()["results"]
    assert [m["body"] for m in thread] == ["Does she need a delivery?"]
    assert thread[0]["read_at"] is None, "read when it was fetched, shown as it was"
    assert n.web.get(path, headers=n.ann).get_json()["results"][0]["read_at"] is not None
    assert n.web.post(path, json={"body": "Yes, please."}, headers=n.ann).status_code == 201
    for outsider in (n.ben, n.hal, n.root):
        assert n.web.get(path, headers=outsider).status_code == 404
        assert n.web.post(path, json={"body": "hi"}, headers=outsider).status_code == 404
    assert n.web.post(path, json={"body": "  "}, headers=n.ann).status_code == 400


def test_a_shared_patient_is_seen_by_the_other_care_team_with_who_and_why(referred):
    n = referred
    shares = f"/api/v1/patients/{n.a.patient}/shares"
    refused = n.web.post(shares, json={"organization": "hospital"}, headers=n.ann)
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "reason"
    assert n.web.get(f"/api/v1/patients/{n.a.patient}", headers=n.hal).status_code == 404
    shared = n.web.post(
        shares, json={"organization": "hospital", "reason": "discharge plan"}, headers=n.ann
    )
    assert shared.status_code == 201
    assert shared.get_json()["shared_with"][0]["reason"] == "discharge plan"
    assert n.web.get(f"/api/v1/patients/{n.a.patient}", headers=n.hal).status_code == 200
    assert n.web.delete(f"{shares}/hospital", headers=n.ann).status_code == 200
    assert n.web.get(f"/api/v1/patients/{n.a.patient}", headers=n.hal).status_code == 404
    assert (
        n.web.post(
            shares, json={"organization": "clinic-a", "reason": "x"}, headers=n.ben
        ).status_code
        == 404
    )


def screenings_counted(web, headers) -> str:
    """The screenings the screening report counts over its whole range."""
    rows = web.get("/reports/screening.csv", headers=headers).get_data(as_text=True)
    return [row.split(",") for row in rows.splitlines() if ",any," in row][-1][2]


def test_reports_count_only_the_organizations_own_patients(referred):
    """Two clinics screened one patient each: each clinic's report counts its own one."""
    n = referred
    assert screenings_counted(n.web, n.amy) == screenings_counted(n.web, n.ben) == "1"
    assert screenings_counted(n.web, n.root) == "0"


ID_PARAMETERS = {"patient_id": "patient", "referral_id": "referral", "screening_id": "screening"}


def crossing_urls(app, other: SimpleNamespace) -> list[tuple[str, str]]:
    """Every routed (method, URL) naming one of another organization's records by id."""
    found = []
    for rule in app.url_map.iter_rules():
        names = set(rule.arguments) - {"instrument_id"}
        if not names or not names <= set(ID_PARAMETERS):
            continue
        values = {name: getattr(other, ID_PARAMETERS[name]) for name in names}
        values["instrument_id"] = "hunger-vital-sign"
        url = rule.rule
        for name, value in values.items():
            url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def refused(response, own_response) -> bool:
    """404 as if the record did not exist, or 403 where the role may not use the route at
    all (the user's own record is refused the same way)."""
    return response.status_code == 404 or (
        response.status_code == 403 and own_response.status_code == 403
    )


def test_every_route_naming_another_organizations_record_answers_404(referred):
    """Walks the whole URL map: a case manager of clinic A, by token and by browser
    session, reaches nothing of clinic B's patient through any route."""
    n = referred
    urls = crossing_urls(n.app, n.b)
    own = dict(zip(urls, crossing_urls(n.app, n.a), strict=True))
    assert len(urls) >= 15, urls
    browser = n.app.test_client()
    sign_in(browser, "ann")
    token = csrf_token(browser, "/patients")
    for method, url in urls:
        mine = own[(method, url)][1]
        if url.startswith("/api/") or method == "GET":
            by_token = n.web.open(url, method=method, json={}, headers=n.ann)
            check = n.web.open(mine, method=method, json={}, headers=n.ann)
            assert refused(by_token, check), (method, url, by_token.status_code)
        form = {"csrf_token": token} if method == "POST" else None
        by_page = browser.open(url, method=method, data=form)
        check = browser.open(mine, method=method, data=form) if by_page.status_code == 403 else None
        assert refused(by_page, check), (method, url, by_page.status_code)
        assert b"Diaz" not in by_page.data


def test_the_front_desk_sees_only_their_organizations_slips(referred):
    n = referred
    page = n.web.get("/slips", headers=n.sam)
    assert page.status_code == 200
    assert f"/patients/{n.a.patient}/slip".encode() not in page.data


def test_the_claiming_organization_sets_its_services_capacity_and_others_cannot(referred):
    n = referred
    path = f"/api/v1/services/{n.service}/capacity"
    assert n.web.put(path, json={"status": "waitlist"}, headers=n.fay).status_code == 200
    assert n.web.put(path, json={"status": "accepting"}, headers=n.ann).status_code == 403
    stranger = member(n.app, "rita", "receiver", "hospital")
    assert n.web.put(path, json={"status": "accepting"}, headers=stranger).status_code == 403
    assert n.web.get(path, headers=n.fay).get_json()["status"] == "waitlist"


def test_an_admin_of_one_organization_is_only_a_case_manager_in_another(referred):
    """Being admin of clinic A opens every referral of clinic A's patients, not of clinic B's,
    where the same person is a case manager: there they see only what they made."""
    n = referred
    dee = member(n.app, "dee", "admin", "clinic-a")
    with n.app.app_context():
        user = db.session.scalar(select(User).where(User.username == "dee"))
        add_member(user, organization_named("clinic-b"), "case_manager")
        db.session.commit()
    seen = {r["id"] for r in n.web.get("/api/v1/referrals", headers=dee).get_json()["results"]}
    assert n.a.referral in seen and n.b.referral not in seen
    assert n.web.get(f"/api/v1/referrals/{n.a.referral}", headers=dee).status_code == 200
    assert n.web.get(f"/api/v1/referrals/{n.b.referral}", headers=dee).status_code == 403


def test_an_inactive_organization_receives_nothing_and_its_members_see_nothing(referred):
    """Switching an organization off keeps its records but closes its members' view of its
    patients and inbox, and new referrals to its listings go by signed link instead."""
    n = referred
    with n.app.app_context():
        update_organization(organization_named("food-bank"), None, None, None, active=False)
        update_organization(organization_named("clinic-b"), None, None, None, active=False)
        db.session.commit()
    try:
        assert n.web.get(f"/api/v1/patients/{n.b.patient}", headers=n.ben).status_code == 404
        inbox = n.web.get("/api/v1/inbox", headers=n.fay).get_json()["results"]
        assert inbox == []
        body = {"patient_id": n.a.patient, "service_id": n.service, "need": "legal"}
        made = n.web.post("/api/v1/referrals", json={**body, "consent": True}, headers=n.ann)
        assert made.status_code == 201 and made.get_json()["receiving_organization"] is None
    finally:
        with n.app.app_context():
            update_organization(organization_named("food-bank"), None, None, None, active=True)
            update_organization(organization_named("clinic-b"), None, None, None, active=True)
            db.session.commit()
    assert n.web.get(f"/api/v1/patients/{n.b.patient}", headers=n.ben).status_code == 200

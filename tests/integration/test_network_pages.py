"""The receiving inbox and the message thread as pages: receiving staff answer from the list
or the referral, and both sides write in the thread."""

import re

import pytest

from referral.extensions import db
from referral.network.operations import organization_named, update_organization
from tests.conftest import csrf_token, sign_in


@pytest.fixture
def fay(referred):
    browser = referred.app.test_client()
    sign_in(browser, "fay")
    return browser


@pytest.fixture
def ann(referred):
    browser = referred.app.test_client()
    sign_in(browser, "ann")
    return browser


def test_the_inbox_lists_new_referrals_with_an_accept_button_and_no_screening(referred, fay):
    page = fay.get("/inbox?view=new").get_data(as_text=True)
    assert "Rosa Diaz" in page and "(216) 555-0142" in page
    assert f'action="/inbox/{referred.a.referral}/status"' in page and ">Accept<" in page
    assert "Hunger" not in page and "screen" not in page.lower().replace("screen-", "")


def test_accepting_from_the_list_moves_the_referral_and_the_care_team_sees_it(referred, fay, ann):
    with referred.app.app_context():
        from referral.referrals.models import Referral

        version = db.session.get(Referral, referred.a.referral).version
    token = csrf_token(fay, "/inbox")
    answered = fay.post(
        f"/inbox/{referred.a.referral}/status",
        data={"csrf_token": token, "status": "accepted", "version": version, "back": "/inbox"},
    )
    assert answered.status_code == 302 and answered.headers["Location"] == "/inbox"
    page = ann.get(f"/referrals/{referred.a.referral}").get_data(as_text=True)
    assert "Sent to Food Bank" in page and "fay (Food Bank)" in page


def test_a_message_written_on_one_side_shows_as_new_on_the_other(referred, fay, ann):
    page = f"/inbox/{referred.b.referral}"
    token = csrf_token(fay, page)
    sent = fay.post(
        f"/referrals/{referred.b.referral}/messages",
        data={"csrf_token": token, "body": "Can she come on Tuesday?"},
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"{page}#messages")
    ben = referred.app.test_client()
    sign_in(ben, "ben")
    shown = ben.get(f"/referrals/{referred.b.referral}").get_data(as_text=True)
    assert "Can she come on Tuesday?" in shown and ">new<" in shown
    again = ben.get(f"/referrals/{referred.b.referral}").get_data(as_text=True)
    assert ">new<" not in again, "read once seen"
    mine = fay.get(page).get_data(as_text=True)
    assert re.search(r"Can she come on Tuesday\?", mine) and "read" in mine
    assert ann.get(page).status_code == 403, "a case manager has no inbox"


def test_an_organization_that_turns_links_off_answers_only_in_its_inbox(referred, ann):
    app = referred.app
    with app.app_context():
        update_organization(organization_named("food-bank"), None, None, False)
        db.session.commit()
    try:
        page = ann.get(f"/referrals/{referred.a.referral}").get_data(as_text=True)
        assert "org-link" not in page and "Sent to Food Bank" in page
        shown = referred.web.get(f"/api/v1/referrals/{referred.a.referral}", headers=referred.ann)
        link = shown.get_json()["receiver_link"]
        refused = referred.web.get(link.replace("http://localhost", ""))
        assert refused.status_code == 410 and b"answers referrals in its inbox" in refused.data
    finally:
        with app.app_context():
            update_organization(organization_named("food-bank"), None, None, True)
            db.session.commit()


def test_an_organization_admin_manages_only_their_own_members(referred):
    amy = referred.app.test_client()
    sign_in(amy, "amy")
    page = amy.get("/admin/users").get_data(as_text=True)
    assert "ann" in page and "Clinic A: case manager" in page
    assert ">ben<" not in page and ">fay<" not in page
    token = csrf_token(amy, "/admin/users")
    added = amy.post(
        "/admin/users",
        data={"csrf_token": token, "username": "cara", "role": "case_manager"},
    )
    assert added.status_code == 200 and "cara" in added.get_data(as_text=True)
    with referred.app.app_context():
        from referral.auth.operations import find_user

        cara = find_user("cara")
        assert [m.organization.key for m in cara.memberships] == ["clinic-a"]
        assert not cara.instance_admin
        ben = find_user("ben").id
    assert amy.post(f"/admin/users/{ben}/password", data={"csrf_token": token}).status_code == 404


def test_the_installation_admin_adds_people_to_any_organization(referred):
    root = referred.app.test_client()
    sign_in(root, "root")
    page = root.get("/admin/users").get_data(as_text=True)
    assert 'id="new-org"' in page and "Food Bank" in page and ">ben<" in page
    token = csrf_token(root, "/admin/users")
    root.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "finn",
            "role": "receiver",
            "organization": "food-bank",
        },
    )
    with referred.app.app_context():
        from referral.auth.operations import find_user

        assert find_user("finn").role_in(organization_named("food-bank").id) == "receiver"


def test_the_patient_page_shares_and_unshares_with_another_care_team(referred, ann):
    page_url = f"/patients/{referred.a.patient}"
    page = ann.get(page_url).get_data(as_text=True)
    assert "Registered with <strong>Clinic A</strong>" in page
    assert '<option value="hospital">' in page and '<option value="food-bank">' not in page
    token = csrf_token(ann, page_url)
    ann.post(
        f"{page_url}/shares",
        data={"csrf_token": token, "organization": "hospital", "reason": "joint care plan"},
    )
    shared = ann.get(page_url).get_data(as_text=True)
    assert "Shared with <strong>Mercy Hospital</strong>: joint care plan" in shared
    hal = referred.app.test_client()
    sign_in(hal, "hal")
    assert hal.get(page_url).status_code == 200
    ann.post(f"{page_url}/shares/hospital/end", data={"csrf_token": token})
    assert hal.get(page_url).status_code == 404


def test_someone_in_two_care_teams_picks_where_a_patient_is_registered(referred):
    app = referred.app
    with app.app_context():
        from referral.auth.operations import find_user
        from referral.network.operations import add_member

        add_member(find_user("hal"), organization_named("clinic-b"), "case_manager")
        db.session.commit()
    hal = app.test_client()
    sign_in(hal, "hal")
    form = hal.get("/patients/new").get_data(as_text=True)
    assert 'name="organization"' in form and "Clinic B" in form and "Mercy Hospital" in form

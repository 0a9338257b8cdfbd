"""Long lists come a page at a time: each inbox view holds the referrals its rule names, its tab
counts them, and inboxes and worklists answer a page with the total and links to the others."""

from datetime import timedelta

import pytest

from referral.directory.models import utcnow
from referral.directory.needs import NEED_KEYS
from referral.extensions import db
from referral.referrals.models import Referral
from tests.conftest import sign_in

# How each referral to the food bank stands: status, days since sent, days since last news.
STANDING = [
    ("requested", 0, 0),
    ("requested", 5, 5),
    ("accepted", 9, 1),
    ("in-progress", 90, 60),
    ("accepted", 9, 2),
    ("completed", 30, 3),
]
EXPECTED = {
    "new": {0, 1},
    "accepted": {2, 4},
    "in-progress": {3},
    "waiting": {0, 1, 4},
    "overdue": {1, 3},
    "closed": {5},
    "all": {0, 1, 2, 3, 4, 5},
}


@pytest.fixture(scope="module")
def spread(network):
    """Six referrals of clinic A's patient to the food bank, one in each standing, and a
    message from the care team on the fifth that the food bank has not read."""
    n = network
    body = {"patient_id": n.a.patient, "service_id": n.service, "consent": True}
    n.ids = [
        n.web.post("/api/v1/referrals", json={**body, "need": need}, headers=n.ann).get_json()["id"]
        for need in NEED_KEYS[: len(STANDING)]
    ]
    asked = n.web.post(
        f"/api/v1/referrals/{n.ids[4]}/messages", json={"body": "Any news?"}, headers=n.ann
    )
    assert asked.status_code == 201
    now = utcnow()
    with n.app.app_context():
        for referral_id, (status, sent, news) in zip(n.ids, STANDING, strict=True):
            referral = db.session.get(Referral, referral_id)
            referral.status = status
            referral.created_at = now - timedelta(days=sent)
            referral.updated_at = now - timedelta(days=news)
        db.session.commit()
    return n


def ids_in(n, view: str) -> set[int]:
    """Which of the six referrals the food bank's inbox shows in a view."""
    found = n.web.get(f"/api/v1/inbox?status={view}&limit=200", headers=n.fay).get_json()
    return {n.ids.index(r["id"]) for r in found["results"]}


@pytest.mark.parametrize("view", sorted(EXPECTED))
def test_each_inbox_view_holds_the_referrals_its_rule_names(spread, view):
    assert ids_in(spread, view) == EXPECTED[view]


def test_the_inbox_tabs_count_what_each_view_lists(spread):
    browser = spread.app.test_client()
    sign_in(browser, "fay")
    page = browser.get("/inbox?view=overdue").get_data(as_text=True)
    for view, title in (("new", "New"), ("overdue", "Overdue"), ("closed", "Closed")):
        assert f'view={view}"' in page
        assert f'{title} <span class="count">{len(EXPECTED[view])}</span>' in page


def test_the_inbox_pages_through_every_referral_once_in_order(spread):
    n, seen, url = spread, [], "/api/v1/inbox?status=all&limit=4"
    while url:
        answer = n.web.get(url, headers=n.fay).get_json()
        assert answer["total"] == len(STANDING) and len(answer["results"]) <= 4
        seen += [r["id"] for r in answer["results"]]
        url = answer["next"]
    oldest_first = sorted(range(len(STANDING)), key=lambda i: (-STANDING[i][1], i))
    assert seen == [n.ids[i] for i in oldest_first]
    second = n.web.get("/api/v1/inbox?status=all&limit=4&offset=4", headers=n.fay).get_json()
    assert second["previous"].endswith("offset=0") and second["next"] is None


def test_a_worklist_answers_a_page_with_its_total(spread):
    n = spread
    first = n.web.get("/api/v1/referrals?worklist=mine&limit=2", headers=n.ann).get_json()
    assert len(first["results"]) == 2 and first["total"] >= 5 and "offset=2" in first["next"]
    everything = n.web.get("/api/v1/referrals?limit=200", headers=n.ann).get_json()
    assert everything["total"] == len(everything["results"]) and everything["next"] is None


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=201", "limit=ten", "offset=-1", "offset=%C2%B2"]
)
def test_a_page_out_of_range_is_refused_naming_the_parameter(spread, query):
    answer = spread.web.get(f"/api/v1/inbox?{query}", headers=spread.fay)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == query.split("=")[0]


def test_the_pages_show_where_the_list_stands_and_link_onwards(spread):
    browser = spread.app.test_client()
    sign_in(browser, "fay")
    page = browser.get("/inbox?view=all&limit=4").get_data(as_text=True)
    assert "1–4 of 6 referrals" in page and 'rel="next"' in page and "offset=4" in page
    last = browser.get("/inbox?view=all&limit=4&offset=4").get_data(as_text=True)
    assert "5–6 of 6 referrals" in last and 'rel="prev"' in last and 'rel="next"' not in last
    sign_in(browser, "ann")
    mine = browser.get("/referrals?list=mine&limit=2").get_data(as_text=True)
    assert "1–2 of " in mine and 'rel="next"' in mine

"""The worklist page: the case manager's home after signing in, every kind of work with its
count, ranked rows that open the work, and j/k to move through them."""

import re

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def ann_page(referred):
    """Ann of clinic A signed in to the pages."""
    web = referred.app.test_client()
    page = web.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    landed = web.post("/login", data={"username": "ann", "password": PASSWORD, "csrf_token": token})
    assert landed.headers["Location"] == "/worklist", "a case manager lands on the worklist"
    return web


def test_the_page_lists_the_work_with_counts_per_kind(referred, ann_page):
    page = ann_page.get("/worklist").get_data(as_text=True)
    assert "<h1>Worklist</h1>" in page
    assert re.search(r"Follow-ups \(\d+\)", page)
    assert "Rosa Diaz" in page and f"/referrals/{referred.a.referral}" in page
    assert "1 open need" in page
    assert "data-row-link" in page and "<kbd>j</kbd>" in page


def test_a_kind_narrows_the_page_and_an_unknown_one_is_refused(referred, ann_page):
    page = ann_page.get("/worklist?kind=rescreening").get_data(as_text=True)
    assert "Nothing is due of this kind" in page or "Due to be screened again" in page
    assert ann_page.get("/worklist?kind=chores").status_code == 400


def test_people_outside_the_care_team_cannot_open_it(referred):
    web = referred.app.test_client()
    assert web.get("/worklist").status_code == 302
    assert web.get("/worklist", headers=referred.fay).status_code == 403

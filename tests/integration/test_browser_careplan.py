"""The care plan in the browser: a case manager opens a patient, adds a need by hand, sets a
goal for it, marks the goal achieved and sees all of it in the timeline."""

from datetime import date, timedelta

import pytest

from tests.integration.test_browser_network import chromium, served, signed_in  # noqa: F401

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
pytestmark = [pytest.mark.browser]


def test_a_need_and_its_goal_are_added_achieved_and_on_the_timeline(chromium, served, referred):  # noqa: F811
    page = signed_in(chromium, served, "ann")
    page.goto(f"{served}/patients/{referred.a.patient}")
    expect(page.get_by_role("heading", name="Care plan")).to_be_visible()
    page.get_by_text("Add a need", exact=True).click()
    page.select_option("#need-domain", "housing")
    page.fill("#need-z_code", "Z59.01")
    page.fill("#need-note", "Staying at a shelter")
    page.get_by_role("button", name="Add need").click()
    need = page.locator("article.need", has_text="Z59.01")
    expect(need).to_contain_text("Staying at a shelter")
    need.get_by_text("Add a goal", exact=True).click()
    need.get_by_label("In the patient's words").fill("My own apartment")
    need.get_by_label("By").fill((date.today() + timedelta(days=60)).isoformat())
    need.get_by_role("button", name="Add goal").click()
    need = page.locator("article.need", has_text="Z59.01")
    goal = need.locator("li", has_text="My own apartment")
    expect(goal).to_contain_text("in progress")
    goal.get_by_label("Progress").select_option("achieved")
    goal.get_by_role("button", name="Update").click()
    goal = page.locator("article.need", has_text="Z59.01").locator(
        "li", has_text="My own apartment"
    )
    expect(goal.locator(".badge")).to_have_text("achieved")
    page.locator("#timeline input[value=goal]").check()
    page.locator("#timeline").get_by_role("button", name="Filter").click()
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Goal achieved: My own apartment")
    expect(timeline).to_contain_text("Goal set: My own apartment")
    expect(timeline).not_to_contain_text("Need added")

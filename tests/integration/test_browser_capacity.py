"""End to end in headless Chromium: a curator says a food pantry is not accepting referrals on
its service page, and in the results it drops below a pantry that is."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.integration.test_browser import CHROMIUM, browser, page  # noqa: F401
from tests.integration.test_browser_curation import sign_in, site  # noqa: F401

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed"),
]
# Every food service near 44113 on one page: the one not accepting sinks below all of them.
RESULTS = "/?category=food&near=44113&limit=100"


def names(tab) -> list[str]:
    """The service names of the results, in order."""
    return tab.locator(".result h2").all_inner_texts()


def test_a_service_set_to_not_accepting_drops_below_one_that_is(site, page):  # noqa: F811
    sign_in(page, site, "cora")
    page.goto(site + RESULTS)
    before = names(page)
    full = before[0]
    other = next(name for name in before if name != full)
    page.get_by_role("link", name=full).first.click()
    page.get_by_text("Taking referrals?").click()
    page.get_by_label("This service is").select_option("not-accepting")
    page.get_by_label("Until").fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_label("Note for case managers").fill("Full until the new year")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash.info")).to_contain_text("Not accepting referrals until")
    expect(page.locator("header .capacity-line")).to_contain_text("Full until the new year")
    page.goto(site + RESULTS)
    after = names(page)
    assert after.index(other) < after.index(full)
    dropped = page.locator(".result").filter(has_text=full).first
    expect(dropped.locator(".badge.capacity")).to_contain_text("Not accepting referrals until")

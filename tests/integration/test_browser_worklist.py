"""The worklist in the browser: a case manager signs in to it and moves through the work with
the keyboard alone."""

import pytest

from tests.integration.test_browser_network import chromium, served, signed_in  # noqa: F401

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
pytestmark = [pytest.mark.browser]


def test_a_case_manager_lands_on_the_worklist_and_opens_work_by_keyboard(chromium, served):  # noqa: F811
    page = signed_in(chromium, served, "ann")
    expect(page).to_have_url(f"{served}/worklist")
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    links = page.locator("a[data-row-link]")
    assert links.count() >= 1
    page.keyboard.press("j")
    expect(links.first).to_be_focused()
    page.keyboard.press("k")
    expect(links.first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/referrals/*")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

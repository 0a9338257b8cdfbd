"""End to end in headless Chromium: a curator finds a listing, fixes its phone and hours, sees the
change in its history and in search; front-desk staff report a problem the curator then closes."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import BACKENDS, PASSWORD, add_user, dispose, load_directory, make_app
from tests.integration.test_browser import CHROMIUM, browser, page  # noqa: F401

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    """The app with the bundled directory, Cora (curator) and Frank (front desk), served on a
    loopback port."""
    app = make_app(request.param, tmp_path_factory.mktemp("curation"))
    load_directory(app)
    add_user(app, "cora", "curator")
    add_user(app, "frank", "staff")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    dispose(app)


def sign_in(tab, site: str, username: str) -> None:
    """Sign in through the login form, with the keyboard."""
    tab.goto(f"{site}/login")
    tab.fill("#username", username)
    tab.fill("#password", PASSWORD)
    tab.press("#password", "Enter")
    tab.wait_for_url(f"{site}/")


@pytest.fixture
def tab(request):
    """The shared desktop-sized page, in a browser context of its own."""
    return request.getfixturevalue("page")


def test_a_curator_fixes_a_phone_and_hours_and_search_shows_it(site, tab):
    sign_in(tab, site, "cora")
    tab.get_by_role("link", name="Curation").click()
    tab.get_by_label("Find a listing to edit").fill("Near West Food Pantry")
    tab.keyboard.press("Enter")
    tab.get_by_role("link", name="Near West Food Pantry").first.click()
    tab.locator('input[name="phone-0-number"]').fill("216-555-0177")
    tab.locator('input[name="hours-5-0-opens"]').fill("09:00")
    tab.locator('input[name="hours-5-0-closes"]').fill("12:00")
    tab.get_by_role("button", name="Save changes").click()
    expect(tab.locator(".flash.info")).to_contain_text("phones")
    expect(tab.locator(".flash.info")).to_contain_text("schedules")
    expect(tab.locator(".history")).to_contain_text("phones")
    tab.goto(f"{site}/?q=near+west+food+pantry&near=44113")
    first = tab.locator(".result").first
    expect(first).to_contain_text("Near West Food Pantry")
    first.get_by_role("link", name="Near West Food Pantry").click()
    expect(tab.locator("body")).to_contain_text("(216) 555-0177")
    expect(tab.locator("table.hours")).to_contain_text("9:00")


def test_a_bad_phone_is_marked_at_its_field_and_nothing_is_saved(site, tab):
    sign_in(tab, site, "cora")
    tab.goto(f"{site}/curation?q=Newcomer")
    tab.get_by_role("link", name="Newcomer Food Pantry").click()
    tab.locator('input[name="phone-0-number"]').fill("555")
    tab.get_by_role("button", name="Save changes").click()
    expect(tab.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(tab.locator(".field-error")).to_contain_text("phone number")


def test_staff_report_a_closed_listing_and_the_curator_closes_the_flag(site, tab, request):
    sign_in(tab, site, "frank")
    tab.goto(f"{site}/?q=clark-fulton+food+shelf&near=44109")
    tab.get_by_role("link", name="Clark-Fulton Food Shelf").first.click()
    tab.get_by_text("Something wrong here?").click()
    tab.get_by_label("What is wrong").select_option("wrong-hours")
    tab.get_by_label("Details").fill("Closed on Fridays now")
    tab.get_by_role("button", name="Tell the curators").click()
    expect(tab.locator(".flash.info")).to_contain_text("a curator will check")
    tab.context.clear_cookies()
    sign_in(tab, site, "cora")
    tab.goto(f"{site}/curation/flags")
    flag = tab.locator(".flag").filter(has_text="Clark-Fulton Food Shelf")
    expect(flag).to_contain_text("Closed on Fridays now")
    flag.get_by_label("What you did").fill("Updated the hours")
    flag.get_by_role("button", name="Fixed").click()
    expect(tab.locator("main")).to_contain_text("No open flags")

"""End to end in headless Chromium: a referral to a claimed listing lands in the food bank's
inbox; its staff accept it from the list and ask a question; the case manager answers in the
thread; the food bank closes the loop."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.integration.test_browser import CHROMIUM, CHROMIUM_ARGS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed"),
]


@pytest.fixture(scope="module")
def served(referred):
    """The network's app served on a loopback port in a thread."""
    server = make_server("127.0.0.1", 0, referred.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def chromium():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def signed_in(chromium, base: str, username: str):
    """A page of a new browser context, signed in as `username`."""
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "correct horse battery")
    page.press("#password", "Enter")
    page.wait_for_url(lambda url: url.startswith(base) and "/login" not in url)
    return page


def test_the_food_bank_accepts_asks_and_closes_while_the_clinic_answers(chromium, served, referred):
    fay = signed_in(chromium, served, "fay")
    fay.get_by_role("link", name="Inbox").click()
    row = fay.locator("tr", has_text=f"#{referred.a.referral}")
    expect(row).to_contain_text("Rosa Diaz")
    row.get_by_role("button", name="Accept").click()
    expect(fay.locator(".flash, [role=status], .notice").first).to_contain_text("accepted")
    fay.goto(f"{served}/inbox/{referred.a.referral}")
    fay.fill("#message-body", "Can she come on Tuesday at 10?")
    fay.get_by_role("button", name="Send message").click()
    expect(fay.locator(".message.mine")).to_contain_text("Tuesday at 10")

    ann = signed_in(chromium, served, "ann")
    ann.goto(f"{served}/referrals/{referred.a.referral}")
    expect(ann.locator(".message.unread")).to_contain_text("Tuesday at 10")
    expect(ann.get_by_text("Sent to Food Bank")).to_be_visible()
    ann.fill("#message-body", "Yes, Tuesday works for her.")
    ann.get_by_role("button", name="Send message").click()
    expect(ann.locator(".message.mine")).to_contain_text("Tuesday works")

    fay.goto(f"{served}/inbox?view=waiting")
    expect(fay.locator("tr", has_text=f"#{referred.a.referral}")).to_contain_text("1 new message")
    fay.goto(f"{served}/inbox/{referred.a.referral}")
    fay.get_by_label("Completed").check()
    fay.fill("#reason", "Picked up groceries")
    fay.select_option("#outcome", "got-help")
    fay.get_by_role("button", name="Save").click()
    expect(fay.locator("h1")).to_contain_text("completed")
    ann.goto(f"{served}/referrals/{referred.a.referral}")
    expect(ann.locator("h1")).to_contain_text("completed")

"""The patient's own page on a phone-sized screen in headless Chromium: no WCAG 2.1 A/AA
violation axe-core can find, in English and Spanish, before and after answering, and on the
page of a link that no longer works; the answer buttons work with and without JavaScript."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from tests.integration.notify import refer, register
from tests.integration.test_browser import CHROMIUM
from tests.integration.test_browser_network import chromium  # noqa: F401  (shared fixture)

sync_api = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed"),
]
PHONE = {"width": 375, "height": 812}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def patient_page(town):
    """The app served on a loopback port, and a Spanish-speaking patient with two open
    referrals and their link."""
    town.app.config["REFERRAL"]["PUBLIC_URL"] = ""
    server = make_server("127.0.0.1", 0, town.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    patient = register(town)
    referrals = [refer(town, patient)["id"], refer(town, patient, need="housing")["id"]]
    made = town.web.post(f"/api/v1/patients/{patient}/link", headers=town.ann).get_json()
    path = "/p/" + made["url"].rsplit("/p/", 1)[1]
    yield SimpleNamespace(url=base + path, base=base, referrals=referrals)
    server.shutdown()


def phone_page(browser, javascript: bool = True):
    """A new page on a phone-sized screen."""
    return browser.new_context(viewport=PHONE, java_script_enabled=javascript).new_page()


def violations(page) -> list[str]:
    """What axe-core finds against WCAG 2.1 A and AA on the page, one line each."""
    results = axe_playwright.Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]


def test_the_page_has_no_accessibility_violations_in_spanish_and_english(chromium, patient_page):  # noqa: F811
    page = phone_page(chromium)
    page.goto(patient_page.url)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Rosa")
    assert violations(page) == []
    page.screenshot(path="/tmp/patient-link-es.png", full_page=True)
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="I still need help").first).to_be_visible()
    assert violations(page) == []
    page.screenshot(path="/tmp/patient-link-en.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing scrolls sideways on a phone"


def test_buttons_are_large_enough_to_tap(chromium, patient_page):  # noqa: F811
    page = phone_page(chromium)
    page.goto(patient_page.url)
    for button in page.locator("button.answer, a.action").all():
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44


def test_i_still_need_help_thanks_the_patient(chromium, patient_page):  # noqa: F811
    page = phone_page(chromium)
    page.goto(patient_page.url + "?lang=en")
    first = page.locator("article.service").first
    first.get_by_role("button", name="I still need help").click()
    thanks = page.locator("#thanks")
    expect(thanks).to_contain_text("Thank you for telling us")
    expect(thanks).to_contain_text("will see this today")
    expect(page.locator("article.service")).to_have_count(2)
    assert violations(page) == []
    page.screenshot(path="/tmp/patient-link-thanks.png", full_page=True)


def test_the_buttons_work_without_javascript(chromium, patient_page):  # noqa: F811
    page = phone_page(chromium, javascript=False)
    page.goto(patient_page.url)
    page.locator("article.service").first.get_by_role("button", name="Recibí ayuda").click()
    expect(page.locator("#thanks")).to_contain_text("Gracias por avisarnos")
    expect(page.locator("article.service")).to_have_count(1)


def test_a_link_that_does_not_work_is_accessible_too(chromium, patient_page):  # noqa: F811
    page = phone_page(chromium)
    response = page.goto(patient_page.base + "/p/not-a-real-link")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert violations(page) == []

"""End to end in headless Chromium: sign in, search near a ZIP, open a service; desktop, phone."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import add_user, dispose, load_directory, make_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed"),
]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app with the bundled directory, served on a loopback port in a thread."""
    app = make_app("sqlite", tmp_path_factory.mktemp("live"))
    load_directory(app)
    add_user(app, "maria", "case_manager")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    dispose(app)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page that fails its test if the Content-Security-Policy blocked anything on it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    context.close()
    assert not blocked, blocked


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "maria")
    page.fill("#password", "correct horse battery")
    page.press("#password", "Enter")
    page.wait_for_url(f"{base}/worklist")


def test_a_case_manager_finds_a_food_pantry_near_a_zip_with_the_keyboard(page, live_server):
    sign_in(page, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.wait_for_url(f"{live_server}/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("food pantry")
    page.fill("#near", "44113")
    page.press("#near", "Enter")
    page.wait_for_selector("ol.results li")
    assert "within 10 mi of 44113" in page.inner_text(".count")
    first = page.locator("ol.results li").first
    assert "mi" in first.inner_text()
    assert first.locator("a.phone").first.get_attribute("href").startswith("tel:")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    first.locator("h2 a").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("article.service")
    assert page.locator("h2", has_text="Contact").count() == 1
    assert page.locator("text=Hours").first.is_visible()
    page.click("text=← Back to results")
    page.wait_for_selector("ol.results li")
    assert "q=food+pantry" in page.url and "near=44113" in page.url


def test_filters_and_no_dead_end(page, live_server):
    page.goto(f"{live_server}/?q=zzzyyyxxx&near=44113")
    assert page.locator("text=Nothing matched").is_visible()
    page.click("text=Search a wider area")
    page.wait_for_load_state()
    assert "radius=25" in page.url


def test_the_search_page_fits_a_phone_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/?q=shelter&near=44102")
    page.wait_for_selector("ol.results li")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    context.close()


def test_suggestions_are_picked_with_the_arrow_keys(page, live_server):
    page.goto(f"{live_server}/")
    page.fill("#near", "44113")
    page.click("#q")
    page.keyboard.type("comi")
    page.wait_for_selector("#q-suggestions li")
    assert page.get_attribute("#q", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    chosen = page.inner_text("#q-suggestions li[aria-selected=true]").splitlines()[0]
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.results li")
    assert page.input_value("#q") == chosen
    assert "Food" in page.inner_text("ol.results li:first-child")


def test_a_typo_is_corrected_on_the_page(page, live_server):
    page.goto(f"{live_server}/?q=fod+pantyr&near=44113")
    assert "Showing results for" in page.inner_text(".corrected")
    assert page.locator("ol.results li").count() > 0


def test_register_screen_and_see_needs_with_nearby_services(page, live_server):
    sign_in(page, live_server)
    page.goto(f"{live_server}/patients/new")
    for field, value in (
        ("#given_name", "Rosa"),
        ("#family_name", "Diaz"),
        ("#birth_date", "1975-02-03"),
        ("#postal_code", "44102"),
    ):
        page.fill(field, value)
    page.click("button:has-text('Register')")
    page.wait_for_url("**/patients/*")
    page.click("text=Hunger Vital Sign")
    page.check("input[name='88122-7'][value='LA6729-3']")
    page.check("input[name='88123-5'][value='LA28398-8']")
    page.click("#finish")
    page.wait_for_url("**/screenings/*")
    assert "Z59.41" in page.inner_text("table.grid")
    assert page.locator(".need-services ol.results li").count() >= 1


def test_a_patient_self_screens_one_question_at_a_time_in_spanish(page, live_server):
    sign_in(page, live_server)
    page.goto(f"{live_server}/patients/new")
    for field, value in (
        ("#given_name", "Luz"),
        ("#family_name", "Mora"),
        ("#birth_date", "1990-06-01"),
    ):
        page.fill(field, value)
    page.click("button:has-text('Register')")
    page.wait_for_url("**/patients/*")
    page.goto(page.url + "/screen/hunger-vital-sign?mode=self&lang=es")
    questions = page.locator("fieldset.question")
    assert questions.nth(0).is_visible() and not questions.nth(1).is_visible()
    assert not page.locator("#finish").is_visible()
    page.check("input[name='88122-7'][value='LA28398-8']")
    page.click("text=Siguiente")
    assert questions.nth(1).is_visible() and not questions.nth(0).is_visible()
    page.click("text=Atrás")
    assert questions.nth(0).is_visible()
    page.click("text=Siguiente")
    page.check("input[name='88123-5'][value='LA28398-8']")
    page.click("#finish")
    page.wait_for_selector("text=Gracias.")
    assert "Z59" not in page.content()

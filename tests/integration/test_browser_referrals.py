"""End to end in headless Chromium: refer from search, the organization answers through its link,
a follow-up call, the patient's slip, and the front desk printing it."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from referral.auth.models import User
from referral.directory.models import Service
from referral.extensions import db
from tests.conftest import BACKENDS, PASSWORD, add_user, dispose, load_directory, make_app
from tests.integration.test_browser import CHROMIUM, browser, page, sign_in  # noqa: F401
from tests.integration.test_patients_api import ANA, token_for

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed"),
]

NOTE = "Kids need diapers"


@dataclass(frozen=True)
class Clinic:
    """The served app, where it listens, and the case manager's API headers."""

    url: str
    app: Flask
    manager: dict[str, str]


@pytest.fixture(scope="module", params=BACKENDS)
def clinic(request, tmp_path_factory):
    """The app with the bundled directory, Maria (case manager) and Frank (front desk), served
    on a loopback port in a thread, once per backend."""
    app = make_app(request.param, tmp_path_factory.mktemp("referrals"))
    load_directory(app)
    manager = token_for(app, "maria", "case_manager")
    add_user(app, "frank", "staff")
    with app.app_context():
        maria = db.session.scalar(select(User).where(User.username == "maria"))
        maria.display_name = "Maria Ortiz"
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Clinic(f"http://127.0.0.1:{server.server_port}", app, manager)
    server.shutdown()
    dispose(app)


@pytest.fixture(scope="module")
def chromium(request):
    """The shared headless Chromium, for opening more browser contexts."""
    return request.getfixturevalue("browser")


@pytest.fixture
def tab(request):
    """The shared desktop-sized page, in a browser context of its own."""
    return request.getfixturevalue("page")


def snapshot(tab, name: str) -> None:
    """Save a full-page screenshot to /tmp when REFERRAL_SCREENSHOTS is set."""
    if os.environ.get("REFERRAL_SCREENSHOTS"):
        tab.screenshot(path=f"/tmp/e2e-{name}.png", full_page=True)


def new_patient(clinic: Clinic, given: str, family: str) -> int:
    """Register a Spanish-speaking patient in ZIP 44113 through the API."""
    response = clinic.app.test_client().post(
        "/api/v1/patients",
        json=ANA | {"given_name": given, "family_name": family, "birth_date": "1984-07-12"},
        headers=clinic.manager,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def refer_to_two_food_services(tab, base: str, patient: int, given: str) -> list[str]:
    """From the patient's page, search food near their ZIP, tick the first two results and refer
    them for Food, by keyboard; returns the services' names."""
    tab.goto(f"{base}/patients/{patient}")
    tab.get_by_role("link", name="Find services and refer").click()
    expect(tab.locator(".refer-for")).to_contain_text(f"Finding services for {given} ")
    tab.locator("#q").focus()
    tab.keyboard.type("food")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**q=food**")
    results = tab.locator("ol.results li.result")
    expect(results.first).to_be_visible()
    names = []
    for n in range(2):
        results.nth(n).get_by_label(f"Refer {given} here").focus()
        tab.keyboard.press("Space")
        expect(results.nth(n).get_by_label(f"Refer {given} here")).to_be_checked()
        names.append(results.nth(n).locator("h2").inner_text())
    tab.select_option("#refer-need", label="Food")
    tab.locator("#refer-note").focus()
    tab.keyboard.type(NOTE)
    tab.get_by_label(f"{given} agrees to share their name and phone").focus()
    tab.keyboard.press("Space")
    tab.keyboard.press("Tab")
    expect(tab.get_by_role("button", name="Refer to the ticked services")).to_be_focused()
    snapshot(tab, "search-with-patient")
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{base}/patients/{patient}#referrals")
    return names


def test_a_case_manager_refers_by_keyboard_and_the_organization_closes_the_loop(
    chromium, tab, clinic
):
    patient = new_patient(clinic, "Ana", "Quintero")
    sign_in(tab, clinic.url)
    names = refer_to_two_food_services(tab, clinic.url, patient, "Ana")
    expect(tab.locator(".flash")).to_have_text("Referred Ana Quintero to 2 service(s).")
    rows = tab.locator("#referrals ~ table.grid").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(tab.get_by_role("link", name="Print today's slip")).to_be_visible()
    tab.get_by_role("link", name=names[0]).click()
    tab.wait_for_url("**/referrals/*")
    expect(tab.locator("h1 .badge")).to_have_text("requested")
    link = tab.locator("input.copy").input_value()
    assert "/r/" in link
    snapshot(tab, "referral")

    organization = chromium.new_context()
    try:
        answer = organization.new_page()
        answer.goto(link)
        expect(answer.get_by_role("link", name="Sign in")).to_be_visible()
        expect(answer.locator("h1")).to_have_text(f"Referral for {names[0]}")
        answer.get_by_role("radio", name="Accepted").check()
        answer.get_by_role("button", name="Send").click()
        expect(answer.locator(".flash")).to_contain_text("Thank you.")
        expect(answer.locator(".meta strong")).to_have_text("accepted")
        answer.get_by_role("radio", name="Completed").check()
        answer.select_option("#outcome", "got-help")
        answer.get_by_role("button", name="Send").click()
        expect(answer.locator(".flash")).to_contain_text("Thank you.")
        expect(answer.locator("h1")).to_have_text("This link cannot be used")
    finally:
        organization.close()

    tab.reload()
    expect(tab.locator("h1 .badge")).to_have_text("completed")
    history = tab.locator("ol.timeline li")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("Referred by maria.")
    expect(history.nth(1)).to_contain_text("moved it from requested to accepted")
    expect(history.nth(2)).to_contain_text(
        "moved it from accepted to completed (outcome: got help)"
    )
    expect(tab.locator("p.meta")).to_contain_text("Outcome: got help")


def test_a_follow_up_call_is_in_the_history_and_the_spanish_slip_keeps_the_note_private(
    tab, clinic
):
    patient = new_patient(clinic, "Luz", "Salazar")
    sign_in(tab, clinic.url)
    names = refer_to_two_food_services(tab, clinic.url, patient, "Luz")
    tab.get_by_role("link", name=names[0]).click()
    tab.get_by_role("radio", name="Phone").check()
    tab.get_by_role("radio", name="Reached").check()
    tab.select_option("#patient_says", "waiting")
    tab.fill("#fu-note", "Going Thursday")
    tab.get_by_role("button", name="Record follow-up").click()
    days = clinic.app.config["REFERRAL"]["FOLLOW_UP_DAYS"]
    due = (date.today() + timedelta(days=days)).isoformat()
    expect(tab.locator(".flash")).to_have_text(f"Follow-up recorded; next follow-up {due}.")
    call = tab.locator("ol.timeline li.call")
    expect(call).to_contain_text("maria: phone call, reached; the patient says waiting.")
    expect(call).to_contain_text(f"Next follow-up {due}.")
    expect(tab.locator("p.meta")).to_contain_text(f"Follow up by {due}")

    tab.get_by_role("link", name="← Luz Salazar").click()
    tab.get_by_role("link", name="Print today's slip").click()
    slip = tab.locator("article.slip")
    expect(slip.locator("h1")).to_have_text("Sus referidos")
    services = slip.locator("section.slip-service")
    expect(services).to_have_count(2)
    assert sorted(services.locator("h2").all_inner_texts()) == sorted(names)
    for n in range(2):
        expect(services.nth(n).locator("figure.qr svg")).to_have_count(1)
    expect(slip.locator(".slip-contact")).to_contain_text("Maria Ortiz")
    text = slip.inner_text()
    assert NOTE not in text and "Going Thursday" not in text and "Z59" not in text
    snapshot(tab, "slip")
    tab.evaluate("window.print = () => { window.printed = true; }")
    tab.get_by_role("button", name="Print").click()
    assert tab.evaluate("window.printed === true")

    pdf = tab.request.get(clinic.url + tab.get_by_role("link", name="PDF").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_the_front_desk_prints_todays_slip_by_name_but_cannot_open_the_referral(tab, clinic):
    patient = new_patient(clinic, "Rosa", "Villalobos")
    with clinic.app.app_context():
        picked = db.session.execute(select(Service.id, Service.name).order_by(Service.id).limit(2))
        ids, names = zip(*picked, strict=True)
    made = clinic.app.test_client().post(
        "/api/v1/referrals",
        json={"patient_id": patient, "need": "food", "consent": True, "service_ids": list(ids)},
        headers=clinic.manager,
    )
    assert made.status_code == 201, made.get_json()
    referral = made.get_json()["referrals"][0]["id"]

    tab.goto(f"{clinic.url}/login")
    tab.fill("#username", "frank")
    tab.fill("#password", PASSWORD)
    tab.press("#password", "Enter")
    tab.wait_for_url(f"{clinic.url}/")
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Slips").click()
    tab.fill("#sq", "Villalobos")
    tab.press("#sq", "Enter")
    row = tab.locator("table.slips tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Villalobos, Rosa")
    row.get_by_role("link", name="Slip", exact=True).click()
    services = tab.locator("article.slip section.slip-service")
    expect(services).to_have_count(2)
    assert sorted(services.locator("h2").all_inner_texts()) == sorted(names)

    response = tab.goto(f"{clinic.url}/referrals/{referral}")
    assert response.status == 403
    expect(tab.locator("h1")).to_have_text("Not allowed")

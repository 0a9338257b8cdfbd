"""The ADT queue in the browser: a discharge message whose MRN no patient holds waits at
/admin/adt with its problem; a case manager matches it to the right patient by typing their
id (a wrong one is refused), after which it is shown as matched and the visit is on the
patient's page and worklist; another is set aside with a reason; other roles are refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from referral.network.operations import organization_named
from referral.transitions.importing import import_messages
from tests.integration.test_browser_network import chromium, served, signed_in  # noqa: F401

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
pytestmark = [pytest.mark.browser]

DISCHARGE = (
    "MSH|^~\\&|EPIC|JMH^Jackson Memorial^L|REFERRAL|CLINIC|{sent}||ADT^A03|{control}|P|2.5\r"
    "EVN|A03|{sent}\r"
    "PID|1||{mrn}^^^JMH^MR||Diaz^Rosa||19750211|F\r"
    "PV1|1|I|4W^401^A^{facility}\r"
    "DG1|1||Z59.0^Homelessness^I10\r"
)


def queued(referred, facility: str) -> tuple[str, str]:
    """Import, for Clinic A's feed, a discharge (yesterday) of an MRN no patient holds; its
    control id and MRN."""
    tag = uuid.uuid4().hex[:8].upper()
    control, mrn = f"Q{tag}", f"NOBODY-{tag}"
    sent = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y%m%d%H%M%S+0000")
    raw = DISCHARGE.format(sent=sent, control=control, mrn=mrn, facility=facility)
    with referred.app.app_context():
        clinic = organization_named("clinic-a").id
        counts = import_messages([(raw, "test-feed")], referred.app.config["REFERRAL"], clinic)
    assert counts["unmatched"] == 1, counts
    return control, mrn


def test_an_unmatched_message_is_matched_to_the_patient_from_the_queue(chromium, served, referred):  # noqa: F811
    control, mrn = queued(referred, "Mercy West Wing")
    ann = signed_in(chromium, served, "ann")
    ann.goto(f"{served}/admin/adt")
    expect(ann.get_by_role("heading", level=1)).to_have_text("Hospital messages to match")
    tabs = ann.get_by_role("navigation", name="Messages")
    expect(tabs.get_by_role("link", name="Waiting")).to_have_attribute("aria-current", "page")
    row = ann.locator("table.adt-queue tbody tr", has_text=control)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"A03 {control} from JMH, MRN {mrn}")
    expect(row.locator(".badge")).to_have_text("unmatched")
    expect(row).to_contain_text(f"No patient has MRN {mrn}.")

    # Another clinic's patient is not this clinic's to match: refused, and still waiting.
    row.get_by_label("Patient id").fill(str(referred.b.patient))
    row.get_by_role("button", name="Match").click()
    expect(ann.locator(".flash.error")).to_contain_text("Not matched:")
    row = ann.locator("table.adt-queue tbody tr", has_text=control)
    expect(row.locator(".badge")).to_have_text("unmatched")

    # The right patient, typed and submitted with the keyboard.
    field = row.get_by_label("Patient id")
    field.focus()
    ann.keyboard.type(str(referred.a.patient))
    ann.keyboard.press("Enter")
    expect(ann.locator(".flash.info")).to_have_text(f"Matched message {control} to Rosa Diaz.")
    expect(ann.locator("tr", has_text=control)).to_have_count(0)

    tabs.get_by_role("link", name="Matched").click()
    expect(tabs.get_by_role("link", name="Matched")).to_have_attribute("aria-current", "page")
    row = ann.locator("table.adt-queue tbody tr", has_text=control)
    expect(row.locator(".badge")).to_have_text("matched")
    expect(row.get_by_role("button", name="Match")).to_have_count(0)
    link = row.get_by_role("link", name=f"Patient {referred.a.patient}")
    expect(link).to_be_visible()
    link.click()

    ann.wait_for_url(f"{served}/patients/{referred.a.patient}")
    expect(ann.get_by_role("heading", level=1)).to_have_text("Rosa Diaz")
    visit = ann.locator("tr", has_text="Mercy West Wing").first
    expect(visit).to_contain_text("Discharged")
    expect(visit).to_contain_text("(hospital feed)")
    expect(visit).to_contain_text("Z59.0")

    # The patient has an open food need, so the discharge asks for a follow-up.
    ann.goto(f"{served}/worklist?kind=transition")
    expect(ann.locator("main")).to_contain_text("Discharged from Mercy West Wing on")


def test_a_message_set_aside_says_why_and_leaves_the_queue(chromium, served, referred):  # noqa: F811
    control, mrn = queued(referred, "Lab Test Bench")
    ann = signed_in(chromium, served, "ann")
    ann.goto(f"{served}/admin/adt")
    row = ann.locator("table.adt-queue tbody tr", has_text=control)
    expect(row).to_contain_text(f"No patient has MRN {mrn}.")

    # No reason: the browser does not send the form.
    row.get_by_role("button", name="Set aside").click()
    assert row.get_by_label("Why set aside").evaluate("e => e.validity.valueMissing")
    expect(ann.locator(".flash")).to_have_count(0)
    expect(row.locator(".badge")).to_have_text("unmatched")

    row.get_by_label("Why set aside").fill("Test message from the lab interface")
    row.get_by_role("button", name="Set aside").click()
    expect(ann.locator(".flash.info")).to_have_text(f"Set aside message {control}.")
    expect(ann.locator("tr", has_text=control)).to_have_count(0)

    ann.get_by_role("navigation", name="Messages").get_by_role("link", name="Set aside").click()
    row = ann.locator("table.adt-queue tbody tr", has_text=control)
    expect(row.locator(".badge")).to_have_text("set-aside")
    expect(row).to_contain_text("Test message from the lab interface")
    expect(row).not_to_contain_text("No patient has MRN")
    expect(row.get_by_role("button", name="Match")).to_have_count(0)
    expect(row.get_by_role("link")).to_have_count(0)

    ann.goto(f"{served}/patients/{referred.a.patient}")
    expect(ann.locator("main")).not_to_contain_text("Lab Test Bench")


def test_the_queue_is_refused_to_other_roles_and_hidden_from_other_clinics(
    chromium,  # noqa: F811
    served,  # noqa: F811
    referred,
):
    control, _ = queued(referred, "Mercy East Wing")
    for username in ("sam", "fay"):  # staff of clinic B, receiver at the food bank
        page = signed_in(chromium, served, username)
        response = page.goto(f"{served}/admin/adt")
        assert response.status == 403, username
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
        expect(page.locator("main")).to_contain_text("Your role does not allow this.")
        expect(page.locator("main")).not_to_contain_text(control)

    anonymous = chromium.new_context().new_page()
    anonymous.goto(f"{served}/admin/adt")
    expect(anonymous).to_have_url(f"{served}/login?next=/admin/adt")
    expect(anonymous.locator("main")).not_to_contain_text(control)

    ben = signed_in(chromium, served, "ben")  # a case manager, of another clinic
    response = ben.goto(f"{served}/admin/adt")
    assert response.status == 200
    expect(ben.get_by_role("heading", level=1)).to_have_text("Hospital messages to match")
    expect(ben.locator("main")).not_to_contain_text(control)

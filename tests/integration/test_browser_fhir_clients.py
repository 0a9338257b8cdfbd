"""End to end in headless Chromium: the installation's admin adds a FHIR client for a clinic
by ticking its scopes, copies the secret from the page it is shown on once, and a token is
issued for it; revoking it from its page (after confirming) stops the token."""

from __future__ import annotations

import pytest

from tests.integration import test_browser_network as inbox_pages
from tests.integration.test_browser import CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed"),
]
chromium, served = inbox_pages.chromium, inbox_pages.served  # the same browser and server
signed_in = inbox_pages.signed_in


def token(web, client_id: str, secret: str):
    """A token request with the client credentials as HTTP Basic."""
    return web.post(
        "/fhir/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )


def test_an_admin_adds_a_client_copies_its_secret_and_it_gets_a_token(chromium, served, network):
    root = signed_in(chromium, served, "root")
    root.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served)
    root.get_by_role("link", name="FHIR clients").click()
    expect(root.locator("h1")).to_have_text("FHIR clients")
    root.get_by_label("Name", exact=True).fill("Clinic A EHR")
    root.get_by_label("Organization", exact=True).select_option("clinic-a")
    root.get_by_label("Read Patient", exact=True).check()
    root.get_by_label("Write Task", exact=True).check()
    root.get_by_label("More scopes (advanced, optional)").fill("system/Condition.read")
    root.get_by_role("button", name="Add client").click()
    expect(root.locator("h1")).to_have_text("Added Clinic A EHR")
    expect(root.get_by_role("heading", name="it is not shown again")).to_be_visible()

    root.get_by_role("button", name="Copy secret").click()
    expect(root.locator(".copy-status")).to_have_text("Copied secret.")
    secret = root.evaluate("navigator.clipboard.readText()")
    assert secret == root.locator("#client-secret").inner_text().strip()
    client_id = root.locator("#client-id").inner_text().strip()

    web = network.app.test_client()
    answer = token(web, client_id, secret)
    assert answer.status_code == 200, answer.get_json()
    granted = answer.get_json()
    assert granted["scope"] == "system/Condition.read system/Patient.read system/Task.write"
    bearer = {"Authorization": f"Bearer {granted['access_token']}"}
    assert web.get("/fhir/Patient", headers=bearer).status_code == 200

    root.get_by_role("link", name="Open Clinic A EHR").click()
    root.get_by_role("button", name="Revoke…").click()
    expect(root.get_by_role("alert")).to_contain_text("its 1 live token(s) stop working at once")
    root.get_by_role("button", name="Revoke Clinic A EHR").click()
    expect(root.locator(".flash").first).to_contain_text("Revoked Clinic A EHR: 1 token(s)")
    assert web.get("/fhir/Patient", headers=bearer).status_code == 401
    root.get_by_role("link", name="← FHIR clients").click()
    expect(root.locator("tr", has_text="Clinic A EHR")).to_contain_text("revoked")

"""End to end in headless Chromium: the installation's admin adds a receiving organization,
finds a directory organization by name and claims it from the keyboard, and gives an existing
account a place in it as receiving staff, who then has an inbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from referral.directory.models import Organization
from referral.extensions import db
from referral.network.models import Claim
from tests.integration import test_browser_network as inbox_pages
from tests.integration.network import member
from tests.integration.test_browser import CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed"),
]
chromium, served = inbox_pages.chromium, inbox_pages.served  # the same browser and server
signed_in = inbox_pages.signed_in


def unclaimed_name(app) -> str:
    """The name of a directory organization no one claims yet."""
    with app.app_context():
        taken = select(Claim.directory_organization_id).where(
            Claim.directory_organization_id.is_not(None)
        )
        query = select(Organization.name).where(Organization.id.not_in(taken))
        return db.session.scalars(query.order_by(Organization.name)).first()


def test_an_admin_sets_up_a_receiving_organization_with_a_claim_and_a_receiver(
    chromium, served, network
):
    member(network.app, "rhea", "staff", "clinic-b")
    listing = unclaimed_name(network.app)
    root = signed_in(chromium, served, "root")
    root.get_by_role("link", name="Organizations").click()
    expect(root.locator("h1")).to_have_text("Organizations")
    root.get_by_label("Name", exact=True).fill("Westside Pantry")
    root.get_by_label("Key").fill("westside-pantry")
    root.get_by_label("Kind").select_option("receiving")
    root.get_by_label("Email for new referrals (optional)").fill("intake@westside.example")
    root.get_by_role("button", name="Add organization").click()
    expect(root.locator("h1")).to_contain_text("Westside Pantry")
    expect(root.locator(".flash").first).to_contain_text("Added Westside Pantry.")

    root.get_by_label("Find a directory organization by name").fill(listing.split()[0])
    root.keyboard.press("Enter")
    claim = root.get_by_role("button", name=f"Claim {listing}", exact=True)
    claim.focus()
    root.keyboard.press("Enter")
    expect(root.locator(".flash").first).to_contain_text(
        f"Westside Pantry now answers for {listing}"
    )
    expect(root.locator("#claims table")).to_contain_text(listing)

    root.get_by_label("Username").fill("rhea")
    root.locator("#member-role").select_option("receiver")
    root.get_by_role("button", name="Add member").click()
    expect(root.locator(".flash").first).to_contain_text("rhea joined as receiving staff")
    expect(root.locator("#members tr", has_text="rhea")).to_be_visible()
    root.get_by_role("link", name="← Organizations").click()
    row = root.locator("tr", has_text="Westside Pantry")
    expect(row).to_contain_text("intake@westside.example")

    rhea = signed_in(chromium, served, "rhea")
    expect(rhea.get_by_role("link", name="Inbox")).to_be_visible()

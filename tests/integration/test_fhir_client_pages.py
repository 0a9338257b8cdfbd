"""The FHIR clients pages: admins register the systems that call the FHIR API, see the secret
once, and revoke them; an organization's admins manage its clients only, and only the
installation's admins add clients that see every patient."""

import html
import re

import pytest
from sqlalchemy import select

from referral.extensions import db
from referral.fhir.models import FhirClient
from referral.fhir.oauth import create_client, find_client
from referral.network.operations import find_organization
from tests.conftest import csrf_token, sign_in

LIST = "/admin/fhir-clients"
SCOPES = "system/Patient.read system/Task.write"


def browser(network, username: str):
    """A test client signed in as `username`."""
    client = network.app.test_client()
    sign_in(client, username)
    return client


@pytest.fixture
def root(network):
    """The installation's admin."""
    return browser(network, "root")


@pytest.fixture
def amy(network):
    """Clinic A's admin (not an admin of the installation)."""
    return browser(network, "amy")


def post(client, path: str, page: str = LIST, **data):
    """Post a form as the page `page` would, with its CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def registered(network, name: str, scopes: str = SCOPES, org_key: str | None = None) -> str:
    """A client registered for one test, as the command line would; returns its client id."""
    with network.app.app_context():
        organization = find_organization(org_key) if org_key else None
        client, _ = create_client(name, scopes, organization)
        db.session.commit()
        return client.client_id


def registered_with_secret(network, name: str, org_key: str | None = None) -> tuple[str, str]:
    """A client registered for one test: its id and secret."""
    with network.app.app_context():
        organization = find_organization(org_key) if org_key else None
        client, secret = create_client(name, SCOPES, organization)
        db.session.commit()
        return client.client_id, secret


def saved(network, client_id: str) -> FhirClient | None:
    """The client as the database holds it (read in a fresh app context)."""
    with network.app.app_context():
        found = find_client(client_id)
        if found is not None:
            db.session.expunge(found)
        return found


def named(network, name: str) -> list[FhirClient]:
    """The clients with that name."""
    with network.app.app_context():
        return list(db.session.scalars(select(FhirClient).where(FhirClient.name == name)))


def token(web, client_id: str, secret: str):
    """A token request with the client credentials in the form."""
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return web.post("/fhir/token", data=data)


def shown(page: str, element_id: str) -> str:
    """The text of the element with that id on a page."""
    match = re.search(rf'id="{element_id}">([^<]+)<', page)
    assert match, f"no #{element_id} on the page"
    return html.unescape(match.group(1))


def row_of(page: str, name: str) -> list[str]:
    """The cells after the name of the list's row for the client called `name`."""
    row = re.search(
        rf"<tr[^>]*>\s*<td><a href=\"[^\"]+\">{re.escape(name)}</a>.*?</tr>", page, re.S
    )
    assert row, f"no row for {name}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)
    return [re.sub(r"\s+", " ", cell).strip() for cell in cells[1:]]


def test_signed_out_visitors_are_sent_to_sign_in_and_case_managers_are_refused(network, root):
    client_id = registered(network, "Refused EHR", org_key="clinic-a")
    anonymous = network.app.test_client()
    for path in (LIST, f"{LIST}/{client_id}"):
        answer = anonymous.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], path
    made = anonymous.post(LIST, data={"csrf_token": csrf_token(anonymous), "name": "Anonymous"})
    assert made.status_code == 302 and "/login" in made.headers["Location"]
    assert not named(network, "Anonymous")
    ann = browser(network, "ann")
    assert ann.get(LIST).status_code == 403
    assert ann.get(f"{LIST}/{client_id}").status_code == 403
    token_value = csrf_token(ann, "/patients")
    made = ann.post(LIST, data={"csrf_token": token_value, "name": "Sneaky", "scope": SCOPES})
    assert made.status_code == 403 and not named(network, "Sneaky")
    revoked = ann.post(f"{LIST}/{client_id}/revoke", data={"csrf_token": token_value})
    assert revoked.status_code == 403 and saved(network, client_id).active
    assert f'href="{LIST}"' not in ann.get("/").get_data(as_text=True)
    page = root.get(LIST).get_data(as_text=True)
    assert f'href="{LIST}" aria-current="page">FHIR clients</a>' in page


def test_the_list_shows_each_clients_details_and_live_tokens_newest_first(network, root):
    older_id, secret = registered_with_secret(network, "Listed Clinic EHR", "clinic-a")
    web = network.app.test_client()
    for _ in range(2):
        assert token(web, older_id, secret).status_code == 200
    newer_id = registered(network, "Listed Warehouse", "system/*.read")
    page = root.get(LIST).get_data(as_text=True)
    assert page.index("Listed Warehouse") < page.index("Listed Clinic EHR"), "newest first"
    client_id, organization, scopes, state, added, live = row_of(page, "Listed Clinic EHR")
    assert (client_id, organization, state, live) == (
        f"<code>{older_id}</code>",
        "Clinic A",
        "active",
        "2",
    )
    assert (
        "<code>system/Patient.read</code>" in scopes and "<code>system/Task.write</code>" in scopes
    )
    assert re.fullmatch(r"<time title=\"\d{4}-\d\d-\d\d \d\d:\d\d\">\d{4}-\d\d-\d\d</time>", added)
    client_id, organization, scopes, state, _, live = row_of(page, "Listed Warehouse")
    assert (client_id, organization, state, live) == (
        f"<code>{newer_id}</code>",
        "<strong>whole installation</strong>",
        "active",
        "0",
    )
    assert scopes == '<ul class="scope-list"><li><code>system/*.read</code></li></ul>'
    assert secret not in page


def test_the_form_offers_scopes_by_resource_type_and_warns_about_installation_wide_ones(root):
    page = root.get(LIST).get_data(as_text=True)
    for title in ("Patients and consent", "Screening", "Referrals", "Directory and care teams"):
        assert f"<caption>{title}</caption>" in page
    assert 'name="scope" value="system/Patient.read"' in page
    assert 'name="scope" value="system/Task.write"' in page
    assert 'name="scope" value="system/HealthcareService.read"' in page
    assert 'value="system/HealthcareService.write"' not in page, "no writes to the directory"
    assert 'id="client-scopes" name="scopes"' in page, "a free-text field for the advanced"
    assert re.search(r'<option value="\*"\s*>None: the whole installation \(every patient\)<', page)
    assert "sees every patient of every organization" in page


def test_an_admin_adds_a_client_and_sees_its_secret_once(network, root):
    added = post(
        root,
        LIST,
        name="Page Clinic EHR",
        organization="clinic-a",
        scope=["system/Patient.read", "system/Task.write"],
        scopes="system/Condition.read",
    )
    assert added.status_code == 200
    assert added.headers["Cache-Control"] == "no-store"
    page = added.get_data(as_text=True)
    client_id, secret = shown(page, "client-id"), shown(page, "client-secret")
    assert "Copy the secret now: it is not shown again" in page
    assert '<pre class="code-block"><code id="client-secret">' in page
    assert secret.startswith("rfs_") and client_id.startswith("fhir_")
    assert secret not in added.headers.get("Set-Cookie", ""), "nor in a flash message"
    assert "Location" not in added.headers
    (client,) = named(network, "Page Clinic EHR")
    assert client.client_id == client_id
    assert client.scopes == "system/Condition.read system/Patient.read system/Task.write"
    with network.app.app_context():
        client = find_client(client_id)
        assert client.organization.key == "clinic-a"
        assert client.creator.username == "root", "who added it is kept"
    for later in (LIST, f"{LIST}/{client_id}"):
        assert secret not in root.get(later).get_data(as_text=True), "shown only once"
    details = root.get(f"{LIST}/{client_id}").get_data(as_text=True)
    assert "by Root" in details


def test_a_client_added_on_the_page_gets_a_token_with_the_shown_id_and_secret(network, root):
    added = post(root, LIST, name="Token EHR", organization="*", scope="system/Patient.read")
    page = added.get_data(as_text=True)
    client_id, secret = shown(page, "client-id"), shown(page, "client-secret")
    answer = token(network.app.test_client(), client_id, secret)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["scope"] == "system/Patient.read"
    assert token(network.app.test_client(), client_id, secret + "x").status_code == 401


def test_every_problem_of_a_new_client_is_shown_by_its_field_and_nothing_is_saved(network, root):
    refused = post(
        root,
        LIST,
        name="  ",
        organization="",
        scope=["system/Task.write"],
        scopes="user/Patient.read system/Dragon.read junk",
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "The client was not added. Please fix:" in page
    assert 'id="name-error">Give the client a name people will recognise.' in page
    assert re.search(
        r'id="organization-error">Choose the organization[^<]*whole installation', page
    )
    errors = re.search(r'<ul class="field-error" id="scopes-error">(.*?)</ul>', page, re.S)[1]
    for bad in ("user/Patient.read:", "system/Dragon.read:", "junk:"):
        assert bad in errors
    assert "system/Task.write:" not in errors
    for field in ("name", "organization"):
        assert f'aria-invalid="true" aria-describedby="{field}-error' in page
    assert 'aria-describedby="scopes-error client-scopes-hint"' in page
    assert 'value="user/Patient.read system/Dragon.read junk"' in page, "what was typed is kept"
    assert re.search(r'value="system/Task.write"[^>]*checked', page), "ticks are kept"
    assert not re.search(r'value="system/Patient.read"[^>]*checked', page)
    assert not named(network, "  ") and not named(network, "")


def test_a_client_with_no_scopes_is_refused(network, root):
    refused = post(root, LIST, name="No Scopes EHR", organization="clinic-a")
    assert refused.status_code == 400
    assert 'id="scopes-error">No scopes given: name at least one' in refused.text
    assert not named(network, "No Scopes EHR")


def test_an_organization_admin_manages_only_their_organizations_clients(network, amy):
    ours = registered(network, "Clinic A Own EHR", org_key="clinic-a")
    theirs = registered(network, "Clinic B Own EHR", org_key="clinic-b")
    everywhere = registered(network, "Network Warehouse", "system/*.read")
    page = amy.get(LIST).get_data(as_text=True)
    assert "Clinic A Own EHR" in page
    assert "Clinic B Own EHR" not in page and "Network Warehouse" not in page
    assert '<option value="clinic-a" selected>Clinic A</option>' in page, "their one organization"
    assert 'value="clinic-b"' not in page and 'value="*"' not in page
    assert "sees every patient of every organization" not in page
    assert amy.get(f"{LIST}/{ours}").status_code == 200
    for other in (theirs, everywhere):
        assert amy.get(f"{LIST}/{other}").status_code == 404
        revoke = post(amy, f"{LIST}/{other}/revoke", confirmed="1")
        assert revoke.status_code == 404 and saved(network, other).active


def test_an_organization_admin_cannot_add_installation_wide_or_other_organizations_clients(
    network, amy
):
    everywhere = post(
        amy, LIST, name="Amy Warehouse", organization="*", scope="system/Patient.read"
    )
    assert everywhere.status_code == 400
    assert "Only the installation&#39;s administrators add clients that see every patient." in (
        everywhere.text
    )
    other = post(amy, LIST, name="Amy B EHR", organization="clinic-b", scope="system/Patient.read")
    assert other.status_code == 400 and "Choose one of the organizations offered." in other.text
    assert not named(network, "Amy Warehouse") and not named(network, "Amy B EHR")
    added = post(amy, LIST, name="Amy EHR", organization="clinic-a", scope="system/Patient.read")
    assert added.status_code == 200 and "it is not shown again" in added.text
    (client,) = named(network, "Amy EHR")
    with network.app.app_context():
        assert find_client(client.client_id).organization.key == "clinic-a"


def test_the_forms_need_their_csrf_token(network, root):
    made = root.post(LIST, data={"name": "No Token EHR", "organization": "*", "scope": SCOPES})
    assert made.status_code == 400 and "CSRF token is missing" in made.text
    assert not named(network, "No Token EHR")
    client_id = registered(network, "Kept EHR")
    path = f"{LIST}/{client_id}/revoke"
    refused = root.post(path, data={"confirmed": "1", "csrf_token": "forged"})
    assert refused.status_code == 400 and "CSRF token is invalid" in refused.text
    assert saved(network, client_id).active


def test_revoking_asks_first_then_its_tokens_stop_working(network, root):
    client_id, secret = registered_with_secret(network, "Revoked EHR", "clinic-a")
    web = network.app.test_client()
    bearer = token(web, client_id, secret).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {bearer}"}
    assert web.get("/fhir/Patient", headers=headers).status_code == 200
    page = f"{LIST}/{client_id}"
    assert '<button type="submit" class="secondary">Revoke…</button>' in root.get(page).text
    asked = post(root, f"{page}/revoke", page)
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert '<h2 id="confirm-title">Revoke Revoked EHR?</h2>' in text
    assert "its 1 live token(s) stop working at once" in text
    assert '<input type="hidden" name="confirmed" value="1">' in text
    assert saved(network, client_id).active, "nothing happens until it is confirmed"
    assert web.get("/fhir/Patient", headers=headers).status_code == 200
    done = post(root, f"{page}/revoke", page, confirmed="1")
    assert done.status_code == 302 and done.headers["Location"] == page
    after = root.get(page).get_data(as_text=True)
    assert "Revoked Revoked EHR: 1 token(s) stopped working." in after
    assert "Revoke…" not in after and "<dt>State</dt><dd>revoked</dd>" in after
    assert not saved(network, client_id).active
    assert web.get("/fhir/Patient", headers=headers).status_code == 401
    assert token(web, client_id, secret).status_code == 401
    assert row_of(root.get(LIST).text, "Revoked EHR")[3] == "revoked"


def test_sending_the_same_form_again_adds_no_second_client(network, root):
    form = root.get(LIST).get_data(as_text=True)
    once = re.search(r'name="once" value="([^"]+)"', form).group(1)
    first = post(
        root,
        LIST,
        name="Twice EHR",
        organization="clinic-a",
        scope="system/Patient.read",
        once=once,
    )
    assert first.status_code == 200
    again = post(
        root,
        LIST,
        name="Twice EHR",
        organization="clinic-a",
        scope="system/Patient.read",
        once=once,
    )
    assert again.status_code == 302
    assert len(named(network, "Twice EHR")) == 1
    assert "already added" in root.get(LIST).get_data(as_text=True)

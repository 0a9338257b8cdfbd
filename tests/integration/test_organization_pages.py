"""The organizations pages: the installation's admins add and edit organizations, their claimed
directory listings and their members; an organization's own admins manage its members only."""

import re

import pytest
from sqlalchemy import select, update

from referral.directory.models import Organization, Service
from referral.errors import Conflict
from referral.extensions import db
from referral.network.models import NetworkOrganization
from referral.network.operations import (
    create_organization,
    edit_organization,
    find_organization,
    organization_version,
)
from tests.conftest import csrf_token, sign_in

LIST = "/admin/organizations"


def browser(network, username: str):
    """A test client signed in as `username`."""
    client = network.app.test_client()
    sign_in(client, username)
    return client


@pytest.fixture
def root(network):
    return browser(network, "root")


@pytest.fixture
def amy(network):
    """Clinic A's admin (not an admin of the installation)."""
    return browser(network, "amy")


def organization(network, key: str, kind: str = "receiving", name: str = "") -> str:
    """An organization made for one test; returns its page's path."""
    with network.app.app_context():
        create_organization(key, name or key.replace("-", " ").title(), kind)
        db.session.commit()
    return f"{LIST}/{key}"


def post(client, path: str, page: str, **data):
    """Post a form as the page `page` would, with its CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def version_of(client, page: str) -> str:
    """The version the details form of an organization's page carries."""
    html = client.get(page).get_data(as_text=True)
    return re.search(r'name="version" value="([0-9a-f]+)"', html).group(1)


def unclaimed_listing(network) -> tuple[str, str]:
    """The id and name of a directory organization no one claims yet."""
    with network.app.app_context():
        from referral.network.models import Claim

        taken = select(Claim.directory_organization_id).where(
            Claim.directory_organization_id.is_not(None)
        )
        query = select(Organization.id, Organization.name).where(Organization.id.not_in(taken))
        return tuple(db.session.execute(query.order_by(Organization.name)).first())


def test_the_organizations_list_is_for_the_installations_admins_only(network, root, amy):
    anonymous = network.app.test_client().get(LIST)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert browser(network, "ann").get(LIST).status_code == 403
    assert amy.get(LIST).status_code == 403
    assert 'href="/admin/organizations"' not in amy.get("/admin/users").get_data(as_text=True)
    page = root.get(LIST).get_data(as_text=True)
    assert 'href="/admin/organizations" aria-current="page">Organizations' in page
    row = re.search(
        r"<tr[^>]*>\s*<td><a href=\"/admin/organizations/food-bank\">.*?</tr>", page, re.S
    )
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    assert cells[1:] == [
        "<code>food-bank</code>",
        "receiving",
        "intake@food.example",
        "on",
        "1",
        "1",
        "active",
    ]


def test_an_admin_adds_an_organization_and_lands_on_its_page(network, root):
    added = post(root, LIST, LIST, key="east-pantry", name="East Pantry", kind="receiving")
    assert added.status_code == 302 and added.headers["Location"] == f"{LIST}/east-pantry"
    page = root.get(added.headers["Location"]).get_data(as_text=True)
    assert "Added East Pantry." in page and "<h1>East Pantry <small>east-pantry · receiving" in page
    assert 'href="/admin/organizations/east-pantry">East Pantry</a>' in root.get(LIST).text


def test_every_problem_of_a_new_organization_is_shown_by_its_field(network, root):
    refused = post(root, LIST, LIST, key="Food Bank!", name=" ", kind="shop", email="intake@")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    for field, words in [
        ("key", "lower-case letters, digits and hyphens"),
        ("name", "An organization needs a name."),
        ("kind", "Choose whether it is referring, receiving or both."),
        ("email", "is not an email address; give one such as intake@clinic.org."),
    ]:
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(words)}', page), field
        assert f'aria-describedby="{field}-error' in page
    assert 'value="Food Bank!"' in page, "what was typed is kept"
    with network.app.app_context():
        assert find_organization("food bank!") is None


def test_a_duplicate_key_is_refused_saying_so(network, root):
    refused = post(root, LIST, LIST, key="clinic-a", name="Another clinic", kind="referring")
    assert refused.status_code == 400
    assert "There is already an organization with the key &#39;clinic-a&#39;" in refused.text
    with network.app.app_context():
        assert find_organization("clinic-a").name == "Clinic A"


def test_the_details_are_saved_and_a_stale_form_shows_the_current_version(network, root):
    page = organization(network, "west-shelter", name="West Shelter")
    seen = version_of(root, page)
    saved = post(
        root,
        page,
        page,
        version=seen,
        name="West Family Shelter",
        kind="both",
        email="beds@west.example",
        active="1",
    )
    assert saved.status_code == 302
    shown = root.get(page).get_data(as_text=True)
    assert "Saved the details of West Family Shelter." in shown
    with network.app.app_context():
        found = find_organization("west-shelter")
        assert (found.name, found.kind, found.email) == (
            "West Family Shelter",
            "both",
            "beds@west.example",
        )
        assert found.active and not found.link_enabled, "an unticked box turns links off"
    stale = post(root, page, page, version=seen, name="West Shelter", kind="both", active="1")
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "Someone else changed this organization while you were editing it" in text
    assert 'value="West Family Shelter"' in text, "the form shows the current version"
    assert "<li>Name: West Shelter</li>" in text and "<li>Email: (empty)</li>" in text
    with network.app.app_context():
        assert find_organization("west-shelter").name == "West Family Shelter"


def test_a_bad_email_on_the_details_is_shown_and_nothing_is_saved(network, root):
    page = organization(network, "north-clinic", "referring")
    refused = post(
        root, page, page, version=version_of(root, page), name="", kind="referring", email="a b"
    )
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert 'id="email-error">&#39;a b&#39; is not an email address' in text
    assert 'id="name-error">An organization needs a name.' in text
    with network.app.app_context():
        assert find_organization("north-clinic").name == "North Clinic"


def test_an_organization_with_claims_staff_and_referrals_cannot_stop_receiving(referred, root):
    page = f"{LIST}/food-bank"
    refused = post(
        root,
        page,
        page,
        version=version_of(root, page),
        name="Food Bank",
        kind="referring",
        email="intake@food.example",
        links="1",
        active="1",
    )
    assert refused.status_code == 400
    assert (
        "Food Bank still answers for 1 directory listing(s) and has receiving staff and has 2 "
        "open referral(s) in its inbox." in refused.text
    )
    with referred.app.app_context():
        assert find_organization("food-bank").kind == "receiving"


def test_directory_organizations_are_found_by_name_claimed_and_unclaimed(network, root):
    page = organization(network, "south-pantry")
    listing, name = unclaimed_listing(network)
    word = name.split()[0]
    found = root.get(f"{page}?find={word}").get_data(as_text=True)
    assert f"<strong>{name}</strong>" in found and f'aria-label="Claim {name}"' in found
    claimed = post(root, f"{page}/claims", page, listing=listing, find=word)
    assert claimed.status_code == 302
    assert claimed.headers["Location"] == f"{page}?find={word}#claims"
    shown = root.get(claimed.headers["Location"]).get_data(as_text=True)
    assert f"South Pantry now answers for {name}." in shown
    assert "claimed by South Pantry</span>" in shown and f"<code>{listing}</code>" in shown
    with network.app.app_context():
        claim_id = find_organization("south-pantry").claims[0].id
    removed = post(root, f"{page}/claims/{claim_id}/remove", page)
    assert removed.status_code == 302
    assert f"South Pantry no longer answers for {name}." in root.get(page).text
    with network.app.app_context():
        assert find_organization("south-pantry").claims == []


def test_a_service_is_claimed_by_id_and_bad_or_taken_ids_are_refused(network, root):
    page = organization(network, "meal-program")
    with network.app.app_context():
        taken = find_organization("food-bank").claims[0].directory_organization_id
        service = db.session.scalars(
            select(Service).where(Service.organization_id != taken).order_by(Service.id.desc())
        ).first()
        service_id, service_name = service.id, service.name
    claimed = post(root, f"{page}/claims", page, listing=service_id)
    assert claimed.status_code == 302
    assert f"<td>{service_name} (" in root.get(page).text
    for listing, words in [
        ("no-such-listing", "There is no directory organization or service with the id"),
        (taken, "is already claimed by Food Bank"),
        ("", "Give the id of a directory organization or service."),
    ]:
        refused = post(root, f"{page}/claims", page, listing=listing)
        assert refused.status_code == 400 and words in refused.text, listing
        assert 'id="claim-error"' in refused.text


def test_a_referring_organization_has_no_claims_to_make(network, root):
    page = f"{LIST}/clinic-b"
    assert 'id="claims"' not in root.get(page).text
    listing, _ = unclaimed_listing(network)
    refused = post(root, f"{page}/claims", page, listing=listing)
    assert refused.status_code == 400 and "Clinic B does not receive referrals" in refused.text


def test_members_are_added_given_another_role_and_removed(network, root):
    page = organization(network, "eastside-clinic", "both")
    added = post(root, f"{page}/members", page, username="ben", role="case_manager")
    assert added.status_code == 302 and added.headers["Location"] == f"{page}#members"
    shown = root.get(page).get_data(as_text=True)
    assert "ben joined as case manager." in shown and "<td>ben</td>" in shown
    with network.app.app_context():
        from referral.auth.operations import find_user

        ben = find_user("ben").id
    changed = post(root, f"{page}/members/{ben}", page, role="receiver")
    assert changed.status_code == 302
    assert "ben is now receiving staff (answers referrals)." in root.get(page).text
    with network.app.app_context():
        assert find_user("ben").role_in(find_organization("eastside-clinic").id) == "receiver"
    removed = post(root, f"{page}/members/{ben}/remove", page)
    assert removed.status_code == 302
    assert "ben is no longer a member of Eastside Clinic." in root.get(page).text
    with network.app.app_context():
        assert [m.organization.key for m in find_user("ben").memberships] == ["clinic-b"]


def test_adding_a_member_names_what_is_wrong(network, root):
    page = f"{LIST}/clinic-b"
    for data, field, words in [
        ({"username": "nobody", "role": "staff"}, "username", "There is no account named"),
        ({"username": "ben", "role": "staff"}, "username", "ben is already a member"),
        ({"username": "hal", "role": "receiver"}, "role", "does not receive referrals"),
        ({"username": "hal", "role": "boss"}, "role", "Unknown role"),
    ]:
        refused = post(root, f"{page}/members", page, **data)
        assert refused.status_code == 400, data
        assert re.search(rf'id="{field}-error">[^<]*{words}', refused.text), data


def test_an_organization_admin_manages_only_their_own_organizations_members(network, amy):
    page = f"{LIST}/clinic-a"
    shown = amy.get(page).get_data(as_text=True)
    assert shown.count("<td>ann</td>") == 1 and 'name="version"' not in shown
    assert 'id="find"' not in shown and 'name="listing"' not in shown
    assert f'action="{page}/members"' in shown
    amy_id, hal_id = user_ids(network, "amy", "hal")
    added = post(amy, f"{page}/members", page, username="hal", role="case_manager")
    assert added.status_code == 302
    assert post(amy, f"{page}/members/{hal_id}", page, role="staff").status_code == 302
    assert post(amy, f"{page}/members/{hal_id}/remove", page).status_code == 302
    own = post(amy, f"{page}/members/{amy_id}/remove", page)
    assert own.status_code == 400 and "You cannot change your own membership" in own.text
    demoted = post(amy, f"{page}/members/{amy_id}", page, role="staff")
    assert demoted.status_code == 400
    details = {"version": "x", "name": "Mine now", "kind": "both"}
    assert post(amy, page, page, **details).status_code == 403
    assert post(amy, f"{page}/claims", page, listing="x").status_code == 403
    assert amy.get(f"{LIST}/clinic-b").status_code == 403
    other = post(amy, f"{LIST}/clinic-b/members", page, username="amy", role="staff")
    assert other.status_code == 403
    assert post(amy, LIST, page, key="amy-org", name="Amy's", kind="both").status_code == 403
    with network.app.app_context():
        assert find_organization("amy-org") is None
        assert find_organization("clinic-a").name == "Clinic A"


def user_ids(network, *usernames: str) -> list[int]:
    """The ids of some users, by username."""
    from referral.auth.operations import find_user

    with network.app.app_context():
        return [find_user(name).id for name in usernames]


def test_the_accounts_page_links_an_organization_admin_to_their_organization(network, amy):
    page = amy.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/organizations/clinic-a">Clinic A</a>' in page


def test_care_team_members_and_strangers_never_reach_an_organizations_page(network):
    page = f"{LIST}/clinic-a"
    anonymous = network.app.test_client().get(page)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for username in ("ann", "fay", "sam"):
        client = browser(network, username)
        assert client.get(page).status_code == 403, username
        token = csrf_token(client, "/account")
        added = client.post(
            f"{page}/members", data={"csrf_token": token, "username": "ben", "role": "admin"}
        )
        assert added.status_code == 403, username


def test_an_unknown_organization_answers_404_and_a_form_without_its_token_is_refused(network, root):
    assert root.get(f"{LIST}/no-such-org").status_code == 404
    refused = root.post(LIST, data={"key": "no-token", "name": "No token", "kind": "both"})
    assert refused.status_code == 400 and "CSRF token is missing" in refused.text
    with network.app.app_context():
        assert find_organization("no-token") is None


def test_an_edit_saved_by_someone_else_while_this_one_is_saved_is_not_overwritten(network):
    """Two admins save at once: the one whose read came before the other's save is refused."""
    organization(network, "twin-shelter")
    with network.app.app_context():
        found = find_organization("twin-shelter")
        seen = organization_version(found)
        with db.engine.begin() as other:
            other.execute(
                update(NetworkOrganization)
                .where(NetworkOrganization.key == "twin-shelter")
                .values(email="beds@twin.example")
            )
        with pytest.raises(Conflict):
            edit_organization(found, seen, name="Twin Shelter East", email="")
        db.session.rollback()
        assert find_organization("twin-shelter").email == "beds@twin.example"

"""The curators' workspace pages: edit with history, verify, duplicates, flags, update requests."""

import re

import pytest
from sqlalchemy import select

from referral.directory.models import Location, Service, ServiceAtLocation
from referral.extensions import db
from tests.conftest import add_user, csrf_token, load_directory, sign_in


@pytest.fixture
def cora(app, client):
    """A curator signed in to a browser session, on the bundled directory."""
    load_directory(app)
    add_user(app, "cora", "curator")
    sign_in(client, "cora")
    return client


def ids(app, model, count=2):
    with app.app_context():
        return list(db.session.scalars(select(model.id).order_by(model.id).limit(count)))


def form_of(client, path: str) -> dict:
    """The text fields a page's edit form would post as they are."""
    html = client.get(path).get_data(as_text=True)
    form = html.split('class="panel edit-form"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    fields |= {
        name: value.strip()
        for name, value in re.findall(
            r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
        )
    }
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'value="([^"]*)" selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    radio = re.search(r'name="needs_mode" value="([^"]+)" checked', form)
    if radio:
        fields["needs_mode"] = radio.group(1)
    fields["csrf_token"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    return fields


def test_the_workspace_is_for_curators_and_admins(app, client, cora):
    assert "Keep the directory true" in cora.get("/curation").get_data(as_text=True)
    add_user(app, "maria", "case_manager")
    other = app.test_client()
    sign_in(other, "maria")
    assert other.get("/curation").status_code == 403
    assert other.get(f"/curation/services/{ids(app, Service)[0]}").status_code == 403


def test_saving_the_form_unchanged_records_nothing(app, cora):
    service = ids(app, Service)[0]
    path = f"/curation/services/{service}"
    response = cora.post(path, data=form_of(cora, path), follow_redirects=True)
    assert "Saved (nothing changed)" in response.get_data(as_text=True)
    assert "No changes recorded yet" in response.get_data(as_text=True)


def test_an_edit_from_the_form_is_shown_in_the_history(app, cora):
    service = ids(app, Service)[0]
    path = f"/curation/services/{service}"
    data = form_of(cora, path) | {"wait_time": "About two weeks", "hours-0-0-opens": "09:00"}
    data["hours-0-0-closes"] = "17:00"
    page = cora.post(path, data=data, follow_redirects=True).get_data(as_text=True)
    assert "Saved (" in page and "wait time" in page and "About two weeks" in page
    assert 'value="09:00"' in page


def test_a_bad_form_shows_every_problem_and_saves_nothing(app, cora):
    service = ids(app, Service)[0]
    path = f"/curation/services/{service}"
    data = form_of(cora, path) | {"name": "", "phone-0-number": "12", "email": "not-an-email"}
    response = cora.post(path, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "fix the 3 field(s)" in page
    assert page.count('class="field-error"') >= 3


def test_an_address_change_moves_the_location_to_its_zip(app, cora):
    with app.app_context():
        location = db.session.scalar(
            select(Location.id).join(ServiceAtLocation).order_by(Location.id)
        )
    path = f"/curation/locations/{location}"
    data = form_of(cora, path) | {
        "address_1": "1 Public Square",
        "city": "Cleveland",
        "state_province": "OH",
        "postal_code": "44113",
    }
    data.pop("latitude", None), data.pop("longitude", None)
    page = cora.post(path, data=data, follow_redirects=True).get_data(as_text=True)
    assert "Saved (" in page
    with app.app_context():
        moved = db.session.get(Location, location)
        assert abs(moved.latitude - 41.48) < 0.1 and abs(moved.longitude + 81.69) < 0.1


def test_the_stale_queue_verifies_one_or_many(app, cora):
    page = cora.get("/curation/stale?days=0").get_data(as_text=True)
    assert "Not verified in 0 days" in page
    first, second = re.findall(r'name="service_id" value="([^"]+)" form="bulk"', page)[:2]
    token = csrf_token(cora, "/curation/stale?days=0")
    done = cora.post(
        "/curation/stale/verify",
        data={"csrf_token": token, "service_id": [first, second], "days": "0"},
        follow_redirects=True,
    )
    assert "Marked 2 service(s) verified today." in done.get_data(as_text=True)
    with app.app_context():
        assert all(db.session.get(Service, i).last_verified for i in (first, second))


def test_people_report_a_listing_and_curators_see_and_close_it(app, client, cora):
    service = ids(app, Service)[0]
    add_user(app, "frank", "staff")
    staff = app.test_client()
    sign_in(staff, "frank")
    page = staff.get(f"/services/{service}").get_data(as_text=True)
    assert "Something wrong here?" in page
    staff.post(
        f"/curation/report/{service}",
        data={
            "csrf_token": csrf_token(staff, f"/services/{service}"),
            "reason": "closed",
            "note": "Sign on the door",
        },
    )
    queue = cora.get("/curation/flags").get_data(as_text=True)
    assert "Closed, or no longer offers this" in queue and "Sign on the door" in queue
    flag_id = re.search(r'/curation/flags/(\d+)"', queue).group(1)
    cora.post(
        f"/curation/flags/{flag_id}",
        data={"csrf_token": csrf_token(cora, "/curation/flags"), "status": "dismissed"},
    )
    assert "No open flags" in cora.get("/curation/flags").get_data(as_text=True)


def test_compare_and_merge_from_the_pages(app, cora):
    keep, other = ids(app, Service)
    path = f"/curation/duplicates/compare?kind=service&left={keep}&right={other}"
    page = cora.get(path).get_data(as_text=True)
    assert "Keep this one" in page and "Merge" in page
    versions = dict(re.findall(r'name="version-([^"]+)" value="(\d+)"', page))
    done = cora.post(
        "/curation/duplicates/compare",
        data={
            "csrf_token": csrf_token(cora, path),
            "kind": "service",
            "left": keep,
            "right": other,
            "keep": "left",
            "decision": "merge",
            **{f"version-{k}": v for k, v in versions.items()},
        },
        follow_redirects=True,
    )
    assert "Merged." in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Service, other) is None


def test_the_duplicates_page_lists_pairs_to_compare(app, cora):
    page = cora.get("/curation/duplicates").get_data(as_text=True)
    assert "Likely duplicates" in page
    assert cora.get("/curation/duplicates?kind=organization").status_code == 200
    assert cora.get("/curation/duplicates?kind=planet").status_code == 400


def test_bad_compare_requests_are_refused_plainly(app, cora):
    keep, other = ids(app, Service)
    assert (
        cora.get(f"/curation/duplicates/compare?kind=planet&left={keep}&right={other}").status_code
        == 400
    )
    path = f"/curation/duplicates/compare?kind=service&left={keep}&right={other}"
    response = cora.post(
        "/curation/duplicates/compare",
        data={
            "csrf_token": csrf_token(cora, path),
            "kind": "service",
            "left": keep,
            "right": other,
            "decision": "merge",
            f"version-{keep}": "x",
        },
        follow_redirects=True,
    )
    assert "Give the versions of both records" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Service, other) is not None


def test_the_terms_page_finds_and_renames_a_term(app, cora):
    from referral.directory.models import TaxonomyTerm

    with app.app_context():
        term = db.session.scalars(select(TaxonomyTerm).order_by(TaxonomyTerm.id)).first()
        term_id, name = term.id, term.name
    page = cora.get(f"/curation/terms?q={name[:5]}").get_data(as_text=True)
    assert name in page and "service(s)" in page
    done = cora.post(
        "/curation/terms",
        data={
            "csrf_token": csrf_token(cora, "/curation/terms"),
            "term_id": term_id,
            "name": name + " and more",
            "code": term.code,
            "description": term.description,
        },
        follow_redirects=True,
    )
    assert "Saved (name changed)" in done.get_data(as_text=True)

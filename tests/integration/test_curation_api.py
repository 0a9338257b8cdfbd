"""The curation API: edit with locking and field history, verify, the stale, duplicates and flags
queues, merging, and update requests."""

import time

import pytest
from sqlalchemy import func, select

from referral.curation.models import ChangeRecord
from referral.directory.models import Service
from referral.extensions import db
from tests.conftest import load_directory
from tests.integration.test_patients_api import token_for


@pytest.fixture
def curator(app):
    load_directory(app)
    return token_for(app, "cora", "curator")


def first_service(app, offset=0):
    with app.app_context():
        return db.session.scalars(select(Service.id).order_by(Service.id).offset(offset)).first()


def read(client, headers, service_id):
    return client.get(f"/api/v1/services/{service_id}", headers=headers).get_json()


def patch(client, headers, service_id, **body):
    return client.patch(f"/api/v1/services/{service_id}", json=body, headers=headers)


def test_a_curator_reads_a_service_with_its_version_and_last_verification(app, client, curator):
    service = first_service(app)
    body = read(client, curator, service)
    assert body["id"] == service and body["version"] >= 1 and "last_verified" in body
    case_manager = token_for(app, "maria", "case_manager")
    assert client.get(f"/api/v1/services/{service}", headers=case_manager).status_code == 403
    assert client.get(f"/api/v1/services/{service}").status_code == 401


def test_an_edit_is_saved_recorded_field_by_field_and_searchable_at_once(app, client, curator):
    service = first_service(app)
    before = read(client, curator, service)
    started = time.perf_counter()
    response = patch(
        client,
        curator,
        service,
        name="Zebrafish Community Larder",
        phones=[{"number": "216-555-0188"}],
        version=before["version"],
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["name"] == "Zebrafish Community Larder" and body["version"] == before["version"] + 1
    assert body["service_at_locations"] == before["service_at_locations"], "places are kept"
    found = client.get("/api/v1/search?q=zebrafish larder").get_json()["results"]
    assert time.perf_counter() - started < 5 and found[0]["service_id"] == service
    history = client.get(f"/api/v1/services/{service}/history", headers=curator).get_json()
    fields = {h["field"]: h for h in history["results"]}
    assert fields["name"]["old"] == before["name"] and fields["name"]["new"] == body["name"]
    assert fields["name"]["by"] == "cora" and "(216) 555-0188" in fields["phones"]["new"]


def test_an_edited_service_is_listed_once_per_place_not_beside_its_old_documents(
    app, client, curator
):
    def places(service_id):
        results = client.get("/api/v1/search?category=food&limit=100").get_json()["results"]
        return [r["location_id"] for r in results if r["service_id"] == service_id]

    service = client.get("/api/v1/search?category=food").get_json()["results"][0]["service_id"]
    before = places(service)
    for alert in ("Closed Monday", "Closed Tuesday"):
        version = read(client, curator, service)["version"]
        assert patch(client, curator, service, alert=alert, version=version).status_code == 200
        assert places(service) == before


def test_a_stale_version_is_refused_with_409_and_changes_nothing(app, client, curator):
    service = first_service(app)
    version = read(client, curator, service)["version"]
    assert patch(client, curator, service, name="First", version=version).status_code == 200
    stale = patch(client, curator, service, name="Second", version=version)
    assert stale.status_code == 409 and stale.get_json()["error"]["field"] == "version"
    assert read(client, curator, service)["name"] == "First"
    assert patch(client, curator, service, name="Third").status_code == 400, "version required"


def test_an_edit_that_changes_nothing_keeps_the_version_and_records_nothing(app, client, curator):
    service = first_service(app)
    before = read(client, curator, service)
    same = patch(client, curator, service, name=before["name"], version=before["version"])
    assert same.status_code == 200 and same.get_json()["version"] == before["version"]
    history = client.get(f"/api/v1/services/{service}/history", headers=curator).get_json()
    assert history["results"] == []


def test_every_invalid_field_is_listed_and_nothing_changes(app, client, curator):
    service = first_service(app)
    before = read(client, curator, service)
    response = patch(
        client,
        curator,
        service,
        name="",
        phones=[{"number": "555"}],
        schedules=[{"byday": "XX", "opens_at": "9:00", "closes_at": "17:00"}],
        languages=["xyzzy"],
        version=before["version"],
    )
    problems = response.get_json()["error"]["problems"]
    assert response.status_code == 422
    assert {"name", "phones[0].number", "languages[0]"} <= set(problems)
    assert any(key.startswith("schedules[0]") for key in problems)
    after = read(client, curator, service)
    assert after["name"] == before["name"] and after["version"] == before["version"]


def test_verify_marks_today_without_other_changes_and_bulk_verify_is_all_or_nothing(
    app, client, curator
):
    service, other = first_service(app), first_service(app, 1)
    version = read(client, curator, service)["version"]
    verified = client.post(f"/api/v1/services/{service}/verify", headers=curator).get_json()
    assert verified["last_verified"] is not None and verified["version"] == version
    refused = client.post(
        "/api/v1/curation/verify", json={"service_ids": [other, "nope"]}, headers=curator
    )
    assert refused.status_code == 404
    assert read(client, curator, other)["last_verified"] != verified["last_verified"]
    stale = client.get("/api/v1/curation/stale?days=0&limit=1000", headers=curator).get_json()
    ids = [row["id"] for row in stale["results"]]
    assert service not in ids and other in ids


def test_the_stale_queue_puts_the_most_referred_first(app, client, curator):
    manager = token_for(app, "maria", "case_manager")
    from tests.integration.test_patients_api import ANA

    patient = client.post("/api/v1/patients", json=ANA, headers=manager).get_json()["id"]
    busy = first_service(app, 5)
    client.post(
        "/api/v1/referrals",
        json={"patient_id": patient, "service_id": busy, "need": "food", "consent": True},
        headers=manager,
    )
    stale = client.get("/api/v1/curation/stale?days=0", headers=curator).get_json()
    assert stale["results"][0]["id"] == busy and stale["results"][0]["referrals"] == 1


def test_people_report_problems_into_the_flag_queue_and_curators_close_them(app, client, curator):
    service = first_service(app)
    staff = token_for(app, "frank", "staff")
    reported = client.post(
        f"/api/v1/services/{service}/flags",
        json={"reason": "phone-disconnected", "note": "Number is out of service"},
        headers=staff,
    )
    assert reported.status_code == 201
    again = client.post(
        f"/api/v1/services/{service}/flags", json={"reason": "phone-disconnected"}, headers=staff
    ).get_json()
    assert again["id"] == reported.get_json()["id"] and len(again["evidence"]) == 2
    bad = client.post(f"/api/v1/services/{service}/flags", json={"reason": "ugly"}, headers=staff)
    assert bad.status_code == 400
    queue = client.get("/api/v1/curation/flags", headers=curator).get_json()["results"]
    assert [f["reason"] for f in queue] == ["phone-disconnected"]
    assert client.get("/api/v1/curation/flags", headers=staff).status_code == 403
    closed = client.post(
        f"/api/v1/curation/flags/{again['id']}",
        json={"status": "resolved", "note": "new number"},
        headers=curator,
    )
    assert closed.get_json()["status"] == "resolved"
    assert client.get("/api/v1/curation/flags", headers=curator).get_json()["results"] == []


def test_merging_keeps_referrals_and_history_with_the_kept_service(app, client, curator):
    keep, other = first_service(app), first_service(app, 1)
    manager = token_for(app, "maria", "case_manager")
    from tests.integration.test_patients_api import ANA

    patient = client.post("/api/v1/patients", json=ANA, headers=manager).get_json()["id"]
    referral = client.post(
        "/api/v1/referrals",
        json={"patient_id": patient, "service_id": other, "need": "food", "consent": True},
        headers=manager,
    ).get_json()
    other_doc = read(client, curator, other)
    patch(client, curator, other, alert="Closed Fridays", version=other_doc["version"])
    versions = [read(client, curator, keep)["version"], read(client, curator, other)["version"]]
    merged = client.post(
        "/api/v1/curation/duplicates/merge",
        json={"keep_id": keep, "other_id": other, "take": ["alert"], "versions": versions},
        headers=curator,
    )
    assert merged.status_code == 200, merged.get_json()
    assert client.get(f"/api/v1/services/{other}", headers=curator).status_code == 404
    moved = client.get(f"/api/v1/referrals/{referral['id']}", headers=manager).get_json()
    assert moved["service_id"] == keep
    history = client.get(f"/api/v1/services/{keep}/history", headers=curator).get_json()["results"]
    fields = [h["field"] for h in history]
    assert "merged_from" in fields and "alert" in fields
    assert any(h["resource_id"] == other for h in history), "the merged record's history stays"
    with app.app_context():
        assert db.session.get(Service, other) is None


def test_duplicates_are_listed_and_a_pair_judged_distinct_is_not_offered_again(
    app, client, curator
):
    with app.app_context():
        organization = db.session.scalar(
            select(Service.organization_id)
            .group_by(Service.organization_id)
            .having(func.count() > 1)
            .order_by(Service.organization_id)
        )
        keep, other = db.session.scalars(
            select(Service.id).where(Service.organization_id == organization).order_by(Service.id)
        ).all()[:2]
    twin = read(client, curator, keep)
    for service, name in ((keep, twin["name"]), (other, twin["name"] + ", Inc.")):
        version = read(client, curator, service)["version"]
        shared = [{"number": "216-555-0199"}]
        changed = patch(client, curator, service, name=name, phones=shared, version=version)
        assert changed.status_code == 200
    pairs = client.get("/api/v1/curation/duplicates", headers=curator).get_json()["results"]
    ours = [p for p in pairs if {p["left_id"], p["right_id"]} == {keep, other}]
    assert len(ours) == 1 and "phone" in ours[0]["matches"] and ours[0]["score"] >= 85
    dismissed = client.post("/api/v1/curation/duplicates/dismiss", json=ours[0], headers=curator)
    assert dismissed.status_code == 200
    again = client.get("/api/v1/curation/duplicates", headers=curator).get_json()["results"]
    assert not [p for p in again if {p["left_id"], p["right_id"]} == {keep, other}]


def test_an_update_request_is_approved_field_by_field(app, client, curator):
    from referral.curation.requests import request_token

    service = first_service(app)
    before = read(client, curator, service)
    token = request_token("test-secret", service)
    page = client.get(f"/curation/propose/{token}")
    assert page.status_code == 200 and before["name"] in page.get_data(as_text=True)
    from tests.conftest import csrf_token

    sent = client.post(
        f"/curation/propose/{token}",
        data={
            "csrf_token": csrf_token(client, f"/curation/propose/{token}"),
            "name": "Renamed By The Organization",
            "description": "New words",
            "submitted_by": "Pat at the pantry",
        },
    )
    assert sent.status_code == 200 and "Thank you" in sent.get_data(as_text=True)
    queue = client.get("/api/v1/curation/requests", headers=curator).get_json()["results"]
    assert set(queue[0]["proposed"]) == {"name", "description"}
    decided = client.post(
        f"/api/v1/curation/requests/{queue[0]['id']}",
        json={"decisions": {"name": "approve", "description": "reject"}},
        headers=curator,
    ).get_json()
    assert decided["status"] == "partly approved"
    after = read(client, curator, service)
    assert after["name"] == "Renamed By The Organization" and after["description"] != "New words"
    assert client.get("/curation/propose/forged-token").status_code == 410
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ChangeRecord)
                .where(ChangeRecord.action == "update-request")
            )
            == 1
        )


def test_changes_export_as_hsds_metadata_in_csv_and_json(app, client, curator, tmp_path):
    import csv
    import json

    service = first_service(app)
    version = read(client, curator, service)["version"]
    patch(client, curator, service, wait_time="Same day", version=version)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["export", str(tmp_path / "csv")]).exit_code == 0
    with open(tmp_path / "csv" / "metadata.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if r["field_name"] == "wait_time")
    assert row["resource_id"] == service and row["replacement_value"] == "Same day"
    assert row["updated_by"] == "cora" and row["last_action_type"] == "update"
    assert (
        runner.invoke(args=["export", str(tmp_path / "d.json"), "--format", "hsds-json"]).exit_code
        == 0
    )
    documents = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    edited = next(d for d in documents if d["id"] == service)
    assert [m["field_name"] for m in edited["metadata"]] == ["wait_time"]


def test_organizations_and_locations_are_edited_the_same_way(app, client, curator):
    from referral.directory.models import Location, Organization

    with app.app_context():
        organization = db.session.scalars(select(Organization.id).order_by(Organization.id)).first()
        location = db.session.scalars(select(Location.id).order_by(Location.id)).first()
    org = client.get(f"/api/v1/organizations/{organization}", headers=curator).get_json()
    changed = client.patch(
        f"/api/v1/organizations/{organization}",
        json={"website": "example.org", "year_incorporated": 1990, "version": org["version"]},
        headers=curator,
    )
    assert changed.status_code == 200 and changed.get_json()["website"] == "example.org"
    stale = client.patch(
        f"/api/v1/organizations/{organization}",
        json={"website": "other.org", "version": org["version"]},
        headers=curator,
    )
    assert stale.status_code == 409
    place = client.get(f"/api/v1/locations/{location}", headers=curator).get_json()
    address = {"address_1": "1 Public Square", "city": "Cleveland", "state_province": "OH"}
    moved = client.patch(
        f"/api/v1/locations/{location}",
        json={"addresses": [address | {"postal_code": "44113"}], "version": place["version"]},
        headers=curator,
    ).get_json()
    assert abs(moved["latitude"] - 41.48) < 0.1, "placed at its ZIP code without a geocoder"
    wrong = client.patch(
        f"/api/v1/locations/{location}",
        json={"addresses": [address | {"postal_code": "33101"}], "version": moved["version"]},
        headers=curator,
    )
    assert (
        wrong.status_code == 422
        and "addresses[0].postal_code" in wrong.get_json()["error"]["problems"]
    )
    history = client.get(f"/api/v1/locations/{location}/history", headers=curator).get_json()
    assert {"addresses", "latitude"} <= {h["field"] for h in history["results"]}


def test_a_renamed_taxonomy_term_changes_search_and_is_recorded(app, client, curator):
    from referral.directory.models import ServiceTaxonomy, TaxonomyTerm

    with app.app_context():
        term, service = db.session.execute(
            select(TaxonomyTerm.id, ServiceTaxonomy.service_id)
            .join(ServiceTaxonomy, ServiceTaxonomy.term_id == TaxonomyTerm.id)
            .order_by(TaxonomyTerm.id)
        ).first()
    renamed = client.patch(
        f"/api/v1/taxonomy_terms/{term}", json={"name": "Quokka Provisions"}, headers=curator
    )
    assert renamed.status_code == 200 and renamed.get_json()["changed"] == ["name"]
    found = client.get("/api/v1/search?q=quokka provisions").get_json()["results"]
    assert service in [r["service_id"] for r in found]
    blank = client.patch(f"/api/v1/taxonomy_terms/{term}", json={"name": " "}, headers=curator)
    assert blank.status_code == 422 and "name" in blank.get_json()["error"]["problems"]
    assert (
        client.patch("/api/v1/taxonomy_terms/nope", json={"name": "x"}, headers=curator).status_code
        == 404
    )
    with app.app_context():
        recorded = db.session.scalar(
            select(ChangeRecord).where(ChangeRecord.resource_type == "taxonomy_term")
        )
        assert recorded.replacement_value == "Quokka Provisions"

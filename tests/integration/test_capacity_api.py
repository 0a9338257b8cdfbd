"""PUT and GET /api/v1/services/{id}/capacity: who may set it, what is refused, the history it
leaves, and search results that carry it and rank by it within a second."""

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from referral.capacity.operations import clinic_today
from referral.directory.models import Service
from referral.extensions import db
from tests.conftest import load_directory
from tests.integration.test_patients_api import ANA, token_for

FOOD_NEAR = {"category": "food", "near": "44113", "limit": 100}


@pytest.fixture
def curator(app):
    load_directory(app)
    return token_for(app, "cora", "curator")


def put(client, headers, service_id, **body):
    return client.put(f"/api/v1/services/{service_id}/capacity", json=body, headers=headers)


def later(app, days=30) -> str:
    with app.app_context():
        return (clinic_today() + timedelta(days=days)).isoformat()


def found(client, **params):
    return client.get("/api/v1/search", query_string={**FOOD_NEAR, **params}).get_json()


def two_services(client):
    """The ids of the first two different services in the food results near 44113."""
    ids = list(dict.fromkeys(r["service_id"] for r in found(client)["results"]))
    return ids[0], ids[1]


def test_a_curator_sets_capacity_and_reads_it_back(app, client, curator):
    service = two_services(client)[0]
    until = later(app)
    response = put(client, curator, service, status="not-accepting", until=until, note="Full")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "not-accepting" and body["until"] == until
    assert body["note"] == "Full" and body["set_by"] == "cora" and "T" in body["set_at"]
    assert client.get(f"/api/v1/services/{service}/capacity", headers=curator).get_json() == body


def test_a_service_nobody_set_is_accepting(app, client, curator):
    service = two_services(client)[0]
    body = client.get(f"/api/v1/services/{service}/capacity", headers=curator).get_json()
    assert body == {
        "status": "accepting",
        "until": None,
        "note": "",
        "set_by": None,
        "set_at": None,
    }


def test_search_shows_it_within_a_second_and_ranks_it_below_a_comparable_accepting_one(
    app, client, curator
):
    first, second = two_services(client)
    total = found(client)["total"]
    until = later(app)
    started = time.perf_counter()
    assert put(client, curator, first, status="not-accepting", until=until).status_code == 200
    body = found(client)
    assert time.perf_counter() - started < 1.0
    order = [r["service_id"] for r in body["results"]]
    rows = [r for r in body["results"] if r["service_id"] == first]
    assert rows and all(r["capacity"] == {"status": "not-accepting", "until": until} for r in rows)
    assert body["total"] == total, "still findable"
    assert order.index(second) < order.index(first)


def test_a_waitlist_ranks_slightly_below_and_is_shown_as_such(app, client, curator):
    first, _ = two_services(client)
    before = next(r for r in found(client)["results"] if r["service_id"] == first)
    assert put(client, curator, first, status="waitlist").status_code == 200
    after = next(r for r in found(client)["results"] if r["service_id"] == first)
    assert after["capacity"] == {"status": "waitlist", "until": None}
    assert 0.85 * before["score"] <= after["score"] < before["score"]


def test_past_its_until_day_a_service_counts_as_accepting_again_without_any_job(
    app, client, curator
):
    from referral.search.engine import SearchRequest, search
    from referral.services import services

    first, _ = two_services(client)
    today = later(app, 0)
    assert put(client, curator, first, status="not-accepting", until=today).status_code == 200
    with app.app_context():
        request = SearchRequest(categories=("food",), limit=100)
        day_after = date.fromisoformat(today) + timedelta(days=1)
        results = search(services().index, request, now=_noon(day_after)).results
        theirs = [r for r in results if r.meta.service_id == first]
        assert theirs and all(r.capacity == {"status": "accepting", "until": None} for r in theirs)
        results = search(services().index, request, now=_noon(date.fromisoformat(today))).results
        assert {r.capacity["status"] for r in results if r.meta.service_id == first} == {
            "not-accepting"
        }


def _noon(day: date):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("America/New_York"))


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"status": "closed"}, "status", "accepting, waitlist, not-accepting"),
        ({"status": "waitlist", "until": "next week"}, "until", "YYYY-MM-DD"),
        ({"status": "not-accepting", "until": "2020-01-01"}, "until", "in the past"),
        ({"status": "accepting", "until": "2099-01-01"}, "until", "Leave until out"),
    ],
)
def test_a_bad_status_or_date_is_refused_with_400_naming_the_field(
    app, client, curator, body, field, words
):
    service = two_services(client)[0]
    response = put(client, curator, service, **body)
    error = response.get_json()["error"]
    assert response.status_code == 400 and error["field"] == field and words in error["message"]
    assert client.get(f"/api/v1/services/{service}/capacity", headers=curator).get_json()[
        "status"
    ] == ("accepting"), "nothing changed"


def test_a_body_that_is_not_an_object_is_refused(app, client, curator):
    service = two_services(client)[0]
    response = client.put(f"/api/v1/services/{service}/capacity", json=[1], headers=curator)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "body"


def test_an_unknown_service_is_404(app, client, curator):
    assert put(client, curator, "no-such-service", status="waitlist").status_code == 404
    assert client.get("/api/v1/services/no-such/capacity", headers=curator).status_code == 404


def test_only_curators_and_admins_set_it_for_now_anyone_signed_in_reads_it(app, client, curator):
    service = two_services(client)[0]
    manager = token_for(app, "maria", "case_manager")
    admin = token_for(app, "ada", "admin")
    refused = put(client, manager, service, status="waitlist")
    assert refused.status_code == 403 and "curator" in refused.get_json()["error"]["message"]
    assert put(client, admin, service, status="waitlist").status_code == 200
    assert client.get(f"/api/v1/services/{service}/capacity", headers=manager).status_code == 200
    assert put(client, {}, service, status="waitlist").status_code == 401
    assert client.get(f"/api/v1/services/{service}/capacity").status_code == 401


def test_each_change_is_in_the_services_field_history(app, client, curator):
    service = two_services(client)[0]
    until = later(app)
    put(client, curator, service, status="not-accepting", until=until, note="Full")
    put(client, curator, service, status="waitlist", note="Full")
    history = client.get(f"/api/v1/services/{service}/history", headers=curator).get_json()
    changes = [(h["field"], h["old"], h["new"]) for h in history["results"]]
    assert ("capacity.status", "not-accepting", "waitlist") in changes
    assert ("capacity.until", until, "") in changes
    assert ("capacity.status", "accepting", "not-accepting") in changes
    assert [c for c in changes if c[0] == "capacity.note"] == [("capacity.note", "", "Full")]
    assert {h["by"] for h in history["results"]} == {"cora"}


def test_capacity_stays_out_of_hsds_output_and_exports(app, client, curator):
    from referral.curation.operations import export_package

    service = two_services(client)[0]
    put(client, curator, service, status="not-accepting", note="Full")
    hsds = client.get(f"/hsds/services/{service}").get_data(as_text=True)
    assert "capacity" not in hsds and "not-accepting" not in hsds
    with app.app_context():
        package = export_package()
        assert package.metadata == [] or all(
            not m["field_name"].startswith("capacity") for m in package.metadata
        )


def test_capacity_survives_a_reimport_of_the_directory(app, client, curator):
    service = two_services(client)[0]
    put(client, curator, service, status="waitlist")
    load_directory(app)
    rows = [r for r in found(client)["results"] if r["service_id"] == service]
    assert rows and rows[0]["capacity"]["status"] == "waitlist"


def test_a_service_with_capacity_can_be_merged_away(app, client, curator):
    keep, other = two_services(client)
    put(client, curator, other, status="not-accepting")
    versions = []
    for service_id in (keep, other):
        versions.append(client.get(f"/api/v1/services/{service_id}", headers=curator).get_json())
    response = client.post(
        "/api/v1/curation/duplicates/merge",
        json={"keep_id": keep, "other_id": other, "versions": [v["version"] for v in versions]},
        headers=curator,
    )
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        assert db.session.get(Service, other) is None


def test_a_case_manager_may_still_refer_to_a_service_not_accepting(app, client, curator):
    service = two_services(client)[0]
    put(client, curator, service, status="not-accepting")
    manager = token_for(app, "maria", "case_manager")
    patient = client.post("/api/v1/patients", json=ANA, headers=manager).get_json()["id"]
    referral = {"patient_id": patient, "service_id": service, "need": "food", "consent": True}
    assert client.post("/api/v1/referrals", json=referral, headers=manager).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(Service.id).where(Service.id == service))

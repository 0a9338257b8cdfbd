"""The real Miami 211 package imported into the database and searched, on each backend."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from referral.directory import models as m
from referral.extensions import db
from tests.conftest import BACKENDS, MIAMI, dispose, load_directory, make_app

pytestmark = [
    pytest.mark.miami,
    pytest.mark.skipif(not MIAMI.is_dir(), reason="the Miami HSDS package is not in ../shared"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def miami_app(request, tmp_path_factory):
    app = make_app(request.param, tmp_path_factory.mktemp("miami"))
    report = load_directory(app, MIAMI)
    app.config["MIAMI_REPORT"] = report
    yield app
    dispose(app)


def test_at_least_99_percent_of_services_are_kept(miami_app):
    with miami_app.app_context():
        kept = db.session.scalar(select(func.count()).select_from(m.Service))
    assert kept >= 0.99 * 4089


def test_every_location_with_source_coordinates_keeps_them(miami_app):
    from tests.integration.test_miami_read import raw_rows

    source = {
        r["id"]: (float(r["latitude"]), float(r["longitude"]))
        for r in raw_rows("locations.csv")
        if r["latitude"].strip() and r["longitude"].strip()
    }
    with miami_app.app_context():
        stored = dict(
            db.session.execute(
                select(m.Location.id, m.Location.latitude).where(m.Location.latitude.is_not(None))
            ).all()
        )
        longitudes = dict(db.session.execute(select(m.Location.id, m.Location.longitude)).all())
    assert len(source) == 2260
    for location_id, (lat, lon) in source.items():
        assert stored.get(location_id) == pytest.approx(lat)
        assert longitudes[location_id] == pytest.approx(lon)


def test_services_without_their_organization_row_sit_under_rebuilt_ones(miami_app):
    with miami_app.app_context():
        rebuilt = db.session.scalar(
            select(func.count())
            .select_from(m.Service)
            .join(m.Organization)
            .where(m.Organization.rebuilt.is_(True))
        )
    assert rebuilt == 447


def test_hours_come_from_the_original_text_where_the_rows_disagree(miami_app):
    with miami_app.app_context():
        days = sorted(
            db.session.scalars(select(m.Schedule.weekday).where(m.Schedule.service_id == "164"))
        )
    assert days == [0, 1, 2, 3, 4, 5], "service 164's text says Mon-Fri 7-7 and Sat 8-5"


def test_food_pantry_near_a_miami_zip_finds_real_miami_food_services(miami_app):
    body = miami_app.test_client().get("/api/v1/search?q=food+pantry&near=33136").get_json()
    assert body["total"] > 10
    top = body["results"][:5]
    assert all("food" in r["categories"] for r in top)
    assert all(r["address"]["state_province"] == "FL" for r in top if r["address"])
    assert all(r["distance_miles"] <= 10 for r in top if r["distance_miles"] is not None)


def test_the_import_report_lists_warnings_but_no_errors(miami_app):
    report = miami_app.config["MIAMI_REPORT"]
    assert report.errors == []
    messages = {message for _, _, message, _ in report.warning_counts()}
    assert any("rebuilt" in message for message in messages)


def test_the_duplicates_queue_on_miami_is_short_and_free_of_programs_sharing_a_site(miami_app):
    """Miami names services by site ("SOUTH MIAMI HOSPITAL"); comparing the fuller place label
    keeps different programs at one site out of the queue, while real repeats stay in it."""
    from referral.curation.merging import duplicate_pairs, service_candidates

    with miami_app.app_context():
        pairs = duplicate_pairs("service", 500)
        names = {c.id: c.name for c in service_candidates()}
    assert 0 < len(pairs) < 40
    assert all(names[p.left_id] != "SOUTH MIAMI HOSPITAL" for p in pairs)

"""Curators teach search new words: roles, validation, and searches picking the change up."""

import re
import time

import pytest

from referral.curation import concepts as curation
from tests.conftest import add_user, csrf_token, load_directory, sign_in


@pytest.fixture
def curator(app, client):
    load_directory(app)
    add_user(app, "cora", "curator")
    sign_in(client, "cora")
    return client


@pytest.fixture(autouse=True)
def quick_refresh(monkeypatch):
    monkeypatch.setattr(curation, "REFRESH_SECONDS", 0.0)


def post_concept(client, path, **fields):
    data = {"csrf_token": csrf_token(client, path), **fields}
    return client.post(path, data=data)


def test_only_curators_and_admins_see_the_concepts(app, client):
    add_user(app, "maria", "case_manager")
    assert client.get("/curation/concepts").status_code == 302
    sign_in(client, "maria")
    assert client.get("/curation/concepts").status_code == 403


def test_the_list_shows_shipped_concepts_and_filters_by_phrase(curator):
    html = curator.get("/curation/concepts?filter=renta").get_data(as_text=True)
    assert ">rent<" in html and "shipped" in html
    assert "food-pantry" not in html


def test_a_new_concept_makes_new_words_find_services(app, curator):
    before = app.test_client().get("/api/v1/search?q=sopa+caliente&near=44113").get_json()
    assert not any("food" in r["categories"] for r in before["results"][:3])
    response = post_concept(
        curator,
        "/curation/concepts/new",
        concept_id="hot-soup",
        phrases="sopa caliente\nhot soup",
        terms="meals\nhot meals",
        needs="food",
        enabled="1",
    )
    assert response.status_code == 302
    after = app.test_client().get("/api/v1/search?q=sopa+caliente&near=44113").get_json()
    assert after["results"] and all("food" in r["categories"] for r in after["results"][:3])


def test_every_problem_is_listed_and_nothing_is_saved(app, curator):
    response = post_concept(
        curator, "/curation/concepts/new", concept_id="Bad Id!", phrases="", terms=""
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("id:", "phrases:", "terms:", "needs:"):
        assert field in html
    with app.app_context():
        assert curation.find_concept("Bad Id!") is None


def test_editing_a_shipped_concept_and_restoring_it(app, curator):
    page = curator.get("/curation/concepts/electric").get_data(as_text=True)
    assert "light bill" in page
    post_concept(
        curator,
        "/curation/concepts/electric",
        phrases="juice money\nlight bill",
        terms="electric service payment assistance",
        needs="utilities",
        enabled="1",
    )
    found = app.test_client().get("/api/v1/search?q=juice+money&near=44113").get_json()
    assert "utilities" in found["results"][0]["categories"]
    assert "edited" in curator.get("/curation/concepts?filter=juice").get_data(as_text=True)
    token = csrf_token(curator, "/curation/concepts/electric")
    curator.post("/curation/concepts/electric/restore", data={"csrf_token": token})
    assert "shipped" in curator.get("/curation/concepts?filter=electric").get_data(as_text=True)


def test_switching_a_concept_off_stops_it_naming_a_need(app, curator):
    post_concept(curator, "/curation/concepts/wic", phrases="wic", terms="wic", needs="food")
    post_concept(
        curator, "/curation/concepts/wic", phrases="wic", terms="wic", needs="food", enabled=""
    )
    html = curator.get("/curation/concepts?filter=wic").get_data(as_text=True)
    assert re.search(r"edited\s*\(off\)", html)


def test_the_cache_rereads_only_after_a_change(app, monkeypatch):
    monkeypatch.setattr(curation, "REFRESH_SECONDS", 60.0)
    with app.app_context():
        cache = curation.ConceptCache()
        first = cache.table()
        assert cache.table() is first
        cache._checked = time.monotonic() - 120
        assert cache.table() is first, "nothing changed, so the same table is kept"


def test_a_database_without_the_concepts_table_still_searches(app):
    from sqlalchemy import text

    from referral.extensions import db

    load_directory(app)
    with app.app_context():
        db.session.execute(text("DROP TABLE search_concepts"))
        db.session.commit()
    response = app.test_client().get("/api/v1/search?q=light+bill&near=44113")
    assert response.status_code == 200
    assert "utilities" in response.get_json()["results"][0]["categories"]
    with app.app_context():
        db.create_all()


def test_every_concept_edit_is_audited(app, curator):
    from sqlalchemy import select

    from referral.curation.models import ChangeRecord
    from referral.extensions import db

    post_concept(
        curator,
        "/curation/concepts/new",
        concept_id="water-shutoff",
        phrases="water shut off",
        terms="water bill",
        needs="utilities",
        enabled="1",
    )
    curator.post(
        "/curation/concepts/water-shutoff/restore",
        data={"csrf_token": csrf_token(curator, "/curation/concepts")},
    )
    with app.app_context():
        rows = db.session.execute(
            select(ChangeRecord.action, ChangeRecord.field_name, ChangeRecord.updated_by).where(
                ChangeRecord.resource_id == "water-shutoff"
            )
        ).all()
    assert ("create", "phrases", "cora") in rows and ("restore", "curator_version", "cora") in rows

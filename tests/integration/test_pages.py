"""The case manager's pages, rendered."""

import re

import pytest


@pytest.fixture
def web(bundled_app):
    return bundled_app.test_client()


def test_the_search_page_has_one_box_for_words_and_one_for_the_place(web):
    html = web.get("/").get_data(as_text=True)
    assert 'name="q"' in html and 'name="near"' in html and "autofocus" in html


def test_results_show_name_distance_address_phone_hours_and_languages(web):
    response = web.get("/?q=food+pantry&near=44113")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"\d+ results? within 10 mi of 44113", html)
    assert 'href="tel:' in html
    assert re.search(r"\d+\.\d mi", html)
    assert "Open now" in html or "Closed now" in html or "Hours unknown" in html
    assert 'class="langs"' in html


def test_a_bad_zip_shows_the_problem_on_the_page(web):
    response = web.get("/?q=food&near=1234")
    assert response.status_code == 400
    assert "5 digits" in response.get_data(as_text=True)


def test_nothing_found_offers_a_way_on(web):
    html = web.get("/?q=zzzqqxx&near=44113").get_data(as_text=True)
    assert "Nothing matched" in html and "wider area" in html


def test_the_place_is_remembered_for_the_next_search(web):
    web.get("/?q=food&near=44102")
    assert 'value="44102"' in web.get("/?q=shelter").get_data(as_text=True)


def test_the_details_page_shows_everything_about_one_service(web):
    body = web.get("/api/v1/search?q=food+pantry&near=44113").get_json()
    first = body["results"][0]
    response = web.get(f"/services/{first['service_id']}?location={first['location_id']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert first["service_name"] in html.replace("&#39;", "'").replace("&amp;", "&")
    assert "Hours" in html and "Contact" in html


def test_an_unknown_service_is_a_404_page(web):
    response = web.get("/services/nope")
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)


def test_pages_are_phone_friendly(web):
    html = web.get("/").get_data(as_text=True)
    assert 'name="viewport"' in html
    response = web.get("/static/app.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@media (max-width: 640px)" in css

"""GET /api/v1/search on the bundled directory, as the contract describes it."""

import pytest

from referral.search.geo import area_key, miles_between, parse_near

RESULT_KEYS = {
    "service_id",
    "service_name",
    "organization_name",
    "description",
    "location_id",
    "address",
    "latitude",
    "longitude",
    "distance_miles",
    "phones",
    "categories",
    "taxonomy",
    "languages",
    "open_now",
    "hours_today",
    "last_verified",
    "capacity",
    "score",
}


@pytest.fixture
def api(bundled_app):
    return bundled_app.test_client()


def search(api, **params):
    response = api.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_food_pantry_near_a_zip_finds_nearby_food_services(api):
    body = search(api, q="food pantry", near="44113")
    assert body["total"] > 0 and body["results"]
    assert body["near"]["label"] == "44113"
    top = body["results"][0]
    assert set(top) == RESULT_KEYS
    assert top["capacity"] == {"status": "accepting", "until": None}, "nothing set: accepting"
    assert "food" in top["categories"]
    assert all(r["distance_miles"] is None or r["distance_miles"] <= 10 for r in body["results"])


def serves(api, service_id, place):
    doc = api.get(f"/hsds/services/{service_id}").get_json()
    keys = set(place.area_keys())
    return any(
        area_key(a["extent_type"], a.get("extent", "")) in keys for a in doc["service_areas"]
    ) or any(set((a.get("extent", "")).split()) & {place.postal_code} for a in doc["service_areas"])


def test_every_result_lies_within_the_radius_or_serves_the_zip(api):
    body = search(api, q="help", near="44113", radius=3, limit=100)
    origin = parse_near("44113")
    beyond = 0
    for r in body["results"]:
        if r["distance_miles"] is None or r["distance_miles"] > 3:
            beyond += 1
            assert serves(api, r["service_id"], origin), f"{r['service_name']} is out of range"
        if r["latitude"] is not None and r["distance_miles"] is not None:
            actual = miles_between(
                (origin.latitude, origin.longitude), (r["latitude"], r["longitude"])
            )
            assert abs(actual - r["distance_miles"]) < 0.05
    assert beyond < len(body["results"])


def test_results_are_ordered_by_score(api):
    scores = [r["score"] for r in search(api, q="rent help", near="44102", limit=50)["results"]]
    assert scores == sorted(scores, reverse=True)


def test_a_category_alone_lists_services_meeting_that_need(api):
    body = search(api, category="transportation", near="44113", radius=25)
    assert body["total"] > 0
    assert all("transportation" in r["categories"] for r in body["results"])


def test_a_service_with_only_a_service_area_is_found_near_a_zip_it_serves(api):
    body = search(api, near="44113", radius=1, limit=100)
    area_only = [r for r in body["results"] if r["latitude"] is None]
    assert area_only, "county- or nation-wide services should appear near a ZIP they serve"


def test_language_filter_keeps_only_services_in_that_language(api):
    body = search(api, q="food", near="44113", radius=25, language="es", limit=100)
    assert body["results"]
    assert all("es" in r["languages"] for r in body["results"])


def test_open_at_a_given_time_keeps_only_services_open_then(api):
    body = search(api, near="44113", radius=25, at="2026-11-25T03:00", open_now=1, limit=100)
    assert body["results"], "overnight shelters and 24-hour lines are open at 3am"
    assert all(r["open_now"] is True for r in body["results"])


def test_paging_does_not_repeat_results(api):
    first = search(api, q="food", near="44113", radius=25, limit=5)
    second = search(api, q="food", near="44113", radius=25, limit=5, offset=5)
    assert first["total"] == second["total"] > 5
    listings = lambda body: {(r["service_id"], r["location_id"]) for r in body["results"]}  # noqa: E731
    assert not listings(first) & listings(second)


def test_without_near_there_is_no_distance(api):
    body = search(api, q="shelter")
    assert body["near"] is None and body["results"]
    assert all(r["distance_miles"] is None for r in body["results"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "food", "near": "123"}, "near"),
        ({"q": "food", "near": "00000"}, "near"),
        ({"q": "food", "near": "44113", "radius": "500"}, "radius"),
        ({"q": "food", "near": "44113", "radius": "0.01"}, "radius"),
        ({"category": "spaceships"}, "category"),
        ({"q": "food", "limit": "1000"}, "limit"),
        ({"q": "food", "at": "noonish"}, "at"),
        ({"q": "food", "near": "221B Baker Street"}, "near"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(api, params, field):
    response = api.get("/api/v1/search", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field and error["message"] and error["code"]


@pytest.mark.parametrize(
    "q", ['"unbalanced', "AND OR NOT", "*", "food)(", "ñandú comida", "%00", "a" * 400, "ｆｏｏｄ"]
)
def test_odd_search_text_never_breaks_the_search(api, q):
    response = api.get("/api/v1/search", query_string={"q": q, "near": "44113"})
    assert response.status_code == 200


def test_a_closed_directory_needs_credentials(bundled_app):
    bundled_app.config["REFERRAL"]["PUBLIC_DIRECTORY"] = False
    try:
        response = bundled_app.test_client().get("/api/v1/search?q=food")
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    finally:
        bundled_app.config["REFERRAL"]["PUBLIC_DIRECTORY"] = True


def test_every_result_has_a_phone_to_call_falling_back_to_the_organization(api):
    body = search(api, q="food pantry", near="44113", radius=25, limit=50)
    assert body["results"] and all(r["phones"] for r in body["results"])


def test_words_that_carry_no_meaning_browse_near_the_place_instead_of_failing(api):
    body = search(api, q="the a of", near="44113", radius=5)
    assert body["total"] > 0

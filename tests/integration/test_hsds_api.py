"""The HSDS API 3.0 read endpoints under /hsds."""

import pytest

PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


@pytest.fixture
def api(bundled_app):
    return bundled_app.test_client()


def get(api, path, **params):
    response = api.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def test_root_names_the_version_and_openapi_document(api):
    body = get(api, "/hsds/")
    assert body["version"] == "3.0" and body["openapi_url"].endswith("openapi.json")


def test_services_come_in_a_page_object(api):
    body = get(api, "/hsds/services", per_page=10)
    assert set(body) == PAGE_KEYS
    assert body["size"] == 10 and body["first_page"] and not body["last_page"]
    assert body["total_pages"] == -(-body["total_items"] // 10)


def test_last_page_and_empty_page(api):
    total = get(api, "/hsds/services", per_page=1)["total_items"]
    last = get(api, "/hsds/services", per_page=100, page=-(-total // 100))
    assert last["last_page"] and not last["empty"]
    beyond = get(api, "/hsds/services", per_page=100, page=999)
    assert beyond["empty"] and beyond["contents"] == []


def test_a_service_document_is_fully_nested(api):
    first = get(api, "/hsds/services", per_page=1, minimal="true")["contents"][0]
    doc = get(api, f"/hsds/services/{first['id']}")
    assert doc["id"] == first["id"] and doc["organization"]["id"] == first["organization_id"]
    assert "service_at_locations" in doc and "phones" in doc and "schedules" in doc


def test_an_unknown_service_is_a_json_404(api):
    response = api.get("/hsds/services/no-such-service")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_filters_combine_with_and(api):
    terms = get(api, "/hsds/taxonomy_terms", search="Pantry")["contents"]
    assert terms
    term_id = terms[0]["id"]
    by_term = get(api, "/hsds/services", taxonomy_term_id=term_id, per_page=100)
    assert by_term["total_items"] > 0
    org = by_term["contents"][0]["organization"]["id"]
    both = get(api, "/hsds/services", taxonomy_term_id=term_id, organization_id=org, per_page=100)
    assert 0 < both["total_items"] <= by_term["total_items"]
    assert all(s["organization"]["id"] == org for s in both["contents"])


def test_search_filters_services_by_text(api):
    body = get(api, "/hsds/services", search="shelter", minimal="true", per_page=100)
    assert body["total_items"] > 0
    assert all(
        "shelter" in (s["name"] + (s["description"] or "")).lower() for s in body["contents"]
    )


def test_service_at_locations_near_a_postcode_by_proximity(api):
    near = get(api, "/hsds/service_at_locations", postcode="44113", proximity=3000, per_page=100)
    wide = get(api, "/hsds/service_at_locations", postcode="44113", proximity=30000, per_page=100)
    assert 0 < near["total_items"] < wide["total_items"]
    assert {"id", "service_id", "location_id", "service", "location"} <= set(near["contents"][0])


def test_service_at_locations_by_postcode_alone_uses_service_areas(api):
    body = get(api, "/hsds/service_at_locations", postcode="44113", per_page=100)
    assert body["total_items"] > 0


def test_organizations_and_one_organization(api):
    page = get(api, "/hsds/organizations", per_page=5)
    assert page["size"] == 5
    org = get(api, f"/hsds/organizations/{page['contents'][0]['id']}")
    assert org["id"] == page["contents"][0]["id"]


def test_taxonomies_and_terms(api):
    taxonomies = get(api, "/hsds/taxonomies")
    assert taxonomies["total_items"] >= 1
    top = get(api, "/hsds/taxonomy_terms", top_only="true", per_page=100)
    assert top["total_items"] >= 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"per_page": "5000"}, "per_page"),
        ({"modified_after": "yesterday"}, "modified_after"),
    ],
)
def test_bad_paging_and_filters_answer_400(api, params, field):
    response = api.get("/hsds/services", query_string=params)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == field


def test_bad_postcode_and_proximity_answer_400(api):
    assert api.get("/hsds/service_at_locations?postcode=12").status_code == 400
    assert api.get("/hsds/service_at_locations?postcode=44113&proximity=far").status_code == 400
    assert api.get("/hsds/service_at_locations?proximity=100").status_code == 400

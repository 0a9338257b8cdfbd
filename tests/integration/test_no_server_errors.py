"""No input makes the app answer 500: odd values for every parameter of every endpoint."""

import pytest

ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "1e309",
    "nan",
    "inf",
    "%",
    "%00",
    "'; drop table services;--",
    "é" * 3,
    "x" * 3000,
    "[]",
    "{}",
    "1,2,3",
    "99999",
    "0,0",
    "-91,200",
    "true",
    "<script>",
]

SEARCH_PARAMS = [
    "q",
    "near",
    "radius",
    "category",
    "language",
    "open_now",
    "at",
    "age",
    "free",
    "limit",
    "offset",
]
HSDS_PATHS = {
    "/hsds/services": [
        "search",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "minimal",
        "full",
        "page",
        "per_page",
    ],
    "/hsds/service_at_locations": ["postcode", "proximity", "page", "per_page"],
    "/hsds/organizations": ["search", "page", "per_page"],
    "/hsds/taxonomy_terms": ["taxonomy_id", "parent_id", "search", "top_only", "page", "per_page"],
}


@pytest.fixture
def web(bundled_app):
    return bundled_app.test_client()


@pytest.mark.parametrize("param", SEARCH_PARAMS)
def test_search_api_and_page_never_answer_500(web, param):
    for value in ODD:
        for path in ("/api/v1/search", "/"):
            response = web.get(path, query_string={"q": "food", param: value})
            assert response.status_code < 500, (path, param, value)


@pytest.mark.parametrize("path", sorted(HSDS_PATHS))
def test_hsds_endpoints_never_answer_500(web, path):
    for param in HSDS_PATHS[path]:
        for value in ODD:
            response = web.get(path, query_string={param: value})
            assert response.status_code < 500, (path, param, value)


@pytest.mark.parametrize("value", ["x", "%", "é", "a" * 300, "../../etc/passwd"])
def test_id_paths_never_answer_500(web, value):
    for path in ("/hsds/services/", "/hsds/organizations/", "/services/"):
        assert web.get(path + value).status_code in {404, 308}


def test_unknown_paths_and_methods_answer_json_on_the_api(web):
    missing = web.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = web.post("/api/v1/search")
    assert wrong.status_code in {400, 405} and "error" in wrong.get_json()


def test_an_empty_directory_answers_every_search_not_only_the_first(client):
    for _ in range(3):
        assert client.get("/api/v1/search", query_string={"q": "food"}).status_code == 200
        assert client.get("/api/v1/autocomplete", query_string={"q": "foo"}).status_code == 200

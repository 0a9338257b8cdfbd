"""No input makes the app answer 500: odd values for every parameter of every endpoint."""

import pytest
from sqlalchemy import select

from referral.directory.models import Service
from referral.extensions import db
from tests.integration.test_patients_api import token_for

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
    "²",
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


@pytest.fixture(scope="module")
def admin(bundled_app):
    return token_for(bundled_app, "odd-admin", "admin")


@pytest.fixture(scope="module")
def services(bundled_app):
    with bundled_app.app_context():
        rows = db.session.execute(select(Service.id, Service.version).order_by(Service.id))
        return [tuple(row) for row in rows.all()[:2]]


TOO_LARGE = 2**63


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/patients/{}",
        "/api/v1/patients/{}/screenings",
        "/api/v1/screenings/{}",
        "/api/v1/referrals/{}",
        "/referrals/{}/slip",
    ],
)
def test_ids_in_paths_too_large_for_the_database_answer_404(web, admin, path):
    response = web.get(path.format(TOO_LARGE), headers=admin)
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/screenings", "/api/v1/referrals"])
@pytest.mark.parametrize("patient_id", [TOO_LARGE, -TOO_LARGE - 1])
def test_patient_ids_in_bodies_too_large_for_the_database_answer_404(web, admin, path, patient_id):
    body = {"patient_id": patient_id, "instrument": "hunger-vital-sign", "answers": {}}
    response = web.post(path, json=body, headers=admin)
    assert response.status_code == 404 and response.get_json()["error"]["field"] == "patient_id"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/v1/referrals?patient_id=²", "patient_id"),
        (f"/api/v1/referrals?patient_id={TOO_LARGE}", "patient_id"),
        ("/api/v1/curation/stale?days=²", "days"),
        ("/api/v1/curation/duplicates?limit=³", "limit"),
        ("/api/v1/autocomplete?limit=²", "limit"),
    ],
)
def test_numbers_in_other_digits_or_too_large_answer_400_naming_the_parameter(
    web, admin, query, field
):
    response = web.get(query, headers=admin)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == field


@pytest.mark.parametrize("version", ["²", TOO_LARGE])
def test_versions_in_other_digits_or_too_large_answer_400(web, admin, services, version):
    (service, _), _ = services
    body = {"description": "Checked", "version": version}
    response = web.patch(f"/api/v1/services/{service}", json=body, headers=admin)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "version"


@pytest.mark.parametrize("take", [1.0, True, "name", [["name"]]])
def test_a_merge_takes_only_a_list_of_field_names(web, admin, services, take):
    (keep, keep_version), (other, other_version) = services
    body = {"keep_id": keep, "other_id": other, "versions": [keep_version, other_version]}
    response = web.post(
        "/api/v1/curation/duplicates/merge", json={**body, "take": take}, headers=admin
    )
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "take"


def test_a_merge_of_an_unknown_kind_is_refused_and_merges_nothing(web, admin, services):
    (keep, keep_version), (other, other_version) = services
    body = {"kind": "venue", "keep_id": keep, "other_id": other}
    response = web.post(
        "/api/v1/curation/duplicates/merge",
        json={**body, "versions": [keep_version, other_version]},
        headers=admin,
    )
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "kind"
    assert web.get(f"/api/v1/services/{other}", headers=admin).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/curation/verify", {"service_ids": ["\x00"]}, "service_ids[0]"),
        ("/api/v1/referrals", {"patient_id": 1, "note": "a\x00b"}, "note"),
        ("/api/v1/screenings", {"answers": {"q\x01": "yes"}}, "answers.'q\\x01'"),
    ],
)
def test_control_characters_in_json_bodies_answer_400_naming_where(web, admin, path, body, field):
    response = web.post(path, json=body, headers=admin)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field

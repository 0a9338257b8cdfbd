"""The OpenAPI document at /api/v1/openapi.json: valid, served to anyone, and describing exactly
the routes and the values the code accepts."""

import re

import pytest
from openapi_spec_validator import validate

from referral.curation.flags import REVIEW_STATES, STAFF_REASONS
from referral.directory.needs import NEED_KEYS
from referral.patients.models import CONSENT_KINDS
from referral.referrals.followups import PATIENT_SAYS, Method, Result
from referral.referrals.states import Outcome, Status
from referral.screening.instruments import instrument_ids
from referral.search import params

CHOICES = re.compile(r"<any\(([^)]*)\):\w+>")
VARIABLE = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
IGNORED_METHODS = {"HEAD", "OPTIONS"}
# Documented beside the API: where systems calling the FHIR API get OAuth tokens. It
# authenticates clients itself and answers OAuth errors (tests/integration/test_fhir_clients.py).
TOKEN_ENDPOINT = "/fhir/token"


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def openapi_paths(rule: str) -> list[str]:
    """A Flask rule as OpenAPI paths: `<int:id>` becomes `{id}`, and `<any(a, b):kind>` one
    path per choice (each kind of record is documented with its own shapes)."""
    match = CHOICES.search(rule)
    if match is None:
        return [VARIABLE.sub(r"{\1}", rule)]
    choices = [c.strip().strip("'\"") for c in match.group(1).split(",")]
    return [p for c in choices for p in openapi_paths(rule.replace(match.group(0), c, 1))]


def routed_operations(app) -> set[tuple[str, str]]:
    """Every (path, method) the app routes under /api/v1, and the FHIR token endpoint."""
    return {
        (path, method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") or rule.rule == TOKEN_ENDPOINT
        for path in openapi_paths(rule.rule)
        for method in rule.methods - IGNORED_METHODS
    }


def documented_operations(document) -> set[tuple[str, str]]:
    """Every (path, method) the document describes."""
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_the_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_api_route_is_documented_and_every_documented_operation_is_routed(app, document):
    routed, documented = routed_operations(app), documented_operations(document)
    assert routed - documented == set(), "routes missing from the document"
    assert documented - routed == set(), "documented operations that no route serves"


def test_the_document_is_served_as_json_to_anyone_even_when_the_directory_is_closed(app, client):
    app.config["REFERRAL"]["PUBLIC_DIRECTORY"] = False
    assert client.get("/api/v1/search?q=food").status_code == 401
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json()["paths"]["/api/v1/search"]["get"]["operationId"] == "search"


def test_the_documented_security_is_the_bearer_token_and_the_session_cookie(document):
    schemes = document["components"]["securitySchemes"]
    bearer, cookie = schemes["bearerAuth"], schemes["sessionCookie"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert (cookie["type"], cookie["in"], cookie["name"]) == ("apiKey", "cookie", "session")


def test_operations_documented_as_needing_credentials_answer_401_without_them(client, document):
    for path, item in document["paths"].items():
        for method, spec in item.items():
            if path == TOKEN_ENDPOINT:
                continue
            security = spec.get("security", document["security"])
            url = re.sub(r"{\w+}", "1", path)
            response = client.open(url, method=method.upper(), json={})
            if not security or {} in security:
                assert response.status_code == 200, (method, path)
            else:
                assert response.status_code == 401, (method, path)
                assert response.get_json()["error"]["code"] == "unauthorized"


def operation(document, path, method="get"):
    return document["paths"][path][method]


def parameter(document, path, name, method="get"):
    found = [p for p in operation(document, path, method)["parameters"] if p["name"] == name]
    return found[0]["schema"]


def body_property(document, path, name, method="post"):
    schema = operation(document, path, method)["requestBody"]["content"]["application/json"]
    return schema["schema"]["properties"][name]


def component(document, name, field):
    return document["components"]["schemas"][name]["properties"][field]


def test_the_documented_choices_are_the_ones_the_code_accepts(document):
    referral = document["components"]["schemas"]["Referral"]["properties"]
    follow_up = "/api/v1/referrals/{referral_id}/follow-ups"
    pairs = [
        (parameter(document, "/api/v1/search", "category")["items"]["enum"], NEED_KEYS),
        (referral["status"]["enum"], [s.value for s in Status]),
        (body_property(document, "/api/v1/referrals", "need")["enum"], NEED_KEYS),
        (
            body_property(document, "/api/v1/referrals/{referral_id}/status", "outcome")["enum"],
            [*(o.value for o in Outcome), None],
        ),
        (body_property(document, follow_up, "method")["enum"], [m.value for m in Method]),
        (body_property(document, follow_up, "result")["enum"], [r.value for r in Result]),
        (body_property(document, follow_up, "patient_says")["enum"], [*PATIENT_SAYS, None]),
        (body_property(document, "/api/v1/screenings", "instrument")["enum"], instrument_ids()),
        (
            body_property(document, "/api/v1/services/{service_id}/flags", "reason")["enum"],
            list(STAFF_REASONS),
        ),
        (
            body_property(document, "/api/v1/curation/flags/{flag_id}", "status")["enum"],
            list(REVIEW_STATES),
        ),
        (
            body_property(document, "/api/v1/patients/{patient_id}/consents", "kind")["enum"],
            list(CONSENT_KINDS),
        ),
    ]
    for documented, accepted in pairs:
        assert sorted(documented, key=str) == sorted(accepted, key=str)


def test_the_documented_search_limits_are_the_ones_the_code_checks(document):
    def schema(name):
        return parameter(document, "/api/v1/search", name)

    assert (schema("radius")["minimum"], schema("radius")["maximum"]) == (
        params.MIN_RADIUS,
        params.MAX_RADIUS,
    )
    assert schema("limit")["maximum"] == params.MAX_LIMIT
    assert schema("q")["maxLength"] == params.MAX_QUERY
    assert component(document, "SearchResponse", "limit")["maximum"] == params.MAX_LIMIT

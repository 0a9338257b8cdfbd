"""Schemathesis against the running app: requests generated from the OpenAPI document, valid
and invalid, to every operation never answer 500, and every answer has a documented status,
content type and shape."""

import json
import random

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from referral.api.blueprint import OPENAPI
from referral.directory.models import Location, Organization, Service, TaxonomyTerm
from referral.extensions import db
from tests.integration.test_patients_api import ANA, token_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONFIG = {
    "generation": {"deterministic": True, "with-security-parameters": False},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
}
OPERATIONS = [
    (path, method)
    for path, item in json.loads(OPENAPI.read_text(encoding="utf-8"))["paths"].items()
    for method in item
]
RECORD_MODELS = {
    "services": Service,
    "organizations": Organization,
    "locations": Location,
    "taxonomy_terms": TaxonomyTerm,
}
PATH_IDS = {
    "patient_id": "patients",
    "referral_id": "referrals",
    "screening_id": "screenings",
    "flag_id": "flags",
    "service_id": "services",
    "term_id": "taxonomy_terms",
    "need_id": "needs",
    "goal_id": "goals",
}
BODY_IDS = {"patient_id": "patients", "service_id": "services", "need_id": "needs"}


@pytest.fixture(scope="module")
def fuzzed(bundled_app):
    """The bundled directory with a patient, a referral, a screening and a flag to reach, and an
    admin's token (admins may call every operation). Errors answer 500 instead of raising."""
    bundled_app.config["PROPAGATE_EXCEPTIONS"] = False
    admin = token_for(bundled_app, "fuzzer", "admin")
    ids = {kind: first_ids(bundled_app, model) for kind, model in RECORD_MODELS.items()}
    client = bundled_app.test_client()

    def made(path: str, body: dict) -> int:
        response = client.post(path, json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    patient = made("/api/v1/patients", ANA)
    ids["patients"] = [patient]
    referral = {"patient_id": patient, "service_id": ids["services"][0], "consent": True}
    ids["referrals"] = [made("/api/v1/referrals", {**referral, "need": "food"})]
    answers = {"88122-7": "LA28397-0", "88123-5": "LA28397-0"}
    screening = {"patient_id": patient, "instrument": "hunger-vital-sign", "answers": answers}
    ids["screenings"] = [made("/api/v1/screenings", screening)]
    ids["needs"] = [made(f"/api/v1/patients/{patient}/needs", {"domain": "housing"})]
    goal = {"need_id": ids["needs"][0], "description": "A lease", "target_date": "2099-01-01"}
    ids["goals"] = [made(f"/api/v1/patients/{patient}/goals", goal)]
    ids["flags"] = [made(f"/api/v1/services/{ids['services'][0]}/flags", {"reason": "closed"})]
    return bundled_app, admin, ids


def first_ids(app, model, count: int = 3) -> list:
    """The ids of a few records of `model`."""
    with app.app_context():
        return list(db.session.scalars(select(model.id).order_by(model.id).limit(count)))


def real_or_random(values, kinds: dict[str, str], ids: dict[str, list]):
    """`values` as generated or, half the time, with the ids they hold swapped for ids of records
    that exist, so that the answers are not all 404."""
    if not isinstance(values, dict):
        return st.just(values)
    known = {name: ids[kind] for name, kind in kinds.items() if name in values and kind in ids}
    if not known:
        return st.just(values)
    real = st.fixed_dictionaries({name: st.sampled_from(found) for name, found in known.items()})
    return st.one_of(st.just(values), real.map(lambda chosen: {**values, **chosen}))


def path_kinds(names, path: str) -> dict[str, str]:
    """The kind of record each path parameter names: `record_id` by the path, others by name."""
    return {
        name: path.split("/")[3] if name == "record_id" else PATH_IDS.get(name, "")
        for name in names
    }


@pytest.fixture(scope="module")
def api_schema(fuzzed):
    """The document as the app serves it, loaded by schemathesis, with ids of real records."""
    app, _, ids = fuzzed
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, config=schemathesis.Config.from_dict(CONFIG)
    )

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        kinds = path_kinds(path_parameters or {}, context.operation.path)
        return real_or_random(path_parameters, kinds, ids)

    @schema.hook
    def flatmap_body(context, body):
        return real_or_random(body, BODY_IDS, ids)

    return schema


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_every_operation_answers_as_documented(api_schema, fuzzed, path, method):
    _, admin, _ = fuzzed
    operation = api_schema[path][method.upper()]
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=25,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case):
        random.seed()  # whoosh names new index segments with `random`, which hypothesis fixes
        case.call_and_validate(headers=admin, checks=CHECKS)

    answers_as_documented()

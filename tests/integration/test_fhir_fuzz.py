"""Generated requests to every FHIR interaction, well-formed and not: none answers 500, and
every refusal is an OperationOutcome served as application/fhir+json."""

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral.fhir.sources import SOURCES

FHIR_JSON = "application/fhir+json"
TEXT = st.text(alphabet=string.printable + "éñ\x00\u2028", max_size=40)
NAMES = st.sampled_from(
    sorted(
        {name for s in SOURCES.values() for name in s.params}
        | {"_count", "_offset", "_include", "_lastUpdated", "colour", ""}
    )
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def answered_well(response) -> None:
    """No server error; refusals are OperationOutcomes."""
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == FHIR_JSON
        assert response.get_json()["resourceType"] == "OperationOutcome"


@pytest.fixture(scope="module")
def fuzzed(referred):
    return referred


@SETTINGS
@given(
    resource_type=st.sampled_from([*sorted(SOURCES), "Spaceship"]),
    args=st.lists(st.tuples(NAMES, TEXT), max_size=4),
)
def test_searches_never_fail(fuzzed, resource_type, args):
    response = fuzzed.web.get(f"/fhir/{resource_type}", query_string=args, headers=fuzzed.ann)
    answered_well(response)


@SETTINGS
@given(resource_type=st.sampled_from(sorted(SOURCES)), resource_id=TEXT)
def test_reads_never_fail(fuzzed, resource_type, resource_id):
    path = f"/fhir/{resource_type}/{resource_id.replace('/', '')}"
    answered_well(fuzzed.web.get(path, headers=fuzzed.ann))


def resource_like(resource_type: str):
    """JSON that is, or is nearly, a resource of the type."""
    return (
        st.dictionaries(TEXT, JSON_VALUES, max_size=6).map(
            lambda d: {"resourceType": resource_type, **d}
        )
        | JSON_VALUES
    )


@SETTINGS
@given(body=resource_like("QuestionnaireResponse"))
def test_screenings_sent_never_fail(fuzzed, body):
    answered_well(fuzzed.web.post("/fhir/QuestionnaireResponse", json=body, headers=fuzzed.ann))


@SETTINGS
@given(body=resource_like("Bundle"), kind=st.sampled_from(["transaction", "batch", None]))
def test_transactions_never_fail(fuzzed, body, kind):
    if isinstance(body, dict) and kind:
        body = {**body, "type": kind}
    answered_well(fuzzed.web.post("/fhir", json=body, headers=fuzzed.ann))


@SETTINGS
@given(body=resource_like("Task"), version=TEXT)
def test_task_updates_never_fail(fuzzed, body, version):
    headers = {**fuzzed.fay, "If-Match": version.replace("\n", "").replace("\r", "")}
    response = fuzzed.web.put(f"/fhir/Task/{fuzzed.a.referral}", json=body, headers=headers)
    answered_well(response)

"""FHIR search parameters: tokens, references, `_lastUpdated` prefixes, paging and the errors
that name the parameter at fault."""

from datetime import datetime

import pytest
from werkzeug.datastructures import MultiDict

from referral.fhir.codes import NEEDS, need_codes
from referral.fhir.outcome import FhirError
from referral.fhir.search import Query, Token, links, parse, span, token

SUPPORTED = {"_id": "string", "patient": "reference", "status": "token"}


def parsed(**args) -> Query:
    return parse(MultiDict(args), SUPPORTED, {"Task:focus"}, "Task")


def test_a_token_may_name_a_system_a_code_or_both():
    assert token("food-insecurity") == Token(None, "food-insecurity")
    assert token("http://loinc.org|88122-7") == Token("http://loinc.org", "88122-7")
    assert token("http://loinc.org|") == Token("http://loinc.org", None)
    assert Token("http://loinc.org", None).matches([{"system": "http://loinc.org", "code": "x"}])
    assert not Token(None, "y").matches([{"system": "http://loinc.org", "code": "x"}])


def test_references_are_read_as_the_id_they_point_at():
    q = parsed(patient="Patient/12,http://example.org/fhir/Patient/13,14")
    assert q.get("patient") == [["12", "13", "14"]]


def test_commas_are_alternatives_and_repeated_parameters_must_all_hold():
    q = parse(
        MultiDict([("status", "requested,accepted"), ("status", "accepted")]),
        SUPPORTED,
        set(),
        "Task",
    )
    assert [[t.code for t in alts] for alts in q.get("status")] == [
        ["requested", "accepted"],
        ["accepted"],
    ]


@pytest.mark.parametrize(
    ("raw", "inside", "outside"),
    [
        ("ge2026-01-02", "2026-01-02T00:00:00+00:00", "2026-01-01T23:59:59+00:00"),
        ("lt2026-01-02", "2026-01-01T23:59:59+00:00", "2026-01-02T00:00:00+00:00"),
        ("2026-01-02", "2026-01-02T12:00:00+00:00", "2026-01-03T00:00:00+00:00"),
        ("gt2026-01-02", "2026-01-03T00:00:00+00:00", "2026-01-02T12:00:00+00:00"),
        ("le2026-01-02T10:00:00Z", "2026-01-02T10:00:00+00:00", "2026-01-02T10:00:01+00:00"),
    ],
)
def test_last_updated_takes_the_fhir_prefixes(raw, inside, outside):
    found = span(raw)
    assert found.holds(datetime.fromisoformat(inside))
    assert not found.holds(datetime.fromisoformat(outside))


@pytest.mark.parametrize(
    ("args", "expression"),
    [
        ({"colour": "blue"}, "Task?colour"),
        ({"_count": "0"}, "Task?_count"),
        ({"_count": "201"}, "Task?_count"),
        ({"_offset": "-1"}, "Task?_offset"),
        ({"_lastUpdated": "soon"}, "Task?_lastUpdated"),
        ({"_lastUpdated": "ne2026-01-01"}, "Task?_lastUpdated"),
        ({"_include": "Task:owner"}, "Task?_include"),
        ({"status": ""}, "Task?status"),
    ],
)
def test_a_bad_parameter_is_refused_naming_it(args, expression):
    with pytest.raises(FhirError) as refused:
        parsed(**args)
    assert refused.value.status == 400
    assert refused.value.issues[0].expression == expression


def test_every_problem_is_reported_together():
    with pytest.raises(FhirError) as refused:
        parsed(colour="blue", _count="x")
    assert len(refused.value.issues) == 2


def test_links_offer_next_only_while_there_is_more():
    q = parsed(status="requested", _count="10", _offset="10")
    found = {
        link["relation"]: link["url"]
        for link in links("Task", "http://h/fhir", 25, q, MultiDict({"status": "requested"}))
    }
    assert found["next"].endswith("status=requested&_count=10&_offset=20")
    assert found["previous"].endswith("_offset=0")
    last = parsed(_count="10", _offset="20")
    ends = {link["relation"] for link in links("Task", "http://h/fhir", 25, last, MultiDict())}
    assert "next" not in ends


def test_every_need_has_an_sdoh_category_and_snomed_codes():
    for need in [*NEEDS, "legal", "health"]:
        codes = need_codes(need)
        assert codes.category and codes.request[0].isdigit() and codes.delivered[0].isdigit()

"""Search parameters: every bad value refused with the parameter named."""

from datetime import datetime

import pytest
from werkzeug.datastructures import MultiDict

from referral.search.params import ParamError, parse_search


def parse(**values):
    args = MultiDict(values)
    return parse_search(args, args.getlist)


def test_defaults_when_only_words_are_given():
    request = parse(q="food pantry")
    assert request.q == "food pantry" and request.place is None
    assert request.radius_miles == 10 and request.limit == 20 and request.offset == 0


def test_every_parameter_is_read():
    request = parse(
        q="rent",
        near="44113",
        radius="25",
        category="housing",
        language="ES",
        open_now="1",
        at="2026-05-04T18:30",
        age="67",
        free="1",
        limit="50",
        offset="50",
    )
    assert request.place.postal_code == "44113"
    assert request.radius_miles == 25 and request.categories == ("housing",)
    assert request.language == "es" and request.open_now and request.free
    assert request.at == datetime(2026, 5, 4, 18, 30) and request.age == 67
    assert (request.limit, request.offset) == (50, 50)


def test_categories_repeat_or_use_commas():
    args = MultiDict([("category", "food"), ("category", "housing,utilities")])
    assert parse_search(args, args.getlist).categories == ("food", "housing", "utilities")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("near", "1234"),
        ("near", "00000"),
        ("near", "95,200"),
        ("radius", "0"),
        ("radius", "101"),
        ("radius", "ten"),
        ("radius", "nan"),
        ("category", "pizza"),
        ("language", "spanish!"),
        ("open_now", "maybe"),
        ("at", "tomorrow"),
        ("age", "-1"),
        ("limit", "0"),
        ("limit", "101"),
        ("limit", "2.5"),
        ("offset", "-3"),
        ("q", "x" * 501),
    ],
)
def test_bad_values_name_their_parameter(field, value):
    with pytest.raises(ParamError) as caught:
        parse(**{field: value})
    assert caught.value.field == field
    assert caught.value.message

"""Autocomplete: prefixes of any word, needs and concepts first, typos forgiven."""

from referral.search.suggest import Suggester, Suggestion, labels_for
from referral.search.understanding import Concept, ConceptTable

SUGGESTER = Suggester(
    [
        Suggestion("Near West Food Pantry", "service", 3),
        Suggestion("Food Pantry", "service", 9),
        Suggestion("Eastside Food Bank", "organization", 1),
        Suggestion("Rent Help", "service", 2),
        Suggestion("Food", "need"),
        Suggestion("food pantry", "concept"),
    ]
)


def texts(typed):
    return [s.text for s in SUGGESTER.suggest(typed)]


def test_a_prefix_of_any_word_of_a_label_finds_it():
    assert "Near West Food Pantry" in texts("pan")
    assert texts("rent") == ["Rent Help"]


def test_every_typed_word_must_start_a_word_of_the_label():
    assert texts("food ban") == ["Eastside Food Bank"]


def test_needs_and_concepts_come_before_names_and_the_same_text_shows_once():
    assert texts("foo")[:2] == ["Food", "food pantry"]
    assert texts("food pan").count("Food Pantry") + texts("food pan").count("food pantry") == 1


def test_a_typo_still_finds_near_labels():
    assert "Rent Help" in texts("rnet help")


def test_nothing_typed_suggests_nothing():
    assert texts("  ") == []


def test_labels_come_from_names_concepts_and_needs():
    table = ConceptTable([Concept("c", ("meals",), ("food",), ("soup kitchen",))])
    labels = labels_for(
        {("service", "Hot Meals"): 2}, table, {"food": {"en": "Food", "es": "Comida"}}
    )
    assert {(s.text, s.kind) for s in labels} == {
        ("Hot Meals", "service"),
        ("soup kitchen", "concept"),
        ("Food", "need"),
        ("Comida", "need"),
    }

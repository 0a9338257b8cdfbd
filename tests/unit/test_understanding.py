"""Reading what people type: normalizing, typo correction, concepts, filler words."""

import pytest

from referral.search.understanding import (
    Concept,
    ConceptTable,
    Vocabulary,
    default_concepts,
    normalize,
    understand,
)

TABLE = ConceptTable(
    [
        Concept(
            "electric",
            ("electric service payment assistance",),
            ("utilities",),
            ("light bill", "lights shut off", "luz"),
        ),
        Concept("shelter", ("emergency shelter",), ("housing",), ("shelter", "place to sleep")),
        Concept("meals", ("meals",), ("food",), ("soup kitchen", "meal")),
    ],
    filler=["my", "are", "getting", "to", "a", "need", "for", "the"],
)
VOCAB = Vocabulary(
    {"food": 900, "pantry": 300, "shelter": 200, "fool": 1, "rent": 150, "clothing": 80}
)


def test_normalize_lowers_folds_accents_and_drops_punctuation():
    assert normalize("¿Dónde está la DESPENSA?") == "donde esta la despensa"
    assert normalize("can't pay") == "cant pay"


def test_a_lay_phrase_names_its_concept_and_its_needs():
    understood = understand("light bill", TABLE, VOCAB)
    assert [c.id for c in understood.concepts] == ["electric"]
    assert understood.needs == {"utilities"} and understood.words == ()


def test_spanish_words_name_the_same_concept_as_english():
    assert (
        understand("la luz", TABLE, VOCAB).concepts
        == understand("light bill", TABLE, VOCAB).concepts
    )


def test_filler_words_may_stand_inside_a_phrase():
    understood = understand("my lights are getting shut off", TABLE, VOCAB)
    assert [c.id for c in understood.concepts] == ["electric"]


def test_the_longest_phrase_wins_and_the_rest_are_words():
    understood = understand("soup kitchen downtown", TABLE, VOCAB)
    assert [c.id for c in understood.concepts] == ["meals"]
    assert understood.words == ("downtown",)
    assert understood.matches[0].said == ("soup kitchen",)


def test_one_concept_named_twice_is_one_match_with_both_phrasings():
    understood = understand("shelter place to sleep", TABLE, VOCAB)
    assert len(understood.matches) == 1
    assert understood.matches[0].said == ("shelter", "place sleep")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("fod pantyr", "food pantry"),
        ("shleter", "shelter"),
        ("clothign", "clothing"),
        ("fodo", "food"),
    ],
)
def test_typos_are_corrected_towards_the_directory_vocabulary(typed, meant):
    assert understand(typed, TABLE, VOCAB).corrected == meant


def test_ties_go_to_the_word_the_directory_uses_most():
    assert VOCAB.correct("foo") in {"food", "fool"}
    assert VOCAB.correct("fooe") == "food"


def test_known_words_short_words_numbers_and_filler_are_left_alone():
    understood = understand("need rent for 2 kids", TABLE, VOCAB, is_known=lambda w: w == "kids")
    assert understood.corrected is None
    assert understood.words == ("rent", "2", "kids")


def test_a_word_far_from_any_known_word_is_kept_as_typed():
    assert understand("xylophone", TABLE, VOCAB).words == ("xylophone",)


def test_the_default_table_covers_every_need_and_both_languages():
    table = default_concepts()
    needs = {n for c in table.concepts for n in c.needs}
    assert {"food", "housing", "transportation", "utilities", "financial", "safety"} <= needs
    for phrase, concept_id in [
        ("food stamps", "snap"),
        ("renta", "rent"),
        ("luz", "electric"),
        ("ride to the doctor", "medical-ride"),
        ("place to sleep", "shelter"),
        ("comida", "food-pantry"),
        ("vivienda", "housing-search"),
        ("transporte", "transportation"),
        ("ayuda para pagar la luz", "electric"),
    ]:
        found = understand(phrase, table, Vocabulary({}))
        assert concept_id in {c.id for c in found.concepts}, phrase


def test_every_default_concept_names_needs_the_app_knows():
    from referral.directory.needs import NEED_KEYS

    for concept in default_concepts().concepts:
        assert concept.needs and set(concept.needs) <= set(NEED_KEYS), concept.id
        assert concept.terms and concept.phrases, concept.id

"""Scoring plans over a real (small) whoosh index read into segment tables."""

import numpy as np
import pytest

from referral.search.documents import SearchDocument
from referral.search.index import ServiceIndex
from referral.search.scoring import Clause, Part, Plan, Statistics, score


def doc(doc_id, name, description="", needs=(), taxonomy=()):
    return SearchDocument(
        doc_id,
        doc_id,
        "",
        name,
        "",
        description,
        list(taxonomy),
        list(needs),
        [],
        ["en"],
        41.5,
        -81.7,
        {"service_name": name},
    )


@pytest.fixture(scope="module")
def segment(tmp_path_factory):
    index = ServiceIndex(tmp_path_factory.mktemp("ix"))
    index.rebuild(
        [
            doc("a", "Food Pantry", "groceries every week", ["food"], ["Food Pantry"]),
            doc("b", "Hot Meals", "a free hot meal", ["food"]),
            doc("c", "Rent Help", "help with rent and the food bill", ["housing"]),
            doc("d", "Clothing Closet", "coats and shoes", ["goods"]),
        ]
    )
    (segment,) = index.segments(index.current())
    metas = [segment.tables.meta(i) for i in range(segment.tables.size)]
    by_id = {m.service_id: i for i, m in enumerate(metas)}
    return segment.tables, by_id


def scores(segment, plan):
    tables, by_id = segment
    values = score(plan, tables, Statistics([tables], plan), np.arange(tables.size))
    return {name: float(values[i]) for name, i in by_id.items()}


def test_a_clause_needs_every_token(segment):
    result = scores(segment, Plan((Part((Clause(("food", "pantri")),)),)))
    assert result["a"] > 0 and result["b"] == result["c"] == result["d"] == 0


def test_a_name_match_beats_a_description_match(segment):
    result = scores(segment, Plan((Part((Clause(("food",)),)),)))
    assert result["a"] > result["c"] > 0


def test_matching_more_parts_earns_a_coordination_bonus(segment):
    plan = Plan((Part((Clause(("food",)),)), Part((Clause(("rent",)),))))
    alone = scores(segment, Plan((Part((Clause(("rent",)),)),)))
    both = scores(segment, plan)
    assert both["c"] > 0 and both["a"] > 0
    assert (
        both["c"] / alone["c"]
        > both["a"] / scores(segment, Plan((Part((Clause(("food",)),)),)))["a"]
    )


def test_a_need_part_reaches_services_with_that_need_and_no_words(segment):
    result = scores(
        segment, Plan((Part((Clause(("groceri",)),)), Part(needs=("food",), boost=0.3)))
    )
    assert result["a"] > result["b"] > 0 and result["c"] == result["d"] == 0


def test_unknown_tokens_score_nothing(segment):
    assert set(scores(segment, Plan((Part((Clause(("zebra",)),)),))).values()) == {0.0}


def test_deleted_documents_are_not_live(tmp_path):
    index = ServiceIndex(tmp_path)
    index.rebuild([doc("a", "Food Pantry"), doc("b", "Hot Meals")])
    index.update_services(["a"], [])
    live = [s.live for s in index.segments(index.current())]
    assert sum(int(mask.sum()) for mask in live) == 1


def test_scoring_some_rows_gives_those_rows_the_same_scores(segment):
    tables, by_id = segment
    plan = Plan((Part((Clause(("food",)),)), Part(needs=("food",), boost=0.3)))
    stats = Statistics([tables], plan)
    everything = score(plan, tables, stats, np.arange(tables.size))
    rows = np.array([by_id["c"], by_id["a"]])
    assert list(score(plan, tables, stats, rows)) == pytest.approx(list(everything[rows]))

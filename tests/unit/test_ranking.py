"""The ranking formula's properties."""

from datetime import date

import numpy as np
import pytest

from referral.capacity.rules import STATUSES
from referral.search.ranking import Signals, blend, capacity_factors, proximity

TODAY = date(2026, 12, 14).toordinal()


def test_on_equal_text_the_closer_result_wins():
    near = blend(Signals(5.0, 1.0, False), 5.0, 10)
    far = blend(Signals(5.0, 8.0, False), 5.0, 10)
    assert near > far


def test_a_near_exact_need_match_beats_a_far_keyword_hit():
    need_near = blend(Signals(2.0, 0.5, True), 6.0, 10)
    keyword_far = blend(Signals(6.0, 9.5, False), 6.0, 10)
    assert need_near > keyword_far


def test_better_text_wins_at_the_same_distance():
    assert blend(Signals(6.0, 3.0, False), 6.0, 10) > blend(Signals(3.0, 3.0, False), 6.0, 10)


def test_without_a_place_distance_plays_no_part():
    assert blend(Signals(4.0, None, False), 4.0, None) == blend(
        Signals(4.0, None, False, True), 4.0, None
    )


def test_proximity_falls_with_distance_and_area_only_counts_half():
    assert proximity(0.0, 10, False) == 1.0
    assert proximity(1.0, 10, False) > proximity(5.0, 10, False) > proximity(20.0, 10, False)
    assert proximity(None, 10, True) == 0.5
    assert proximity(None, 10, False) == 0.0


def test_with_no_words_relevance_is_full_for_everyone():
    with_words = blend(Signals(3.0, 2.0, True), 3.0, 10)
    assert blend(Signals(0.0, 2.0, True), 0.0, 10) == with_words
    assert blend(Signals(0.0, 2.0, True), 0.0, 10) > blend(Signals(0.0, 2.0, False), 0.0, 10)


def test_between_otherwise_equal_listings_the_recently_verified_one_wins():
    fresh = blend(Signals(3.0, 2.0, True, verified_days_ago=30), 3.0, 10)
    stale = blend(Signals(3.0, 2.0, True, verified_days_ago=900), 3.0, 10)
    never = blend(Signals(3.0, 2.0, True), 3.0, 10)
    assert fresh > never > stale


def test_freshness_is_full_for_half_a_year_then_fades_to_nothing():
    from referral.search.ranking import freshness

    assert freshness(0) == freshness(180) == 1.0
    assert 0 < freshness(700) < 1
    assert freshness(180 + 3 * 365) == 0.0 and freshness(5000) == 0.0


def test_freshness_never_outweighs_a_real_difference_in_distance():
    near_stale = blend(Signals(3.0, 0.5, True, verified_days_ago=2000), 3.0, 10)
    far_fresh = blend(Signals(3.0, 9.0, True, verified_days_ago=10), 3.0, 10)
    assert near_stale > far_fresh


def test_the_array_form_of_the_formula_agrees_with_the_scalar_one():
    import random

    from referral.search.ranking import blend_arrays

    rng = random.Random(7)
    rows = []
    for _ in range(300):
        distance = None if rng.random() < 0.2 else rng.uniform(0, 30)
        days = None if rng.random() < 0.3 else rng.randint(0, 2000)
        capacity = rng.choice(STATUSES)
        rows.append(
            Signals(
                rng.uniform(0, 9), distance, rng.random() < 0.5, rng.random() < 0.3, days, capacity
            )
        )
    best = max(r.text_score for r in rows)
    for radius in (10.0, None):
        arrays = blend_arrays(
            np.array([r.text_score for r in rows]),
            best,
            np.array([np.nan if r.distance_miles is None else r.distance_miles for r in rows]),
            np.array([r.served_by_area for r in rows]),
            np.array([r.need_match for r in rows]),
            np.array(
                [np.nan if r.verified_days_ago is None else r.verified_days_ago for r in rows],
                dtype=float,
            ),
            radius,
            capacity_factors(
                np.array([float(STATUSES.index(r.capacity)) for r in rows]),
                np.full(len(rows), np.nan),
                TODAY,
            ),
        )
        assert list(arrays) == pytest.approx([blend(r, best, radius) for r in rows], abs=1e-3)


def test_a_service_not_accepting_ranks_below_a_comparable_accepting_one_and_waitlist_between():
    def score(capacity):
        return blend(Signals(4.0, 2.0, True, verified_days_ago=30, capacity=capacity), 4.0, 10)

    accepting, waitlist, full = score("accepting"), score("waitlist"), score("not-accepting")
    assert accepting > waitlist > full > 0, "never filtered out"
    assert waitlist >= 0.85 * accepting, "a waitlist is only slightly below"


def test_a_service_not_accepting_sinks_below_a_somewhat_farther_accepting_one():
    full_near = blend(Signals(4.0, 1.0, True, capacity="not-accepting"), 4.0, 10)
    open_farther = blend(Signals(4.0, 4.0, True), 4.0, 10)
    assert open_farther > full_near


def test_capacity_counts_through_its_until_day_and_not_after_or_when_nothing_was_set():
    levels = np.array([2.0, 2.0, 2.0, 1.0, np.nan])
    until = np.array([TODAY, TODAY - 1, np.nan, TODAY + 5, np.nan])
    factors = capacity_factors(levels, until, TODAY)
    assert list(factors) == [0.5, 1.0, 0.5, 0.9, 1.0]

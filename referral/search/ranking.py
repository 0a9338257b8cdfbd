"""How results are ordered: text relevance blended with need match and distance, then weighed
by whether the service takes referrals.

    score = 10 × capacity × (0.45 × relevance + 0.28 × proximity + 0.20 × need_match
                             + 0.07 × freshness)

- relevance: the result's text score divided by the best text score among the results (1 when the
  search has no words, so only need and distance order the list);
- proximity: 1 / (1 + distance / scale), with scale a quarter of the radius (at least one mile);
  a result found only through its service area (no address near by) counts as half-way;
  with no `near`, proximity is 0 for everyone and does not change the order;
- need_match: 1 when the service meets one of the needs asked for (a category, or a need the
  search words name, such as "pantry" for food), else 0;
- freshness: 1 for a listing verified in the last 180 days, falling to 0 over the next three
  years; 0.5 when it was never verified (no better or worse than a two-year-old check);
- capacity: 1 for a service accepting referrals (or that said nothing), 0.9 on a waitlist and
  0.5 when it is not accepting, until the day after the `until` it gave. Such a service sinks
  below comparable ones that take referrals but is never filtered out.

So on equal text the closer result wins, a near result that meets the need beats a far one
that merely shares a word, and between otherwise equal listings the recently checked one wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from referral.capacity.rules import ACCEPTING, NOT_ACCEPTING, STATUSES, WAITLIST

W_RELEVANCE = 0.45
W_PROXIMITY = 0.28
W_NEED = 0.20
W_FRESHNESS = 0.07
AREA_ONLY_PROXIMITY = 0.5
FRESH_DAYS = 180
STALE_DAYS = FRESH_DAYS + 3 * 365
UNVERIFIED = 0.5
CAPACITY_FACTORS = {ACCEPTING: 1.0, WAITLIST: 0.9, NOT_ACCEPTING: 0.5}


@dataclass(frozen=True)
class Signals:
    """What ranking knows of one candidate."""

    text_score: float
    distance_miles: float | None
    need_match: bool
    served_by_area: bool = False
    verified_days_ago: int | None = None
    capacity: str = ACCEPTING


def proximity(distance_miles: float | None, radius_miles: float, served_by_area: bool) -> float:
    """Closeness in [0, 1]: 1 at the point searched, falling off with distance."""
    if distance_miles is None:
        return AREA_ONLY_PROXIMITY if served_by_area else 0.0
    scale = max(radius_miles / 4.0, 1.0)
    return 1.0 / (1.0 + distance_miles / scale)


def freshness(days_ago: int | None) -> float:
    """How current a listing is, in [0, 1], from the days since it was last verified."""
    if days_ago is None:
        return UNVERIFIED
    if days_ago <= FRESH_DAYS:
        return 1.0
    return max(0.0, 1.0 - (days_ago - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS))


def capacity_factor(status: str) -> float:
    """The share of its score a result keeps for the capacity in effect: all when accepting."""
    return CAPACITY_FACTORS.get(status, 1.0)


def capacity_factors(levels: np.ndarray, until: np.ndarray, today: int) -> np.ndarray:
    """`capacity_factor` for many candidates: `levels` index `STATUSES` (NaN: nothing set),
    `until` is each last day as a day number (NaN: no end), `today` the day of the search."""
    factors = np.array([CAPACITY_FACTORS[status] for status in STATUSES])
    held = ~np.isnan(levels) & ~(until < today)
    return np.where(held, factors[np.nan_to_num(levels).astype(int)], 1.0)


def blend(signals: Signals, best_text_score: float, radius_miles: float | None) -> float:
    """The score a result is ordered by (higher first)."""
    relevance = signals.text_score / best_text_score if best_text_score > 0 else 1.0
    near = (
        proximity(signals.distance_miles, radius_miles, signals.served_by_area)
        if radius_miles is not None
        else 0.0
    )
    need = 1.0 if signals.need_match else 0.0
    fresh = freshness(signals.verified_days_ago)
    total = W_RELEVANCE * relevance + W_PROXIMITY * near + W_NEED * need + W_FRESHNESS * fresh
    return round(10 * capacity_factor(signals.capacity) * total, 4)


def blend_arrays(
    text: np.ndarray,
    best_text_score: float,
    distance: np.ndarray,
    served: np.ndarray,
    need_match: np.ndarray,
    days_ago: np.ndarray,
    radius_miles: float | None,
    capacity: np.ndarray | None = None,
) -> np.ndarray:
    """`blend` for many candidates at once (NaN distance or days mean unknown; `capacity` holds
    the `capacity_factors`, all 1 when not given)."""
    relevance = text / best_text_score if best_text_score > 0 else np.ones_like(text)
    if radius_miles is None:
        near = np.zeros_like(text)
    else:
        scale = max(radius_miles / 4.0, 1.0)
        by_area = np.where(served, AREA_ONLY_PROXIMITY, 0.0)
        near = np.where(np.isnan(distance), by_area, 1.0 / (1.0 + np.nan_to_num(distance) / scale))
    stale = 1.0 - (days_ago - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS)
    fresh = np.where(
        np.isnan(days_ago), UNVERIFIED, np.clip(np.where(days_ago <= FRESH_DAYS, 1.0, stale), 0, 1)
    )
    need = need_match.astype(float)
    total = W_RELEVANCE * relevance + W_PROXIMITY * near + W_NEED * need + W_FRESHNESS * fresh
    if capacity is not None:
        total = total * capacity
    return np.round(10 * total, 4)

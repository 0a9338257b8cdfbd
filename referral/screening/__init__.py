"""Social-needs screening: instruments as data files, `score()` and the needs a screening shows.

>>> from referral.screening import score
>>> result = score("ahc-hrsn-core", {"93030-5": "LA33-6"})
>>> result.positive_domains
['transportation-insecurity']
"""

from __future__ import annotations

from referral.screening.errors import (
    InstrumentDataError,
    InvalidAnswers,
    ScreeningError,
    UnknownInstrument,
)
from referral.screening.instruments import (
    Answer,
    DomainRule,
    Instrument,
    Question,
    instrument,
    instrument_ids,
    load_instruments,
)
from referral.screening.scoring import Need, ScreeningResult, score, validate

__all__ = [
    "Answer",
    "DomainRule",
    "Instrument",
    "InstrumentDataError",
    "InvalidAnswers",
    "Need",
    "Question",
    "ScreeningError",
    "ScreeningResult",
    "UnknownInstrument",
    "instrument",
    "instrument_ids",
    "load_instruments",
    "score",
    "validate",
]

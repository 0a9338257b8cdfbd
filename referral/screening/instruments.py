"""The screening instruments: one JSON file each in a folder, read once and checked on load.

Adding an instrument means adding `<id>.json` to the folder (the bundled `instruments/` by
default); nothing in the code names an instrument.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from referral.directory.needs import NEED_KEYS
from referral.screening.datafile import parse_instrument
from referral.screening.errors import InstrumentDataError, UnknownInstrument
from referral.screening.model import (
    Answer,
    AnswerMatch,
    DomainRule,
    Instrument,
    Question,
    ScoreRule,
    Sources,
    Text,
)

__all__ = [
    "BUNDLED_FOLDER",
    "GRAVITY_CATEGORIES",
    "Answer",
    "AnswerMatch",
    "DomainRule",
    "Instrument",
    "Question",
    "ScoreRule",
    "Sources",
    "Text",
    "instrument",
    "instrument_ids",
    "load_instruments",
    "read_instrument",
]

BUNDLED_FOLDER = Path(__file__).with_name("instruments")

# Gravity Project SDOH categories (SDOHCC-CodeSystemTemporaryCodes).
GRAVITY_CATEGORIES: tuple[str, ...] = (
    "food-insecurity",
    "housing-instability",
    "homelessness",
    "inadequate-housing",
    "transportation-insecurity",
    "financial-insecurity",
    "material-hardship",
    "utility-insecurity",
    "intimate-partner-violence",
    "elder-abuse",
    "stress",
    "social-connection",
    "educational-attainment",
    "employment-status",
    "veteran-status",
    "health-insurance-coverage-status",
    "medical-cost-burden",
    "digital-literacy",
    "digital-access",
    "personal-health-literacy",
    "language-access",
    "incarceration-status",
    "protective-factor",
    "sdoh-category-unspecified",
)


def load_instruments(folder: str | Path | None = None) -> Mapping[str, Instrument]:
    """Every instrument in `folder` (the bundled ones by default) by id, read once per folder."""
    return _load_folder(Path(folder or BUNDLED_FOLDER).resolve())


def instrument(instrument_id: str, folder: str | Path | None = None) -> Instrument:
    """The instrument `instrument_id`; UnknownInstrument names it and the known ones."""
    instruments = load_instruments(folder)
    if instrument_id not in instruments:
        known = ", ".join(sorted(instruments))
        raise UnknownInstrument(
            [f"Unknown screening instrument {instrument_id!r}; choose one of: {known}"]
        )
    return instruments[instrument_id]


def instrument_ids(folder: str | Path | None = None) -> list[str]:
    """The ids of the instruments in `folder` (the bundled ones by default), sorted."""
    return sorted(load_instruments(folder))


def read_instrument(path: Path) -> Instrument:
    """One instrument file, checked; InstrumentDataError names the file and each bad field."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InstrumentDataError([f"{path}: cannot be read: {error}"]) from error
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise InstrumentDataError([f"{path}: {where}: not valid JSON: {error.msg}"]) from error
    found = parse_instrument(document, str(path), NEED_KEYS, GRAVITY_CATEGORIES)
    if found.id != path.stem:
        raise InstrumentDataError([f"{path}: id: {found.id!r} must match the file name"])
    return found


@cache
def _load_folder(folder: Path) -> Mapping[str, Instrument]:
    """The instruments of one folder; every problem in every file is raised together."""
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise InstrumentDataError([f"{folder}: no instrument files (*.json) found"])
    problems: list[str] = []
    found: dict[str, Instrument] = {}
    for path in paths:
        try:
            found[path.stem] = read_instrument(path)
        except InstrumentDataError as error:
            problems.extend(error.problems)
    problems.extend(_disagreements(folder, found))
    if problems:
        raise InstrumentDataError(problems)
    return MappingProxyType(found)


def _disagreements(folder: Path, instruments: Mapping[str, Instrument]) -> list[str]:
    """Domains that two instruments map to different needs or categories."""
    first: dict[str, tuple[str, DomainRule]] = {}
    problems = []
    for instrument_id, found in instruments.items():
        for rule in found.domains:
            other_id, other = first.setdefault(rule.key, (instrument_id, rule))
            if (rule.need, rule.category) != (other.need, other.category):
                problems.append(
                    f"{folder / (instrument_id + '.json')}: domains: {rule.key!r} maps to "
                    f"{rule.need}/{rule.category} here but {other.need}/{other.category} "
                    f"in {other_id}"
                )
    return problems

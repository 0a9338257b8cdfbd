"""The errors of the screening package: each carries every problem found, not just the first."""

from __future__ import annotations


class ScreeningError(ValueError):
    """Something about a screening cannot be used; `problems` lists each thing wrong."""

    def __init__(self, problems: list[str], separator: str = "; ") -> None:
        self.problems = list(problems)
        super().__init__(separator.join(self.problems))


class UnknownInstrument(ScreeningError):
    """No instrument has the id asked for."""


class InvalidAnswers(ScreeningError):
    """Answers that do not fit the instrument: unknown codes, too many answers, contradictions."""


class InstrumentDataError(ScreeningError):
    """An instrument file that cannot be used; each problem names the file and the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems, separator="\n")

"""Score a screening: which domains are positive and which needs, categories and Z codes follow.

Pure functions of the instrument data and the answers: no database, no request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from referral.screening.errors import InvalidAnswers
from referral.screening.instruments import instrument
from referral.screening.model import DomainRule, Instrument, Question, ScoreRule

AnswerValue = str | Sequence[str] | None
Answers = Mapping[str, AnswerValue]
Chosen = dict[str, tuple[str, ...]]

SAFETY_DOMAIN = "interpersonal-safety"


@dataclass(frozen=True)
class Need:
    """A positive domain and what it maps to: platform need key, ICD-10-CM Z codes, category."""

    domain: str
    need: str
    z_codes: list[str]
    category: str

    def to_dict(self) -> dict[str, Any]:
        """The need as `{"domain", "need", "z_codes", "category"}`."""
        return {
            "domain": self.domain,
            "need": self.need,
            "z_codes": list(self.z_codes),
            "category": self.category,
        }


@dataclass(frozen=True)
class ScreeningResult:
    """The outcome of one screening."""

    instrument: str
    positive_domains: list[str]
    needs: list[Need]
    safety_score: int | None
    refused: list[str]
    unanswered: list[str]
    clinician_review: bool
    scores: dict[str, int | None] = field(default_factory=dict)
    answers: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        return {
            "instrument": self.instrument,
            "positive_domains": list(self.positive_domains),
            "needs": [need.to_dict() for need in self.needs],
            "safety_score": self.safety_score,
            "refused": list(self.refused),
            "unanswered": list(self.unanswered),
            "clinician_review": self.clinician_review,
            "scores": dict(self.scores),
            "answers": {code: list(codes) for code, codes in self.answers.items()},
        }


@dataclass(frozen=True)
class _Outcome:
    """How one domain rule came out: positive or not, the answers that matched, the score."""

    positive: bool
    matched: tuple[str, ...] = ()
    score: int | None = None


def score(
    instrument_id: str, answers: Answers, *, folder: str | Path | None = None
) -> ScreeningResult:
    """Score answers (question LOINC → LA code or codes); InvalidAnswers lists every problem."""
    found = instrument(instrument_id, folder)
    problems = answer_problems(found, answers)
    if problems:
        raise InvalidAnswers(problems)
    return evaluate(found, chosen_answers(found, answers))


def validate(
    instrument_id: str, answers: Answers, *, folder: str | Path | None = None
) -> list[str]:
    """Every problem with `answers` for the instrument, in words a case manager can act on."""
    return answer_problems(instrument(instrument_id, folder), answers)


def answer_problems(found: Instrument, answers: object) -> list[str]:
    """Unknown questions, unknown answers, too many answers and contradictory answers."""
    if not isinstance(answers, Mapping):
        return ["The answers must map question codes to answer codes."]
    problems = [_unknown_question(found, code) for code in answers if not _known(found, code)]
    for code, value in answers.items():
        question = found.question(code) if isinstance(code, str) else None
        if question is not None:
            problems.extend(_value_problems(question, value))
    return problems


def chosen_answers(found: Instrument, answers: Answers) -> Chosen:
    """The answer codes given to each answered question, in instrument order."""
    chosen = {q.code: _codes(answers.get(q.code)) or () for q in found.questions}
    return {code: codes for code, codes in chosen.items() if codes}


def evaluate(found: Instrument, chosen: Chosen) -> ScreeningResult:
    """The result of already-checked answers (`chosen_answers`) for an instrument."""
    outcomes = [(rule, _outcome(found, rule, chosen)) for rule in found.domains]
    positive = [(rule, outcome) for rule, outcome in outcomes if outcome.positive]
    scores = {rule.key: outcome.score for rule, outcome in outcomes if rule.score is not None}
    return ScreeningResult(
        instrument=found.id,
        positive_domains=[rule.key for rule, _ in positive],
        needs=[_need(rule, outcome) for rule, outcome in positive],
        safety_score=scores.get(SAFETY_DOMAIN),
        refused=[q.code for q in found.questions if _refused(q, chosen.get(q.code, ()))],
        unanswered=[q.code for q in found.questions if q.code not in chosen],
        clinician_review=any(rule.clinician_review for rule, _ in positive),
        scores=scores,
        answers={code: list(codes) for code, codes in chosen.items()},
    )


# Checking answers


def _known(found: Instrument, code: object) -> bool:
    """Whether `code` is the LOINC code of one of the instrument's questions."""
    return isinstance(code, str) and found.question(code) is not None


def _unknown_question(found: Instrument, code: object) -> str:
    """The problem of an answer to a question the instrument does not ask."""
    return f"Question {code} is not part of the {found.id} screening; check the question code."


def _codes(value: object) -> tuple[str, ...] | None:
    """The answer codes in a value (one code, a list, or nothing); None when it is neither."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple) and all(isinstance(code, str) for code in value):
        return tuple(dict.fromkeys(code for code in value if code.strip()))
    return None


def _value_problems(question: Question, value: object) -> list[str]:
    """What is wrong with the answer given to one question."""
    codes = _codes(value)
    if codes is None:
        return [f"Question {question.code}: give an answer code or a list of answer codes."]
    problems = [
        f"Question {question.code} has no answer {code}; check the answer code."
        for code in codes
        if question.answer(code) is None
    ]
    if len(codes) > 1 and not question.multiple:
        problems.append(
            f"Question {question.code} takes one answer but was given {len(codes)}: "
            f"{', '.join(codes)}."
        )
    elif len(codes) > 1:
        problems.extend(_exclusive_problems(question, codes))
    return problems


def _exclusive_problems(question: Question, codes: tuple[str, ...]) -> list[str]:
    """An answer such as "None of the above" chosen together with other answers."""
    problems = []
    for code in codes:
        answer = question.answer(code)
        if answer is not None and answer.exclusive:
            others = ", ".join(other for other in codes if other != code)
            problems.append(
                f'Question {question.code}: "{answer.text.en}" ({code}) cannot be chosen '
                f"together with other answers ({others})."
            )
    return problems


# Applying the rules


def _outcome(found: Instrument, rule: DomainRule, chosen: Chosen) -> _Outcome:
    """Whether one domain screens positive, by answers or by points."""
    if rule.score is not None:
        return _score_outcome(found, rule.score, chosen)
    matched = tuple(
        code
        for match in rule.any_of
        for code in chosen.get(match.question, ())
        if code in match.answers
    )
    return _Outcome(positive=bool(matched), matched=matched)


def _score_outcome(found: Instrument, rule: ScoreRule, chosen: Chosen) -> _Outcome:
    """The points of a score-based rule; no score when a required question has no points."""
    points = [_points(found.question(code), chosen.get(code, ())) for code in rule.questions]
    given = [value for value in points if value is not None]
    if not given or (rule.all_answered and len(given) < len(points)):
        return _Outcome(positive=False)
    total = sum(given)
    return _Outcome(positive=total >= rule.at_least, score=total)


def _points(question: Question | None, codes: tuple[str, ...]) -> int | None:
    """The points of the one answer given to a question, None when unanswered or refused."""
    answer = question.answer(codes[0]) if question is not None and len(codes) == 1 else None
    return answer.points if answer is not None else None


def _refused(question: Question, codes: tuple[str, ...]) -> bool:
    """Whether the answer to a question is a refusal (e.g. "Don't know/refused")."""
    return any((answer := question.answer(code)) is not None and answer.refusal for code in codes)


def _need(rule: DomainRule, outcome: _Outcome) -> Need:
    """The need of a positive domain, with the Z codes its matched answers call for."""
    z_codes = [
        code
        for answer in outcome.matched
        for code in rule.z_codes_by_answer.get(answer, rule.z_codes)
    ]
    return Need(
        domain=rule.key,
        need=rule.need,
        z_codes=sorted(set(z_codes)) if outcome.matched else list(rule.z_codes),
        category=rule.category,
    )

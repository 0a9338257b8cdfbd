"""Screening instruments as plain, immutable values read from the JSON files in `instruments/`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    """The same words in English and Spanish."""

    en: str
    es: str

    def get(self, language: str) -> str:
        """The text in `language` (an ISO 639-1 code), English when there is none."""
        return self.es if language == "es" else self.en


@dataclass(frozen=True)
class Answer:
    """One answer a question offers, identified by its LOINC answer code (LA…)."""

    code: str
    text: Text
    positive: bool = False
    points: int | None = None
    none_of_the_above: bool = False
    refusal: bool = False

    @property
    def exclusive(self) -> bool:
        """Whether the answer cannot be chosen together with any other."""
        return self.none_of_the_above or self.refusal


@dataclass(frozen=True)
class Question:
    """One question, identified by its LOINC code, with the answers it offers."""

    code: str
    text: Text
    kind: str
    domains: tuple[str, ...]
    answers: tuple[Answer, ...]
    group: str | None = None

    @property
    def multiple(self) -> bool:
        """Whether several answers may be chosen (`kind` "multi")."""
        return self.kind == "multi"

    def answer(self, code: str) -> Answer | None:
        """The answer with LOINC answer code `code`, or None."""
        return next((answer for answer in self.answers if answer.code == code), None)


@dataclass(frozen=True)
class AnswerMatch:
    """Part of an answer-based rule: any of `answers` given to `question`."""

    question: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class ScoreRule:
    """A score-based rule: the points of `questions` add up to `at_least` or more."""

    questions: tuple[str, ...]
    at_least: int
    all_answered: bool = True
    code: str | None = None


@dataclass(frozen=True)
class DomainRule:
    """When a domain screens positive, and the need, category and Z codes it stands for."""

    key: str
    need: str
    category: str
    any_of: tuple[AnswerMatch, ...] = ()
    score: ScoreRule | None = None
    z_codes: tuple[str, ...] = ()
    z_codes_by_answer: dict[str, tuple[str, ...]] = field(default_factory=dict)
    alternative_z_codes: tuple[str, ...] = ()
    clinician_review: bool = False
    note: str = ""

    @property
    def questions(self) -> tuple[str, ...]:
        """The codes of the questions the rule reads."""
        if self.score is not None:
            return self.score.questions
        return tuple(match.question for match in self.any_of)


@dataclass(frozen=True)
class Sources:
    """Where the wording of an instrument comes from, in each language."""

    en: str
    es_source: str
    es_validated: bool = False
    es_note: str = ""
    codes: str = ""


@dataclass(frozen=True)
class Instrument:
    """A screening instrument: its questions in order and the rule of each domain it screens."""

    id: str
    title: Text
    panel_code: str
    panel_system: str
    sources: Sources
    questions: tuple[Question, ...]
    domains: tuple[DomainRule, ...]
    groups: dict[str, Text] = field(default_factory=dict)
    note: str = ""

    def question(self, code: str) -> Question | None:
        """The question with LOINC code `code`, or None."""
        return next((question for question in self.questions if question.code == code), None)

    def domain(self, key: str) -> DomainRule | None:
        """The rule of the domain `key`, or None."""
        return next((rule for rule in self.domains if rule.key == key), None)

    @property
    def question_codes(self) -> tuple[str, ...]:
        """The LOINC codes of the questions, in order."""
        return tuple(question.code for question in self.questions)

"""Read one instrument document (parsed JSON) into an `Instrument`, refusing any broken field.

Every problem is reported as `FILE: FIELD: message` (e.g. `ahc-hrsn.json: questions[3].answers[1]
.code: ...`) and all of them are raised together in one `InstrumentDataError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from referral.screening.errors import InstrumentDataError
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

KINDS = ("single", "multi")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOINC_PATTERN = re.compile(r"^(\d{1,7})-(\d)$")
ANSWER_PATTERN = re.compile(r"^LA\d{1,6}-\d$")
ICD10_PATTERN = re.compile(r"^[A-Z]\d{2}(?:\.[0-9A-Z]{1,4})?$")
LOCAL_PANEL_PREFIX = "local-"
_MISSING = object()
_KIND_NAMES = {
    str: "text",
    bool: "true or false",
    int: "a whole number",
    list: "a list",
    dict: "a JSON object",
}


class Report:
    """The problems found in one file, each prefixed with the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        """Record that the field at `where` is wrong, and how."""
        self.problems.append(f"{self.source}: {where or '(document)'}: {message}")


def parse_instrument(
    document: Any, source: str, known_needs: tuple[str, ...], categories: tuple[str, ...]
) -> Instrument:
    """The instrument in `document`; InstrumentDataError lists every bad field of `source`."""
    report = Report(source)
    if not isinstance(document, Mapping):
        report.add("", "must be a JSON object")
        raise InstrumentDataError(report.problems)
    instrument = _instrument(document, report)
    _check_instrument(instrument, report)
    _check_domains(instrument, known_needs, categories, report)
    if report.problems:
        raise InstrumentDataError(report.problems)
    return instrument


def loinc_code_ok(code: str) -> bool:
    """Whether `code` is a LOINC code (`digits-check digit`) whose Mod 10 check digit is right."""
    match = LOINC_PATTERN.match(code)
    if match is None:
        return False
    digits, check = match.groups()
    reversed_digits = digits[::-1]
    doubled = str(int(reversed_digits[0::2][::-1]) * 2)
    total = sum(int(digit) for digit in reversed_digits[1::2][::-1] + doubled)
    return (10 - total % 10) % 10 == int(check)


# Reading fields


def _join(where: str, key: str | int) -> str:
    """The path of `key` inside the field at `where`."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _get(data: Mapping[str, Any], key: str, kind: type, where: str, report: Report) -> Any:
    """The value of `key` if it has the right type; otherwise the problem is recorded."""
    value = data.get(key, _MISSING)
    path = _join(where, key)
    if value is _MISSING:
        report.add(path, "is missing")
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        report.add(path, f"must be {_KIND_NAMES.get(kind, kind.__name__)}")
        return None
    if isinstance(value, str) and not value.strip():
        report.add(path, "must not be empty")
        return None
    return value


def _optional(data: Mapping[str, Any], key: str, kind: type, where: str, report: Report) -> Any:
    """Like `_get`, but a missing key is allowed and gives None."""
    return _get(data, key, kind, where, report) if key in data else None


def _string(data: Mapping[str, Any], key: str, where: str, report: Report) -> str:
    """A required, non-empty text field."""
    return _get(data, key, str, where, report) or ""


def _flag(data: Mapping[str, Any], key: str, where: str, report: Report) -> bool:
    """An optional true/false field, false when missing."""
    return bool(_optional(data, key, bool, where, report))


def _objects(data: Mapping[str, Any], key: str, where: str, report: Report) -> list[Any]:
    """A required, non-empty list of JSON objects, each at its own path."""
    items = _get(data, key, list, where, report) or []
    if key in data and isinstance(data[key], list) and not items:
        report.add(_join(where, key), "must not be empty")
    good = []
    for index, item in enumerate(items):
        if isinstance(item, Mapping):
            good.append((item, _join(_join(where, key), index)))
        else:
            report.add(_join(_join(where, key), index), "must be a JSON object")
    return good


def _strings(data: Mapping[str, Any], key: str, where: str, report: Report) -> tuple[str, ...]:
    """A list of non-empty strings; a missing key gives an empty tuple."""
    items = _optional(data, key, list, where, report) or []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            report.add(_join(_join(where, key), index), "must be non-empty text")
    return tuple(item for item in items if isinstance(item, str) and item.strip())


def _text(data: Mapping[str, Any], key: str, where: str, report: Report) -> Text:
    """An {"en": …, "es": …} text field; both languages are required."""
    value = _get(data, key, dict, where, report)
    if value is None:
        return Text("", "")
    path = _join(where, key)
    return Text(_string(value, "en", path, report), _string(value, "es", path, report))


# Building the model


def _instrument(document: Mapping[str, Any], report: Report) -> Instrument:
    """The instrument described by a whole document."""
    panel = _get(document, "panel", dict, "", report) or {}
    groups = _get(document, "groups", dict, "", report) if "groups" in document else {}
    return Instrument(
        id=_string(document, "id", "", report),
        title=_text(document, "title", "", report),
        panel_code=_string(panel, "code", "panel", report) if panel else "",
        panel_system=_string(panel, "system", "panel", report) if panel else "",
        sources=_sources(document, report),
        questions=tuple(
            _question(item, where, report)
            for item, where in _objects(document, "questions", "", report)
        ),
        domains=tuple(
            _domain(item, where, report)
            for item, where in _objects(document, "domains", "", report)
        ),
        groups={key: _text(groups, key, "groups", report) for key in groups or {}},
        note=_optional(document, "note", str, "", report) or "",
    )


def _sources(document: Mapping[str, Any], report: Report) -> Sources:
    """Where the English and the Spanish wording come from."""
    data = _get(document, "sources", dict, "", report)
    if data is None:
        return Sources("", "")
    return Sources(
        en=_string(data, "en", "sources", report),
        es_source=_string(data, "es_source", "sources", report),
        es_validated=_flag(data, "es_validated", "sources", report),
        es_note=_optional(data, "es_note", str, "sources", report) or "",
        codes=_optional(data, "codes", str, "sources", report) or "",
    )


def _question(data: Mapping[str, Any], where: str, report: Report) -> Question:
    """One question and its answers."""
    return Question(
        code=_string(data, "code", where, report),
        text=_text(data, "text", where, report),
        kind=_string(data, "kind", where, report),
        domains=_strings(data, "domains", where, report),
        answers=tuple(
            _answer(item, path, report) for item, path in _objects(data, "answers", where, report)
        ),
        group=_optional(data, "group", str, where, report),
    )


def _answer(data: Mapping[str, Any], where: str, report: Report) -> Answer:
    """One answer of a question."""
    return Answer(
        code=_string(data, "code", where, report),
        text=_text(data, "text", where, report),
        positive=bool(_get(data, "positive", bool, where, report)),
        points=_optional(data, "points", int, where, report),
        none_of_the_above=_flag(data, "none_of_the_above", where, report),
        refusal=_flag(data, "refusal", where, report),
    )


def _domain(data: Mapping[str, Any], where: str, report: Report) -> DomainRule:
    """The positive-screen rule of one domain and what a positive screen maps to."""
    any_of, score = _positive_when(data, where, report)
    by_answer = _optional(data, "z_codes_by_answer", dict, where, report) or {}
    by_answer_at = _join(where, "z_codes_by_answer")
    return DomainRule(
        key=_string(data, "key", where, report),
        need=_string(data, "need", where, report),
        category=_string(data, "category", where, report),
        any_of=any_of,
        score=score,
        z_codes=_strings(data, "z_codes", where, report),
        z_codes_by_answer={
            code: _strings(by_answer, code, by_answer_at, report) for code in by_answer
        },
        alternative_z_codes=_strings(data, "alternative_z_codes", where, report),
        clinician_review=_flag(data, "clinician_review", where, report),
        note=_optional(data, "note", str, where, report) or "",
    )


def _positive_when(
    data: Mapping[str, Any], where: str, report: Report
) -> tuple[tuple[AnswerMatch, ...], ScoreRule | None]:
    """The answer-based parts or the score-based rule of `positive_when`."""
    when = _get(data, "positive_when", dict, where, report)
    path = _join(where, "positive_when")
    if when is None:
        return (), None
    if ("any_of" in when) == ("score" in when):
        report.add(path, 'must have exactly one of "any_of" (answers) or "score" (points)')
        return (), None
    if "score" in when:
        return (), _score(when["score"], _join(path, "score"), report)
    return tuple(
        _match(item, at, report) for item, at in _objects(when, "any_of", path, report)
    ), None


def _match(data: Mapping[str, Any], where: str, report: Report) -> AnswerMatch:
    """One `{"question": …, "answers": […]}` part of an answer-based rule."""
    answers = _strings(data, "answers", where, report)
    if not answers:
        report.add(_join(where, "answers"), "must list at least one answer code")
    return AnswerMatch(_string(data, "question", where, report), answers)


def _score(data: Any, where: str, report: Report) -> ScoreRule | None:
    """A score-based rule: questions, threshold and whether all must be answered."""
    if not isinstance(data, Mapping):
        report.add(where, "must be a JSON object")
        return None
    questions = _strings(data, "questions", where, report)
    if not questions:
        report.add(_join(where, "questions"), "must list at least one question code")
    return ScoreRule(
        questions=questions,
        at_least=_get(data, "at_least", int, where, report) or 0,
        all_answered=_flag(data, "all_answered", where, report),
        code=_optional(data, "code", str, where, report),
    )


# Checking the parts against each other


def _check_instrument(instrument: Instrument, report: Report) -> None:
    """Identifiers, codes and question structure."""
    if instrument.id and not ID_PATTERN.match(instrument.id):
        report.add("id", f"{instrument.id!r} must be lowercase words joined by hyphens")
    code = instrument.panel_code
    if code and not (code.startswith(LOCAL_PANEL_PREFIX) or loinc_code_ok(code)):
        report.add("panel.code", f"{code!r} is neither a LOINC code nor a local-… code")
    _check_unique([q.code for q in instrument.questions], "questions[{}].code", report)
    for index, question in enumerate(instrument.questions):
        _check_question(instrument, question, f"questions[{index}]", report)


def _check_unique(codes: list[str], where: str, report: Report) -> None:
    """Report each code that appears a second time."""
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if code and code in seen:
            report.add(where.format(index), f"{code!r} appears more than once")
        seen.add(code)


def _check_question(instrument: Instrument, question: Question, where: str, report: Report) -> None:
    """A question's code, kind, group and answers."""
    if question.code and not loinc_code_ok(question.code):
        report.add(f"{where}.code", f"{question.code!r} is not a LOINC code (check digit included)")
    if question.kind and question.kind not in KINDS:
        report.add(f"{where}.kind", f"{question.kind!r} must be one of {', '.join(KINDS)}")
    if question.group is not None and question.group not in instrument.groups:
        report.add(f"{where}.group", f"{question.group!r} is not declared under groups")
    _check_unique([a.code for a in question.answers], where + ".answers[{}].code", report)
    for index, answer in enumerate(question.answers):
        _check_answer(question, answer, f"{where}.answers[{index}]", report)


def _check_answer(question: Question, answer: Answer, where: str, report: Report) -> None:
    """An answer's code, points and flags."""
    if answer.code and not ANSWER_PATTERN.match(answer.code):
        report.add(f"{where}.code", f"{answer.code!r} is not a LOINC answer code (LA…)")
    if answer.points is not None and answer.points < 0:
        report.add(f"{where}.points", "must not be negative")
    if answer.none_of_the_above and question.kind != "multi":
        report.add(f"{where}.none_of_the_above", 'only belongs to a "multi" question')
    if answer.positive and answer.exclusive:
        report.add(f"{where}.positive", "a refusal or none-of-the-above answer cannot be positive")


def _check_domains(
    instrument: Instrument, needs: tuple[str, ...], categories: tuple[str, ...], report: Report
) -> None:
    """Each rule against the questions it reads, and the questions against the rules."""
    _check_unique([rule.key for rule in instrument.domains], "domains[{}].key", report)
    for index, rule in enumerate(instrument.domains):
        where = f"domains[{index}]"
        _check_mapping(rule, needs, categories, where, report)
        _check_matches(instrument, rule, where, report)
        _check_score(instrument, rule, where, report)
    _check_question_domains(instrument, report)
    _check_positive_flags(instrument, report)


def _check_mapping(
    rule: DomainRule,
    needs: tuple[str, ...],
    categories: tuple[str, ...],
    where: str,
    report: Report,
) -> None:
    """The domain key, need key, Gravity category and Z codes of a rule."""
    if rule.key and not ID_PATTERN.match(rule.key):
        report.add(f"{where}.key", f"{rule.key!r} must be lowercase words joined by hyphens")
    if rule.need and rule.need not in needs:
        report.add(f"{where}.need", f"{rule.need!r} is not a need key ({', '.join(needs)})")
    if rule.category and rule.category not in categories:
        report.add(f"{where}.category", f"{rule.category!r} is not a Gravity SDOH category")
    coded = [("z_codes", rule.z_codes), ("alternative_z_codes", rule.alternative_z_codes)]
    coded += [(f"z_codes_by_answer.{key}", codes) for key, codes in rule.z_codes_by_answer.items()]
    for field_name, codes in coded:
        for code in codes:
            if not ICD10_PATTERN.match(code):
                report.add(f"{where}.{field_name}", f"{code!r} is not an ICD-10-CM code")


def _check_matches(instrument: Instrument, rule: DomainRule, where: str, report: Report) -> None:
    """Each answer-based part names a question of the instrument and answers it offers."""
    for index, match in enumerate(rule.any_of):
        path = f"{where}.positive_when.any_of[{index}]"
        question = _rule_question(instrument, rule, match.question, path + ".question", report)
        offered = {answer.code for answer in question.answers} if question else set(match.answers)
        for code in match.answers:
            if code not in offered:
                report.add(f"{path}.answers", f"question {match.question} has no answer {code!r}")
    listed = {code for match in rule.any_of for code in match.answers}
    for code in rule.z_codes_by_answer:
        if code not in listed:
            report.add(
                f"{where}.z_codes_by_answer", f"{code!r} is not a positive answer of the rule"
            )


def _check_score(instrument: Instrument, rule: DomainRule, where: str, report: Report) -> None:
    """Each question of a score-based rule exists and gives points for every answer."""
    if rule.score is None:
        return
    path = f"{where}.positive_when.score"
    if rule.score.code is not None and not loinc_code_ok(rule.score.code):
        report.add(f"{path}.code", f"{rule.score.code!r} is not a LOINC code")
    for index, code in enumerate(rule.score.questions):
        question = _rule_question(instrument, rule, code, f"{path}.questions[{index}]", report)
        for answer in question.answers if question is not None else ():
            if answer.points is None and not answer.refusal:
                report.add(
                    f"{path}.questions[{index}]", f"answer {answer.code} of {code} has no points"
                )


def _rule_question(
    instrument: Instrument, rule: DomainRule, code: str, where: str, report: Report
) -> Question | None:
    """The question a rule names, if it exists and lists the rule's domain."""
    question = instrument.question(code)
    if question is None:
        report.add(where, f"names question {code!r}, which the instrument does not have")
    elif rule.key not in question.domains:
        report.add(where, f"question {code} does not list domain {rule.key!r} in its domains")
    return question


def _check_question_domains(instrument: Instrument, report: Report) -> None:
    """Every domain a question lists has a rule reading that question."""
    for index, question in enumerate(instrument.questions):
        for key in question.domains:
            rule = instrument.domain(key)
            if rule is None or question.code not in rule.questions:
                report.add(
                    f"questions[{index}].domains",
                    f"no rule of domain {key!r} reads {question.code}",
                )


def _check_positive_flags(instrument: Instrument, report: Report) -> None:
    """An answer is marked positive exactly when some answer-based rule lists it."""
    listed = {
        (m.question, code) for rule in instrument.domains for m in rule.any_of for code in m.answers
    }
    for q_index, question in enumerate(instrument.questions):
        for a_index, answer in enumerate(question.answers):
            message = _flag_mismatch(question, answer, listed)
            if message:
                report.add(f"questions[{q_index}].answers[{a_index}].positive", message)


def _flag_mismatch(question: Question, answer: Answer, listed: set[tuple[str, str]]) -> str | None:
    """Why an answer's `positive` flag disagrees with the rules, or None when it agrees."""
    is_listed = (question.code, answer.code) in listed
    if answer.positive == is_listed:
        return None
    if answer.positive:
        return f"is true but no rule lists {answer.code} of {question.code}"
    return f"is false but a rule lists {answer.code} of {question.code} as positive"

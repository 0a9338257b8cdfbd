"""Screening instruments as FHIR R4 Questionnaires, screenings as QuestionnaireResponses, and back.

Flask-free: plain dicts in and out (FHIR JSON), shaped after the HL7 SDOH Clinical Care guide's
Hunger Vital Sign Questionnaire and the SDC profiles. Every item's linkId is the question's LOINC
code; answers are LOINC answer codings. Reading a response back gives the answers exactly as
`referral.screening.score()` takes them, or `ResponseProblems` listing everything wrong at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from dateutil.parser import isoparse

from referral.screening import load_instruments
from referral.screening.errors import InvalidAnswers, ScreeningError
from referral.screening.model import Answer, Instrument, Question, Text
from referral.screening.scoring import (
    Answers,
    Chosen,
    ScreeningResult,
    answer_problems,
    chosen_answers,
    evaluate,
)

__all__ = [
    "LOINC",
    "SDC_QUESTIONNAIRE",
    "SDC_QUESTIONNAIRE_RESPONSE",
    "ParsedResponse",
    "Problem",
    "ResponseProblems",
    "answers_from_response",
    "canonical_url",
    "questionnaire",
    "questionnaire_response",
    "required_questions",
]

LOINC = "http://loinc.org"
SDC_QUESTIONNAIRE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"
SDC_QUESTIONNAIRE_RESPONSE = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse"
)
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
OPTION_EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
LOINC_QUESTIONNAIRE = "http://loinc.org/q/"

# The instrument files carry no version or date: this is when the bundled ones last changed.
# Raise VERSION_ID and move the date when a file's questions or answers change.
VERSION_ID = "1"
INSTRUMENTS_UPDATED = "2026-11-22T13:39:35+00:00"

# Questionnaires published elsewhere that ask a LOINC panel's questions with its codes.
KNOWN_CANONICALS: Mapping[str, str] = {
    "http://hl7.org/fhir/us/sdoh-clinicalcare/Questionnaire/SDOHCC-QuestionnaireHungerVitalSign": (
        "88121-9"
    ),
}
ACCEPTED_STATUSES = ("completed", "amended")
_CANONICAL_ID = re.compile(r"(?:^|/)Questionnaire/([A-Za-z0-9\-.]{1,64})$")


@dataclass(frozen=True)
class Calculated:
    """A read-only item the app computes: a risk (`options` at risk, no risk) or a total score."""

    code: str
    text: Text
    domain: str
    options: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class Group:
    """A group of items (e.g. the AHC safety questions) under one heading."""

    key: str
    text: Text
    members: tuple[Question | Calculated, ...]


Node = Question | Group | Calculated

# Calculated risk items of LOINC panels, by panel code.
RISK_ITEMS: Mapping[str, Calculated] = {
    "88121-9": Calculated(
        code="88124-3",
        text=Text("Food insecurity risk", "Riesgo de inseguridad alimentaria"),
        domain="food-insecurity",
        options=(
            Answer("LA19952-3", Text("At risk", "En riesgo")),
            Answer("LA19983-8", Text("No risk", "Sin riesgo")),
        ),
    ),
}
# Wording of the total scores the instruments name (ScoreRule.code).
SCORE_TEXTS: Mapping[str, Text] = {
    "95614-4": Text("Total safety score", "Puntuación total de seguridad"),
}
_SCORE_TEXT = Text("Total score", "Puntuación total")


class ScreeningLike(Protocol):
    """What a QuestionnaireResponse is made from: a stored screening or a stand-in."""

    id: Any
    instrument: str
    answers: Mapping[str, Any]
    language: str | None
    created_at: datetime


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a QuestionnaireResponse: where (FHIRPath), what, and the issue type."""

    expression: str
    message: str
    code: str


class ResponseProblems(ValueError):
    """A QuestionnaireResponse that cannot be read as a screening; `problems` lists every issue."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.expression}: {p.message}" for p in self.problems))


@dataclass(frozen=True)
class ParsedResponse:
    """A QuestionnaireResponse read back: the instrument, answers as score() takes them, and who."""

    instrument_id: str
    answers: dict[str, str | list[str]]
    authored: datetime | None
    subject: str | None
    language: str | None


# The item tree both resources share


def canonical_url(base_url: str, instrument_id: str) -> str:
    """The canonical URL of an instrument's Questionnaire under the FHIR base URL."""
    return f"{base_url.rstrip('/')}/Questionnaire/{instrument_id}"


def required_questions(found: Instrument) -> tuple[str, ...]:
    """The questions scoring refuses a screening without (with the bundled ones, none)."""
    sample: dict[str, str | list[str]] = {
        q.code: [q.answers[0].code] if q.multiple else q.answers[0].code for q in found.questions
    }
    if answer_problems(found, sample):
        return ()
    return tuple(
        code
        for code in sample
        if answer_problems(found, {other: v for other, v in sample.items() if other != code})
    )


def calculated_items(found: Instrument) -> tuple[Calculated, ...]:
    """The instrument's read-only items: its named total scores and its panel's risk item."""
    scores = tuple(
        Calculated(rule.score.code, SCORE_TEXTS.get(rule.score.code, _SCORE_TEXT), rule.key)
        for rule in found.domains
        if rule.score is not None and rule.score.code
    )
    risk = RISK_ITEMS.get(found.panel_code) if found.panel_system == LOINC else None
    return (*scores, risk) if risk is not None else scores


def item_tree(found: Instrument) -> tuple[Node, ...]:
    """Questions in order, grouped where the instrument groups them, then the calculated items."""
    members: dict[str, list[Question | Calculated]] = {}
    order: list[Node | str] = []
    for question in found.questions:
        if question.group is None:
            order.append(question)
        elif question.group not in members:
            members[question.group] = [question]
            order.append(question.group)
        else:
            members[question.group].append(question)
    for item in calculated_items(found):
        home = _home_group(found, item)
        if home in members:
            members[home].append(item)
        else:
            order.append(item)
    return tuple(_group(found, node, members) if isinstance(node, str) else node for node in order)


def _home_group(found: Instrument, item: Calculated) -> str | None:
    """The group all questions of the item's domain are in, or None."""
    rule = found.domain(item.domain)
    codes = rule.questions if rule is not None else ()
    groups = {question.group for code in codes if (question := found.question(code))}
    return groups.pop() if len(groups) == 1 else None


def _group(
    found: Instrument, key: str, members: Mapping[str, list[Question | Calculated]]
) -> Group:
    """The group `key` with its members."""
    return Group(key, found.groups.get(key, Text(key, key)), tuple(members[key]))


# Questionnaire


def questionnaire(instrument: Instrument, base_url: str) -> dict[str, Any]:
    """The instrument as an SDC Questionnaire (English, with Spanish translation extensions)."""
    required = required_questions(instrument)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": instrument.id,
        "meta": {
            "versionId": VERSION_ID,
            "lastUpdated": INSTRUMENTS_UPDATED,
            "profile": [SDC_QUESTIONNAIRE],
        },
        "language": "en",
        "url": canonical_url(base_url, instrument.id),
        "identifier": [{"system": instrument.panel_system, "value": instrument.panel_code}],
        "name": _computable_name(instrument.id),
        "title": instrument.title.en,
        "_title": _translation(instrument.title),
        "status": "active",
        "subjectType": ["Patient"],
        "date": INSTRUMENTS_UPDATED,
        "code": [{"system": instrument.panel_system, "code": instrument.panel_code}],
        "item": [_questionnaire_item(node, required) for node in item_tree(instrument)],
    }
    if instrument.note:
        resource["description"] = instrument.note
    return resource


def _computable_name(instrument_id: str) -> str:
    """A FHIR computable name from an instrument id: `ahc-hrsn-core` → `AhcHrsnCore`."""
    name = "".join(part.capitalize() for part in instrument_id.split("-"))
    return name if name[:1].isalpha() else f"Screening{name}"


def _translation(text: Text) -> dict[str, Any]:
    """The primitive extension (`_text`, `_title`, `_display`) holding the Spanish wording."""
    parts = [{"url": "lang", "valueCode": "es"}, {"url": "content", "valueString": text.es}]
    return {"extension": [{"url": TRANSLATION, "extension": parts}]}


def _questionnaire_item(node: Node, required: tuple[str, ...]) -> dict[str, Any]:
    """One Questionnaire item: a group, a question or a calculated item."""
    if isinstance(node, Group):
        item = _texts(node.key, node.text) | {"type": "group", "required": False}
        return item | {"item": [_questionnaire_item(member, required) for member in node.members]}
    if isinstance(node, Calculated):
        return _calculated_definition(node)
    return _question_definition(node, node.code in required)


def _texts(link_id: str, text: Text) -> dict[str, Any]:
    """The linkId and the English text with its Spanish translation."""
    return {"linkId": link_id, "text": text.en, "_text": _translation(text)}


def _question_definition(question: Question, required: bool) -> dict[str, Any]:
    """A choice item for one question, its answers as LOINC answer codings."""
    return _texts(question.code, question.text) | {
        "code": [{"system": LOINC, "code": question.code}],
        "type": "choice",
        "required": required,
        "repeats": question.multiple,
        "answerOption": [_option(answer, question.multiple) for answer in question.answers],
    }


def _option(answer: Answer, multiple: bool) -> dict[str, Any]:
    """One answer option; "None of the above" and refusals exclude the others when multiple."""
    coding = _coding(answer, "en") | {"_display": _translation(answer.text)}
    option: dict[str, Any] = {"valueCoding": coding}
    if multiple and answer.exclusive:
        option["extension"] = [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}]
    return option


def _coding(answer: Answer, language: str) -> dict[str, Any]:
    """The LOINC coding of an answer, displayed in `language`."""
    return {"system": LOINC, "code": answer.code, "display": answer.text.get(language)}


def _calculated_definition(item: Calculated) -> dict[str, Any]:
    """A read-only item: a choice among the risk options, or an integer total score."""
    definition = _texts(item.code, item.text) | {
        "code": [{"system": LOINC, "code": item.code}],
        "type": "choice" if item.options else "integer",
        "required": False,
        "readOnly": True,
    }
    if item.options:
        definition["answerOption"] = [_option(option, False) for option in item.options]
    return definition


# QuestionnaireResponse


def questionnaire_response(
    screening: ScreeningLike,
    instrument: Instrument,
    subject: str,
    base_url: str,
    author: str | None = None,
) -> dict[str, Any]:
    """A stored screening as an SDC QuestionnaireResponse in the screening's language."""
    if screening.instrument != instrument.id:
        raise ValueError(f"The screening used {screening.instrument}, not {instrument.id}.")
    language = screening.language or "en"
    chosen = chosen_answers(instrument, screening.answers)
    filled = _Filled(instrument, chosen, _result(instrument, screening.answers), language)
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if screening.id is not None:
        resource["id"] = str(screening.id)
    resource |= {
        "meta": {"profile": [SDC_QUESTIONNAIRE_RESPONSE]},
        "language": language,
        "questionnaire": canonical_url(base_url, instrument.id),
        "status": "completed",
        "subject": {"reference": subject},
        "authored": _aware(screening.created_at).isoformat(),
    }
    if author:
        resource["author"] = {"reference": author}
    resource["item"] = [item for node in item_tree(instrument) if (item := filled.item(node))]
    return resource


def _result(found: Instrument, answers: Answers) -> ScreeningResult:
    """What score() gives for `answers`, against this Instrument rather than a bundled one."""
    problems = answer_problems(found, answers)
    if problems:
        raise InvalidAnswers(problems)
    return evaluate(found, chosen_answers(found, answers))


def _aware(moment: datetime) -> datetime:
    """The moment with a time zone; a naive one is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Filled:
    """One screening's answers and result, turned into response items."""

    found: Instrument
    chosen: Chosen
    result: ScreeningResult
    language: str

    def item(self, node: Node) -> dict[str, Any] | None:
        """The response item of one node; None when nothing in it was answered."""
        if isinstance(node, Group):
            items = [item for member in node.members if (item := self.item(member))]
            return self.texts(node.key, node.text) | {"item": items} if items else None
        answers = self.calculated(node) if isinstance(node, Calculated) else self.answers(node)
        return self.texts(node.code, node.text) | {"answer": answers} if answers else None

    def texts(self, link_id: str, text: Text) -> dict[str, Any]:
        """The linkId and the text in the screening's language."""
        return {"linkId": link_id, "text": text.get(self.language)}

    def answers(self, question: Question) -> list[dict[str, Any]]:
        """One answer coding per code given to the question."""
        answers = (question.answer(code) for code in self.chosen.get(question.code, ()))
        return [{"valueCoding": _coding(answer, self.language)} for answer in answers if answer]

    def calculated(self, item: Calculated) -> list[dict[str, Any]]:
        """The total score, or the risk option; nothing when the questions give none."""
        if not item.options:
            total = self.result.scores.get(item.domain)
            return [] if total is None else [{"valueInteger": total}]
        if not self.substantive(item.domain):
            return []
        at_risk = item.domain in self.result.positive_domains
        return [{"valueCoding": _coding(item.options[0 if at_risk else 1], self.language)}]

    def substantive(self, domain: str) -> bool:
        """Whether a question of the domain has an answer other than a refusal."""
        rule = self.found.domain(domain)
        questions = [self.found.question(code) for code in rule.questions] if rule else []
        return any(
            (answer := question.answer(code)) is not None and not answer.refusal
            for question in questions
            if question is not None
            for code in self.chosen.get(question.code, ())
        )


# Reading a QuestionnaireResponse back


def answers_from_response(
    resource: object, instruments: Mapping[str, Instrument] | None = None
) -> ParsedResponse:
    """The answers of a QuestionnaireResponse as score() takes them; ResponseProblems lists all."""
    known = load_instruments() if instruments is None else instruments
    if not isinstance(resource, Mapping):
        message = "The body must be a JSON object: a FHIR QuestionnaireResponse resource."
        raise ResponseProblems([Problem("QuestionnaireResponse", message, "structure")])
    found, problems = _identify(resource, known)
    problems = _header_problems(resource) + problems
    authored, authored_problems = _authored(resource.get("authored"))
    subject, subject_problems = _subject(resource.get("subject"))
    answers, answer_problems_ = _answers(resource, found) if found else ({}, [])
    problems += authored_problems + subject_problems + answer_problems_
    if found is not None and not problems:
        problems = _scoring_problems(found, answers)
    if problems or found is None:
        raise ResponseProblems(problems)
    language = resource.get("language")
    return ParsedResponse(
        found.id, answers, authored, subject, language if isinstance(language, str) else None
    )


def _header_problems(resource: Mapping[str, Any]) -> list[Problem]:
    """A resource that is not a QuestionnaireResponse, or one not yet completed."""
    problems = []
    kind = resource.get("resourceType")
    if kind != "QuestionnaireResponse":
        message = (
            f"The resource is {_named(kind)}, not a QuestionnaireResponse; send the screening "
            'as a resource with "resourceType": "QuestionnaireResponse".'
        )
        problems.append(Problem("QuestionnaireResponse.resourceType", message, "structure"))
    status = resource.get("status")
    if status is None:
        message = 'The response has no status; set "status" to "completed" once it is finished.'
        problems.append(Problem("QuestionnaireResponse.status", message, "required"))
    elif status not in ACCEPTED_STATUSES:
        message = (
            f"The status is {_named(status)}; only a completed (or amended) response can be "
            'recorded as a screening: send it with "status": "completed" once it is finished.'
        )
        problems.append(Problem("QuestionnaireResponse.status", message, "value"))
    return problems


def _named(value: object) -> str:
    """A value quoted for a message, or "missing"."""
    if value is None:
        return "missing"
    return f'"{value}"' if isinstance(value, str) else repr(value)


# Which instrument


def _identify(
    resource: Mapping[str, Any], known: Mapping[str, Instrument]
) -> tuple[Instrument | None, list[Problem]]:
    """The instrument named by `questionnaire`, or else by a panel among the top-level items."""
    canonical = resource.get("questionnaire")
    found = _by_canonical(canonical, known) if isinstance(canonical, str) else None
    found = found or _by_panel_item(resource.get("item"), known)
    if found is not None:
        return found, []
    if canonical is not None and not isinstance(canonical, str):
        message = "questionnaire must be a canonical URL (text)."
        return None, [Problem("QuestionnaireResponse.questionnaire", message, "structure")]
    return None, [_unknown_questionnaire(canonical, known)]


def _by_canonical(canonical: str, known: Mapping[str, Instrument]) -> Instrument | None:
    """The instrument of our Questionnaire URL, a LOINC panel canonical or a known guide's one."""
    url = canonical.split("|", 1)[0].rstrip("/")
    panel = KNOWN_CANONICALS.get(url)
    if panel is None and url.startswith(LOINC_QUESTIONNAIRE):
        panel = url.removeprefix(LOINC_QUESTIONNAIRE)
    if panel is not None:
        return _by_panel(panel, known)
    match = _CANONICAL_ID.search(url)
    return known.get(match.group(1)) if match else None


def _by_panel(panel_code: str, known: Mapping[str, Instrument]) -> Instrument | None:
    """The instrument whose panel code is `panel_code` (the first by id if several)."""
    matches = (known[key] for key in sorted(known) if known[key].panel_code == panel_code)
    return next(matches, None)


def _by_panel_item(items: object, known: Mapping[str, Instrument]) -> Instrument | None:
    """The instrument whose panel code is the linkId or LOINC code of a top-level item."""
    tops = items if isinstance(items, list) else []
    codes = (code for item in tops if isinstance(item, Mapping) for code in _item_codes(item))
    return next((found for code in codes if (found := _by_panel(code, known))), None)


def _unknown_questionnaire(canonical: str | None, known: Mapping[str, Instrument]) -> Problem:
    """The problem of a response whose screening instrument cannot be told."""
    ours = ", ".join(f".../Questionnaire/{key}" for key in sorted(known))
    panels = ", ".join(
        f"{LOINC_QUESTIONNAIRE}{known[key].panel_code}"
        for key in sorted(known)
        if known[key].panel_system == LOINC
    )
    said = f"Questionnaire {canonical} is not a screening this service knows"
    if not canonical:
        said = "The response names no questionnaire and no top-level item is a screening panel"
    message = f"{said}; set questionnaire to one of {ours} or a LOINC panel ({panels})."
    return Problem("QuestionnaireResponse.questionnaire", message, "not-supported")


# Items and answers


def _item_codes(item: Mapping[str, Any]) -> list[str]:
    """The codes an item may stand for: the last part of its linkId, then its LOINC codes."""
    link_id = item.get("linkId")
    codes = [link_id.strip().rstrip("/").rsplit("/", 1)[-1]] if isinstance(link_id, str) else []
    codings = item.get("code")
    if not isinstance(codings, list):
        codings = []
    codes.extend(
        coding["code"]
        for coding in codings
        if isinstance(coding, Mapping)
        and coding.get("system") == LOINC
        and isinstance(coding.get("code"), str)
    )
    return codes


def _flatten(items: object, path: str) -> tuple[list[tuple[str, Mapping[str, Any]]], list[Problem]]:
    """Every item at any depth of nested groups, each with its FHIRPath."""
    if items is None:
        return [], []
    if not isinstance(items, list):
        return [], [Problem(path, "item must be a list of items.", "structure")]
    found: list[tuple[str, Mapping[str, Any]]] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            problems.append(
                Problem(where, "Each item must be an object with a linkId.", "structure")
            )
            continue
        inner, inner_problems = _flatten(item.get("item"), f"{where}.item")
        found += [(where, item), *inner]
        problems += inner_problems
    return found, problems


def _answers(
    resource: Mapping[str, Any], found: Instrument
) -> tuple[dict[str, str | list[str]], list[Problem]]:
    """The answer codes of every question item, and every problem with the items."""
    items, problems = _flatten(resource.get("item"), "QuestionnaireResponse.item")
    ignored = {item.code for item in calculated_items(found)}
    answers: dict[str, str | list[str]] = {}
    seen: dict[str, str] = {}
    troubled: set[str] = set()
    for where, item in items:
        codes = _item_codes(item)
        question = next((found_q for code in codes if (found_q := found.question(code))), None)
        if question is not None:
            item_problems = _question_item(where, item, found, question, answers, seen)
            if item_problems:
                troubled.add(question.code)
            problems += item_problems
        elif ignored.isdisjoint(codes):
            problems += _unknown_item(where, item, codes, found)
    return answers, problems + _missing(found, answers.keys() | troubled)


def _unknown_item(
    where: str, item: Mapping[str, Any], codes: list[str], found: Instrument
) -> list[Problem]:
    """An answered item that is none of the instrument's questions (groups pass)."""
    if not item.get("answer"):
        return []
    named = ", ".join(dict.fromkeys(codes)) or "no LOINC code"
    message = (
        f"Item {_named(item.get('linkId'))} ({named}) is not a question of the {found.id} "
        f"screening; its questions are {', '.join(found.question_codes)}. Use the question's "
        "LOINC code as the linkId or in item.code, or leave the item out."
    )
    return [Problem(where, message, "not-supported")]


def _question_item(
    where: str,
    item: Mapping[str, Any],
    found: Instrument,
    question: Question,
    answers: dict[str, str | list[str]],
    seen: dict[str, str],
) -> list[Problem]:
    """Record the answers of one question item; the problems with it."""
    if question.code in seen:
        message = (
            f"Question {question.code} is answered again here (first at {seen[question.code]}); "
            "send each question once, with all its answers in one item."
        )
        return [Problem(where, message, "structure")]
    seen[question.code] = where
    codes, problems = _answer_codes(where, item.get("answer"), question)
    if not problems and codes:
        value = list(codes) if question.multiple else codes[0]
        refused = answer_problems(found, {question.code: value})
        problems = [Problem(f"{where}.answer", message, "business-rule") for message in refused]
        if not problems:
            answers[question.code] = value
    return problems


def _answer_codes(
    where: str, answers: object, question: Question
) -> tuple[list[str], list[Problem]]:
    """The LOINC answer codes of an item's answers, and what is wrong with them."""
    if answers is None:
        return [], []
    if not isinstance(answers, list):
        return [], [Problem(f"{where}.answer", "answer must be a list of answers.", "structure")]
    codes: list[str] = []
    problems: list[Problem] = []
    for index, answer in enumerate(answers):
        code, answer_problems_ = _answer_code(f"{where}.answer[{index}]", answer, question)
        codes += [code] if code else []
        problems += answer_problems_
    if len(answers) > 1 and not question.multiple:
        message = (
            f"Question {question.code} takes one answer but the item has {len(answers)}; "
            "send only the answer the patient chose."
        )
        problems.append(Problem(f"{where}.answer", message, "value"))
    return list(dict.fromkeys(codes)), problems


def _answer_code(
    where: str, answer: object, question: Question
) -> tuple[str | None, list[Problem]]:
    """The LOINC answer code of one answer, or the problem with it."""
    coding = answer.get("valueCoding") if isinstance(answer, Mapping) else None
    if not isinstance(coding, Mapping):
        return None, [_not_a_coding(where, answer, question)]
    system, code = coding.get("system"), coding.get("code")
    if system != LOINC:
        message = (
            f"The answer to question {question.code} has system {_named(system)}; answers are "
            f"LOINC answer codes (LA…): set system to {LOINC}."
        )
        return None, [Problem(f"{where}.valueCoding.system", message, "code-invalid")]
    if not isinstance(code, str) or not code.strip():
        message = f"The answer to question {question.code} has no code; give its LOINC answer code."
        return None, [Problem(f"{where}.valueCoding.code", message, "required")]
    if question.answer(code) is None:
        return None, [
            Problem(f"{where}.valueCoding.code", _bad_code(question, code), "code-invalid")
        ]
    return code, []


def _not_a_coding(where: str, answer: object, question: Question) -> Problem:
    """The problem of an answer given as something other than a valueCoding."""
    kinds = (
        [key for key in answer if key.startswith("value")] if isinstance(answer, Mapping) else []
    )
    given = f"a {kinds[0]}" if kinds else "no valueCoding"
    message = (
        f"The answer to question {question.code} is {given}; answer with a valueCoding holding "
        f"one of its LOINC answer codes ({', '.join(a.code for a in question.answers)})."
    )
    return Problem(where, message, "value")


def _bad_code(question: Question, code: str) -> str:
    """The message for an answer code the question does not offer."""
    offered = "; ".join(f"{answer.code} ({answer.text.en})" for answer in question.answers)
    return f"Question {question.code} has no answer {code}; use one of: {offered}."


def _missing(found: Instrument, given: Set[str]) -> list[Problem]:
    """Required questions the response gives no answer to (nor a wrong one)."""
    return [
        Problem(
            "QuestionnaireResponse.item",
            f'Question {code} ("{question.text.en}") must be answered but the response has no '
            f"answer to it; add an item with linkId {code} and the patient's answer.",
            "required",
        )
        for code in required_questions(found)
        if code not in given and (question := found.question(code)) is not None
    ]


def _scoring_problems(found: Instrument, answers: Answers) -> list[Problem]:
    """Whatever scoring still refuses in the answers taken together."""
    try:
        _result(found, answers)
    except ScreeningError as error:
        return [
            Problem("QuestionnaireResponse", message, "business-rule") for message in error.problems
        ]
    return []


# Header fields


def _authored(value: object) -> tuple[datetime | None, list[Problem]]:
    """When the response was authored (UTC when no time zone is given), or the problem."""
    if value is None:
        return None, []
    moment = _datetime(value)
    if moment is None:
        message = (
            f"authored {_named(value)} is not a FHIR dateTime; give the date and time with a "
            "time zone, e.g. 2024-05-01T14:30:00Z."
        )
        return None, [Problem("QuestionnaireResponse.authored", message, "value")]
    return moment, []


def _datetime(value: object) -> datetime | None:
    """A FHIR dateTime (any precision) as an aware UTC datetime, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return _aware(isoparse(value)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _subject(value: object) -> tuple[str | None, list[Problem]]:
    """The subject's reference (e.g. "Patient/12"), or the problem with it."""
    if value is None:
        return None, []
    if not isinstance(value, Mapping):
        message = 'subject must be a Reference, e.g. {"reference": "Patient/12"}.'
        return None, [Problem("QuestionnaireResponse.subject", message, "structure")]
    reference = value.get("reference")
    return (reference if isinstance(reference, str) else None), []

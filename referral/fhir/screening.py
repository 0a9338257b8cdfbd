"""A stored screening as SDOHCC Observations (one per answer, one per positive domain) and
Conditions (one per coded need), all pointing back at its QuestionnaireResponse."""

from __future__ import annotations

from referral.fhir.codes import (
    CONDITION_CATEGORY,
    FINDINGS,
    INTERPRETATION,
    LOINC,
    OBSERVATION_CATEGORY,
    SDOHCC,
    SNOMED,
    US_CORE_CATEGORY,
    coding,
    concept,
    sdoh_category,
)
from referral.fhir.shape import distinct, instant, ref, resource
from referral.screening.model import Instrument
from referral.screenings.models import Screening

ASSESSMENT = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ObservationAssessment"
)
SOCIAL_HISTORY = concept(OBSERVATION_CATEGORY, "social-history", "Social History")
SURVEY = concept(OBSERVATION_CATEGORY, "survey", "Survey")
SDOH = concept(US_CORE_CATEGORY, "sdoh", "SDOH")
HEALTH_CONCERN = concept(CONDITION_CATEGORY, "health-concern", "Health Concern")


def chosen(screening: Screening) -> list[tuple[str, list[str]]]:
    """The answers of a screening as (question code, answer codes), in the order given."""
    return [
        (code, list(value) if isinstance(value, list) else [value])
        for code, value in screening.answers.items()
    ]


def observation_ids(screening: Screening) -> list[str]:
    """The ids of every Observation a screening gives, answers first, then positive domains."""
    ids = [
        answer_id(screening, code, a, len(codes) > 1)
        for code, codes in chosen(screening)
        for a in codes
    ]
    return ids + [f"{screening.id}-{domain}" for domain in screening.positive_domains]


def answer_id(screening: Screening, question: str, answer: str, several: bool) -> str:
    """The id of the Observation of one answer (several answers to one question: one each)."""
    return f"{screening.id}-{question}-{answer}" if several else f"{screening.id}-{question}"


def observations(screening: Screening, instrument: Instrument) -> list[dict]:
    """Every Observation of a screening."""
    answers = [
        answer_observation(screening, instrument, code, answer, len(codes) > 1)
        for code, codes in chosen(screening)
        for answer in codes
    ]
    domains = [domain_observation(screening, instrument, d) for d in screening.positive_domains]
    return answers + domains


def answer_observation(
    screening: Screening, instrument: Instrument, code: str, answer: str, several: bool
) -> dict:
    """One answer as an SDOHCC Observation Screening Response."""
    question = instrument.question(code)
    option = question.answer(answer) if question else None
    language = screening.language or "en"
    categories = [domain_category(instrument, d) for d in (question.domains if question else ())]
    return resource(
        "Observation",
        answer_id(screening, code, answer, several),
        1,
        screening.created_at,
        status="final",
        category=[SOCIAL_HISTORY, SURVEY, SDOH, *distinct(categories)],
        code=concept(LOINC, code, question.text.en if question else None),
        subject=ref("Patient", screening.patient_id),
        effectiveDateTime=instant(screening.created_at),
        issued=instant(screening.created_at),
        performer=[ref("Patient", screening.patient_id)] if screening.mode == "self" else None,
        valueCodeableConcept=concept(
            LOINC,
            answer,
            option.text.en if option else None,
            option.text.get(language) if option else None,
        ),
        interpretation=[positive()] if option is not None and option.positive else None,
        derivedFrom=[ref("QuestionnaireResponse", screening.id)],
    )


def domain_observation(screening: Screening, instrument: Instrument, domain: str) -> dict:
    """A positive domain as an SDOHCC Observation Assessment: the need the answers show."""
    rule = instrument.domain(domain)
    category = rule.category if rule else "sdoh-category-unspecified"
    members = [
        ref("Observation", answer_id(screening, code, a, len(codes) > 1))
        for code, codes in chosen(screening)
        if rule and code in rule.questions
        for a in codes
    ]
    body = resource(
        "Observation",
        f"{screening.id}-{domain}",
        1,
        screening.created_at,
        status="final",
        category=[SOCIAL_HISTORY, SDOH, sdoh_category(category)],
        code=finding(category, domain),
        subject=ref("Patient", screening.patient_id),
        effectiveDateTime=instant(screening.created_at),
        issued=instant(screening.created_at),
        valueBoolean=True,
        interpretation=[positive()],
        derivedFrom=[ref("QuestionnaireResponse", screening.id), *members],
    )
    body["meta"]["profile"] = [ASSESSMENT]
    return body


def finding(category: str, domain: str) -> dict:
    """What a positive domain found: the SNOMED CT finding where one fits, else the category."""
    words = domain.replace("-", " ").capitalize()
    if category in FINDINGS:
        code, display = FINDINGS[category]
        return concept(SNOMED, code, display, words)
    return {"coding": [coding(SDOHCC, category)], "text": words}


def domain_category(instrument: Instrument, domain: str) -> dict:
    """The SDOH category of one of the instrument's domains."""
    rule = instrument.domain(domain)
    return sdoh_category(rule.category if rule else "sdoh-category-unspecified")


def positive() -> dict:
    """The interpretation of an answer or domain that screens positive."""
    return concept(INTERPRETATION, "POS", "Positive")


def coded_needs(screening: Screening) -> list[dict]:
    """The needs of a screening that carry a Z code (a safety concern waits for a clinician)."""
    return [need for need in screening.needs if need.get("z_codes")]

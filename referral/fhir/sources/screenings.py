"""Instruments and what screenings give: responses, observations, conditions."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from referral.extensions import db
from referral.fhir import screening
from referral.fhir.questionnaires import questionnaire, questionnaire_response
from referral.fhir.search import Query
from referral.fhir.shape import meta, ref
from referral.fhir.sources.base import (
    Context,
    Found,
    Source,
    codings_of,
    id_values,
    patient_values,
    prefixed_id,
    python_page,
    tokens_hold,
    within,
)
from referral.patients.models import Patient
from referral.screening.instruments import load_instruments
from referral.screenings.models import Screening


class QuestionnaireSource(Source):
    resource_type = "Questionnaire"
    params: ClassVar[dict[str, str]] = {"_id": "string", "code": "token"}

    def search(self, ctx, q):
        found = [questionnaire(i, ctx.base) for i in instruments().values()]
        if q.get("_id"):
            found = [r for r in found if r["id"] in id_values(q)]
        found = [r for r in found if tokens_hold(q, "code", r.get("code", []))]
        return python_page([Found(r) for r in found], q)


def instruments():
    """The screening instruments this installation knows."""
    return load_instruments()


class ScreeningSource(Source):
    """Resources made from screenings: QuestionnaireResponses, Observations, Conditions."""

    def screenings(self, ctx: Context, q: Query) -> list[Screening]:
        """The screenings in reach of the search, oldest first."""
        query = select(Screening).where(Screening.patient_id.in_(self.patients(ctx)))
        if q.get("_id"):
            query = query.where(Screening.id.in_([prefixed_id(v) or 0 for v in id_values(q)]))
        for ids in patient_values(q):
            query = query.where(Screening.patient_id.in_(ids))
        query = query.where(*within(q.spans, Screening.created_at))
        return list(db.session.scalars(query.order_by(Screening.id)))

    def patients(self, ctx: Context):
        """The patients whose screenings the caller sees (their care teams only)."""
        return select(Patient.id).where(ctx.requester.care_patients())

    def search(self, ctx, q):
        kept = []
        for item in self.screenings(ctx, q):
            kept += [r for r in self.made(ctx, item) if self.matches(r, q)]
        found, total = python_page(kept, q)
        return [Found(r, int(r["subject"]["reference"].split("/")[1])) for r in found], total

    def made(self, ctx: Context, item: Screening) -> list[dict]:
        """The resources of this type one screening gives."""
        raise NotImplementedError

    def matches(self, found: dict, q: Query) -> bool:
        """Whether a resource satisfies the search's other parameters."""
        if q.get("_id") and found["id"] not in id_values(q):
            return False
        return all(self.holds(found, name, q) for name in q.values if name in self.tokens)

    tokens: ClassVar[dict[str, tuple[str, ...]]] = {}

    def holds(self, found: dict, name: str, q: Query) -> bool:
        """Whether one token parameter holds, read from the resource's elements."""
        elements = [found.get(e) for e in self.tokens[name]]
        codings = codings_of(*[e for e in elements if isinstance(e, (dict, list))])
        codings += [{"code": e} for e in elements if isinstance(e, str)]
        return tokens_hold(q, name, codings)


SCREENING_PARAMS = {"_id": "string", "patient": "reference", "subject": "reference"}


class QuestionnaireResponseSource(ScreeningSource):
    resource_type = "QuestionnaireResponse"
    params: ClassVar[dict[str, str]] = SCREENING_PARAMS | {
        "status": "token",
        "questionnaire": "reference",
    }
    includes: ClassVar[dict[str, str]] = {
        "QuestionnaireResponse:subject": "subject",
        "QuestionnaireResponse:patient": "subject",
    }
    tokens: ClassVar[dict[str, tuple[str, ...]]] = {"status": ("status",)}

    def made(self, ctx, item):
        found = instruments().get(item.instrument)
        if found is None:
            return []
        author = ref("Practitioner", item.created_by)["reference"] if item.created_by else None
        body = questionnaire_response(item, found, f"Patient/{item.patient_id}", ctx.base, author)
        body["meta"] = meta("QuestionnaireResponse", 1, item.created_at) | body.get("meta", {})
        return [body]

    def matches(self, found, q):
        wanted = [v for values in q.get("questionnaire") for v in values]
        if wanted and found["questionnaire"].rsplit("/", 1)[-1].split("|")[0] not in wanted:
            return False
        return super().matches(found, q)


class ObservationSource(ScreeningSource):
    resource_type = "Observation"
    params: ClassVar[dict[str, str]] = SCREENING_PARAMS | {
        "status": "token",
        "category": "token",
        "code": "token",
    }
    includes: ClassVar[dict[str, str]] = {
        "Observation:subject": "subject",
        "Observation:patient": "subject",
        "Observation:derived-from": "derivedFrom",
    }
    tokens: ClassVar[dict[str, tuple[str, ...]]] = {
        "status": ("status",),
        "category": ("category",),
        "code": ("code",),
    }

    def made(self, ctx, item):
        found = instruments().get(item.instrument)
        return screening.observations(item, found) if found else []

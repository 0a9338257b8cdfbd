"""What other systems write through FHIR: an EHR's screening (a QuestionnaireResponse), a
referral (a transaction Bundle of a ServiceRequest and its Task), and a community
organization's system moving a referral on (an update of its Task). Every problem is answered
with an OperationOutcome naming the element, and nothing is written."""

from __future__ import annotations

import orjson
from flask import current_app, request
from sqlalchemy import select

from referral.careplans.models import Need
from referral.careplans.operations import needs_from_screening
from referral.directory.models import Location, Service
from referral.errors import AppError
from referral.extensions import db
from referral.fhir import screening as screening_shapes
from referral.fhir.codes import NEEDS, SDOHCC
from referral.fhir.outcome import FhirError, Issue, fail
from referral.fhir.questionnaires import ResponseProblems, answers_from_response
from referral.fhir.search import Query, entry
from referral.fhir.sources import SOURCES, Context, directory_record, instruments, row_id
from referral.patients.models import Patient
from referral.patients.operations import record_consent
from referral.referrals import states
from referral.referrals.models import Referral
from referral.referrals.operations import (
    Opening,
    change_status,
    open_referral,
    referring_org_id,
    refuse_repeat,
)
from referral.screening.errors import ScreeningError
from referral.screening.scoring import score
from referral.screenings.models import Screening

JSON_TYPES = {"application/fhir+json", "application/json"}
CATEGORY_NEEDS = {
    "food-insecurity": "food",
    "housing-instability": "housing",
    "homelessness": "housing",
    "inadequate-housing": "housing",
    "transportation-insecurity": "transportation",
    "utility-insecurity": "utilities",
    "financial-insecurity": "financial",
    "material-hardship": "financial",
    "employment-status": "employment",
    "intimate-partner-violence": "safety",
}
"""The need a referral is for, read from its SDOH category."""

FIXED_TASK_ELEMENTS = ("intent", "code", "focus", "for", "requester", "owner", "authoredOn")


def read_body(resource_type: str) -> dict:
    """The request's FHIR JSON resource of the expected type, or 400/415 saying what is wrong."""
    if request.mimetype not in JSON_TYPES:
        raise fail(
            415,
            "not-supported",
            f"Send {resource_type} as application/fhir+json (the request said "
            f"{request.mimetype or 'nothing'}).",
        )
    try:
        body = orjson.loads(request.get_data())
    except orjson.JSONDecodeError as exc:
        raise fail(400, "structure", f"The body is not valid JSON: {exc}.") from exc
    if not isinstance(body, dict):
        raise fail(400, "structure", f"The body must be a {resource_type} resource (an object).")
    if body.get("resourceType") != resource_type:
        raise fail(
            400,
            "structure",
            f"Expected a {resource_type}; the body's resourceType is {body.get('resourceType')!r}.",
            "resourceType",
        )
    return body


def actor(ctx: Context) -> tuple[int | None, str]:
    """Who is writing: their user id (for a person) and the name the history shows."""
    user = ctx.requester.user
    return (user.id, user.username) if user is not None else (None, ctx.requester.actor)


def subject_patient(ctx: Context, subject, expression: str) -> Patient:
    """The patient a resource is about, by reference (`Patient/12`) or by identifier (the MRN
    the caller's organization gave), if the caller's care team sees them; else 422."""
    if not isinstance(subject, dict):
        raise fail(422, "required", "Say which patient this is about.", expression)
    query = select(Patient).where(ctx.requester.care_patients())
    if "reference" in subject:
        text = str(subject["reference"])
        patient_id = row_id(text.removeprefix("Patient/")) if text.startswith("Patient/") else None
        found = list(db.session.scalars(query.where(Patient.id == (patient_id or 0))))
        where = f"{expression}.reference"
    elif isinstance(subject.get("identifier"), dict) and subject["identifier"].get("value"):
        mrn = str(subject["identifier"]["value"])
        found = list(db.session.scalars(query.where(Patient.mrn == mrn).limit(2)))
        where = f"{expression}.identifier.value"
    else:
        raise fail(
            422, "required", "Name the patient by reference or by MRN identifier.", expression
        )
    if len(found) != 1:
        problem = "matches more than one patient" if found else "is not a patient you care for"
        raise fail(422, "not-found", f"{where}: that patient {problem}.", where)
    return found[0]


def create_screening(ctx: Context, body: dict) -> tuple[dict, str]:
    """Store an EHR's QuestionnaireResponse as a screening, scored here, and answer with it
    and the Observations and Conditions it gave."""
    try:
        parsed = answers_from_response(body, instruments())
    except ResponseProblems as exc:
        issues = [Issue(p.code, p.message, p.expression) for p in exc.problems]
        raise FhirError(422, issues) from exc
    if not parsed.answers:
        raise fail(
            422,
            "required",
            "The response answers none of the instrument's questions.",
            "QuestionnaireResponse.item",
        )
    patient = subject_patient(ctx, body.get("subject"), "QuestionnaireResponse.subject")
    try:
        result = score(parsed.instrument_id, parsed.answers)
    except ScreeningError as exc:
        issues = [Issue("invalid", p, "QuestionnaireResponse.item") for p in exc.problems]
        raise FhirError(422, issues or [Issue("invalid", str(exc))]) from exc
    user_id, _ = actor(ctx)
    stored = Screening(
        patient_id=patient.id,
        instrument=parsed.instrument_id,
        answers=parsed.answers,
        positive_domains=list(result.positive_domains),
        needs=[need.to_dict() for need in result.needs],
        safety_score=result.safety_score,
        clinician_review=bool(result.clinician_review),
        language=parsed.language or patient.preferred_language,
        mode="ehr",
        created_by=user_id,
    )
    if parsed.authored is not None:
        stored.created_at = parsed.authored
    db.session.add(stored)
    db.session.flush()
    needs_from_screening(stored, actor(ctx)[1])
    ctx.requester.record(patient.id, "create", f"screening:{stored.id}")
    return screening_bundle(ctx, stored), f"{ctx.base}/QuestionnaireResponse/{stored.id}/_history/1"


def screening_bundle(ctx: Context, stored: Screening) -> dict:
    """The stored screening with what it found, as a collection Bundle (QuestionnaireResponse
    first)."""
    query = Query(values={"_id": [[str(stored.id)]]}, count=1)
    response = SOURCES["QuestionnaireResponse"].search(ctx, query)[0][0].resource
    tool = instruments()[stored.instrument]
    made = [response, *screening_shapes.observations(stored, tool)]
    made += [f.resource for f in SOURCES["Condition"].search(ctx, found_needs(stored))[0]]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [entry(r, ctx.base) for r in made],
    }


def found_needs(stored: Screening) -> Query:
    """A search for the needs a screening found, as the patient's active needs of its
    domains (a need already open is not opened twice)."""
    domains = {n["need"] for n in stored.needs or []}
    ids = db.session.scalars(
        select(Need.id).where(
            Need.patient_id == stored.patient_id, Need.status == "active", Need.domain.in_(domains)
        )
    )
    return Query(values={"_id": [[str(i) for i in ids] or ["0"]]}, count=len(domains) or 1)


def transaction(ctx: Context, body: dict) -> dict:
    """A transaction Bundle holding one ServiceRequest (and optionally its Task and the
    patient's Consent): the referral is made, or nothing is."""
    if body.get("type") != "transaction":
        raise fail(
            400, "not-supported", "Only transaction Bundles are accepted here.", "Bundle.type"
        )
    entries = body.get("entry")
    if not isinstance(entries, list) or not entries:
        raise fail(400, "required", "The transaction has no entries.", "Bundle.entry")
    found = {kind: [] for kind in ("ServiceRequest", "Task", "Consent")}
    for index, item in enumerate(entries):
        kind = transaction_entry(item, index)
        if kind not in found:
            raise fail(
                422,
                "not-supported",
                f"A {kind} cannot be created in a transaction here; send a ServiceRequest, "
                "its Task and the patient's Consent.",
                f"Bundle.entry[{index}].resource",
            )
        ctx.requester.require(kind, "write")
        found[kind].append((index, item))
    if len(found["ServiceRequest"]) != 1 or len(found["Task"]) > 1 or len(found["Consent"]) > 1:
        raise fail(
            422,
            "invalid",
            "Send exactly one ServiceRequest, with at most one Task and one Consent.",
            "Bundle.entry",
        )
    return make_referral(ctx, found)


def transaction_entry(item, index: int) -> str:
    """The resource type of one transaction entry, which must be a POST of a resource."""
    where = f"Bundle.entry[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("resource"), dict):
        raise fail(400, "structure", "Each entry needs a resource.", f"{where}.resource")
    request_part = item.get("request") if isinstance(item.get("request"), dict) else {}
    if request_part.get("method") != "POST":
        raise fail(
            422,
            "not-supported",
            "Entries must be created (request.method POST).",
            f"{where}.request.method",
        )
    return str(item["resource"].get("resourceType"))


def make_referral(ctx: Context, found: dict) -> dict:
    """Make the referral the transaction describes."""
    index, item = found["ServiceRequest"][0]
    where = f"Bundle.entry[{index}].resource"
    asked = item["resource"]
    patient = subject_patient(ctx, asked.get("subject"), f"{where}.subject")
    service = performer_service(asked.get("performer"), f"{where}.performer")
    need = requested_need(asked, where)
    if found["Task"]:
        check_new_task(found["Task"][0], item.get("fullUrl"))
    consent_given(ctx, patient, found["Consent"], where)
    user_id, name = actor(ctx)
    try:
        refuse_repeat(patient, service, need)
        referral = open_referral(
            patient,
            service,
            need,
            Opening(
                location_id=place_id(asked, service),
                note=note_text(asked),
                follow_up_days=current_app.config["REFERRAL"].get("FOLLOW_UP_DAYS", 7),
                user_id=user_id,
                actor=name,
                referring_org_id=referring_org(ctx, patient),
            ),
        )
    except AppError as exc:
        status = {409: 409, 404: 422}.get(exc.status, 422 if exc.status != 400 else 400)
        raise fail(
            status, "business-rule" if status != 400 else "invalid", exc.message, where
        ) from exc
    return transaction_response(ctx, referral, found)


def performer_service(performers, expression: str) -> Service:
    """The directory service a referral asks, named as a HealthcareService performer."""
    for position, performer in enumerate(performers if isinstance(performers, list) else []):
        text = str((performer or {}).get("reference", "")) if isinstance(performer, dict) else ""
        if text.startswith("HealthcareService/"):
            service = directory_record(Service, text.removeprefix("HealthcareService/"))
            if service is None:
                raise fail(
                    422,
                    "not-found",
                    f"There is no service {text}.",
                    f"{expression}[{position}].reference",
                )
            return service
    raise fail(
        422,
        "required",
        "Name the service asked as a performer: HealthcareService/{id}.",
        expression,
    )


def requested_need(asked: dict, where: str) -> str:
    """The need a ServiceRequest is for, from its SDOHCC category (or its SNOMED CT code)."""
    for concept in asked.get("category") or []:
        for c in (concept or {}).get("coding", []) if isinstance(concept, dict) else []:
            if c.get("system") == SDOHCC and c.get("code") in CATEGORY_NEEDS:
                return CATEGORY_NEEDS[c["code"]]
    for c in (
        (asked.get("code") or {}).get("coding", []) if isinstance(asked.get("code"), dict) else []
    ):
        needs = [k for k, codes in NEEDS.items() if codes.request[0] == c.get("code")]
        if len(needs) == 1:
            return needs[0]
    raise fail(
        422,
        "required",
        "Give the SDOH category of the need (the SDOHCC temporary codes, e.g. food-insecurity).",
        f"{where}.category",
    )


def check_new_task(task_item: tuple, request_url: str | None) -> None:
    """A Task sent with the referral must be requested and focus on it."""
    index, item = task_item
    task = item["resource"]
    where = f"Bundle.entry[{index}].resource"
    if task.get("status", "requested") != "requested":
        raise fail(
            422, "business-rule", "A new referral's Task starts as requested.", f"{where}.status"
        )
    focus = (
        str((task.get("focus") or {}).get("reference", ""))
        if isinstance(task.get("focus"), dict)
        else ""
    )
    if request_url and focus != request_url:
        raise fail(
            422,
            "invalid",
            f"The Task's focus must be the ServiceRequest ({request_url}).",
            f"{where}.focus",
        )


def consent_given(ctx: Context, patient: Patient, consents: list, where: str) -> None:
    """The patient's agreement to share: on record already, or sent in the transaction."""
    if consents:
        index, item = consents[0]
        if item["resource"].get("status") != "active":
            raise fail(
                422,
                "business-rule",
                "The Consent must be active.",
                f"Bundle.entry[{index}].resource.status",
            )
        record_consent(patient, "share", True, actor(ctx)[0], "given with a FHIR referral")
    elif not patient.consents_to("share"):
        raise fail(
            422,
            "business-rule",
            "The patient has not agreed to share their details with "
            "the organization; send their Consent in the transaction.",
            f"{where}.supportingInfo",
        )


def place_id(asked: dict, service: Service) -> str | None:
    """The place the patient is sent to, if the ServiceRequest names one of the service's."""
    for place in asked.get("locationReference") or []:
        text = str((place or {}).get("reference", "")) if isinstance(place, dict) else ""
        if text.startswith("Location/"):
            found = directory_record(Location, text.removeprefix("Location/"))
            return found.id if found else text.removeprefix("Location/")
    return None


def note_text(asked: dict) -> str:
    """The note for the organization, from ServiceRequest.note."""
    notes = asked.get("note") if isinstance(asked.get("note"), list) else []
    return "\n".join(str(n.get("text", "")) for n in notes if isinstance(n, dict)).strip()


def referring_org(ctx: Context, patient: Patient) -> int:
    """The organization the referral is sent from."""
    if ctx.requester.user is not None:
        return referring_org_id(ctx.requester.user, patient)
    return ctx.requester.organization_id or patient.organization_id


def transaction_response(ctx: Context, referral: Referral, found: dict) -> dict:
    """The transaction-response Bundle: for each entry sent, in order, where its resource now
    is (the referral's Task has the ServiceRequest's id, sent or not)."""
    db.session.flush()
    made = {
        "ServiceRequest": (referral.id, referral.version),
        "Task": (referral.id, referral.version),
    }
    if found["Consent"]:
        patient = db.session.get(Patient, referral.patient_id)
        made["Consent"] = ([c for c in patient.consents if c.kind == "share"][-1].id, 1)
    sent = sorted((index, kind) for kind, items in found.items() for index, _ in items)
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [created(ctx, kind, *made[kind]) for _, kind in sent],
    }


def created(ctx: Context, kind: str, resource_id: int, version: int) -> dict:
    """One transaction-response entry: the resource made, where and at what version."""
    return {
        "fullUrl": f"{ctx.base}/{kind}/{resource_id}",
        "response": {
            "status": "201 Created",
            "location": f"{kind}/{resource_id}/_history/{version}",
            "etag": f'W/"{version}"',
        },
    }


def update_task(ctx: Context, task_id: str, body: dict, if_match: str | None) -> dict:
    """Move a referral on as its Task says, by the side the move belongs to; a stale version
    is 412, a move the rules refuse 422, and nothing changes."""
    if body.get("id") not in (None, task_id):
        raise fail(
            400, "invalid", f"The Task's id must be {task_id}, as in the address.", "Task.id"
        )
    current = SOURCES["Task"].read(ctx, task_id).resource
    if not if_match:
        raise fail(428, "required", 'Send If-Match: W/"version" with the version you read.')
    if if_match.strip() not in {
        f'W/"{current["meta"]["versionId"]}"',
        f'"{current["meta"]["versionId"]}"',
    }:
        raise fail(
            412,
            "conflict",
            f"The Task changed since you read it (it is now at version "
            f"{current['meta']['versionId']}); read it again and resend.",
        )
    for element in FIXED_TASK_ELEMENTS:
        if element in body and body[element] != current.get(element):
            raise fail(
                422,
                "business-rule",
                f"Task.{element} cannot be changed; only status, "
                "statusReason and businessStatus can.",
                f"Task.{element}",
            )
    referral = db.session.get(Referral, int(task_id))
    wanted = str(body.get("status") or "")
    party = moving_party(ctx, referral, wanted)
    reason = (
        (body.get("statusReason") or {}).get("text", "")
        if isinstance(body.get("statusReason"), dict)
        else ""
    )
    outcome = stated_outcome(body)
    try:
        change_status(
            referral,
            {"status": wanted, "reason": reason, "outcome": outcome},
            party,
            actor(ctx)[1],
            None,
        )
    except AppError as exc:
        element = {"reason": "Task.statusReason.text", "outcome": "Task.businessStatus"}.get(
            exc.field or "", "Task.status"
        )
        raise fail(
            409 if exc.status == 409 else 422, "business-rule", exc.message, element
        ) from exc
    db.session.flush()
    ctx.requester.record(referral.patient_id, "update", f"Task/{task_id}")
    return SOURCES["Task"].read(ctx, task_id).resource


def moving_party(ctx: Context, referral: Referral, wanted: str) -> str:
    """The side the caller is on for this move: the one the rules give it to, if they are on
    it; else the side they are on (and the rules refuse the move)."""
    received = referral.receiving_org_id in ctx.requester.receiving_orgs
    query = ctx.requester.care_referrals(select(Referral.id).where(Referral.id == referral.id))
    cares = db.session.scalar(query) is not None
    try:
        owner = states.TRANSITIONS.get((states.Status(referral.status), states.Status(wanted)))
    except ValueError:
        owner = None
    if (owner is states.Party.RECEIVER and received) or not cares:
        return states.Party.RECEIVER.value
    return states.Party.REQUESTER.value


def stated_outcome(body: dict) -> str | None:
    """An outcome named in the Task's businessStatus (e.g. got-help, couldnt-contact)."""
    concept = body.get("businessStatus") if isinstance(body.get("businessStatus"), dict) else {}
    for c in concept.get("coding", []) if isinstance(concept.get("coding"), list) else []:
        if isinstance(c, dict) and c.get("code") in {o.value for o in states.Outcome}:
            return c["code"]
    return None

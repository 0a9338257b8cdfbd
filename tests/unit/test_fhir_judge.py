"""The FHIR judge (tests/fhir_judge.py) accepts the SDOH Clinical Care guide's own examples and
refuses each kind of mistake it is meant to catch.

The examples are transcriptions of the guide's FSH instances (version 3.0.0, input/fsh/instances)
into the JSON that SUSHI makes of them, with the meta.profile SUSHI adds; the consent's PDF is cut
to its first bytes. `stored()` adds what the API adds to what it returns: meta.versionId and
meta.lastUpdated.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from tests import fhir_judge
from tests.fhir_judge import assert_valid, problems

SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
TEMP = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
SCT = "http://snomed.info/sct"
LOINC = "http://loinc.org"
PATIENT = {"reference": "Patient/pat-53234"}
OBSERVATION_ID = "SDOHCC-ObservationResponseHungerVitalSignQuestion3Example"
RESPONSE_ID = "SDOHCC-QuestionnaireResponseHungerVitalSignExample"
REQUEST_ID = "SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample"


def stored(resource: dict, version: str = "1") -> dict:
    """The resource as the API returns it: with a version and a last-updated time."""
    out = copy.deepcopy(resource)
    out.setdefault("meta", {})
    out["meta"]["versionId"] = version
    out["meta"]["lastUpdated"] = "2026-01-05T10:00:00Z"
    return out


def condition() -> dict:
    """SDOHCC-ConditionFoodInsecurityExample."""
    return {
        "resourceType": "Condition",
        "id": "SDOHCC-ConditionFoodInsecurityExample",
        "meta": {"profile": [SDOHCC + "SDOHCC-Condition"]},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                    "display": "Active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": "unconfirmed",
                    "display": "Unconfirmed",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/core/CodeSystem/condition-category",
                        "code": "health-concern",
                        "display": "Health Concern",
                    }
                ]
            },
            {"coding": [{"system": US_CORE_CATEGORY, "code": "sdoh", "display": "SDOH"}]},
            {"coding": [{"system": TEMP, "code": "food-insecurity", "display": "Food Insecurity"}]},
        ],
        "code": {
            "coding": [
                {"system": SCT, "code": "733423003", "display": "Food insecurity"},
                {
                    "system": "http://hl7.org/fhir/sid/icd-10-cm",
                    "code": "Z59.4",
                    "display": "Lack of adequate food",
                },
            ]
        },
        "subject": dict(PATIENT),
        "onsetPeriod": {"start": "2019-08-18T12:31:35.123Z"},
        "evidence": [{"detail": [{"reference": f"Observation/{OBSERVATION_ID}"}]}],
    }


def observation() -> dict:
    """SDOHCC-ObservationResponseHungerVitalSignQuestion3Example."""
    return {
        "resourceType": "Observation",
        "id": OBSERVATION_ID,
        "meta": {"profile": [SDOHCC + "SDOHCC-ObservationScreeningResponse"]},
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                        "display": "Survey",
                    }
                ]
            },
            {"coding": [{"system": US_CORE_CATEGORY, "code": "sdoh", "display": "SDOH"}]},
            {"coding": [{"system": TEMP, "code": "food-insecurity", "display": "Food Insecurity"}]},
        ],
        "code": {
            "coding": [
                {"system": LOINC, "code": "88124-3", "display": "Food insecurity risk [HVS]"}
            ]
        },
        "subject": dict(PATIENT),
        "effectiveDateTime": "2020-09-10T21:56:54.671Z",
        "issued": "2020-09-10T21:56:54.671Z",
        "performer": [{"reference": "Patient/pat-53234", "display": "COLIN ABBAS"}],
        "valueCodeableConcept": {
            "coding": [{"system": LOINC, "code": "LA19952-3", "display": "At risk"}]
        },
        "interpretation": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                        "code": "POS",
                        "display": "Positive",
                    }
                ]
            }
        ],
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{RESPONSE_ID}"}],
    }


def service_request() -> dict:
    """SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample."""
    return {
        "resourceType": "ServiceRequest",
        "id": REQUEST_ID,
        "meta": {"profile": [SDOHCC + "SDOHCC-ServiceRequest"]},
        "status": "active",
        "intent": "order",
        "category": [
            {
                "coding": [
                    {"system": SCT, "code": "410606002", "display": "Social service procedure"}
                ]
            },
            {"coding": [{"system": TEMP, "code": "food-insecurity", "display": "Food Insecurity"}]},
        ],
        "code": {
            "coding": [
                {
                    "system": SCT,
                    "code": "467771000124109",
                    "display": "Assistance with application for food pantry program",
                }
            ]
        },
        "subject": dict(PATIENT),
        "reasonReference": [{"reference": "Condition/SDOHCC-ConditionFoodInsecurityExample"}],
    }


def task() -> dict:
    """SDOHCC-TaskReferralManagementOrderFulfillmentCompletedExample."""
    return {
        "resourceType": "Task",
        "id": "SDOHCC-TaskReferralManagementOrderFulfillmentCompletedExample",
        "meta": {"profile": [SDOHCC + "SDOHCC-TaskForReferralManagement"]},
        "status": "completed",
        "intent": "order",
        "code": {
            "coding": [
                {
                    "system": "http://hl7.org/fhir/CodeSystem/task-code",
                    "code": "fulfill",
                    "display": "Fulfill the focal request",
                }
            ]
        },
        "focus": {"reference": f"ServiceRequest/{REQUEST_ID}"},
        "for": {"reference": "Patient/pat-53234", "display": "COLIN ABBAS"},
        "authoredOn": "2020-09-11T21:56:54.671Z",
        "requester": {
            "reference": "PractitionerRole/SDOHCC-PractitionerRoleDrJanWaterExample",
            "display": "Dr Jan Water Family Medicine Physician",
        },
        "owner": {
            "reference": "Organization/SDOHCC-OrganizationCoordinationPlatformExample",
            "display": "ABC Coordination Platform",
        },
        "output": [
            {
                "type": {
                    "coding": [
                        {
                            "system": TEMP,
                            "code": "resulting-activity",
                            "display": "Resulting Activity",
                        }
                    ]
                },
                "valueReference": {
                    "reference": "Procedure/SDOHCC-ProcedureFoodPantryApplicationAssistanceExample"
                },
            }
        ],
    }


def procedure() -> dict:
    """SDOHCC-ProcedureProvisionOfFoodExample."""
    return {
        "resourceType": "Procedure",
        "id": "SDOHCC-ProcedureProvisionOfFoodExample",
        "meta": {"profile": [SDOHCC + "SDOHCC-Procedure"]},
        "status": "completed",
        "category": {
            "coding": [
                {"system": SCT, "code": "410606002", "display": "Social service procedure"},
                {"system": TEMP, "code": "food-insecurity", "display": "Food Insecurity"},
            ]
        },
        "code": {"coding": [{"system": SCT, "code": "710925007", "display": "Provision of food"}]},
        "subject": dict(PATIENT),
        "performedDateTime": "2020-11-16",
        "reasonReference": [{"reference": "Condition/SDOHCC-ConditionFoodInsecurityExample"}],
    }


def consent() -> dict:
    """SDOHCC-ConsentInformationDisclosureExample, with the PDF cut to its header."""
    return {
        "resourceType": "Consent",
        "id": "SDOHCC-ConsentInformationDisclosureExample",
        "meta": {"profile": [SDOHCC + "SDOHCC-Consent"]},
        "status": "active",
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "patient-privacy",
                    "display": "Privacy Consent",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "code": "IDSCL",
                        "display": "information disclosure",
                    }
                ]
            }
        ],
        "patient": dict(PATIENT),
        "dateTime": "2021-05-01",
        "organization": [{"reference": "Organization/SDOHCC-OrganizationPayerExample"}],
        "sourceAttachment": {
            "contentType": "application/pdf",
            "language": "en",
            "data": "JVBERi0xLjUK",
        },
        "policyRule": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentpolicycodes",
                    "code": "hipaa-auth",
                    "display": "HIPAA Authorization",
                }
            ]
        },
    }


def questionnaire_response() -> dict:
    """SDOHCC-QuestionnaireResponseHungerVitalSignExample."""

    def item(link: str, text: str, code: str, display: str) -> dict:
        return {
            "linkId": link,
            "text": text,
            "answer": [{"valueCoding": {"system": LOINC, "code": code, "display": display}}],
        }

    return {
        "resourceType": "QuestionnaireResponse",
        "id": RESPONSE_ID,
        "meta": {
            "profile": ["http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse"]
        },
        "questionnaire": (
            "http://hl7.org/fhir/us/sdoh-clinicalcare/Questionnaire/SDOHCC-QuestionnaireHungerVitalSign"
        ),
        "_questionnaire": {
            "extension": [
                {
                    "url": "http://hl7.org/fhir/StructureDefinition/display",
                    "valueString": "SDOHCC Questionnaire Hunger Vital Sign",
                }
            ]
        },
        "status": "completed",
        "subject": {"reference": "Patient/pat-53234", "display": "COLIN ABBAS"},
        "authored": "2020-09-10T21:56:54.671Z",
        "source": {"reference": "Patient/pat-53234", "display": "COLIN ABBAS"},
        "item": [
            item(
                "/88122-7",
                "Within the past 12 months we worried whether our food would run out before we "
                "got money to buy more",
                "LA28397-0",
                "Often true",
            ),
            item(
                "/88123-5",
                "Within the past 12 months the food we bought just didn't last and we didn't "
                "have money to get more",
                "LA28397-0",
                "Often true",
            ),
            item("/88124-3", "Food insecurity risk", "LA19952-3", "At risk"),
        ],
    }


def questionnaire() -> dict:
    """SDOHCC-QuestionnaireHungerVitalSign, without its calculation extensions."""

    def options(*pairs: tuple[str, str]) -> list[dict]:
        return [{"valueCoding": {"system": LOINC, "code": c, "display": d}} for c, d in pairs]

    often = ("LA28397-0", "Often true")
    sometimes = ("LA6729-3", "Sometimes true")
    never = ("LA28398-8", "Never true")
    refused = ("LA15775-2", "Don't know/refused")
    return {
        "resourceType": "Questionnaire",
        "id": "SDOHCC-QuestionnaireHungerVitalSign",
        "url": "http://hl7.org/fhir/us/sdoh-clinicalcare/Questionnaire/SDOHCC-QuestionnaireHungerVitalSign",
        "name": "SDOHCCQuestionnaireHungerVitalSign",
        "title": "SDOHCC Questionnaire Hunger Vital Sign",
        "status": "draft",
        "subjectType": ["Patient"],
        "date": "2020-09-01T04:01:34+00:00",
        "item": [
            {
                "linkId": "/88122-7",
                "code": [{"system": LOINC, "code": "88122-7"}],
                "text": "Within the past 12 months we worried whether our food would run out "
                "before we got money to buy more",
                "type": "choice",
                "required": False,
                "answerOption": options(often, sometimes, never, refused),
            },
            {
                "linkId": "/88123-5",
                "code": [{"system": LOINC, "code": "88123-5"}],
                "text": "Within the past 12 months the food we bought just didn't last and we "
                "didn't have money to get more",
                "type": "choice",
                "required": False,
                "answerOption": options(often, sometimes, never, refused),
            },
            {
                "linkId": "/88124-3",
                "code": [{"system": LOINC, "code": "88124-3"}],
                "text": "Food insecurity risk",
                "type": "choice",
                "required": False,
                "answerOption": options(("LA19952-3", "At risk"), ("LA19983-8", "No risk")),
                "item": [
                    {
                        "linkId": "/88124-3-help",
                        "text": 'An answer of "often true" or "sometimes true" to either or both '
                        "of the Hunger Vital Sign questions identifies a patient as at risk for "
                        "food insecurity (FI).",
                        "type": "display",
                    }
                ],
            },
        ],
    }


def patient() -> dict:
    """pat-53234 (US Core Patient), with the race and ethnicity extensions shortened."""
    return {
        "resourceType": "Patient",
        "id": "pat-53234",
        "meta": {"profile": [US_CORE + "us-core-patient"]},
        "extension": [
            {
                "url": US_CORE + "us-core-race",
                "extension": [
                    {
                        "url": "ombCategory",
                        "valueCoding": {
                            "system": "urn:oid:2.16.840.1.113883.6.238",
                            "code": "2106-3",
                            "display": "White",
                        },
                    },
                    {"url": "text", "valueString": "Mixed"},
                ],
            },
            {"url": US_CORE + "us-core-birthsex", "valueCode": "M"},
        ],
        "identifier": [
            {
                "use": "usual",
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                            "code": "MR",
                            "display": "Medical Record Number",
                        }
                    ],
                    "text": "Medical Record Number",
                },
                "system": "http://hospital.smarthealthit.org",
                "value": "1032702",
            }
        ],
        "active": True,
        "name": [
            {
                "family": "ABBAS",
                "given": ["COLIN", "V."],
                "period": {"start": "2016-12-06", "end": "2020-07-22"},
            },
            {
                "family": "BAXTER",
                "given": ["COLIN", "V."],
                "suffix": ["PharmD"],
                "period": {"start": "2020-07-22"},
            },
        ],
        "telecom": [{"system": "phone", "value": "555-555-5555", "use": "home"}],
        "gender": "male",
        "birthDate": "1987-02-20",
        "address": [
            {
                "line": ["49 Meadow St"],
                "city": "Mounds",
                "state": "OK",
                "postalCode": "74047",
                "country": "US",
                "period": {"start": "2016-12-06", "end": "2020-07-22"},
            }
        ],
    }


def practitioner() -> dict:
    """SDOHCC-PractitionerDrJanWaterExample (US Core Practitioner)."""
    return {
        "resourceType": "Practitioner",
        "id": "SDOHCC-PractitionerDrJanWaterExample",
        "meta": {"profile": [US_CORE + "us-core-practitioner"]},
        "identifier": [
            {"system": "http://hl7.org/fhir/sid/us-npi", "value": "9941339100"},
            {"system": "http://www.deerland.org/practitioners", "value": "24242"},
        ],
        "active": True,
        "name": [{"text": "Dr Jan Water", "family": "Water", "given": ["Jan"], "prefix": ["Dr"]}],
        "address": [
            {
                "use": "home",
                "line": ["318 Humble Street,"],
                "city": "Deerland",
                "state": "IL",
                "postalCode": "62223",
            }
        ],
    }


def practitioner_role() -> dict:
    """SDOHCC-PractitionerRoleDrJanWaterExample."""
    return {
        "resourceType": "PractitionerRole",
        "id": "SDOHCC-PractitionerRoleDrJanWaterExample",
        "meta": {"profile": [SDOHCC + "SDOHCC-practitionerrole"]},
        "identifier": [{"system": "http://www.deerland.org/practitioners", "value": "2424"}],
        "active": True,
        "practitioner": {
            "reference": "Practitioner/SDOHCC-PractitionerDrJanWaterExample",
            "display": "Dr Jan Water",
        },
        "organization": {
            "reference": "Organization/SDOHCC-OrganizationClinicExample",
            "display": "Better Health Clinic",
        },
        "code": [
            {
                "coding": [
                    {
                        "system": "http://nucc.org/provider-taxonomy",
                        "code": "207Q00000X",
                        "display": "Family Medicine Physician",
                    },
                    {
                        "system": SCT,
                        "code": "62247001",
                        "display": "Family medicine specialist (occupation)",
                    },
                ]
            }
        ],
        "telecom": [
            {"system": "phone", "value": "639 442 6719", "use": "work"},
            {"system": "email", "value": "jan.water@deerland.org", "use": "work"},
        ],
    }


def organization() -> dict:
    """SDOHCC-OrganizationCoordinationPlatformExample (US Core Organization)."""
    return {
        "resourceType": "Organization",
        "id": "SDOHCC-OrganizationCoordinationPlatformExample",
        "meta": {"profile": [US_CORE + "us-core-organization"]},
        "active": True,
        "name": "ABC Coordination Platform",
        "address": [
            {
                "text": "198th St, Western, IL 62223",
                "line": ["198th Street,"],
                "city": "Western",
                "state": "IL",
                "postalCode": "62223",
            }
        ],
    }


def location() -> dict:
    """SDOHCC-LocationExample."""
    return {
        "resourceType": "Location",
        "id": "SDOHCC-LocationExample",
        "meta": {"profile": [SDOHCC + "SDOHCC-Location"]},
        "name": "Family Counseling Services Deerland Clinic",
        "address": {
            "text": "245 Amble St, Deerland, IL 62223",
            "line": ["245 Amble St,"],
            "city": "Deerland",
            "state": "IL",
            "postalCode": "62223",
        },
    }


def healthcare_service() -> dict:
    """SDOHCC-HealthcareServiceTelecomAppointmentExample."""
    flag = {
        "url": SDOHCC + "SDOHCC-ExtensionHealthcareServiceTelecomAppointment",
        "valueBoolean": True,
    }
    return {
        "resourceType": "HealthcareService",
        "id": "SDOHCC-HealthcareServiceTelecomAppointmentExample",
        "meta": {"profile": [SDOHCC + "SDOHCC-HealthcareService"]},
        "active": True,
        "location": [{"reference": "Location/SDOHCC-LocationExample"}],
        "name": "Family Counseling Services",
        "telecom": [
            {"extension": [dict(flag)], "system": "phone", "value": "(555) appoint", "use": "work"},
            {
                "extension": [dict(flag)],
                "system": "email",
                "value": "familyCounseling@example.com",
                "use": "work",
            },
            {"system": "phone", "value": "(555) office", "use": "work"},
            {"system": "phone", "value": "(555) nursepr", "use": "work"},
        ],
        "availableTime": [
            {"daysOfWeek": ["mon", "tue"], "availableStartTime": "09:00:00"},
        ],
    }


def capability_statement() -> dict:
    """A server CapabilityStatement of the kind /metadata returns."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-01-05",
        "kind": "instance",
        "implementation": {"description": "Referral platform", "url": "https://example.org/fhir"},
        "fhirVersion": "4.0.1",
        "format": ["json", "application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "Task",
                        "supportedProfile": [SDOHCC + "SDOHCC-TaskForReferralManagement"],
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "versioning": "versioned",
                        "readHistory": False,
                        "conditionalRead": "not-supported",
                        "searchParam": [
                            {"name": "status", "type": "token"},
                            {"name": "patient", "type": "reference"},
                        ],
                    }
                ],
                "interaction": [{"code": "search-system"}],
            }
        ],
    }


def searchset(*resources: dict) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": "https://example.org/fhir/Task?status=completed"}],
        "entry": [
            {
                "fullUrl": f"https://example.org/fhir/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }


EXAMPLES: dict[str, Callable[[], dict]] = {
    "condition": condition,
    "observation": observation,
    "service_request": service_request,
    "task": task,
    "procedure": procedure,
    "consent": consent,
    "questionnaire_response": questionnaire_response,
    "questionnaire": questionnaire,
    "patient": patient,
    "practitioner": practitioner,
    "practitioner_role": practitioner_role,
    "organization": organization,
    "location": location,
    "healthcare_service": healthcare_service,
}


# --- the guide's examples are valid ---------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_guides_examples_are_valid_as_the_api_returns_them(name: str) -> None:
    assert problems(stored(EXAMPLES[name]())) == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_guides_examples_are_valid_input(name: str) -> None:
    assert problems(EXAMPLES[name](), require_meta=False) == []


def test_a_capability_statement_and_a_searchset_are_valid_without_versions() -> None:
    assert problems(capability_statement()) == []
    assert problems(searchset(stored(task()), stored(service_request()))) == []


def test_assert_valid_passes_a_valid_resource_and_names_the_faulty_one() -> None:
    assert_valid(stored(task()))
    bad = stored(task())
    bad["status"] = "bogus"
    bad["intent"] = "plan"
    with pytest.raises(AssertionError) as raised:
        assert_valid(bad)
    text = str(raised.value)
    assert "Task/SDOHCC-TaskReferralManagementOrderFulfillmentCompletedExample" in text
    assert "Task.status: 'bogus' is not in the required value set task-status" in text
    assert "Task.intent: must be 'order'" in text


def test_a_loinc_code_is_allowed_on_a_service_request() -> None:
    # SDOHCC-ServiceRequest binds code to US Core Procedure Codes 7.0.0, which includes LOINC.
    request = stored(service_request())
    request["code"] = {"coding": [{"system": LOINC, "code": "96777-8"}]}
    assert problems(request) == []


def test_an_unknown_profile_elsewhere_is_left_alone() -> None:
    resource = stored(patient())
    resource["meta"]["profile"].append("http://example.org/StructureDefinition/local-patient")
    assert problems(resource) == []


# --- each kind of mistake is refused ----------------------------------------------------------


def _set(path: str, value: object) -> Callable[[dict], None]:
    """A change that sets `path` (dotted, with [n] for list items) to `value`."""

    def change(resource: dict) -> None:
        node: object = resource
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value  # type: ignore[index]

    return change


def _drop(path: str) -> Callable[[dict], None]:
    def change(resource: dict) -> None:
        node: object = resource
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
        last = parts[-1]
        del node[int(last) if isinstance(node, list) else last]  # type: ignore[index]

    return change


def _both(*changes: Callable[[dict], None]) -> Callable[[dict], None]:
    def change(resource: dict) -> None:
        for one in changes:
            one(resource)

    return change


def _coding(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"

MISTAKES = [
    # Task (SDOHCC-TaskForReferralManagement and the base)
    (
        "bogus Task.status",
        task,
        _set("status", "bogus"),
        "Task.status: 'bogus' is not in the required value set task-status",
    ),
    (
        "referral Task received",
        task,
        _set("status", "received"),
        "Task.status: 'received' is not in SDOHCC ValueSet Referral Task Status",
    ),
    ("missing Task.focus", task, _drop("focus"), "Task.focus: required"),
    (
        "Task.focus not a ServiceRequest",
        task,
        _set("focus", {"reference": "Condition/c1"}),
        "Task.focus: must reference ServiceRequest",
    ),
    (
        "wrong Task.code",
        task,
        _set("code", _coding("http://hl7.org/fhir/CodeSystem/task-code", "approve")),
        "Task.code: must be http://hl7.org/fhir/CodeSystem/task-code#fulfill",
    ),
    (
        "unknown task-code",
        task,
        _set("code", _coding("http://hl7.org/fhir/CodeSystem/task-code", "do-it")),
        "Task.code.coding[0].code: 'do-it' is not a code of task-code",
    ),
    ("Task.intent plan", task, _set("intent", "plan"), "Task.intent: must be 'order'"),
    (
        "bogus Task.intent",
        task,
        _set("intent", "directive"),
        "Task.intent: 'directive' is not in the required value set task-intent",
    ),
    (
        "bogus Task.priority",
        task,
        _set("priority", "high"),
        "Task.priority: 'high' is not in the required value set request-priority",
    ),
    (
        "rejected without statusReason",
        task,
        _set("status", "rejected"),
        "Task.statusReason.text: required when status is rejected",
    ),
    (
        "on-hold with a coded reason only",
        task,
        _both(_set("status", "on-hold"), _set("statusReason", _coding(SCT, "1"))),
        "Task.statusReason.text: required when status is on-hold",
    ),
    (
        "statusReason without text",
        task,
        _set("statusReason", _coding(SCT, "1")),
        "Task.statusReason.text: required when statusReason is given",
    ),
    ("missing Task.for", task, _drop("for"), "Task.for: required"),
    ("missing Task.authoredOn", task, _drop("authoredOn"), "Task.authoredOn: required"),
    (
        "Task.requester a Patient",
        task,
        _set("requester", dict(PATIENT)),
        "Task.requester: must reference PractitionerRole or Organization",
    ),
    (
        "resulting activity not a Procedure",
        task,
        _set("output[0].valueReference", {"reference": "Condition/c1"}),
        "Task.output[0].valueReference: a resulting activity is a Procedure",
    ),
    (
        "resulting activity as a string",
        task,
        _both(_drop("output[0].valueReference"), _set("output[0].valueString", "done")),
        "Task.output[0]: a resulting-activity output carries a valueReference",
    ),
    (
        "lastModified before authoredOn",
        task,
        _set("lastModified", "2020-09-10T00:00:00Z"),
        "Task.lastModified: must not be before authoredOn (inv-1)",
    ),
    # Condition (SDOHCC-Condition and the base)
    ("Condition without sdoh category", condition, _drop("category[1]"), "SDOH-Con-3"),
    ("Condition without health-concern", condition, _drop("category[0]"), "SDOH-Con-2"),
    (
        "Condition with an unknown SDOHCC code",
        condition,
        _set("category[2].coding[0].code", "food-insecurityy"),
        "Condition.category[2].coding[0].code: 'food-insecurityy' is not a code of "
        "SDOHCC-CodeSystemTemporaryCodes",
    ),
    (
        "Condition with a non-category SDOHCC code",
        condition,
        _set("category[2].coding[0].code", "resulting-activity"),
        "'resulting-activity' is not in SDOHCC ValueSet SDOH Category",
    ),
    (
        "Condition coded in LOINC only",
        condition,
        _set("code", _coding(LOINC, "88124-3")),
        "Condition.code: needs a SNOMED CT, ICD-10-CM or ICD-9-CM coding",
    ),
    (
        "Condition with text only code",
        condition,
        _set("code", {"text": "hungry"}),
        "Condition.code: needs a SNOMED CT",
    ),
    (
        "Condition with bodySite",
        condition,
        _set("bodySite", [{"text": "arm"}]),
        "Condition.bodySite: not allowed",
    ),
    (
        "Condition with onsetString",
        condition,
        _both(_drop("onsetPeriod"), _set("onsetString", "last year")),
        "Condition.onsetString: onset[x] is only DateTime or Period",
    ),
    (
        "Condition about a Group",
        condition,
        _set("subject", {"reference": "Group/g1"}),
        "Condition.subject: must reference Patient",
    ),
    (
        "bogus clinicalStatus code",
        condition,
        _set("clinicalStatus.coding[0].code", "cured"),
        "Condition.clinicalStatus.coding[0].code: 'cured' is not a code of condition-clinical",
    ),
    (
        "clinicalStatus from another system",
        condition,
        _set("clinicalStatus", _coding(SCT, "55561003")),
        "Condition.clinicalStatus: needs a coding from the required value set condition-clinical",
    ),
    (
        "entered-in-error with clinicalStatus",
        condition,
        _set("verificationStatus", _coding(CONDITION_VER, "entered-in-error")),
        "(con-5)",
    ),
    ("abated but active", condition, _set("abatementDateTime", "2020-01-01"), "(con-4)"),
    (
        "two asserters",
        condition,
        _both(
            _set("asserter", {"reference": "Practitioner/p1"}),
            _set(
                "extension",
                [
                    {
                        "url": SDOHCC + "SDOHCC-ExtensionConditionAsserter",
                        "valueReference": {"reference": "Device/d1"},
                    }
                ],
            ),
        ),
        "(SDOH-Con-1)",
    ),
    # Observation (SDOHCC-ObservationScreeningResponse, US Core, the base)
    (
        "Observation without survey category",
        observation,
        _drop("category[0]"),
        "Observation.category: needs exactly one http://terminology.hl7.org/CodeSystem/observation-category#survey",
    ),
    ("Observation without sdoh category", observation, _drop("category[1]"), "(SDOH-Obs-4)"),
    (
        "Observation amended",
        observation,
        _set("status", "amended"),
        "Observation.status: 'amended' is not in SDOHCC ValueSet Observation Status",
    ),
    (
        "bogus Observation.status",
        observation,
        _set("status", "done"),
        "Observation.status: 'done' is not in the required value set observation-status",
    ),
    (
        "Observation coded in SNOMED",
        observation,
        _set("code", _coding(SCT, "1")),
        "Observation.code: needs a LOINC coding",
    ),
    (
        "Observation without effective",
        observation,
        _drop("effectiveDateTime"),
        "Observation.effective[x]: required",
    ),
    (
        "Observation effective to the month",
        observation,
        _set("effectiveDateTime", "2020-09"),
        "(us-core-1)",
    ),
    (
        "Observation with value and absent reason",
        observation,
        _set("dataAbsentReason", {"text": "asked"}),
        "(obs-6)",
    ),
    ("Observation without value", observation, _drop("valueCodeableConcept"), "(us-core-2)"),
    (
        "Observation derived from a Condition",
        observation,
        _set("derivedFrom", [{"reference": "Condition/c1"}]),
        "Observation.derivedFrom[0]: a reference to Condition is not allowed",
    ),
    (
        "Observation derived from a Media",
        observation,
        _set("derivedFrom", [{"reference": "Media/m1"}]),
        "Observation.derivedFrom[0]: must reference DocumentReference or",
    ),
    (
        "unknown observation-category code",
        observation,
        _set("category[0].coding[0].code", "surveys"),
        "'surveys' is not a code of observation-category",
    ),
    # ServiceRequest
    (
        "ServiceRequest with a local code only",
        service_request,
        _set("code", _coding("http://example.org/codes", "pantry")),
        "ServiceRequest.code: needs a coding from US Core Procedure Codes",
    ),
    (
        "ServiceRequest with a text-only code",
        service_request,
        _set("code", {"text": "food help"}),
        "ServiceRequest.code: needs a coding from US Core Procedure Codes",
    ),
    (
        "ServiceRequest without code",
        service_request,
        _drop("code"),
        "ServiceRequest.code: required",
    ),
    (
        "bogus ServiceRequest.status",
        service_request,
        _set("status", "open"),
        "ServiceRequest.status: 'open' is not in the required value set request-status",
    ),
    (
        "bogus ServiceRequest.intent",
        service_request,
        _set("intent", "request"),
        "ServiceRequest.intent: 'request' is not in the required value set request-intent",
    ),
    (
        "ServiceRequest performed by a Location",
        service_request,
        _set("performer", [{"reference": "Location/l1"}]),
        "ServiceRequest.performer[0]: ",
    ),
    (
        "ServiceRequest with a specimen",
        service_request,
        _set("specimen", [{"reference": "Specimen/s1"}]),
        "ServiceRequest.specimen: not allowed",
    ),
    (
        "ServiceRequest unknown SDOH category",
        service_request,
        _set("category[1].coding[0].code", "hunger"),
        "'hunger' is not in SDOHCC ValueSet SDOH Category",
    ),
    # Procedure, Consent
    (
        "Procedure done without a time",
        procedure,
        _drop("performedDateTime"),
        "Procedure.performed[x]: required when status is completed or in-progress (us-core-7)",
    ),
    (
        "bogus Procedure.status",
        procedure,
        _set("status", "done"),
        "Procedure.status: 'done' is not in the required value set event-status",
    ),
    (
        "Procedure with two SDOHCC categories",
        procedure,
        _set("category.coding[0]", {"system": TEMP, "code": "stress"}),
        "Procedure.category.coding: at most one SDOHCC category coding",
    ),
    (
        "Consent without policy",
        consent,
        _drop("policyRule"),
        "Consent.policyRule: a Consent needs a policy or a policyRule (ppc-1)",
    ),
    (
        "Consent without IDSCL",
        consent,
        _set("category", [_coding(LOINC, "59284-0")]),
        "Consent.category: needs exactly one http://terminology.hl7.org/CodeSystem/v3-ActCode#IDSCL",
    ),
    (
        "Consent without organization",
        consent,
        _drop("organization"),
        "Consent.organization: exactly one organization",
    ),
    (
        "bogus Consent.status",
        consent,
        _set("status", "signed"),
        "Consent.status: 'signed' is not in the required value set consent-state-codes",
    ),
    # Questionnaire and QuestionnaireResponse
    (
        "bogus nested item type",
        questionnaire,
        _set("item[2].item[0].type", "note"),
        "Questionnaire.item[2].item[0].type: 'note' is not in the required value set item-type",
    ),
    (
        "abstract item type",
        questionnaire,
        _set("item[0].type", "question"),
        "Questionnaire.item[0].type: 'question' is not in the required value set item-type",
    ),
    (
        "bogus Questionnaire.status",
        questionnaire,
        _set("status", "published"),
        "Questionnaire.status: 'published' is not in the required value set publication-status",
    ),
    ("repeated linkId", questionnaire, _set("item[1].linkId", "/88122-7"), "(que-2)"),
    ("empty group", questionnaire, _set("item[0].type", "group"), "(que-1)"),
    (
        "bogus QuestionnaireResponse.status",
        questionnaire_response,
        _set("status", "done"),
        "QuestionnaireResponse.status: 'done' is not in the required value set "
        "questionnaire-answers-status",
    ),
    (
        "answers split over items",
        questionnaire_response,
        _set("item[1].linkId", "/88122-7"),
        "(qrs-2)",
    ),
    # Datatypes, wherever they occur
    (
        "invalid gender",
        patient,
        _set("gender", "M"),
        "Patient.gender: 'M' is not in the required value set administrative-gender",
    ),
    (
        "bad telecom system",
        patient,
        _set("telecom[0].system", "cell"),
        "Patient.telecom[0].system: 'cell' is not in the required value set contact-point-system",
    ),
    (
        "bad telecom use in a contact",
        patient,
        _set("contact", [{"telecom": [{"system": "phone", "value": "1", "use": "cell"}]}]),
        "Patient.contact[0].telecom[0].use: 'cell' is not in the required value set "
        "contact-point-use",
    ),
    (
        "bad HealthcareService telecom",
        healthcare_service,
        _set("telecom[2].system", "fax machine"),
        "HealthcareService.telecom[2].system: 'fax machine' is not in the required value set "
        "contact-point-system",
    ),
    (
        "bad Organization telecom",
        organization,
        _set("telecom", [{"system": "tel", "value": "1"}]),
        "Organization.telecom[0].system: 'tel' is not in the required value set "
        "contact-point-system",
    ),
    (
        "bad Location address use",
        location,
        _set("address.use", "office"),
        "Location.address.use: 'office' is not in the required value set address-use",
    ),
    (
        "bad address type",
        patient,
        _set("address[0].type", "street"),
        "Patient.address[0].type: 'street' is not in the required value set address-type",
    ),
    (
        "bad name use",
        patient,
        _set("name[0].use", "legal"),
        "Patient.name[0].use: 'legal' is not in the required value set name-use",
    ),
    (
        "bad identifier use",
        patient,
        _set("identifier[0].use", "primary"),
        "Patient.identifier[0].use: 'primary' is not in the required value set identifier-use",
    ),
    (
        "bad day of week",
        healthcare_service,
        _set("availableTime[0].daysOfWeek", ["monday"]),
        "HealthcareService.availableTime[0].daysOfWeek[0]: 'monday' is not in the required value "
        "set days-of-week",
    ),
    (
        "bad Location.status",
        location,
        _set("status", "open"),
        "Location.status: 'open' is not in the required value set location-status",
    ),
    (
        "bad narrative",
        patient,
        _set("text", {"status": "generated", "div": "<p>Colin</p>"}),
        "Patient.text.div: must be an xhtml div",
    ),
    (
        "bad narrative status",
        patient,
        _set(
            "text",
            {"status": "auto", "div": '<div xmlns="http://www.w3.org/1999/xhtml">Colin</div>'},
        ),
        "Patient.text.status: 'auto' is not in the required value set narrative-status",
    ),
    (
        "Period ending before it starts",
        patient,
        _set("name[0].period.end", "2010-01-01"),
        "Patient.name[0].period: start must not be after end (per-1)",
    ),
    (
        "extension with value and extensions",
        patient,
        _set("extension[1].extension", [{"url": "x", "valueString": "y"}]),
        "(ext-1)",
    ),
    # ids, references, meta, JSON
    ("bad id", patient, _set("id", "pat 53234"), "Patient.id: 'pat 53234' must match"),
    ("id too long", patient, _set("id", "p" * 65), "Patient.id: '" + "p" * 65 + "' must match"),
    (
        "reference with a space",
        condition,
        _set("subject.reference", "Patient 53234"),
        "Condition.subject.reference: 'Patient 53234' is not a literal reference",
    ),
    (
        "reference to an unknown type",
        condition,
        _set("subject.reference", "Persons/53234"),
        "Condition.subject.reference: 'Persons' is not a FHIR R4 resource type",
    ),
    (
        "reference to a missing contained resource",
        condition,
        _set("subject.reference", "#p1"),
        "Condition.subject.reference: '#p1' names no contained resource (ref-1)",
    ),
    (
        "reference type disagrees",
        condition,
        _set("subject", {"reference": "Patient/pat-53234", "type": "Group"}),
        "Condition.subject.type: 'Group' disagrees",
    ),
    (
        "base reference target",
        service_request,
        _set("reasonReference", [{"reference": "Patient/p1"}]),
        "ServiceRequest.reasonReference[0]: a reference to Patient is not allowed here",
    ),
    ("empty string", patient, _set("birthDate", ""), "Patient.birthDate"),
    (
        "empty object",
        patient,
        _set("name[1]", {}),
        "Patient.name[1]: an element must have a value or children (ele-1)",
    ),
    (
        "empty array",
        patient,
        _set("address", []),
        "Patient.address: an array must not be empty (ele-1)",
    ),
    ("null value", patient, _set("gender", None), "Patient.gender: null is not a value"),
    (
        "Task without intent",
        task,
        _drop("intent"),
        "Task.intent: Value for the field 'intent' is required",
    ),
    ("badly written date", patient, _set("birthDate", "20-02-1987"), "Patient.birthDate: "),
    (
        "two values",
        observation,
        _set("valueString", "at risk"),
        "Observation: Value error, Any of one field value is expected",
    ),
    (
        "unknown element",
        patient,
        _set("nickname", "Col"),
        "Patient.nickname: Extra inputs are not permitted",
    ),
    (
        "unknown resourceType",
        patient,
        _set("resourceType", "Person2"),
        "Person2' is not a FHIR R4 resource type",
    ),
    (
        "R4B-only resourceType",
        patient,
        _set("resourceType", "SubscriptionStatus"),
        "'SubscriptionStatus' is not a FHIR R4 resource type",
    ),
    (
        "contained nobody points at",
        patient,
        _set("contained", [{"resourceType": "Organization", "id": "o1", "name": "X"}]),
        "Patient.contained[0]: a contained resource must be referenced from its container (dom-3)",
    ),
    (
        "unknown SDOHCC profile",
        practitioner_role,
        _set("meta.profile", [SDOHCC + "SDOHCC-PractitionerRole"]),
        "is not a profile of the SDOH Clinical Care guide 3.0.0",
    ),
    (
        "profile on the wrong type",
        patient,
        _set("meta.profile", [SDOHCC + "SDOHCC-Condition"]),
        "is a profile of Condition, not Patient",
    ),
    # US Core and the other SDOHCC profiles
    (
        "US Core Patient identifier without system",
        patient,
        _drop("identifier[0].system"),
        "Patient.identifier[0].system: required (US Core Patient",
    ),
    (
        "US Core Patient without gender",
        patient,
        _drop("gender"),
        "Patient.gender: required (US Core Patient",
    ),
    (
        "US Core Patient name without parts",
        patient,
        _set("name[1]", {"text": "Colin"}),
        "Patient.name[1]: needs family or given",
    ),
    (
        "US Core Practitioner bad NPI",
        practitioner,
        _set("identifier[0].value", "9941339101"),
        "Practitioner.identifier[0].value: the NPI check digit is wrong (us-core-17)",
    ),
    (
        "US Core Practitioner without family",
        practitioner,
        _drop("name[0].family"),
        "Practitioner.name[0].family: required",
    ),
    (
        "US Core Organization without active",
        organization,
        _drop("active"),
        "Organization.active: required",
    ),
    (
        "US Core Organization without name",
        organization,
        _drop("name"),
        "Organization.name: required",
    ),
    (
        "SDOHCC-Location without address",
        location,
        _drop("address"),
        "Location.address: required (SDOHCC-Location",
    ),
    (
        "SDOHCC-Location without name",
        location,
        _drop("name"),
        "Location.name: required (US Core Location",
    ),
    (
        "HealthcareService without appointment contact",
        healthcare_service,
        _both(_drop("telecom[1].extension"), _drop("telecom[0].extension")),
        "HealthcareService.telecom: needs a telecom flagged as an appointment contact",
    ),
    (
        "HealthcareService inactive",
        healthcare_service,
        _set("active", False),
        "HealthcareService.active: must be true",
    ),
    (
        "PractitionerRole without organization",
        practitioner_role,
        _drop("organization"),
        "PractitionerRole.organization: required",
    ),
    ("PractitionerRole without contact", practitioner_role, _drop("telecom"), "(pd-1)"),
]


@pytest.mark.parametrize(
    ("make", "change", "expected"),
    [pytest.param(make, change, expected, id=name) for name, make, change, expected in MISTAKES],
)
def test_each_mistake_is_refused(
    make: Callable[[], dict], change: Callable[[dict], None], expected: str
) -> None:
    resource = stored(make())
    assert problems(resource) == []  # the mistake is the only fault
    change(resource)
    found = problems(resource)
    assert any(expected in p for p in found), found


def test_missing_id_and_meta_are_refused_unless_turned_off() -> None:
    resource = task()
    del resource["id"]
    found = problems(resource)
    assert "Task.id: required on a resource the API returns" in found
    assert "Task.meta.versionId: required on a resource the API returns" in found
    assert "Task.meta.lastUpdated: required on a resource the API returns" in found
    assert problems(resource, require_meta=False) == []


def test_bundles_judge_their_entries_with_their_place_in_the_path() -> None:
    bad = stored(task())
    bad["status"] = "bogus"
    bundle = searchset(stored(service_request()), bad)
    found = problems(bundle)
    assert found == [
        "Bundle.entry[1].resource(Task/SDOHCC-TaskReferralManagementOrderFulfillmentCompletedExample)"
        ".status: 'bogus' is not in the required value set task-status"
    ]


def test_model_faults_inside_a_bundle_are_named_by_their_entry() -> None:
    bad = stored(task())
    bad["bogus"] = 1
    bundle = searchset(bad)
    bundle["entry"].append({"resource": {"resourceType": "Referral", "id": "r1"}})
    found = problems(bundle)
    label = f"Bundle.entry[0].resource(Task/{bad['id']})"
    assert f"{label}.bogus: Extra inputs are not permitted" in found
    assert (
        "Bundle.entry[1].resource(Referral/r1): resourceType 'Referral' is not a FHIR R4 resource "
        "type" in found
    )


def test_a_searchset_inside_another_bundle_is_judged_too() -> None:
    inner = searchset(stored(condition()))
    inner["entry"][0]["resource"]["category"].pop(1)  # no sdoh category
    outer = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": inner}]}
    found = problems(outer)
    assert len(found) == 1
    assert found[0].startswith(
        "Bundle.entry[0].resource(Bundle).entry[0].resource(Condition/"
        "SDOHCC-ConditionFoodInsecurityExample).category: "
    )
    assert "(SDOH-Con-3)" in found[0]


def test_entries_missing_their_meta_are_refused() -> None:
    found = problems(searchset(task()))
    assert any(p.endswith(".meta.versionId: required on a resource the API returns") for p in found)


def test_bundle_rules() -> None:
    one, two = stored(task()), stored(service_request())
    bundle = searchset(one, two)
    bundle["entry"][1]["fullUrl"] = bundle["entry"][0]["fullUrl"]
    found = problems(bundle)
    assert any("repeats entry[0] (bdl-7: fullUrl unique)" in p for p in found), found

    collection = searchset(one)
    collection["type"] = "collection"
    found = problems(collection)
    assert "Bundle.total: only allowed in a searchset or history Bundle (bdl-1)" in found
    assert "Bundle.entry[0].search: only allowed in a searchset Bundle (bdl-2)" in found

    with_request = searchset(one)
    with_request["entry"][0]["request"] = {"method": "GET", "url": "Task/1"}
    with_request["entry"][0]["response"] = {"status": "200 OK"}
    found = problems(with_request)
    assert "Bundle.entry[0].request: not allowed in a searchset Bundle (bdl-3)" in found
    assert "Bundle.entry[0].response: not allowed in a searchset Bundle (bdl-4)" in found

    transaction = {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": one}]}
    assert "Bundle.entry[0].request: required in a transaction Bundle (bdl-3)" in problems(
        transaction
    )
    transaction["entry"][0]["request"] = {"method": "FETCH", "url": "Task"}
    assert (
        "Bundle.entry[0].request.method: 'FETCH' is not in the required value set http-verb"
        in problems(transaction)
    )

    wrong_url = searchset(one)
    wrong_url["entry"][0]["fullUrl"] = "https://example.org/fhir/Task/other"
    assert any("disagrees with the resource's type and id" in p for p in problems(wrong_url))

    bad_type = searchset(one)
    bad_type["type"] = "results"
    assert "Bundle.type: 'results' is not in the required value set bundle-type" in problems(
        bad_type
    )
    bad_mode = searchset(one)
    bad_mode["entry"][0]["search"]["mode"] = "hit"
    assert (
        "Bundle.entry[0].search.mode: 'hit' is not in the required value set search-entry-mode"
        in problems(bad_mode)
    )


def test_an_operation_outcome_in_a_bundle_is_judged() -> None:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "bad", "code": "oops", "diagnostics": "x"}],
    }
    bundle = searchset(stored(task()))
    bundle["entry"].append({"resource": outcome, "search": {"mode": "outcome"}})
    found = problems(bundle)
    assert (
        "Bundle.entry[1].resource(OperationOutcome).issue[0].severity: 'bad' is not in the "
        "required value set issue-severity" in found
    )
    assert (
        "Bundle.entry[1].resource(OperationOutcome).issue[0].code: 'oops' is not in the "
        "required value set issue-type" in found
    )


def test_contained_resources_are_judged() -> None:
    resource = stored(task())
    resource["contained"] = [
        {
            "resourceType": "Patient",
            "id": "p1",
            "gender": "M",
            "meta": {"versionId": "1"},
        }
    ]
    resource["for"] = {"reference": "#p1"}
    found = problems(resource)
    assert (
        "Task.contained[0](Patient/p1).gender: 'M' is not in the required value set "
        "administrative-gender" in found
    )
    assert (
        "Task.contained[0](Patient/p1).meta: a contained resource has no versionId or "
        "lastUpdated (dom-4)" in found
    )


CAPABILITY_MISTAKES = [
    ("rest.0.resource.0.interaction.0.code", "search", "type-restful-interaction"),
    ("rest.0.interaction.0.code", "read", "system-restful-interaction"),
    ("rest.0.resource.0.searchParam.0.type", "text", "search-param-type"),
    ("rest.0.resource.0.versioning", "git", "versioning-policy"),
    ("rest.0.resource.0.conditionalRead", "yes", "conditional-read-status"),
    ("rest.0.resource.0.type", "Referral", "resource-types"),
    ("rest.0.mode", "both", "restful-capability-mode"),
    ("fhirVersion", "4.3.0", "FHIR-version"),
    ("kind", "server", "capability-statement-kind"),
    ("status", "final", "publication-status"),
]


@pytest.mark.parametrize(("path", "value", "value_set"), CAPABILITY_MISTAKES)
def test_capability_statement_codes_are_checked(path: str, value: str, value_set: str) -> None:
    resource = capability_statement()
    node: object = resource
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    node[parts[-1]] = value  # type: ignore[index]
    found = problems(resource)
    element = "CapabilityStatement." + ".".join(
        f"[{p}]" if p.isdigit() else p for p in parts
    ).replace(".[", "[")
    assert f"{element}: '{value}' is not in the required value set {value_set}" in found, found


def test_capability_statement_rules() -> None:
    resource = capability_statement()
    resource["format"] = ["yaml"]
    resource["rest"][0]["resource"].append(dict(resource["rest"][0]["resource"][0]))
    del resource["implementation"]
    found = problems(resource)
    assert "CapabilityStatement.format[0]: 'yaml' is not xml, json, ttl or a media type" in found
    assert any("(cpb-9)" in p for p in found), found
    assert "CapabilityStatement.implementation: required when kind = instance (cpb-14)" in found


# --- the judge's own tables ----------------------------------------------------------------------


def test_every_binding_names_an_element_the_models_have() -> None:
    keys = [
        *fhir_judge.CODE_BINDINGS,
        *fhir_judge.MIME_ELEMENTS,
        *fhir_judge.CONCEPT_BINDINGS,
        ("CapabilityStatement", "format"),
    ]
    classes = _r4b_classes()
    for class_name, element in keys:
        assert class_name in classes, class_name
        assert element in fhir_judge._fields(classes[class_name]), (class_name, element)


def test_the_code_lists_are_whole() -> None:
    assert len(fhir_judge.SDOHCC_TEMPORARY_CODES) == 58  # the code system's count
    assert len(fhir_judge.SDOH_CATEGORIES) == 24
    assert len(fhir_judge.R4_RESOURCE_TYPES) == 146
    referral = fhir_judge.REFERRAL_TASK_STATUS
    assert referral == fhir_judge.TASK_STATUS - {"ready", "received"}
    for _, codes in fhir_judge.CODE_BINDINGS.values():
        assert codes and all(code and " " not in code for code in codes)
    assert set(fhir_judge.PROFILE_CHECKS) <= {
        fhir_judge.SDOHCC + name for name in fhir_judge.SDOHCC_DEFINITIONS
    } | {fhir_judge.US_CORE + name for name in fhir_judge.US_CORE_PROFILES}


def _r4b_classes() -> dict[str, type]:
    import importlib
    import pkgutil

    import fhir.resources.R4B as r4b

    found: dict[str, type] = {}
    for module_info in pkgutil.iter_modules(r4b.__path__):
        module = importlib.import_module(f"fhir.resources.R4B.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == module.__name__:
                found[name] = value
    return found

"""Code systems, profiles and the codes each need carries in FHIR (Flask-free data).

SNOMED CT codes are those of the HL7 SDOH Clinical Care guide's own examples and of the Gravity
value sets; where no SNOMED CT finding fits a need, the ICD-10-CM Z code stands alone.
"""

from __future__ import annotations

from dataclasses import dataclass

FHIR_VERSION = "4.0.1"
MIME = "application/fhir+json"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
CONDITION_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONSENT_POLICY = "http://terminology.hl7.org/CodeSystem/consentpolicycodes"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
LANGUAGE = "urn:ietf:bcp:47"

_SDOHCC_SD = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
_US_CORE_SD = "http://hl7.org/fhir/us/core/StructureDefinition/"
PROFILES = {
    "Patient": _US_CORE_SD + "us-core-patient",
    "Organization": _US_CORE_SD + "us-core-organization",
    "Practitioner": _US_CORE_SD + "us-core-practitioner",
    "PractitionerRole": _SDOHCC_SD + "SDOHCC-practitionerrole",
    "Questionnaire": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire",
    "QuestionnaireResponse": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse",
    "Observation": _SDOHCC_SD + "SDOHCC-ObservationScreeningResponse",
    "Condition": _SDOHCC_SD + "SDOHCC-Condition",
    "Goal": _SDOHCC_SD + "SDOHCC-Goal",
    "CarePlan": _US_CORE_SD + "us-core-careplan",
    "Encounter": _US_CORE_SD + "us-core-encounter",
    "Consent": _SDOHCC_SD + "SDOHCC-Consent",
    "ServiceRequest": _SDOHCC_SD + "SDOHCC-ServiceRequest",
    "Task": _SDOHCC_SD + "SDOHCC-TaskForReferralManagement",
    "Procedure": _SDOHCC_SD + "SDOHCC-Procedure",
    "Communication": None,
    "HealthcareService": _SDOHCC_SD + "SDOHCC-HealthcareService",
    "Location": _SDOHCC_SD + "SDOHCC-Location",
}
"""The profile each resource type claims in `meta.profile` (None: the base resource)."""

CATEGORY_DISPLAY = {
    "food-insecurity": "Food Insecurity",
    "housing-instability": "Housing Instability",
    "homelessness": "Homelessness",
    "inadequate-housing": "Inadequate Housing",
    "transportation-insecurity": "Transportation Insecurity",
    "financial-insecurity": "Financial Insecurity",
    "material-hardship": "Material Hardship",
    "utility-insecurity": "Utility Insecurity",
    "employment-status": "Employment Status",
    "intimate-partner-violence": "Intimate Partner Violence",
    "sdoh-category-unspecified": "SDOH Category Unspecified",
    "educational-attainment": "Educational Attainment",
    "health-insurance-coverage-status": "Health Insurance Coverage Status",
}
"""SDOHCC temporary codes for the SDOH categories the platform uses, with their displays."""

FINDINGS = {
    "food-insecurity": ("733423003", "Food insecurity"),
    "homelessness": ("32911000", "Homeless"),
    "housing-instability": ("1156191002", "Housing instability"),
    "inadequate-housing": ("105531004", "Housing unsatisfactory"),
    "transportation-insecurity": ("713458007", "Lack of access to transportation"),
    "financial-insecurity": ("1184702004", "Financial insecurity"),
    "employment-status": ("73438004", "Unemployed"),
}
"""SNOMED CT findings by SDOH category, placed beside the Z code on a Condition."""

Z_CODE_DISPLAY = {
    "Z59.00": "Homelessness unspecified",
    "Z59.01": "Sheltered homelessness",
    "Z59.02": "Unsheltered homelessness",
    "Z59.11": "Inadequate housing environmental temperature",
    "Z59.12": "Inadequate housing utilities",
    "Z59.19": "Other inadequate housing",
    "Z59.41": "Food insecurity",
    "Z59.811": "Housing instability, housed, with risk of homelessness",
    "Z59.819": "Housing instability, housed unspecified",
    "Z59.82": "Transportation insecurity",
    "Z59.861": "Financial insecurity, difficulty paying for utilities",
    "Z59.868": "Other specified financial insecurity",
    "Z59.869": "Financial insecurity, unspecified",
    "Z59.87": "Material hardship",
    "Z56.0": "Unemployment, unspecified",
}


@dataclass(frozen=True)
class NeedCodes:
    """How a referral for one need is coded: its SDOH category and the SNOMED CT codes of the
    service requested and of the service delivered."""

    category: str
    request: tuple[str, str]
    delivered: tuple[str, str]


_SOCIAL_SERVICE = ("410606002", "Social service procedure")
_BENEFITS = ("462491000124104", "Referral to benefits enrollment assistance program")
_NETWORK = ("464161000124109", "Referral to community resource network program")
NEEDS = {
    "food": NeedCodes(
        "food-insecurity",
        ("467771000124109", "Assistance with application for food pantry program"),
        ("710925007", "Provision of food"),
    ),
    "housing": NeedCodes(
        "housing-instability", ("710911006", "Referral to housing service"), _SOCIAL_SERVICE
    ),
    "transportation": NeedCodes(
        "transportation-insecurity", ("428632005", "Transportation request"), _SOCIAL_SERVICE
    ),
    "utilities": NeedCodes("utility-insecurity", _BENEFITS, _SOCIAL_SERVICE),
    "financial": NeedCodes("financial-insecurity", _BENEFITS, _SOCIAL_SERVICE),
    "employment": NeedCodes("employment-status", _NETWORK, _SOCIAL_SERVICE),
    "safety": NeedCodes(
        "sdoh-category-unspecified", ("308440001", "Referral to social worker"), _SOCIAL_SERVICE
    ),
}
OTHER_NEED = NeedCodes("sdoh-category-unspecified", _NETWORK, _SOCIAL_SERVICE)
"""Needs the directory knows but no SDOH category names (health, legal, goods, …)."""


def need_codes(need: str) -> NeedCodes:
    """The codes of a referral for `need` (a directory need key such as food)."""
    return NEEDS.get(need, OTHER_NEED)


def coding(system: str, code: str, display: str | None = None) -> dict:
    """A Coding."""
    found = {"system": system, "code": code}
    return found | {"display": display} if display else found


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    """A CodeableConcept of one coding."""
    found = {"coding": [coding(system, code, display)]}
    return found | {"text": text} if text else found


def sdoh_category(category: str) -> dict:
    """The SDOHCC category as a CodeableConcept."""
    return concept(SDOHCC, category, CATEGORY_DISPLAY.get(category))

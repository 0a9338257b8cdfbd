"""An independent judge of the FHIR resources the API returns.

`problems(resource)` lists every way a resource breaks the rules of the standard (an empty list
means valid); `assert_valid(resource)` raises an AssertionError that lists them. Tests use it on
what the API sends back. It owes nothing to the application's own code: the rules come from the
specifications, in four layers.

1. Base definitions. The resource is validated with the `fhir.resources.R4B` models (structure,
   cardinality, primitive formats). R4B (4.3.0) is the nearest to FHIR R4 (4.0.1) the library
   ships; for the resources this API emits the two agree, except that R4B allows a few more
   reference targets (Observation.subject, for one), so base target checks can be looser than
   R4. Resource types that R4 lacks (SubscriptionStatus, ...) are refused.
2. Required value-set bindings of FHIR R4 4.0.1, which fhir.resources does not enforce. The code
   lists below are written out as data from the R4 value sets named in the comments. Datatype
   bindings (ContactPoint, Address, HumanName, Identifier, ...) are checked wherever the
   datatype occurs, because the walk follows the model classes rather than fixed paths.
   With them, the R4 invariants that matter for what the API emits (ele-1, ref-1, dom-2..5,
   bdl-1..12, obs-6/7, con-4/5, que-*/qrs-*, cpb-*, ...), and reference target types.
3. Profile rules of the HL7 SDOH Clinical Care guide (Gravity) 3.0.0 and of US Core 7.0.0, applied
   when `meta.profile` names the profile. They were read from the guide's FSH sources
   (input/fsh/profiles, invariants, valuesets, codesystems at version 3.0.0) and from US Core's
   StructureDefinition sources at the 7.0.0 tag. Only "SHALL" rules are problems, with one
   exception marked "API rule" below (Task.statusReason.text for a rejected, cancelled, on-hold
   or failed referral, which the guide says "should" be given).
4. The API's own rule: every resource the API returns carries an id, meta.versionId and
   meta.lastUpdated (`require_meta=True`; pass False for input-side resources).

Every message starts with the element's path, e.g.
``Task.statusReason.text: required when status is rejected``; resources inside a Bundle or
``contained`` are named by their place, e.g. ``Bundle.entry[2].resource(Task/t1).status: ...``.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

__all__ = ["assert_valid", "problems"]

# ---------------------------------------------------------------------------------------------
# FHIR R4 (4.0.1) code lists, one per value set, as published in the R4 specification.
# ---------------------------------------------------------------------------------------------


def _codes(text: str) -> frozenset[str]:
    """A code list written as whitespace-separated codes."""
    return frozenset(text.split())


# http://hl7.org/fhir/ValueSet/administrative-gender
ADMINISTRATIVE_GENDER = _codes("male female other unknown")
# http://hl7.org/fhir/ValueSet/identifier-use
IDENTIFIER_USE = _codes("usual official temp secondary old")
# http://hl7.org/fhir/ValueSet/name-use
NAME_USE = _codes("usual official temp nickname anonymous old maiden")
# http://hl7.org/fhir/ValueSet/contact-point-system
CONTACT_POINT_SYSTEM = _codes("phone fax email pager url sms other")
# http://hl7.org/fhir/ValueSet/contact-point-use
CONTACT_POINT_USE = _codes("home work temp old mobile")
# http://hl7.org/fhir/ValueSet/address-use
ADDRESS_USE = _codes("home work temp old billing")
# http://hl7.org/fhir/ValueSet/address-type
ADDRESS_TYPE = _codes("postal physical both")
# http://hl7.org/fhir/ValueSet/narrative-status
NARRATIVE_STATUS = _codes("generated extensions additional empty")
# http://hl7.org/fhir/ValueSet/quantity-comparator
QUANTITY_COMPARATOR = _codes("< <= >= >")
# http://hl7.org/fhir/ValueSet/units-of-time
UNITS_OF_TIME = _codes("s min h d wk mo a")
# http://hl7.org/fhir/ValueSet/days-of-week
DAYS_OF_WEEK = _codes("mon tue wed thu fri sat sun")
# http://hl7.org/fhir/ValueSet/link-type
LINK_TYPE = _codes("replaced-by replaces refer seealso")
# http://hl7.org/fhir/ValueSet/observation-status
OBSERVATION_STATUS = _codes(
    """
    registered preliminary final amended corrected cancelled entered-in-error unknown
    """
)
# http://hl7.org/fhir/ValueSet/publication-status
PUBLICATION_STATUS = _codes("draft active retired unknown")
# http://hl7.org/fhir/ValueSet/item-type ("question" is abstract, so not a usable code)
QUESTIONNAIRE_ITEM_TYPE = _codes(
    """
    group display boolean decimal integer date dateTime time string text url choice open-choice
    attachment reference quantity
    """
)
# http://hl7.org/fhir/ValueSet/questionnaire-enable-operator
QUESTIONNAIRE_ENABLE_OPERATOR = _codes("exists = != > < >= <=")
# http://hl7.org/fhir/ValueSet/questionnaire-enable-behavior
QUESTIONNAIRE_ENABLE_BEHAVIOR = _codes("all any")
# http://hl7.org/fhir/ValueSet/questionnaire-answers-status
QUESTIONNAIRE_ANSWERS_STATUS = _codes("in-progress completed amended entered-in-error stopped")
# http://hl7.org/fhir/ValueSet/request-status
REQUEST_STATUS = _codes("draft active on-hold revoked completed entered-in-error unknown")
# http://hl7.org/fhir/ValueSet/request-intent
REQUEST_INTENT = _codes(
    """
    proposal plan directive order original-order reflex-order filler-order instance-order option
    """
)
# http://hl7.org/fhir/ValueSet/request-priority
REQUEST_PRIORITY = _codes("routine urgent asap stat")
# http://hl7.org/fhir/ValueSet/task-status
TASK_STATUS = _codes(
    """
    draft requested received accepted rejected ready cancelled in-progress on-hold failed
    completed entered-in-error
    """
)
# http://hl7.org/fhir/ValueSet/task-intent
TASK_INTENT = _codes(
    """
    unknown proposal plan order original-order reflex-order filler-order instance-order option
    """
)
# http://hl7.org/fhir/ValueSet/consent-state-codes
CONSENT_STATE = _codes("draft proposed active rejected inactive entered-in-error")
# http://hl7.org/fhir/ValueSet/consent-provision-type
CONSENT_PROVISION_TYPE = _codes("deny permit")
# http://hl7.org/fhir/ValueSet/consent-data-meaning
CONSENT_DATA_MEANING = _codes("instance related dependents authoredby")
# http://hl7.org/fhir/ValueSet/event-status (Procedure.status, Communication.status)
EVENT_STATUS = _codes(
    """
    preparation in-progress not-done on-hold stopped completed entered-in-error unknown
    """
)
# http://hl7.org/fhir/ValueSet/location-status
LOCATION_STATUS = _codes("active suspended inactive")
# http://hl7.org/fhir/ValueSet/location-mode
LOCATION_MODE = _codes("instance kind")
# http://hl7.org/fhir/ValueSet/bundle-type
BUNDLE_TYPE = _codes(
    """
    document message transaction transaction-response batch batch-response history searchset
    collection
    """
)
# http://hl7.org/fhir/ValueSet/http-verb
HTTP_VERB = _codes("GET HEAD POST PUT DELETE PATCH")
# http://hl7.org/fhir/ValueSet/search-entry-mode
SEARCH_ENTRY_MODE = _codes("match include outcome")
# http://hl7.org/fhir/ValueSet/capability-statement-kind
CAPABILITY_STATEMENT_KIND = _codes("instance capability requirements")
# http://hl7.org/fhir/ValueSet/FHIR-version
FHIR_VERSION = _codes(
    """
    0.01 0.05 0.06 0.11 0.0.80 0.0.81 0.0.82 0.4.0 0.5.0 1.0.0 1.0.1 1.0.2 1.1.0 1.4.0 1.6.0
    1.8.0 3.0.0 3.0.1 3.3.0 3.5.0 4.0.0 4.0.1
    """
)
# http://hl7.org/fhir/ValueSet/restful-capability-mode
RESTFUL_CAPABILITY_MODE = _codes("client server")
# http://hl7.org/fhir/ValueSet/type-restful-interaction
TYPE_RESTFUL_INTERACTION = _codes(
    """
    read vread update patch delete history-instance history-type create search-type
    """
)
# http://hl7.org/fhir/ValueSet/system-restful-interaction
SYSTEM_RESTFUL_INTERACTION = _codes("transaction batch search-system history-system")
# http://hl7.org/fhir/ValueSet/search-param-type
SEARCH_PARAM_TYPE = _codes("number date string token reference composite quantity uri special")
# http://hl7.org/fhir/ValueSet/versioning-policy
VERSIONING_POLICY = _codes("no-version versioned versioned-update")
# http://hl7.org/fhir/ValueSet/conditional-read-status
CONDITIONAL_READ_STATUS = _codes("not-supported modified-since not-match full-support")
# http://hl7.org/fhir/ValueSet/conditional-delete-status
CONDITIONAL_DELETE_STATUS = _codes("not-supported single multiple")
# http://hl7.org/fhir/ValueSet/reference-handling-policy
REFERENCE_HANDLING_POLICY = _codes("literal logical resolves enforced local")
# http://hl7.org/fhir/ValueSet/document-mode
DOCUMENT_MODE = _codes("producer consumer")
# http://hl7.org/fhir/ValueSet/event-capability-mode
EVENT_CAPABILITY_MODE = _codes("sender receiver")
# http://hl7.org/fhir/ValueSet/issue-severity
ISSUE_SEVERITY = _codes("fatal error warning information")
# http://hl7.org/fhir/ValueSet/issue-type
ISSUE_TYPE = _codes(
    """
    invalid structure required value invariant security login unknown expired forbidden
    suppressed processing not-supported duplicate multiple-matches not-found deleted too-long
    code-invalid extension too-costly business-rule conflict transient lock-error no-store
    exception timeout incomplete throttled informational
    """
)
# http://hl7.org/fhir/ValueSet/goal-status (Goal.lifecycleStatus)
GOAL_STATUS = _codes(
    """
    proposed planned accepted active on-hold completed cancelled entered-in-error rejected
    """
)
# http://hl7.org/fhir/ValueSet/encounter-status
ENCOUNTER_STATUS = _codes(
    """
    planned arrived triaged in-progress onleave finished cancelled entered-in-error unknown
    """
)
# http://hl7.org/fhir/ValueSet/care-plan-intent
CARE_PLAN_INTENT = _codes("proposal plan order option")
# http://hl7.org/fhir/ValueSet/care-plan-activity-status
CARE_PLAN_ACTIVITY_STATUS = _codes(
    """
    not-started scheduled in-progress on-hold completed cancelled stopped unknown
    entered-in-error
    """
)
# http://hl7.org/fhir/ValueSet/care-plan-activity-kind
CARE_PLAN_ACTIVITY_KIND = _codes(
    """
    Appointment CommunicationRequest DeviceRequest MedicationRequest NutritionOrder Task
    ServiceRequest VisionPrescription
    """
)
# http://hl7.org/fhir/ValueSet/care-team-status
CARE_TEAM_STATUS = _codes("proposed active suspended inactive entered-in-error")
# http://hl7.org/fhir/ValueSet/group-type
GROUP_TYPE = _codes("person animal practitioner device medication substance")
# http://hl7.org/fhir/ValueSet/endpoint-status
ENDPOINT_STATUS = _codes("active suspended error off entered-in-error test")
# http://hl7.org/fhir/ValueSet/document-reference-status
DOCUMENT_REFERENCE_STATUS = _codes("current superseded entered-in-error")
# http://hl7.org/fhir/ValueSet/composition-status (DocumentReference.docStatus)
COMPOSITION_STATUS = _codes("preliminary final amended entered-in-error")
# http://hl7.org/fhir/ValueSet/device-status
DEVICE_STATUS = _codes("active inactive entered-in-error unknown")

# http://hl7.org/fhir/ValueSet/resource-types: the concrete resource types of R4 4.0.1.
R4_RESOURCE_TYPES = _codes(
    """
    Account ActivityDefinition AdverseEvent AllergyIntolerance Appointment AppointmentResponse
    AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure Bundle CapabilityStatement
    CarePlan CareTeam CatalogEntry ChargeItem ChargeItemDefinition Claim ClaimResponse
    ClinicalImpression CodeSystem Communication CommunicationRequest CompartmentDefinition
    Composition ConceptMap Condition Consent Contract Coverage CoverageEligibilityRequest
    CoverageEligibilityResponse DetectedIssue Device DeviceDefinition DeviceMetric DeviceRequest
    DeviceUseStatement DiagnosticReport DocumentManifest DocumentReference EffectEvidenceSynthesis
    Encounter Endpoint EnrollmentRequest EnrollmentResponse EpisodeOfCare EventDefinition Evidence
    EvidenceVariable ExampleScenario ExplanationOfBenefit FamilyMemberHistory Flag Goal
    GraphDefinition Group GuidanceResponse HealthcareService ImagingStudy Immunization
    ImmunizationEvaluation ImmunizationRecommendation ImplementationGuide InsurancePlan Invoice
    Library Linkage List Location Measure MeasureReport Media Medication MedicationAdministration
    MedicationDispense MedicationKnowledge MedicationRequest MedicationStatement MedicinalProduct
    MedicinalProductAuthorization MedicinalProductContraindication MedicinalProductIndication
    MedicinalProductIngredient MedicinalProductInteraction MedicinalProductManufactured
    MedicinalProductPackaged MedicinalProductPharmaceutical MedicinalProductUndesirableEffect
    MessageDefinition MessageHeader MolecularSequence NamingSystem NutritionOrder Observation
    ObservationDefinition OperationDefinition OperationOutcome Organization
    OrganizationAffiliation Parameters Patient PaymentNotice PaymentReconciliation Person
    PlanDefinition Practitioner PractitionerRole Procedure Provenance Questionnaire
    QuestionnaireResponse RelatedPerson RequestGroup ResearchDefinition ResearchElementDefinition
    ResearchStudy ResearchSubject RiskAssessment RiskEvidenceSynthesis Schedule SearchParameter
    ServiceRequest Slot Specimen SpecimenDefinition StructureDefinition StructureMap Subscription
    Substance SubstanceNucleicAcid SubstancePolymer SubstanceProtein
    SubstanceReferenceInformation SubstanceSourceMaterial SubstanceSpecification SupplyDelivery
    SupplyRequest Task TerminologyCapabilities TestReport TestScript ValueSet VerificationResult
    VisionPrescription
    """
)

# Required bindings on `code` elements: (model class, element) -> (value set, codes). The model
# class is the fhir.resources class that holds the element, so a datatype (ContactPoint) or a
# backbone element (QuestionnaireItem, which nests) is covered wherever it appears.
_GENDER = ("administrative-gender", ADMINISTRATIVE_GENDER)
_REQ_PRIORITY = ("request-priority", REQUEST_PRIORITY)
_DAYS = ("days-of-week", DAYS_OF_WEEK)
_COMPARATOR = ("quantity-comparator", QUANTITY_COMPARATOR)
_RESOURCE_TYPES = ("resource-types", R4_RESOURCE_TYPES)
CODE_BINDINGS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("Identifier", "use"): ("identifier-use", IDENTIFIER_USE),
    ("HumanName", "use"): ("name-use", NAME_USE),
    ("ContactPoint", "system"): ("contact-point-system", CONTACT_POINT_SYSTEM),
    ("ContactPoint", "use"): ("contact-point-use", CONTACT_POINT_USE),
    ("Address", "use"): ("address-use", ADDRESS_USE),
    ("Address", "type"): ("address-type", ADDRESS_TYPE),
    ("Narrative", "status"): ("narrative-status", NARRATIVE_STATUS),
    ("Quantity", "comparator"): _COMPARATOR,
    ("Age", "comparator"): _COMPARATOR,
    ("Count", "comparator"): _COMPARATOR,
    ("Distance", "comparator"): _COMPARATOR,
    ("Duration", "comparator"): _COMPARATOR,
    ("TimingRepeat", "durationUnit"): ("units-of-time", UNITS_OF_TIME),
    ("TimingRepeat", "periodUnit"): ("units-of-time", UNITS_OF_TIME),
    ("TimingRepeat", "dayOfWeek"): _DAYS,
    ("Patient", "gender"): _GENDER,
    ("PatientContact", "gender"): _GENDER,
    ("PatientLink", "type"): ("link-type", LINK_TYPE),
    ("Practitioner", "gender"): _GENDER,
    ("RelatedPerson", "gender"): _GENDER,
    ("Person", "gender"): _GENDER,
    ("HealthcareServiceAvailableTime", "daysOfWeek"): _DAYS,
    ("LocationHoursOfOperation", "daysOfWeek"): _DAYS,
    ("PractitionerRoleAvailableTime", "daysOfWeek"): _DAYS,
    ("Observation", "status"): ("observation-status", OBSERVATION_STATUS),
    ("Questionnaire", "status"): ("publication-status", PUBLICATION_STATUS),
    ("Questionnaire", "subjectType"): _RESOURCE_TYPES,
    ("QuestionnaireItem", "type"): ("item-type", QUESTIONNAIRE_ITEM_TYPE),
    ("QuestionnaireItem", "enableBehavior"): (
        "questionnaire-enable-behavior",
        QUESTIONNAIRE_ENABLE_BEHAVIOR,
    ),
    ("QuestionnaireItemEnableWhen", "operator"): (
        "questionnaire-enable-operator",
        QUESTIONNAIRE_ENABLE_OPERATOR,
    ),
    ("QuestionnaireResponse", "status"): (
        "questionnaire-answers-status",
        QUESTIONNAIRE_ANSWERS_STATUS,
    ),
    ("ServiceRequest", "status"): ("request-status", REQUEST_STATUS),
    ("ServiceRequest", "intent"): ("request-intent", REQUEST_INTENT),
    ("ServiceRequest", "priority"): _REQ_PRIORITY,
    ("Task", "status"): ("task-status", TASK_STATUS),
    ("Task", "intent"): ("task-intent", TASK_INTENT),
    ("Task", "priority"): _REQ_PRIORITY,
    ("Consent", "status"): ("consent-state-codes", CONSENT_STATE),
    ("ConsentProvision", "type"): ("consent-provision-type", CONSENT_PROVISION_TYPE),
    ("ConsentProvisionData", "meaning"): ("consent-data-meaning", CONSENT_DATA_MEANING),
    ("Procedure", "status"): ("event-status", EVENT_STATUS),
    ("Communication", "status"): ("event-status", EVENT_STATUS),
    ("Communication", "priority"): _REQ_PRIORITY,
    ("CommunicationRequest", "status"): ("request-status", REQUEST_STATUS),
    ("CommunicationRequest", "priority"): _REQ_PRIORITY,
    ("Location", "status"): ("location-status", LOCATION_STATUS),
    ("Location", "mode"): ("location-mode", LOCATION_MODE),
    ("Bundle", "type"): ("bundle-type", BUNDLE_TYPE),
    ("BundleEntryRequest", "method"): ("http-verb", HTTP_VERB),
    ("BundleEntrySearch", "mode"): ("search-entry-mode", SEARCH_ENTRY_MODE),
    ("CapabilityStatement", "status"): ("publication-status", PUBLICATION_STATUS),
    ("CapabilityStatement", "kind"): ("capability-statement-kind", CAPABILITY_STATEMENT_KIND),
    ("CapabilityStatement", "fhirVersion"): ("FHIR-version", FHIR_VERSION),
    ("CapabilityStatementRest", "mode"): ("restful-capability-mode", RESTFUL_CAPABILITY_MODE),
    ("CapabilityStatementRestResource", "type"): _RESOURCE_TYPES,
    ("CapabilityStatementRestResource", "versioning"): ("versioning-policy", VERSIONING_POLICY),
    ("CapabilityStatementRestResource", "conditionalRead"): (
        "conditional-read-status",
        CONDITIONAL_READ_STATUS,
    ),
    ("CapabilityStatementRestResource", "conditionalDelete"): (
        "conditional-delete-status",
        CONDITIONAL_DELETE_STATUS,
    ),
    ("CapabilityStatementRestResource", "referencePolicy"): (
        "reference-handling-policy",
        REFERENCE_HANDLING_POLICY,
    ),
    ("CapabilityStatementRestResourceInteraction", "code"): (
        "type-restful-interaction",
        TYPE_RESTFUL_INTERACTION,
    ),
    ("CapabilityStatementRestInteraction", "code"): (
        "system-restful-interaction",
        SYSTEM_RESTFUL_INTERACTION,
    ),
    ("CapabilityStatementRestResourceSearchParam", "type"): (
        "search-param-type",
        SEARCH_PARAM_TYPE,
    ),
    ("CapabilityStatementDocument", "mode"): ("document-mode", DOCUMENT_MODE),
    ("CapabilityStatementMessagingSupportedMessage", "mode"): (
        "event-capability-mode",
        EVENT_CAPABILITY_MODE,
    ),
    ("OperationOutcomeIssue", "severity"): ("issue-severity", ISSUE_SEVERITY),
    ("OperationOutcomeIssue", "code"): ("issue-type", ISSUE_TYPE),
    ("Goal", "lifecycleStatus"): ("goal-status", GOAL_STATUS),
    ("Encounter", "status"): ("encounter-status", ENCOUNTER_STATUS),
    ("CarePlan", "status"): ("request-status", REQUEST_STATUS),
    ("CarePlan", "intent"): ("care-plan-intent", CARE_PLAN_INTENT),
    ("CarePlanActivityDetail", "status"): ("care-plan-activity-status", CARE_PLAN_ACTIVITY_STATUS),
    ("CarePlanActivityDetail", "kind"): ("care-plan-activity-kind", CARE_PLAN_ACTIVITY_KIND),
    ("CareTeam", "status"): ("care-team-status", CARE_TEAM_STATUS),
    ("Group", "type"): ("group-type", GROUP_TYPE),
    ("Endpoint", "status"): ("endpoint-status", ENDPOINT_STATUS),
    ("DocumentReference", "status"): ("document-reference-status", DOCUMENT_REFERENCE_STATUS),
    ("DocumentReference", "docStatus"): ("composition-status", COMPOSITION_STATUS),
    ("Device", "status"): ("device-status", DEVICE_STATUS),
}

# Elements bound (required) to MimeType, i.e. any BCP 13 media type; CapabilityStatement.format
# also allows the short forms xml, json and ttl.
MIME_ELEMENTS = frozenset(
    {
        ("Attachment", "contentType"),
        ("Binary", "contentType"),
        ("CapabilityStatement", "patchFormat"),
        ("Endpoint", "payloadMimeType"),
    }
)
_MIME = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*(\s*;\s*[^\s;]+=[^;]+)*$")
_FORMAT_SHORT = _codes("xml json ttl")

# Code systems whose complete content the judge knows: a Coding anywhere that names one of these
# systems must carry one of its codes.
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VER_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
US_CORE_CONDITION_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"
UCUM = "http://unitsofmeasure.org"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
US_NPI = "http://hl7.org/fhir/sid/us-npi"

# SDOHCC ValueSet SDOH Category (SDOHCC-ValueSetSDOHCategory), guide 3.0.0.
SDOH_CATEGORIES = _codes(
    """
    sdoh-category-unspecified food-insecurity housing-instability homelessness
    inadequate-housing transportation-insecurity financial-insecurity material-hardship
    educational-attainment employment-status veteran-status stress social-connection
    intimate-partner-violence elder-abuse personal-health-literacy
    health-insurance-coverage-status medical-cost-burden digital-literacy digital-access
    utility-insecurity incarceration-status language-access protective-factor
    """
)
# SDOHCC CodeSystem Temporary Codes (content complete, 58 codes), guide 3.0.0.
SDOHCC_TEMPORARY_CODES = SDOH_CATEGORIES | _codes(
    """
    resulting-activity sdoh-condition-category payer-coverage general-information make-contact
    review-material risk-questionnaire feedback-questionnaire application-questionnaire
    personal-characteristics-questionnaire contact-entity general-information-response
    questionnaire-category questionnaire-pdf questionnaire-url questionnaire-pdf-completed
    contacting-subject-prohibited self-reported reported-by-related-person observed
    administrative derived-specify other-specify personal-characteristic chosen-contact
    additional-content program-enrollment enrolled not-enrolled not-enrolled-on-waitlist
    no-capacity capacity waitlist additional-assessment-required
    """
)

KNOWN_CODE_SYSTEMS: dict[str, tuple[str, frozenset[str]]] = {
    # http://hl7.org/fhir/ValueSet/condition-clinical (the whole code system)
    CONDITION_CLINICAL: (
        "condition-clinical",
        _codes("active recurrence relapse inactive remission resolved"),
    ),
    # http://hl7.org/fhir/ValueSet/condition-ver-status (the whole code system)
    CONDITION_VER_STATUS: (
        "condition-ver-status",
        _codes("unconfirmed provisional differential confirmed refuted entered-in-error"),
    ),
    CONDITION_CATEGORY: (
        "condition-category",
        _codes("problem-list-item encounter-diagnosis"),
    ),
    # US Core 7.0.0 CodeSystem condition-category ("problem" is deprecated but still defined).
    US_CORE_CONDITION_CATEGORY: (
        "US Core condition-category",
        _codes("problem health-concern"),
    ),
    # US Core 7.0.0 CodeSystem us-core-category.
    US_CORE_CATEGORY: (
        "us-core-category",
        _codes(
            """
            sdoh functional-status disability-status cognitive-status
            treatment-intervention-preference care-experience-preference
            """
        ),
    ),
    OBSERVATION_CATEGORY: (
        "observation-category",
        _codes(
            """
            social-history vital-signs imaging laboratory procedure survey exam therapy activity
            """
        ),
    ),
    TASK_CODE: (
        "task-code",
        _codes("approve fulfill abort replace change suspend resume"),
    ),
    CONSENT_SCOPE: (
        "consentscope",
        _codes("adr research patient-privacy treatment"),
    ),
    GOAL_ACHIEVEMENT: (
        "goal-achievement",
        _codes(
            """
            in-progress improving worsening no-change achieved sustaining not-achieved
            no-progress not-attainable
            """
        ),
    ),
    SDOHCC_CODES: ("SDOHCC-CodeSystemTemporaryCodes", SDOHCC_TEMPORARY_CODES),
}

# Required bindings on CodeableConcept elements: one coding from the value set must be present.
CONCEPT_BINDINGS: dict[tuple[str, str], tuple[str, str]] = {
    ("Condition", "clinicalStatus"): ("condition-clinical", CONDITION_CLINICAL),
    ("Condition", "verificationStatus"): ("condition-ver-status", CONDITION_VER_STATUS),
}

# The code systems of US Core Procedure Codes 7.0.0 (us-core-procedure-code): CPT, SNOMED CT
# (descendants of 71388002 Procedure; the hierarchy is not checked here), HCPCS, ICD-10-PCS, CDT
# and LOINC.
US_CORE_PROCEDURE_SYSTEMS = frozenset(
    {
        "http://www.ama-assn.org/go/cpt",
        SNOMED,
        "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "http://www.cms.gov/Medicare/Coding/ICD10",
        "http://www.ada.org/cdt",
        LOINC,
    }
)
# The code systems of US Core Condition Codes 7.0.0 (us-core-condition-code).
US_CORE_CONDITION_SYSTEMS = frozenset({SNOMED, ICD10CM, ICD9CM})

# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------

SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"

# Every StructureDefinition of the guide 3.0.0, with the resource type each profile constrains
# (None for extensions). Note the lower-case id of SDOHCC-practitionerrole.
SDOHCC_DEFINITIONS: dict[str, str | None] = {
    "SDOHCC-Condition": "Condition",
    "SDOHCC-Consent": "Consent",
    "SDOHCC-Goal": "Goal",
    "SDOHCC-Group": "Group",
    "SDOHCC-HealthcareService": "HealthcareService",
    "SDOHCC-HealthcareServiceForReferralManagement": "HealthcareService",
    "SDOHCC-Location": "Location",
    "SDOHCC-ObservationAssessment": "Observation",
    "SDOHCC-ObservationProgramEnrollmentStatus": "Observation",
    "SDOHCC-ObservationEthnicityOMB": "Observation",
    "SDOHCC-ObservationGenderIdentity": "Observation",
    "SDOHCC-ObservationPersonalCharacteristic": "Observation",
    "SDOHCC-ObservationPersonalPronouns": "Observation",
    "SDOHCC-ObservationRaceOMB": "Observation",
    "SDOHCC-ObservationRecordedSexGender": "Observation",
    "SDOHCC-ObservationScreeningResponse": "Observation",
    "SDOHCC-ObservationSexualOrientation": "Observation",
    "SDOHCC-practitionerrole": "PractitionerRole",
    "SDOHCC-Procedure": "Procedure",
    "SDOHCC-ServiceRequest": "ServiceRequest",
    "SDOHCC-TaskForPatient": "Task",
    "SDOHCC-TaskForReferralManagement": "Task",
    "SDOHCC-ExtensionConditionAsserter": None,
    "SDOHCC-ExtensionHealthcareServiceCapacityStatus": None,
    "SDOHCC-ExtensionHealthcareServiceTelecomAppointment": None,
}
# The resource profiles of US Core 7.0.0 with their resource types.
US_CORE_PROFILES: dict[str, str] = {
    "head-occipital-frontal-circumference-percentile": "Observation",
    "pediatric-bmi-for-age": "Observation",
    "pediatric-weight-for-height": "Observation",
    "us-core-allergyintolerance": "AllergyIntolerance",
    "us-core-average-blood-pressure": "Observation",
    "us-core-blood-pressure": "Observation",
    "us-core-bmi": "Observation",
    "us-core-body-height": "Observation",
    "us-core-body-temperature": "Observation",
    "us-core-body-weight": "Observation",
    "us-core-care-experience-preference": "Observation",
    "us-core-careplan": "CarePlan",
    "us-core-careteam": "CareTeam",
    "us-core-condition-encounter-diagnosis": "Condition",
    "us-core-condition-problems-health-concerns": "Condition",
    "us-core-coverage": "Coverage",
    "us-core-diagnosticreport-lab": "DiagnosticReport",
    "us-core-diagnosticreport-note": "DiagnosticReport",
    "us-core-documentreference": "DocumentReference",
    "us-core-encounter": "Encounter",
    "us-core-goal": "Goal",
    "us-core-head-circumference": "Observation",
    "us-core-heart-rate": "Observation",
    "us-core-immunization": "Immunization",
    "us-core-implantable-device": "Device",
    "us-core-location": "Location",
    "us-core-medication": "Medication",
    "us-core-medicationdispense": "MedicationDispense",
    "us-core-medicationrequest": "MedicationRequest",
    "us-core-observation-clinical-result": "Observation",
    "us-core-observation-lab": "Observation",
    "us-core-observation-occupation": "Observation",
    "us-core-observation-pregnancyintent": "Observation",
    "us-core-observation-pregnancystatus": "Observation",
    "us-core-observation-screening-assessment": "Observation",
    "us-core-observation-sexual-orientation": "Observation",
    "us-core-organization": "Organization",
    "us-core-patient": "Patient",
    "us-core-practitioner": "Practitioner",
    "us-core-practitionerrole": "PractitionerRole",
    "us-core-procedure": "Procedure",
    "us-core-provenance": "Provenance",
    "us-core-pulse-oximetry": "Observation",
    "us-core-questionnaireresponse": "QuestionnaireResponse",
    "us-core-relatedperson": "RelatedPerson",
    "us-core-respiratory-rate": "Observation",
    "us-core-servicerequest": "ServiceRequest",
    "us-core-simple-observation": "Observation",
    "us-core-smokingstatus": "Observation",
    "us-core-specimen": "Specimen",
    "us-core-treatment-intervention-preference": "Observation",
    "us-core-vital-signs": "Observation",
}

# Resource types the API serves without storing them, so without a version: the meta rule skips
# them. (A searchset Bundle, an OperationOutcome, a Parameters answer, the CapabilityStatement.)
UNVERSIONED_TYPES = _codes("Bundle OperationOutcome Parameters CapabilityStatement")

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_UUID = re.compile(r"^urn:uuid:[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_OID = re.compile(r"^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$")
_RELATIVE = re.compile(
    r"^(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})(/_history/[A-Za-z0-9\-.]{1,64})?$"
)
_ABSOLUTE = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")
_ABSOLUTE_REST = re.compile(
    r"/(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})(/_history/[A-Za-z0-9\-.]{1,64})?$"
)
_STUB = {"resourceType": "Binary", "contentType": "application/octet-stream"}
# Elements whose id pattern the judge checks itself (the R4B model checks the characters only).
_OWN_PATTERN_CHECKS = frozenset({("id",), ("meta", "versionId")})

# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def problems(resource: dict, *, require_meta: bool = True) -> list[str]:
    """Every way `resource` breaks FHIR R4, the Gravity and US Core profiles it claims, or the
    API's meta rule; empty when it is valid. Bundle entries, contained resources and other
    nested resources are judged too. `require_meta=False` drops the id/meta.versionId/
    meta.lastUpdated rule (for resources a client sends)."""
    judge = _Judge(require_meta=require_meta)
    if not isinstance(resource, dict):
        return [f"(root): a resource must be a JSON object, not {type(resource).__name__}"]
    judge.resource(resource, _root_label(resource), container=None)
    return judge.found


def assert_valid(resource: dict, *, require_meta: bool = True) -> None:
    """Raise AssertionError listing every problem of `resource`, naming its type and id."""
    found = problems(resource, require_meta=require_meta)
    if found:
        if isinstance(resource, dict):
            name = f"{resource.get('resourceType', '?')}/{resource.get('id', '(no id)')}"
        else:
            name = repr(resource)
        listed = "\n".join(f"  - {p}" for p in found)
        raise AssertionError(f"{name} is not valid FHIR ({len(found)} problems):\n{listed}")


# ---------------------------------------------------------------------------------------------
# The model classes, read once
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    kind: str  # "resource", "model", "code" or "primitive"
    is_list: bool
    model: type | None
    ref_types: tuple[str, ...]


@cache
def _import(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _unwrap(annotation: Any) -> tuple[bool, Any]:
    is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        elif origin is list:
            is_list = True
            annotation = typing.get_args(annotation)[0]
        else:
            return is_list, annotation


@cache
def _fields(klass: type) -> dict[str, _Field]:
    out = {}
    for name, info in klass.model_fields.items():
        key = info.alias or name
        is_list, inner = _unwrap(info.annotation)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        ref_types = tuple(extra.get("enum_reference_types") or ())
        dotted = getattr(inner, "_model_klass", None)
        if dotted == "fhir.resources.R4B.resource.Resource":
            out[key] = _Field("resource", is_list, None, ())
        elif dotted:
            out[key] = _Field("model", is_list, _import(dotted), ref_types)
        elif typing.get_origin(inner) is typing.Annotated and any(
            type(m).__name__ == "Code" for m in typing.get_args(inner)[1:]
        ):
            out[key] = _Field("code", is_list, None, ())
        else:
            out[key] = _Field("primitive", is_list, None, ())
    return out


def _model_for(resource_type: str) -> type | None:
    try:
        return get_fhir_model_class(resource_type)
    except (ValueError, KeyError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------------
# Small helpers over the JSON
# ---------------------------------------------------------------------------------------------


def _root_label(resource: dict) -> str:
    rtype = resource.get("resourceType")
    return rtype if isinstance(rtype, str) and rtype else "Resource"


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dicts(value: Any) -> list[dict]:
    return [v for v in _as_list(value) if isinstance(v, dict)]


def _codings(concept: Any) -> list[dict]:
    return _dicts(concept.get("coding")) if isinstance(concept, dict) else []


def _has_coding(concepts: Any, system: str, codes: Iterable[str] | None = None) -> bool:
    wanted = None if codes is None else set(codes)
    for concept in _dicts(concepts):
        for coding in _codings(concept):
            if coding.get("system") == system and (wanted is None or coding.get("code") in wanted):
                return True
    return False


def _has_system(concept: Any, systems: Iterable[str]) -> bool:
    allowed = set(systems)
    return any(c.get("system") in allowed and c.get("code") for c in _codings(concept))


def _choice(resource: dict, name: str) -> list[str]:
    """The keys of a choice element name[x] present in `resource`."""
    return [
        k for k in resource if k.startswith(name) and len(k) > len(name) and k[len(name)].isupper()
    ]


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def _ref_target(reference: dict, container: dict | None) -> str | None:
    """The resource type a Reference points at, when the reference says."""
    literal = reference.get("reference")
    if isinstance(literal, str):
        if literal.startswith("#") and container is not None:
            for res in _dicts(container.get("contained")):
                if res.get("id") == literal[1:]:
                    return res.get("resourceType")
        match = _RELATIVE.match(literal)
        if match:
            return match.group("type") if match.group("type") in R4_RESOURCE_TYPES else None
        if _ABSOLUTE.match(literal):
            match = _ABSOLUTE_REST.search(literal)
            if match and match.group("type") in R4_RESOURCE_TYPES:
                return match.group("type")
    rtype = reference.get("type")
    if isinstance(rtype, str) and rtype in R4_RESOURCE_TYPES:
        return rtype
    return None


def _parse_time(value: Any) -> _dt.datetime | None:
    """A full dateTime/instant with a time zone, or None for partial or unparseable values."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _earlier(start: Any, end: Any) -> bool | None:
    """Whether end comes before start, when the two can be compared."""
    a, b = _parse_time(start), _parse_time(end)
    if a and b:
        return b < a
    if (
        isinstance(start, str)
        and isinstance(end, str)
        and "T" not in start + end
        and len(start) == len(end)
    ):
        return end < start
    return None


def _luhn_npi(npi: str) -> bool:
    """The NPI check digit (Luhn over the number prefixed with 80840), as us-core-17 requires."""
    digits = [int(d) for d in "80840" + npi]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# ---------------------------------------------------------------------------------------------
# The judge
# ---------------------------------------------------------------------------------------------

Report = Callable[[str, str], None]


class _Judge:
    def __init__(self, *, require_meta: bool) -> None:
        self.require_meta = require_meta
        self.found: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(f"{path}: {message}")

    # -- one resource ---------------------------------------------------------------------

    def resource(
        self,
        res: Any,
        label: str,
        *,
        container: dict | None,
        contained: bool = False,
    ) -> None:
        """Judge one resource. `label` names it in messages; `container` is the resource whose
        `contained` holds it (None for a resource standing on its own)."""
        if not isinstance(res, dict):
            self.add(label, "a resource must be a JSON object")
            return
        rtype = res.get("resourceType")
        if not isinstance(rtype, str) or not rtype:
            self.add(label, "resourceType is missing")
            return
        if rtype not in R4_RESOURCE_TYPES:
            self.add(label, f"resourceType '{rtype}' is not a FHIR R4 resource type")
            return
        klass = _model_for(rtype)
        if klass is None:
            self.add(label, f"no R4B model to validate '{rtype}' against")
            return
        self._base(res, klass, label)
        self._json_shape(res, label)
        owner = container if contained else res
        self._walk(res, klass, label, owner=owner)
        self._resource_rules(res, label, container=owner, contained=contained)
        for profile_check in _profile_checks(res, label, self.add):
            profile_check(res, label, self._reporter(label), owner)

    def _reporter(self, label: str) -> Report:
        def report(path: str, message: str) -> None:
            self.add(label + path, message)

        return report

    # -- layer 1: the R4B models ------------------------------------------------------------

    def _base(self, res: dict, klass: type, label: str) -> None:
        stubbed = _stub_nested(res, klass)
        try:
            klass.model_validate(stubbed)
        except Exception as error:  # pydantic's ValidationError, or the library's own errors
            errors = getattr(error, "errors", None)
            if not callable(errors):
                self.add(label, f"does not validate against the R4B model: {error}")
                return
            for item in errors():
                if tuple(item.get("loc", ())) in _OWN_PATTERN_CHECKS:
                    continue  # reported by the id checks below, with the length limit too
                path = label
                for part in item.get("loc", ()):
                    path += f"[{part}]" if isinstance(part, int) else f".{part}"
                self.add(path, item.get("msg", "invalid"))

    # -- JSON rules: ele-1 and the JSON format's "no empty values" --------------------------

    def _json_shape(self, res: dict, label: str) -> None:
        def visit(value: Any, path: str, parent: dict | None, key: str | None) -> None:
            if isinstance(value, dict):
                if not value:
                    self.add(path, "an element must have a value or children (ele-1)")
                if "resourceType" in value and value is not res:
                    return  # a nested resource: judged on its own
                for k, v in value.items():
                    if k != "resourceType":
                        visit(v, f"{path}.{k}", value, k)
            elif isinstance(value, list):
                if not value:
                    self.add(path, "an array must not be empty (ele-1)")
                shadow = None
                if parent is not None and key is not None:
                    other = key[1:] if key.startswith("_") else "_" + key
                    shadow = parent.get(other)
                for i, item in enumerate(value):
                    if item is None:
                        paired = isinstance(shadow, list) and i < len(shadow)
                        if not paired or shadow[i] is None:
                            self.add(f"{path}[{i}]", "null is only allowed to pad primitives")
                    else:
                        visit(item, f"{path}[{i}]", None, None)
            elif value is None:
                self.add(path, "null is not a value in FHIR JSON; leave the element out")
            elif isinstance(value, str) and value == "":
                self.add(path, "a string must not be empty (ele-1)")

        visit(res, label, None, None)

    # -- layer 2: bindings, datatypes and references, following the model -------------------

    def _walk(self, node: dict, klass: type, path: str, *, owner: dict) -> None:
        cname = klass.__name__
        self._datatype_rules(cname, node, path, owner=owner)
        fields = _fields(klass)
        for key, value in node.items():
            if key in ("resourceType", "fhir_comments") or key.startswith("_"):
                continue
            info = fields.get(key)
            if info is None:
                continue  # an unknown element: the model check reports it
            items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            for index, item in items:
                here = f"{path}.{key}" if index is None else f"{path}.{key}[{index}]"
                if item is None:
                    continue
                if info.kind == "resource":
                    self._nested(item, here, key, owner=owner)
                elif info.kind == "model" and isinstance(item, dict):
                    if info.model is not None and info.model.__name__ == "Reference":
                        self._reference(item, here, info.ref_types, owner=owner)
                    concept = CONCEPT_BINDINGS.get((cname, key))
                    if concept:
                        self._concept_binding(item, here, *concept)
                    if info.model is not None:
                        self._walk(item, info.model, here, owner=owner)
                elif isinstance(item, str):
                    self._code_rules(cname, key, item, here)

    def _code_rules(self, cname: str, key: str, value: str, path: str) -> None:
        binding = CODE_BINDINGS.get((cname, key))
        if binding:
            name, codes = binding
            if value not in codes:
                self.add(path, f"'{value}' is not in the required value set {name}")
        if (cname, key) in MIME_ELEMENTS and not _MIME.match(value):
            self.add(path, f"'{value}' is not a media type (MimeType, BCP 13)")
        if (cname, key) == ("CapabilityStatement", "format") and not (
            value in _FORMAT_SHORT or _MIME.match(value)
        ):
            self.add(path, f"'{value}' is not xml, json, ttl or a media type")

    def _concept_binding(self, concept: dict, path: str, name: str, system: str) -> None:
        # A wrong code from the right system is reported by the Coding check.
        if not any(c.get("system") == system for c in _codings(concept)):
            self.add(path, f"needs a coding from the required value set {name} ({system})")

    def _nested(self, item: Any, path: str, key: str, *, owner: dict) -> None:
        if key == "contained":
            self.resource(item, _nested_label(path, item), container=owner, contained=True)
        else:
            self.resource(item, _nested_label(path, item), container=None)

    def _datatype_rules(self, cname: str, node: dict, path: str, *, owner: dict) -> None:
        if cname == "Coding":
            system, code = node.get("system"), node.get("code")
            known = KNOWN_CODE_SYSTEMS.get(system) if isinstance(system, str) else None
            if known and code is not None and code not in known[1]:
                self.add(f"{path}.code", f"'{code}' is not a code of {known[0]} ({system})")
        elif cname == "Extension":
            values = _choice(node, "value")
            if bool(values) == bool(node.get("extension")):
                self.add(path, "an extension has exactly one of value[x] and extensions (ext-1)")
        elif cname == "Narrative":
            div = node.get("div")
            if isinstance(div, str):
                if not re.match(r'^<div\s[^>]*xmlns="http://www\.w3\.org/1999/xhtml"', div):
                    self.add(f"{path}.div", "must be an xhtml div in the xhtml namespace (txt-1)")
                elif not re.sub(r"<[^>]*>", "", div).strip() and "<img" not in div:
                    self.add(f"{path}.div", "must have some non-whitespace content (txt-2)")
        elif cname == "Period":
            if _earlier(node.get("start"), node.get("end")):
                self.add(path, "start must not be after end (per-1)")
        elif cname in ("Quantity", "Age", "Count", "Distance", "Duration", "SimpleQuantity"):
            if node.get("code") is not None and not node.get("system"):
                self.add(path, "a unit code needs a system (qty-3)")
        elif cname == "Attachment":
            if node.get("data") is not None and not node.get("contentType"):
                self.add(path, "data needs a contentType (att-1)")
        elif cname == "ContactPoint":
            if node.get("value") is not None and not node.get("system"):
                self.add(path, "a value needs a system (cpt-2)")
        elif cname == "Meta":
            version = node.get("versionId")
            if isinstance(version, str) and not _ID.match(version):
                self.add(f"{path}.versionId", "must match [A-Za-z0-9\\-\\.]{1,64}")

    def _reference(self, ref: dict, path: str, allowed: tuple[str, ...], *, owner: dict) -> None:
        literal = ref.get("reference")
        declared = ref.get("type")
        if isinstance(literal, str) and literal:
            target: str | None = None
            if literal == "#":
                pass  # a contained resource pointing back at its container
            elif literal.startswith("#"):
                ids = {r.get("id") for r in _dicts(owner.get("contained"))}
                if literal[1:] not in ids:
                    self.add(
                        f"{path}.reference",
                        f"'{literal}' names no contained resource (ref-1)",
                    )
                target = _ref_target(ref, owner)
            elif _UUID.match(literal) or _OID.match(literal):
                pass
            elif (match := _RELATIVE.match(literal)) is not None:
                target = match.group("type")
                if target not in R4_RESOURCE_TYPES:
                    self.add(f"{path}.reference", f"'{target}' is not a FHIR R4 resource type")
                    target = None
            elif _ABSOLUTE.match(literal):
                rest = _ABSOLUTE_REST.search(literal)
                if rest and rest.group("type") in R4_RESOURCE_TYPES:
                    target = rest.group("type")
            else:
                self.add(
                    f"{path}.reference",
                    f"'{literal}' is not a literal reference (Type/id, #id, urn:uuid:, urn:oid: "
                    "or an absolute URL)",
                )
            if target and isinstance(declared, str) and declared != target:
                self.add(f"{path}.type", f"'{declared}' disagrees with the reference '{literal}'")
        target = _ref_target(ref, owner)
        if target and allowed and "Resource" not in allowed and target not in allowed:
            self.add(
                path,
                f"a reference to {target} is not allowed here (allowed: {', '.join(allowed)})",
            )

    # -- invariants of each resource type, and the API's meta rule ---------------------------

    def _resource_rules(self, res: dict, label: str, *, container: dict, contained: bool) -> None:
        rtype = res["resourceType"]
        rid = res.get("id")
        if isinstance(rid, str) and not _ID.match(rid):
            self.add(f"{label}.id", f"'{rid}' must match [A-Za-z0-9\\-\\.]{{1,64}}")
        meta = res.get("meta") if isinstance(res.get("meta"), dict) else {}
        if contained:
            if meta.get("versionId") is not None or meta.get("lastUpdated") is not None:
                self.add(
                    f"{label}.meta", "a contained resource has no versionId or lastUpdated (dom-4)"
                )
            if meta.get("security"):
                self.add(f"{label}.meta.security", "not allowed on a contained resource (dom-5)")
            if res.get("contained"):
                self.add(f"{label}.contained", "a contained resource contains nothing (dom-2)")
        elif self.require_meta and rtype not in UNVERSIONED_TYPES:
            if not rid:
                self.add(f"{label}.id", "required on a resource the API returns")
            if not meta.get("versionId"):
                self.add(f"{label}.meta.versionId", "required on a resource the API returns")
            if not meta.get("lastUpdated"):
                self.add(f"{label}.meta.lastUpdated", "required on a resource the API returns")
        if not contained and res.get("contained"):
            self._dom3(res, label)
        rules = _BASE_RULES.get(rtype)
        if rules:
            rules(res, label, self._reporter(label), container)

    def _dom3(self, res: dict, label: str) -> None:
        for i, inner in enumerate(_dicts(res.get("contained"))):
            mentions = _hash_strings(res, skip=inner)
            if f"#{inner.get('id')}" not in mentions and not _points_back(inner):
                self.add(
                    f"{label}.contained[{i}]",
                    "a contained resource must be referenced from its container (dom-3)",
                )


def _hash_strings(value: Any, *, skip: Any) -> set[str]:
    """Every string starting with '#' in `value`, leaving out the object `skip`."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if item is skip:
            continue
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and item.startswith("#"):
            found.add(item)
    return found


def _points_back(value: Any) -> bool:
    """Whether a contained resource refers to its container (reference '#')."""
    if isinstance(value, dict):
        return value.get("reference") == "#" or any(_points_back(v) for v in value.values())
    if isinstance(value, list):
        return any(_points_back(v) for v in value)
    return False


def _nested_label(path: str, item: Any) -> str:
    if isinstance(item, dict):
        rtype = item.get("resourceType", "?")
        rid = item.get("id")
        return f"{path}({rtype}/{rid})" if rid else f"{path}({rtype})"
    return path


def _stub_nested(node: Any, klass: type) -> Any:
    """A copy of `node` with every nested resource replaced by a minimal valid one, so that the
    model check of the outer resource reports only its own faults (nested ones are judged on
    their own, with their own paths)."""
    if not isinstance(node, dict):
        return node
    fields = _fields(klass)
    out = {}
    for key, value in node.items():
        info = fields.get(key)
        if info is None or key.startswith("_"):
            out[key] = value
        elif info.kind == "resource":
            out[key] = [_STUB] * len(value) if isinstance(value, list) else _STUB
        elif info.kind == "model" and info.model is not None:
            if isinstance(value, list):
                out[key] = [_stub_nested(v, info.model) for v in value]
            else:
                out[key] = _stub_nested(value, info.model)
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------------------------
# Base invariants of FHIR R4, per resource type
# ---------------------------------------------------------------------------------------------


def _bundle_rules(res: dict, label: str, report: Report, container: dict) -> None:
    btype = res.get("type")
    entries = _as_list(res.get("entry"))
    if "total" in res and btype not in ("searchset", "history"):
        report(".total", "only allowed in a searchset or history Bundle (bdl-1)")
    seen: dict[tuple[str, Any], int] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        here = f".entry[{i}]"
        if "search" in entry and btype != "searchset":
            report(f"{here}.search", "only allowed in a searchset Bundle (bdl-2)")
        if btype in ("batch", "transaction", "history"):
            if "request" not in entry:
                report(f"{here}.request", f"required in a {btype} Bundle (bdl-3)")
        elif "request" in entry:
            report(f"{here}.request", f"not allowed in a {btype} Bundle (bdl-3)")
        if btype in ("batch-response", "transaction-response", "history"):
            if "response" not in entry:
                report(f"{here}.response", f"required in a {btype} Bundle (bdl-4)")
        elif "response" in entry:
            report(f"{here}.response", f"not allowed in a {btype} Bundle (bdl-4)")
        if "resource" not in entry and "request" not in entry and "response" not in entry:
            report(here, "needs a resource unless it has a request or response (bdl-5)")
        full_url = entry.get("fullUrl")
        inner = entry.get("resource") if isinstance(entry.get("resource"), dict) else None
        if isinstance(full_url, str):
            if "/_history/" in full_url:
                report(f"{here}.fullUrl", "must not be a version-specific reference (bdl-8)")
            if not (full_url.startswith(("urn:uuid:", "urn:oid:")) or _ABSOLUTE.match(full_url)):
                report(f"{here}.fullUrl", f"'{full_url}' is not an absolute URL")
            elif inner is not None and _ABSOLUTE.match(full_url):
                rest = _ABSOLUTE_REST.search(full_url)
                says = (rest.group("type"), rest.group("id")) if rest else None
                if (
                    says
                    and says[0] in R4_RESOURCE_TYPES
                    and says != (inner.get("resourceType"), inner.get("id"))
                ):
                    report(
                        f"{here}.fullUrl",
                        f"'{full_url}' disagrees with the resource's type and id",
                    )
            meta = inner.get("meta") if inner else None
            key = (full_url, meta.get("versionId") if isinstance(meta, dict) else None)
            if key in seen and btype != "history":
                report(
                    f"{here}.fullUrl",
                    f"'{full_url}' repeats entry[{seen[key]}] (bdl-7: fullUrl unique)",
                )
            seen.setdefault(key, i)
    first = entries[0].get("resource") if entries and isinstance(entries[0], dict) else None
    first_type = first.get("resourceType") if isinstance(first, dict) else None
    if btype == "document":
        ident = res.get("identifier") if isinstance(res.get("identifier"), dict) else {}
        if not (ident.get("system") and ident.get("value")):
            report(".identifier", "a document needs an identifier with system and value (bdl-9)")
        if not res.get("timestamp"):
            report(".timestamp", "a document needs a timestamp (bdl-10)")
        if first_type != "Composition":
            report(".entry[0]", "a document starts with a Composition (bdl-11)")
    if btype == "message" and first_type != "MessageHeader":
        report(".entry[0]", "a message starts with a MessageHeader (bdl-12)")


def _condition_rules(res: dict, label: str, report: Report, container: dict) -> None:
    clinical = {c.get("code") for c in _codings(res.get("clinicalStatus"))}
    verification = {c.get("code") for c in _codings(res.get("verificationStatus"))}
    abated = bool(_choice(res, "abatement"))
    if (
        abated
        and res.get("clinicalStatus")
        and not clinical
        & {
            "inactive",
            "resolved",
            "remission",
        }
    ):
        report(".clinicalStatus", "must be inactive, resolved or remission with abatement (con-4)")
    if "entered-in-error" in verification and res.get("clinicalStatus"):
        report(
            ".clinicalStatus", "must be absent when verificationStatus is entered-in-error (con-5)"
        )


def _observation_rules(res: dict, label: str, report: Report, container: dict) -> None:
    values = _choice(res, "value")
    if res.get("dataAbsentReason") and values:
        report(".dataAbsentReason", "only allowed when there is no value[x] (obs-6)")
    code_codings = {(c.get("system"), c.get("code")) for c in _codings(res.get("code"))}
    if values:
        for i, comp in enumerate(_dicts(res.get("component"))):
            comp_codings = {(c.get("system"), c.get("code")) for c in _codings(comp.get("code"))}
            if comp_codings & code_codings:
                report(
                    f".component[{i}]",
                    "repeats Observation.code while the Observation has a value (obs-7)",
                )
    for i, comp in enumerate(_dicts(res.get("component"))):
        if comp.get("dataAbsentReason") and _choice(comp, "value"):
            report(f".component[{i}].dataAbsentReason", "only allowed with no value[x] (obs-6)")
    for i, rr in enumerate(_dicts(res.get("referenceRange"))):
        if not (rr.get("low") or rr.get("high") or rr.get("text")):
            report(f".referenceRange[{i}]", "needs low, high or text (obs-3)")


def _task_rules(res: dict, label: str, report: Report, container: dict) -> None:
    if _earlier(res.get("authoredOn"), res.get("lastModified")):
        report(".lastModified", "must not be before authoredOn (inv-1)")


def _consent_rules(res: dict, label: str, report: Report, container: dict) -> None:
    if not res.get("policy") and not res.get("policyRule"):
        report(".policyRule", "a Consent needs a policy or a policyRule (ppc-1)")


def _service_request_rules(res: dict, label: str, report: Report, container: dict) -> None:
    if res.get("orderDetail") and not res.get("code"):
        report(".orderDetail", "only allowed when code is present (prr-1)")


def _patient_rules(res: dict, label: str, report: Report, container: dict) -> None:
    for i, contact in enumerate(_dicts(res.get("contact"))):
        if not any(contact.get(k) for k in ("name", "telecom", "address", "organization")):
            report(f".contact[{i}]", "needs a name, telecom, address or organization (pat-1)")


def _organization_rules(res: dict, label: str, report: Report, container: dict) -> None:
    if not res.get("identifier") and not res.get("name"):
        report("", "an Organization needs an identifier or a name (org-1)")
    for i, address in enumerate(_dicts(res.get("address"))):
        if address.get("use") == "home":
            report(f".address[{i}].use", "an organization's address is never 'home' (org-2)")
    for i, telecom in enumerate(_dicts(res.get("telecom"))):
        if telecom.get("use") == "home":
            report(f".telecom[{i}].use", "an organization's telecom is never 'home' (org-3)")


def _goal_rules(res: dict, label: str, report: Report, container: dict) -> None:
    for i, target in enumerate(_dicts(res.get("target"))):
        if _choice(target, "detail") and not target.get("measure"):
            report(f".target[{i}].measure", "required when detail[x] is given (gol-1)")


def _care_plan_rules(res: dict, label: str, report: Report, container: dict) -> None:
    for i, activity in enumerate(_dicts(res.get("activity"))):
        if activity.get("reference") and activity.get("detail"):
            report(f".activity[{i}]", "has a reference or a detail, not both (cpl-3)")


def _questionnaire_rules(res: dict, label: str, report: Report, container: dict) -> None:
    link_ids: dict[str, str] = {}

    def items(nodes: Any, path: str) -> None:
        for i, item in enumerate(_dicts(nodes)):
            here = f"{path}.item[{i}]"
            itype = item.get("type")
            children = item.get("item")
            link = item.get("linkId")
            if isinstance(link, str):
                if link in link_ids:
                    report(f"{here}.linkId", f"'{link}' repeats {link_ids[link]} (que-2)")
                link_ids.setdefault(link, here)
            if itype == "group" and not children:
                report(here, "a group item must have nested items (que-1)")
            if itype == "display":
                if children:
                    report(f"{here}.item", "a display item cannot have nested items (que-1)")
                if item.get("code"):
                    report(f"{here}.code", "a display item cannot have a code (que-3)")
                if "required" in item or "repeats" in item:
                    report(here, "required and repeats are not for display items (que-6)")
                if "readOnly" in item:
                    report(f"{here}.readOnly", "not for display items (que-9)")
            if item.get("answerOption") and item.get("answerValueSet"):
                report(here, "cannot have both answerOption and answerValueSet (que-4)")
            if (item.get("answerOption") or item.get("answerValueSet")) and itype not in (
                "choice",
                "open-choice",
                "decimal",
                "integer",
                "date",
                "dateTime",
                "time",
                "string",
                "quantity",
            ):
                report(here, f"a {itype} item cannot have answer options (que-5)")
            if item.get("initial") and itype in ("group", "display"):
                report(f"{here}.initial", "not for group or display items (que-8)")
            if "maxLength" in item and itype not in (
                "boolean",
                "decimal",
                "integer",
                "string",
                "text",
                "url",
                "open-choice",
            ):
                report(f"{here}.maxLength", f"not for a {itype} item (que-10)")
            if item.get("answerOption") and item.get("initial"):
                report(f"{here}.initial", "not allowed with answerOption (que-11)")
            if len(_as_list(item.get("enableWhen"))) > 1 and not item.get("enableBehavior"):
                report(f"{here}.enableBehavior", "required with more than one enableWhen (que-12)")
            if len(_as_list(item.get("initial"))) > 1 and item.get("repeats") is not True:
                report(f"{here}.initial", "several initial values need repeats = true (que-13)")
            for j, when in enumerate(_dicts(item.get("enableWhen"))):
                if when.get("operator") == "exists" and "answerBoolean" not in when:
                    report(f"{here}.enableWhen[{j}]", "operator exists takes answerBoolean (que-7)")
            items(children, here)

    items(res.get("item"), "")


def _questionnaire_response_rules(res: dict, label: str, report: Report, container: dict) -> None:
    def items(nodes: Any, path: str) -> None:
        answered: dict[str, int] = {}
        for i, item in enumerate(_dicts(nodes)):
            here = f"{path}.item[{i}]"
            answers = _dicts(item.get("answer"))
            if item.get("item") and any(a.get("item") for a in answers):
                report(here, "nested items go under the item or its answers, not both (qrs-1)")
            link = item.get("linkId")
            if answers and isinstance(link, str):
                if link in answered:
                    report(
                        f"{here}.linkId",
                        f"'{link}' repeats item[{answered[link]}]; put repeated answers in one "
                        "item (qrs-2)",
                    )
                answered.setdefault(link, i)
            items(item.get("item"), here)
            for j, answer in enumerate(answers):
                items(answer.get("item"), f"{here}.answer[{j}]")

    items(res.get("item"), "")


def _capability_statement_rules(res: dict, label: str, report: Report, container: dict) -> None:
    if not (res.get("rest") or res.get("messaging") or res.get("document")):
        report("", "needs rest, messaging or document (cpb-1)")
    if not (res.get("description") or res.get("software") or res.get("implementation")):
        report("", "needs description, software or implementation (cpb-2)")
    kind = res.get("kind")
    messaging = _dicts(res.get("messaging"))
    if any(m.get("endpoint") for m in messaging) and kind != "instance":
        report(".messaging", "an endpoint is only for kind = instance (cpb-3)")
    docs = [(d.get("profile"), d.get("mode")) for d in _dicts(res.get("document"))]
    if len(docs) != len(set(docs)):
        report(".document", "documents must be unique by profile and mode (cpb-7)")
    if kind == "instance" and not res.get("implementation"):
        report(".implementation", "required when kind = instance (cpb-14)")
    if kind == "capability" and (res.get("implementation") or not res.get("software")):
        report("", "kind = capability needs software and no implementation (cpb-15)")
    if kind == "requirements" and (res.get("implementation") or res.get("software")):
        report("", "kind = requirements has no implementation or software (cpb-16)")
    for r, rest in enumerate(_dicts(res.get("rest"))):
        seen: dict[str, int] = {}
        for i, resource in enumerate(_dicts(rest.get("resource"))):
            rtype = resource.get("type")
            if isinstance(rtype, str):
                if rtype in seen:
                    report(
                        f".rest[{r}].resource[{i}].type",
                        f"'{rtype}' is described twice in one rest (cpb-9)",
                    )
                seen.setdefault(rtype, i)
            names = [p.get("name") for p in _dicts(resource.get("searchParam"))]
            if len(names) != len(set(names)):
                report(
                    f".rest[{r}].resource[{i}].searchParam",
                    "search parameter names must be unique for a resource (cpb-12)",
                )


_BASE_RULES: dict[str, Callable[[dict, str, Report, dict], None]] = {
    "Bundle": _bundle_rules,
    "Condition": _condition_rules,
    "Observation": _observation_rules,
    "Task": _task_rules,
    "Consent": _consent_rules,
    "ServiceRequest": _service_request_rules,
    "Patient": _patient_rules,
    "Organization": _organization_rules,
    "Goal": _goal_rules,
    "CarePlan": _care_plan_rules,
    "Questionnaire": _questionnaire_rules,
    "QuestionnaireResponse": _questionnaire_response_rules,
    "CapabilityStatement": _capability_statement_rules,
}


# ---------------------------------------------------------------------------------------------
# Layer 3: the Gravity (SDOHCC) and US Core profiles
# ---------------------------------------------------------------------------------------------

ProfileCheck = Callable[[dict, str, Report, dict], None]


def _refs_only(
    res: dict, element: str, allowed: Iterable[str], report: Report, container: dict
) -> None:
    """Profile rule `element only Reference(...)`: each reference must point at one of
    `allowed` (checked when the reference says what it points at). A target the base definition
    already refuses is left to the base check, so that it is reported once."""
    allowed = tuple(allowed)
    value = res.get(element)
    klass = _model_for(res.get("resourceType", ""))
    base = _fields(klass).get(element) if klass else None
    base_types = base.ref_types if base else ()
    for i, ref in enumerate(_as_list(value)):
        if not isinstance(ref, dict):
            continue
        here = f".{element}[{i}]" if isinstance(value, list) else f".{element}"
        target = _ref_target(ref, container)
        if not target or target in allowed:
            continue
        if not base_types or "Resource" in base_types or target in base_types:
            report(here, f"must reference {' or '.join(allowed)}, not {target} (profile)")


def _required(res: dict, element: str, report: Report, why: str) -> bool:
    if not _present(res.get(element)):
        report(f".{element}", f"required ({why})")
        return False
    return True


def _absent(res: dict, element: str, report: Report, why: str) -> None:
    if _present(res.get(element)):
        report(f".{element}", f"not allowed ({why})")


def _only_types(res: dict, name: str, allowed: Iterable[str], report: Report, why: str) -> None:
    for key in _choice(res, name):
        if key[len(name) :] not in allowed:
            report(f".{key}", f"{name}[x] is only {' or '.join(allowed)} ({why})")


def _sdoh_category_codes(concepts: Any, path: str, report: Report, why: str) -> None:
    """Categories from the SDOHCC code system must come from the SDOH Category value set."""
    if isinstance(concepts, dict):
        pairs = [(path, concepts)]
    else:
        pairs = [(f"{path}[{i}]", c) for i, c in enumerate(_as_list(concepts))]
    for here, concept in pairs:
        for j, coding in enumerate(_codings(concept)):
            if coding.get("system") == SDOHCC_CODES and coding.get("code") not in SDOH_CATEGORIES:
                report(
                    f"{here}.coding[{j}].code",
                    f"'{coding.get('code')}' is not in SDOHCC ValueSet SDOH Category ({why})",
                )


def _extensions(res: dict, url: str) -> list[dict]:
    return [e for e in _dicts(res.get("extension")) if e.get("url") == url]


def _pertains_to_goal(res: dict, report: Report, container: dict, why: str) -> None:
    url = "http://hl7.org/fhir/StructureDefinition/resource-pertainsToGoal"
    for i, ext in enumerate(_dicts(res.get("extension"))):
        if ext.get("url") != url:
            continue
        ref = ext.get("valueReference")
        target = _ref_target(ref, container) if isinstance(ref, dict) else None
        if not isinstance(ref, dict) or (target and target != "Goal"):
            report(f".extension[{i}]", f"pertainsToGoal takes a Reference(Goal) ({why})")


# -- SDOHCC-Condition -------------------------------------------------------------------------


def _sdohcc_condition(res: dict, label: str, report: Report, container: dict) -> None:
    why = "SDOHCC-Condition"
    asserter_device = _extensions(res, SDOHCC + "SDOHCC-ExtensionConditionAsserter")
    if len(asserter_device) + (1 if res.get("asserter") else 0) > 1:
        report("", "at most one asserter: asserter or the asserter extension (SDOH-Con-1)")
    for ext in asserter_device:
        ref = ext.get("valueReference")
        if not isinstance(ref, dict) or _ref_target(ref, container) not in (None, "Device"):
            report(".extension", f"the asserter extension takes a Reference(Device) ({why})")
    categories = _dicts(res.get("category"))
    if len(categories) < 2:
        report(".category", f"at least 2 categories ({why}: category 2..*)")
    problem_or_concern = _has_coding(
        categories, CONDITION_CATEGORY, {"encounter-diagnosis", "problem-list-item"}
    ) or _has_coding(categories, US_CORE_CONDITION_CATEGORY, {"health-concern"})
    if not problem_or_concern:
        report(
            ".category",
            "needs encounter-diagnosis, problem-list-item or health-concern (SDOH-Con-2)",
        )
    if not _has_coding(categories, US_CORE_CATEGORY, {"sdoh"}):
        report(".category", f"needs {US_CORE_CATEGORY}#sdoh (SDOH-Con-3)")
    _sdoh_category_codes(res.get("category"), ".category", report, why)
    if _required(res, "code", report, f"{why}: code 1..1") and not _has_system(
        res.get("code"), US_CORE_CONDITION_SYSTEMS
    ):
        report(
            ".code",
            f"needs a SNOMED CT, ICD-10-CM or ICD-9-CM coding (US Core Condition Codes, {why})",
        )
    _absent(res, "bodySite", report, f"{why}: bodySite 0..0")
    _absent(res, "stage", report, f"{why}: stage 0..0")
    _refs_only(res, "subject", ["Patient"], report, container)
    _refs_only(res, "encounter", ["Encounter"], report, container)
    _refs_only(res, "recorder", ["Practitioner", "PractitionerRole"], report, container)
    _refs_only(
        res,
        "asserter",
        ["RelatedPerson", "Patient", "Practitioner", "PractitionerRole"],
        report,
        container,
    )
    _only_types(res, "onset", ("DateTime", "Period"), report, why)
    _only_types(res, "abatement", ("DateTime", "Period"), report, why)


# -- SDOHCC-ObservationScreeningResponse and its parent -----------------------------------------


def _us_core_screening_assessment(res: dict, label: str, report: Report, container: dict) -> None:
    why = "US Core Observation Screening Assessment"
    categories = _dicts(res.get("category"))
    survey = [
        c
        for c in categories
        if any(
            x.get("system") == OBSERVATION_CATEGORY and x.get("code") == "survey"
            for x in _codings(c)
        )
    ]
    if len(survey) != 1:
        report(".category", f"needs exactly one {OBSERVATION_CATEGORY}#survey category ({why})")
    if _required(res, "subject", report, f"{why}: subject 1..1"):
        _refs_only(res, "subject", ["Patient", "Group", "Device", "Location"], report, container)
    effective = res.get("effectiveDateTime")
    if isinstance(effective, str) and len(effective) < 10:
        report(".effectiveDateTime", "must be precise to the day at least (us-core-1)")
    grouped = res.get("component") or res.get("hasMember")
    if not grouped and not _choice(res, "value") and not res.get("dataAbsentReason"):
        report("", "needs value[x] or dataAbsentReason (no component or hasMember) (us-core-2)")
    quantity = res.get("valueQuantity")
    if isinstance(quantity, dict) and quantity.get("system") not in (None, UCUM):
        report(".valueQuantity.system", "coded units are UCUM (us-core-3)")
    _refs_only(
        res,
        "performer",
        [
            "Practitioner",
            "Organization",
            "Patient",
            "PractitionerRole",
            "CareTeam",
            "RelatedPerson",
        ],
        report,
        container,
    )
    _refs_only(
        res,
        "hasMember",
        ["Observation", "QuestionnaireResponse", "MolecularSequence"],
        report,
        container,
    )
    _refs_only(
        res,
        "derivedFrom",
        [
            "Observation",
            "QuestionnaireResponse",
            "DocumentReference",
            "ImagingStudy",
            "Media",
            "MolecularSequence",
        ],
        report,
        container,
    )


# SDOHCC ValueSet Observation Status (SDOHCC-ValueSetObservationStatus), guide 3.0.0.
SDOHCC_OBSERVATION_STATUS = _codes("final corrected entered-in-error unknown")


def _sdohcc_screening_response(res: dict, label: str, report: Report, container: dict) -> None:
    why = "SDOHCC-ObservationScreeningResponse"
    status = res.get("status")
    if status in OBSERVATION_STATUS and status not in SDOHCC_OBSERVATION_STATUS:
        report(".status", f"'{status}' is not in SDOHCC ValueSet Observation Status ({why})")
    if len(_dicts(res.get("category"))) < 2:
        report(".category", f"at least 2 categories ({why}: category 2..*)")
    if not _has_coding(res.get("category"), US_CORE_CATEGORY, {"sdoh"}):
        report(".category", f"needs {US_CORE_CATEGORY}#sdoh (SDOH-Obs-4)")
    _sdoh_category_codes(res.get("category"), ".category", report, why)
    if not _has_system(res.get("code"), {LOINC}):
        report(".code", f"needs a LOINC coding (US Core Survey Codes, {why})")
    if _required(res, "subject", report, f"{why}: subject 1..1"):
        _refs_only(res, "subject", ["Patient"], report, container)
    if not _choice(res, "effective"):
        report(".effective[x]", f"required ({why}: effective[x] 1..1)")
    _only_types(res, "effective", ("DateTime", "Period"), report, why)
    _refs_only(
        res,
        "performer",
        [
            "RelatedPerson",
            "Patient",
            "Practitioner",
            "PractitionerRole",
            "Organization",
            "CareTeam",
        ],
        report,
        container,
    )
    _absent(res, "bodySite", report, f"{why}: bodySite 0..0")
    _absent(res, "specimen", report, f"{why}: specimen 0..0")
    _refs_only(
        res,
        "derivedFrom",
        ["DocumentReference", "QuestionnaireResponse", "Observation"],
        report,
        container,
    )


# -- SDOHCC-ServiceRequest and its parent -------------------------------------------------------


def _us_core_service_request(res: dict, label: str, report: Report, container: dict) -> None:
    why = "US Core ServiceRequest"
    _required(res, "code", report, f"{why}: code 1..1")
    _refs_only(res, "subject", ["Patient", "Group", "Location", "Device"], report, container)
    _refs_only(res, "encounter", ["Encounter"], report, container)
    _refs_only(
        res,
        "requester",
        ["Practitioner", "Organization", "Patient", "PractitionerRole", "RelatedPerson", "Device"],
        report,
        container,
    )


def _sdohcc_service_request(res: dict, label: str, report: Report, container: dict) -> None:
    why = "SDOHCC-ServiceRequest"
    _sdoh_category_codes(res.get("category"), ".category", report, why)
    if res.get("code") and not _has_system(res.get("code"), US_CORE_PROCEDURE_SYSTEMS):
        report(
            ".code",
            "needs a coding from US Core Procedure Codes (SNOMED CT, CPT, HCPCS, ICD-10-PCS, CDT "
            f"or LOINC) ({why})",
        )
    _refs_only(res, "subject", ["Group", "Patient", "Location"], report, container)
    _refs_only(
        res,
        "requester",
        ["RelatedPerson", "Device", "PractitionerRole", "Practitioner", "Patient", "Organization"],
        report,
        container,
    )
    _refs_only(
        res,
        "performer",
        [
            "HealthcareService",
            "Device",
            "RelatedPerson",
            "Patient",
            "Practitioner",
            "PractitionerRole",
            "Organization",
            "CareTeam",
        ],
        report,
        container,
    )
    _refs_only(res, "basedOn", ["CarePlan", "ServiceRequest"], report, container)
    _only_types(res, "occurrence", ("Period", "DateTime", "Timing"), report, why)
    _absent(res, "specimen", report, f"{why}: specimen 0..0")
    _absent(res, "bodySite", report, f"{why}: bodySite 0..0")
    _pertains_to_goal(res, report, container, why)


# -- SDOHCC-TaskForReferralManagement -----------------------------------------------------------

# SDOHCC ValueSet Referral Task Status: all of task-status except ready and received.
REFERRAL_TASK_STATUS = TASK_STATUS - {"ready", "received"}
# Statuses for which the guide's comment on Task.statusReason asks for statusReason.text.
STATUS_NEEDING_REASON = _codes("rejected cancelled on-hold failed")


def _sdohcc_referral_task(res: dict, label: str, report: Report, container: dict) -> None:
    why = "SDOHCC-TaskForReferralManagement"
    status = res.get("status")
    if status in TASK_STATUS and status not in REFERRAL_TASK_STATUS:  # others: base binding
        report(".status", f"'{status}' is not in SDOHCC ValueSet Referral Task Status ({why})")
    reason = res.get("statusReason")
    has_text = isinstance(reason, dict) and bool(reason.get("text"))
    if status in STATUS_NEEDING_REASON and not has_text:
        # API rule: the guide's comment on Task.statusReason says the text "should be included"
        # for these statuses; the API treats it as required.
        report(".statusReason.text", f"required when status is {status}")
    elif isinstance(reason, dict) and not has_text:
        report(".statusReason.text", f"required when statusReason is given ({why})")
    if res.get("intent") != "order":
        report(".intent", f"must be 'order' ({why})")
    if not _has_coding(res.get("code"), TASK_CODE, {"fulfill"}):
        report(".code", f"must be {TASK_CODE}#fulfill ({why})")
    if _required(res, "focus", report, f"{why}: focus 1..1"):
        _refs_only(res, "focus", ["ServiceRequest"], report, container)
    if _required(res, "for", report, f"{why}: for 1..1"):
        _refs_only(res, "for", ["RelatedPerson", "Group", "Patient"], report, container)
    _required(res, "authoredOn", report, f"{why}: authoredOn 1..1")
    if _required(res, "requester", report, f"{why}: requester 1..1"):
        _refs_only(res, "requester", ["PractitionerRole", "Organization"], report, container)
    for i, output in enumerate(_dicts(res.get("output"))):
        here = f".output[{i}]"
        if _has_coding([output.get("type")], SDOHCC_CODES, {"resulting-activity"}):
            ref = output.get("valueReference")
            concept = output.get("valueCodeableConcept")
            if isinstance(ref, dict):
                target = _ref_target(ref, container)
                if target and target != "Procedure":
                    report(f"{here}.valueReference", f"a resulting activity is a Procedure ({why})")
            elif isinstance(concept, dict):
                if not _has_system(concept, US_CORE_PROCEDURE_SYSTEMS):
                    report(
                        f"{here}.valueCodeableConcept",
                        f"needs a coding from US Core Procedure Codes ({why})",
                    )
            else:
                report(
                    here,
                    "a resulting-activity output carries a valueReference to a Procedure or a "
                    f"valueCodeableConcept ({why})",
                )
        if _has_coding([output.get("type")], SDOHCC_CODES, {"additional-content"}):
            ref = output.get("valueReference")
            allowed = ("Observation", "Goal", "Condition", "QuestionnaireResponse", "CarePlan")
            target = _ref_target(ref, container) if isinstance(ref, dict) else None
            if not isinstance(ref, dict) or (target and target not in allowed):
                report(
                    f"{here}.valueReference",
                    f"additional content references one of {', '.join(allowed)} ({why})",
                )
    for i, task_input in enumerate(_dicts(res.get("input"))):
        extra = _has_coding([task_input.get("type")], SDOHCC_CODES, {"additional-content"})
        if extra and not isinstance(task_input.get("valueReference"), dict):
            report(f".input[{i}]", f"additional content is a valueReference ({why})")


# -- SDOHCC-Consent -------------------------------------------------------------------------------


def _sdohcc_consent(res: dict, label: str, report: Report, container: dict) -> None:
    why = "SDOHCC-Consent"
    idscl = [
        c
        for c in _dicts(res.get("category"))
        if any(x.get("system") == V3_ACT_CODE and x.get("code") == "IDSCL" for x in _codings(c))
    ]
    if len(idscl) != 1:
        report(".category", f"needs exactly one {V3_ACT_CODE}#IDSCL category ({why})")
    if _required(res, "patient", report, f"{why}: patient 1..1"):
        _refs_only(res, "patient", ["Patient"], report, container)
    _required(res, "dateTime", report, f"{why}: dateTime 1..1")
    organizations = _as_list(res.get("organization"))
    if len(organizations) != 1:
        report(".organization", f"exactly one organization ({why}: organization 1..1)")
    _refs_only(res, "organization", ["Organization"], report, container)
    sources = _choice(res, "source")
    if not sources:
        report(".source[x]", f"required ({why}: source[x] 1..1)")
    _only_types(res, "source", ("Attachment", "Reference"), report, why)
    _refs_only(
        res,
        "sourceReference",
        ["Consent", "Contract", "DocumentReference", "QuestionnaireResponse"],
        report,
        container,
    )
    _refs_only(
        res,
        "performer",
        ["Organization", "RelatedPerson", "Practitioner", "PractitionerRole", "Patient"],
        report,
        container,
    )


# -- SDOHCC-Procedure ---------------------------------------------------------------------------


def _sdohcc_procedure(res: dict, label: str, report: Report, container: dict) -> None:
    why = "SDOHCC-Procedure"
    if res.get("status") in ("completed", "in-progress") and not _choice(res, "performed"):
        report(".performed[x]", "required when status is completed or in-progress (us-core-7)")
    if _required(res, "code", report, f"{why}: code 1..1") and not _has_system(
        res.get("code"), US_CORE_PROCEDURE_SYSTEMS
    ):
        report(".code", f"needs a coding from US Core Procedure Codes ({why})")
    _refs_only(res, "subject", ["Patient"], report, container)
    _refs_only(res, "encounter", ["Encounter"], report, container)
    category = res.get("category")
    _sdoh_category_codes(category, ".category", report, why)
    if isinstance(category, dict):
        sdohcc = [c for c in _codings(category) if c.get("system") == SDOHCC_CODES]
        if len(sdohcc) > 1:
            report(".category.coding", f"at most one SDOHCC category coding ({why}: 0..1)")
    _pertains_to_goal(res, report, container, why)


# -- SDOHCC-Goal ---------------------------------------------------------------------------------


def _sdohcc_goal(res: dict, label: str, report: Report, container: dict) -> None:
    why = "SDOHCC-Goal"
    _sdoh_category_codes(res.get("category"), ".category", report, why)
    _refs_only(res, "subject", ["Patient"], report, container)
    _refs_only(res, "addresses", ["Condition", "Observation", "RiskAssessment"], report, container)


# -- SDOHCC-HealthcareService and SDOHCC-HealthcareServiceForReferralManagement ------------------

APPOINTMENT_EXTENSION = SDOHCC + "SDOHCC-ExtensionHealthcareServiceTelecomAppointment"
CAPACITY_EXTENSION = SDOHCC + "SDOHCC-ExtensionHealthcareServiceCapacityStatus"


def _sdohcc_healthcare_service(res: dict, label: str, report: Report, container: dict) -> None:
    why = "SDOHCC-HealthcareService"
    if res.get("active") is not True:
        report(".active", f"must be true ({why})")
    _refs_only(res, "location", ["Location"], report, container)
    appointment = 0
    for i, telecom in enumerate(_dicts(res.get("telecom"))):
        flags = _extensions(telecom, APPOINTMENT_EXTENSION)
        if not flags:
            continue
        appointment += 1
        here = f".telecom[{i}]"
        if len(flags) > 1:
            report(f"{here}.extension", f"the appointment flag appears once ({why})")
        if any(f.get("valueBoolean") is not True for f in flags):
            report(f"{here}.extension", f"the appointment flag is valueBoolean true ({why})")
        if not telecom.get("system"):
            report(f"{here}.system", f"required on an appointment contact ({why})")
        if not telecom.get("value"):
            report(f"{here}.value", f"required on an appointment contact ({why})")
    if not appointment:
        report(
            ".telecom",
            f"needs a telecom flagged as an appointment contact ({why}: AppointmentContact 1..*)",
        )


def _sdohcc_healthcare_service_rm(res: dict, label: str, report: Report, container: dict) -> None:
    why = "SDOHCC-HealthcareServiceForReferralManagement"
    if res.get("active") is not True:
        report(".active", f"must be true ({why})")
    if len(_extensions(res, CAPACITY_EXTENSION)) != 1:
        report(".extension", f"needs exactly one capacity-status extension ({why})")
    categories = _dicts(res.get("category"))
    if not categories:
        report(".category", f"required ({why}: category 1..*)")
    for i, category in enumerate(categories):
        sdoh = [
            c
            for c in _codings(category)
            if c.get("system") == US_CORE_CATEGORY and c.get("code") == "sdoh"
        ]
        if len(sdoh) != 1:
            report(f".category[{i}].coding", f"needs exactly one {US_CORE_CATEGORY}#sdoh ({why})")
    _sdoh_category_codes(res.get("category"), ".category", report, why)
    if len(_as_list(res.get("type"))) != 1:
        report(".type", f"exactly one type ({why}: type 1..1)")
    _required(res, "name", report, f"{why}: name 1..1")


# -- Location, PractitionerRole, Patient, Organization, Practitioner, QuestionnaireResponse -------


def _us_core_location(res: dict, label: str, report: Report, container: dict) -> None:
    _required(res, "name", report, "US Core Location: name 1..1")
    _refs_only(res, "managingOrganization", ["Organization"], report, container)


def _sdohcc_location(res: dict, label: str, report: Report, container: dict) -> None:
    _required(res, "address", report, "SDOHCC-Location: address 1..1")


def _us_core_practitioner_role(res: dict, label: str, report: Report, container: dict) -> None:
    if not res.get("telecom") and not res.get("endpoint"):
        report("", "needs telecom or an endpoint (pd-1)")
    if not (res.get("practitioner") or res.get("organization") or res.get("healthcareService")):
        report("", "needs a practitioner, an organization or a healthcare service (us-core-13)")
    _telecoms_complete(res, report, "US Core PractitionerRole")
    _refs_only(res, "practitioner", ["Practitioner"], report, container)
    _refs_only(res, "organization", ["Organization"], report, container)
    _refs_only(res, "location", ["Location"], report, container)


def _sdohcc_practitioner_role(res: dict, label: str, report: Report, container: dict) -> None:
    _required(res, "practitioner", report, "SDOHCC-practitionerrole: practitioner 1..1")
    _required(res, "organization", report, "SDOHCC-practitionerrole: organization 1..1")


def _telecoms_complete(res: dict, report: Report, why: str) -> None:
    for i, telecom in enumerate(_dicts(res.get("telecom"))):
        for key in ("system", "value"):
            if not telecom.get(key):
                report(f".telecom[{i}].{key}", f"required ({why}: telecom.{key} 1..1)")


def _identifiers_complete(res: dict, report: Report, why: str) -> None:
    identifiers = _dicts(res.get("identifier"))
    if not identifiers:
        report(".identifier", f"required ({why}: identifier 1..*)")
    for i, ident in enumerate(identifiers):
        for key in ("system", "value"):
            if not ident.get(key):
                report(f".identifier[{i}].{key}", f"required ({why}: identifier.{key} 1..1)")


def _us_core_identifier_formats(res: dict, report: Report) -> None:
    for i, ident in enumerate(_dicts(res.get("identifier"))):
        system, value = ident.get("system"), ident.get("value")
        if not isinstance(value, str):
            continue
        here = f".identifier[{i}].value"
        if system == US_NPI:
            if not re.fullmatch(r"[0-9]{10}", value):
                report(here, "an NPI is 10 digits (us-core-16)")
            elif not _luhn_npi(value):
                report(here, "the NPI check digit is wrong (us-core-17)")
        elif system == "urn:oid:2.16.840.1.113883.4.7" and not re.fullmatch(
            r"[0-9]{2}D[0-9]{7}", value
        ):
            report(here, "a CLIA number is 10 characters with D third (us-core-18)")
        elif system == "urn:oid:2.16.840.1.113883.6.300" and not re.fullmatch(r"[0-9]{5}", value):
            report(here, "a NAIC code is 5 digits (us-core-19)")


def _us_core_patient(res: dict, label: str, report: Report, container: dict) -> None:
    why = "US Core Patient"
    _identifiers_complete(res, report, why)
    names = _dicts(res.get("name"))
    if not names:
        report(".name", f"required ({why}: name 1..*)")
    absent_url = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
    for i, name in enumerate(names):
        has_parts = bool(name.get("family") or name.get("given"))
        if has_parts == bool(_extensions(name, absent_url)):
            report(
                f".name[{i}]",
                "needs family or given, or else the data-absent-reason extension (us-core-6)",
            )
    _telecoms_complete(res, report, why)
    _required(res, "gender", report, f"{why}: gender 1..1")
    for i, comm in enumerate(_dicts(res.get("communication"))):
        if not comm.get("language"):
            report(f".communication[{i}].language", f"required ({why})")


def _us_core_organization(res: dict, label: str, report: Report, container: dict) -> None:
    why = "US Core Organization"
    if not isinstance(res.get("active"), bool):
        report(".active", f"required ({why}: active 1..1)")
    _required(res, "name", report, f"{why}: name 1..1")
    _us_core_identifier_formats(res, report)


def _us_core_practitioner(res: dict, label: str, report: Report, container: dict) -> None:
    why = "US Core Practitioner"
    _identifiers_complete(res, report, why)
    names = _dicts(res.get("name"))
    if not names:
        report(".name", f"required ({why}: name 1..*)")
    for i, name in enumerate(names):
        if not name.get("family"):
            report(f".name[{i}].family", f"required ({why}: name.family 1..1)")
    _us_core_identifier_formats(res, report)


def _us_core_questionnaire_response(res: dict, label: str, report: Report, container: dict) -> None:
    _required(res, "subject", report, "US Core QuestionnaireResponse: subject 1..1")


# Each profile's checks, its parents' included (SDOHCC-ServiceRequest is a US Core ServiceRequest,
# and so on). Profiles of the guide that are known but absent here are accepted as claimed, with
# only the base checks.
PROFILE_CHECKS: dict[str, tuple[ProfileCheck, ...]] = {
    SDOHCC + "SDOHCC-Condition": (_sdohcc_condition,),
    SDOHCC + "SDOHCC-ObservationScreeningResponse": (
        _us_core_screening_assessment,
        _sdohcc_screening_response,
    ),
    SDOHCC + "SDOHCC-ServiceRequest": (_us_core_service_request, _sdohcc_service_request),
    SDOHCC + "SDOHCC-TaskForReferralManagement": (_sdohcc_referral_task,),
    SDOHCC + "SDOHCC-Consent": (_sdohcc_consent,),
    SDOHCC + "SDOHCC-Procedure": (_sdohcc_procedure,),
    SDOHCC + "SDOHCC-Goal": (_sdohcc_goal,),
    SDOHCC + "SDOHCC-HealthcareService": (_sdohcc_healthcare_service,),
    SDOHCC + "SDOHCC-HealthcareServiceForReferralManagement": (_sdohcc_healthcare_service_rm,),
    SDOHCC + "SDOHCC-Location": (_us_core_location, _sdohcc_location),
    SDOHCC + "SDOHCC-practitionerrole": (_us_core_practitioner_role, _sdohcc_practitioner_role),
    US_CORE + "us-core-patient": (_us_core_patient,),
    US_CORE + "us-core-organization": (_us_core_organization,),
    US_CORE + "us-core-practitioner": (_us_core_practitioner,),
    US_CORE + "us-core-practitionerrole": (_us_core_practitioner_role,),
    US_CORE + "us-core-location": (_us_core_location,),
    US_CORE + "us-core-servicerequest": (_us_core_service_request,),
    US_CORE + "us-core-observation-screening-assessment": (_us_core_screening_assessment,),
    US_CORE + "us-core-questionnaireresponse": (_us_core_questionnaire_response,),
}


def _profile_checks(res: dict, label: str, add: Callable[[str, str], None]) -> list[ProfileCheck]:
    """The checks for the profiles `res` claims; unknown Gravity or US Core profile URLs, and
    profiles claimed on the wrong resource type, are problems themselves."""
    meta = res.get("meta")
    claimed = _as_list(meta.get("profile")) if isinstance(meta, dict) else []
    rtype = res.get("resourceType")
    checks: list[ProfileCheck] = []
    for i, url in enumerate(claimed):
        if not isinstance(url, str):
            continue
        bare = url.split("|", 1)[0]
        here = f"{label}.meta.profile[{i}]"
        expected: str | None = None
        if bare.startswith(SDOHCC):
            name = bare[len(SDOHCC) :]
            if name not in SDOHCC_DEFINITIONS:
                add(here, f"'{url}' is not a profile of the SDOH Clinical Care guide 3.0.0")
                continue
            expected = SDOHCC_DEFINITIONS[name]
            if expected is None:
                add(here, f"'{url}' is an extension, not a profile")
                continue
        elif bare.startswith(US_CORE):
            name = bare[len(US_CORE) :]
            if name not in US_CORE_PROFILES:
                add(here, f"'{url}' is not a resource profile of US Core 7.0.0")
                continue
            expected = US_CORE_PROFILES[name]
        if expected and expected != rtype:
            add(here, f"'{url}' is a profile of {expected}, not {rtype}")
            continue
        for check in PROFILE_CHECKS.get(bare, ()):
            if check not in checks:
                checks.append(check)
    return checks

"""Where each FHIR resource type comes from: read one by id, search many, always within what
the caller may see (a resource they may not see is answered 404, as if it did not exist)."""

from __future__ import annotations

from referral.fhir.sources.base import Context, Found, Source, directory_record, row_id
from referral.fhir.sources.careplans import (
    CarePlanSource,
    ConditionSource,
    EncounterSource,
    GoalSource,
)
from referral.fhir.sources.directory import HealthcareServiceSource, LocationSource
from referral.fhir.sources.people import (
    ConsentSource,
    OrganizationSource,
    PatientSource,
    PractitionerRoleSource,
    PractitionerSource,
)
from referral.fhir.sources.referrals import (
    CommunicationSource,
    ProcedureSource,
    ServiceRequestSource,
    TaskSource,
)
from referral.fhir.sources.screenings import (
    ObservationSource,
    QuestionnaireResponseSource,
    QuestionnaireSource,
    instruments,
)

__all__ = ["SOURCES", "Context", "Found", "Source", "directory_record", "instruments", "row_id"]

SOURCES: dict[str, Source] = {
    source.resource_type: source
    for source in (
        PatientSource(),
        OrganizationSource(),
        PractitionerSource(),
        PractitionerRoleSource(),
        QuestionnaireSource(),
        QuestionnaireResponseSource(),
        ObservationSource(),
        ConditionSource(),
        GoalSource(),
        CarePlanSource(),
        EncounterSource(),
        ConsentSource(),
        ServiceRequestSource(),
        TaskSource(),
        ProcedureSource(),
        CommunicationSource(),
        HealthcareServiceSource(),
        LocationSource(),
    )
}
"""Every resource type the API serves, by name."""

"""The CapabilityStatement: exactly the resource types, interactions and search parameters
this server implements, read from the sources themselves."""

from __future__ import annotations

from referral.fhir.codes import FHIR_VERSION, MIME, PROFILES
from referral.fhir.sources import SOURCES, Source

WRITES = {"QuestionnaireResponse": ["create"], "Task": ["update"]}
SEARCH_TYPES = {"string": "string", "token": "token", "reference": "reference"}
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


def capability_statement(base: str, software_version: str, released: str) -> dict:
    """What this server does, as FHIR R4 says to tell it."""
    return {
        "resourceType": "CapabilityStatement",
        "id": "referral",
        "status": "active",
        "date": released,
        "publisher": "Community referral platform",
        "kind": "instance",
        "software": {"name": "referral", "version": software_version},
        "implementation": {"description": "Community resource referrals", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": [MIME, "json"],
        "implementationGuide": [
            "http://hl7.org/fhir/us/sdoh-clinicalcare/ImplementationGuide/hl7.fhir.us.sdoh-clinicalcare"
        ],
        "rest": [
            {
                "mode": "server",
                "security": security(base),
                "resource": [resource_entry(s) for s in SOURCES.values()],
                "interaction": [{"code": "transaction"}],
            }
        ],
    }


def security(base: str) -> dict:
    """How clients authenticate: OAuth 2.0 client credentials, with the token endpoint."""
    return {
        "cors": False,
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ]
            }
        ],
        "description": "OAuth 2.0 client credentials with SMART system scopes "
        "(system/Patient.read, system/Task.write, …), or a personal API token.",
        "extension": [
            {
                "url": OAUTH_URIS,
                "extension": [{"url": "token", "valueUri": f"{base}/token"}],
            }
        ],
    }


def resource_entry(source: Source) -> dict:
    """One resource type: its profile, interactions, search parameters and includes."""
    interactions = ["read", "search-type", *WRITES.get(source.resource_type, [])]
    entry = {
        "type": source.resource_type,
        "interaction": [{"code": code} for code in interactions],
        "versioning": "versioned",
        "readHistory": False,
        "updateCreate": False,
        "conditionalCreate": False,
        "conditionalUpdate": False,
        "conditionalDelete": "not-supported",
        "searchInclude": sorted(source.includes),
        "searchParam": search_params(source),
    }
    if PROFILES.get(source.resource_type):
        entry["supportedProfile"] = [PROFILES[source.resource_type]]
    if source.resource_type == "Patient":
        entry["operation"] = [
            {
                "name": "everything",
                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
            }
        ]
    return {key: value for key, value in entry.items() if value != []}


def search_params(source: Source) -> list[dict]:
    """The search parameters of a resource type."""
    found = [
        {"name": name, "type": SEARCH_TYPES[kind] if name != "_id" else "token"}
        for name, kind in source.params.items()
    ]
    return [*found, {"name": "_lastUpdated", "type": "date"}]

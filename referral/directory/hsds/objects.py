"""Records as HSDS 3.0 objects: the nested service documents and the rows of the tabular files.

Every object carries its id and the id of what it hangs off (`service_id`, `location_id`…), so
the same objects nest into JSON documents and flatten into CSV rows. Records without an id
(phones, addresses, schedules, languages…) get a UUID derived from their owner and position,
the same on every export.
"""

from __future__ import annotations

import uuid
from datetime import date

from referral.directory.hsds.languages import language_name
from referral.directory.hsds.schedules import schedule_rows
from referral.directory.records import (
    Address,
    CostOption,
    Hours,
    Location,
    Organization,
    Package,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

NAMESPACE = uuid.UUID("6f1c8e2a-6a8e-4d0c-9a57-2f1f4b0c8d31")


def derived_id(*parts: str) -> str:
    """A stable UUID for a record that has no id of its own."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def text_value(value: object) -> object:
    """A value as it goes into a document: numbers without needless decimals, dates as ISO text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def organization_fields(organization: Organization) -> dict:
    """The organization's own fields."""
    return {
        "id": organization.id,
        "name": organization.name,
        "alternate_name": organization.alternate_name,
        "description": organization.description,
        "email": organization.email,
        "website": organization.website,
        "tax_status": organization.tax_status,
        "tax_id": organization.tax_id,
        "year_incorporated": organization.year_incorporated,
        "legal_status": organization.legal_status,
    }


def organization_lists(organization: Organization) -> dict[str, list[dict]]:
    """The organization's phones."""
    return {"phones": phones(organization.phones, "organization_id", organization.id)}


def service_fields(service: Service) -> dict:
    """The service's own fields."""
    fields = {
        "id": service.id,
        "organization_id": service.organization_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "interpretation_services": service.interpretation_services,
        "application_process": service.application_process,
        "fees_description": service.fees_description,
        "wait_time": service.wait_time,
        "accreditations": service.accreditations,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": service.last_verified,
        "licenses": service.licenses,
        "alert": service.alert,
    }
    return {key: text_value(value) for key, value in fields.items()}


def service_lists(service: Service, package: Package) -> dict[str, list[dict]]:
    """The lists nested in a service document (without its service_at_locations)."""
    sid = service.id
    return {
        "phones": phones(service.phones, "service_id", sid),
        "schedules": schedules(service.hours, "service_id", sid),
        "languages": languages(service.languages, "service_id", sid),
        "service_areas": [area(item, sid, n) for n, item in enumerate(service.service_areas)],
        "attributes": [attribute(sid, term_id, package) for term_id in service.taxonomy_term_ids],
        "required_documents": [
            {"id": derived_id("document", sid, str(n)), "service_id": sid, "document": document}
            for n, document in enumerate(service.required_documents)
        ],
        "cost_options": [cost_option(item, sid, n) for n, item in enumerate(service.cost_options)],
    }


def location_fields(location: Location) -> dict:
    """The location's own fields."""
    fields = {
        "id": location.id,
        "location_type": location.location_type,
        "organization_id": location.organization_id,
        "name": location.name,
        "alternate_name": location.alternate_name,
        "description": location.description,
        "transportation": location.transportation,
        "latitude": location.latitude,
        "longitude": location.longitude,
    }
    return {key: text_value(value) for key, value in fields.items()}


def location_lists(location: Location) -> dict[str, list[dict]]:
    """The lists nested in a location: addresses, phones, schedules, languages, accessibility."""
    lid = location.id
    return {
        "addresses": [address(item, lid, n) for n, item in enumerate(location.addresses)],
        "phones": phones(location.phones, "location_id", lid),
        "schedules": schedules(location.hours, "location_id", lid),
        "languages": languages(location.languages, "location_id", lid),
        "accessibility": [
            {
                "id": derived_id("accessibility", lid, str(n)),
                "location_id": lid,
                "description": note,
            }
            for n, note in enumerate(location.accessibility)
        ],
    }


def service_at_location_fields(link: ServiceAtLocation) -> dict:
    """The link's own fields."""
    return {
        "id": link.id,
        "service_id": link.service_id,
        "location_id": link.location_id,
        "description": link.description,
    }


def service_at_location_lists(link: ServiceAtLocation) -> dict[str, list[dict]]:
    """Phones and schedules particular to a service at one location."""
    return {
        "phones": phones(link.phones, "service_at_location_id", link.id),
        "schedules": schedules(link.hours, "service_at_location_id", link.id),
    }


def phones(items: list[Phone], link: str, owner_id: str) -> list[dict]:
    """Phone objects of one owner."""
    return [
        {
            "id": phone.id or derived_id("phone", link, owner_id, str(n)),
            link: owner_id,
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
        }
        for n, phone in enumerate(items)
    ]


def schedules(hours: Hours, link: str, owner_id: str) -> list[dict]:
    """Schedule objects encoding one owner's hours."""
    return [
        {"id": derived_id("schedule", link, owner_id, str(n)), link: owner_id, **row}
        for n, row in enumerate(schedule_rows(hours))
    ]


def languages(codes: list[str], link: str, owner_id: str) -> list[dict]:
    """Language objects with both the code and its English name."""
    return [
        {
            "id": derived_id("language", link, owner_id, code),
            link: owner_id,
            "name": language_name(code),
            "code": code,
        }
        for code in codes
    ]


def area(item: ServiceArea, service_id: str, position: int) -> dict:
    """A service area: `extent_type` is the kind, `extent` the value."""
    return {
        "id": item.id or derived_id("service_area", service_id, str(position)),
        "service_id": service_id,
        "name": item.name,
        "description": item.description,
        "extent": item.value,
        "extent_type": item.kind,
    }


def attribute(service_id: str, term_id: str, package: Package) -> dict:
    """The link between a service and a taxonomy term, with the term nested."""
    term = package.taxonomy_terms.get(term_id)
    nested = {"taxonomy_term": taxonomy_term_object(term)} if term else {}
    return {
        "id": derived_id("attribute", service_id, term_id),
        "link_id": service_id,
        "link_type": "",
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        **nested,
    }


def address(item: Address, location_id: str, position: int) -> dict:
    """An address object."""
    return {
        "id": item.id or derived_id("address", location_id, str(position)),
        "location_id": location_id,
        "attention": item.attention,
        "address_1": item.address_1,
        "address_2": item.address_2,
        "city": item.city,
        "region": item.region,
        "state_province": item.state_province,
        "postal_code": item.postal_code,
        "country": item.country,
        "address_type": item.address_type,
    }


def cost_option(item: CostOption, service_id: str, position: int) -> dict:
    """A cost option object."""
    return {
        "id": item.id or derived_id("cost_option", service_id, str(position)),
        "service_id": service_id,
        "option": item.option,
        "currency": item.currency,
        "amount": text_value(item.amount),
        "amount_description": item.amount_description,
    }


def taxonomy_id(name: str) -> str:
    """The id given to a taxonomy known by its name."""
    return derived_id("taxonomy", name) if name else ""


def taxonomy_term_object(term: TaxonomyTerm) -> dict:
    """A taxonomy term object; its taxonomy is named and identified."""
    return {
        "id": term.id,
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "parent_id": term.parent_id,
        "taxonomy": term.taxonomy,
        "taxonomy_id": taxonomy_id(term.taxonomy),
    }

"""Records as HSDS 3.0 objects: the nested service documents and the rows of the tabular files.

Every object carries its id and the id of what it hangs off (`service_id`, `location_id`…), so
the same objects nest into JSON documents and flatten into CSV rows. Objects are built with the
directory's own ids; `publish()` turns every id into the UUID HSDS 3.0 requires (see
`identity.py`). Records without an id (schedules, languages, documents…) get a UUID derived from
their owner's published id and their position, the same on every export.

Optional fields without a value are left out, never written as null or "": a required field
(an organization's description, an address's city) is written even when blank. Web addresses
and emails that are not usable as such are left out.
"""

from __future__ import annotations

from datetime import date

from referral.directory.hsds.identity import (
    SOURCE_ID,
    derived_id,
    email_address,
    hsds_id,
    is_uuid,
    web_address,
)
from referral.directory.hsds.languages import language_name
from referral.directory.hsds.schedules import schedule_rows
from referral.directory.records import (
    Address,
    Contact,
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

# The kind of record each link column names, and the kind of record each nested list holds.
LINK_KINDS = {
    "organization_id": "organization",
    "parent_organization_id": "organization",
    "service_id": "service",
    "location_id": "location",
    "service_at_location_id": "service_at_location",
    "contact_id": "contact",
    "phone_id": "phone",
    "taxonomy_term_id": "taxonomy_term",
}
NESTED_KINDS = {
    "organization": "organization",
    "organizations": "organization",
    "services": "service",
    "service": "service",
    "service_at_locations": "service_at_location",
    "location": "location",
    "locations": "location",
    "phones": "phone",
    "contacts": "contact",
    "addresses": "address",
    "service_areas": "service_area",
    "cost_options": "cost_option",
    "taxonomy_term": "taxonomy_term",
    "parent": "taxonomy_term",
}


def publish(item: object, kind: str) -> object:
    """`item` (an object of `kind`, or a list of them) with every id as its HSDS 3.0 UUID."""
    if isinstance(item, list):
        return [publish(element, kind) for element in item]
    if not isinstance(item, dict):
        return item
    return {key: _published(item, kind, key, value) for key, value in item.items()}


def _published(item: dict, kind: str, key: str, value: object) -> object:
    """One value of an object, with ids published and nested objects published in turn."""
    if isinstance(value, (dict, list)):
        return publish(value, NESTED_KINDS.get(key, key))
    if not isinstance(value, str):
        return value
    if key == "id":
        return hsds_id(kind, value)
    if key == "parent_id" and kind == "taxonomy_term":
        return hsds_id("taxonomy_term", value)
    if key == "link_id":
        return hsds_id(item.get("link_entity") or "service", value)
    if key == "resource_id":
        return hsds_id(str(item.get("resource_type") or ""), value)
    return hsds_id(LINK_KINDS[key], value) if key in LINK_KINDS else value


def pruned(fields: dict, required: tuple[str, ...] = ("id",)) -> dict:
    """`fields` without optional values that are blank; required ones stay, blank or not."""
    return {
        key: text_value(value)
        for key, value in fields.items()
        if key in required or value not in (None, "")
    }


def text_value(value: object) -> object:
    """A value as it goes into a document: numbers without needless decimals, dates as ISO text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def owner_key(kind: str, owner_id: str) -> str:
    """The published id of an owner, from which its unnamed children's ids derive."""
    return hsds_id(kind, owner_id) or ""


def organization_fields(organization: Organization) -> dict:
    """The organization's own fields."""
    fields = {
        "id": organization.id,
        "name": organization.name,
        "alternate_name": organization.alternate_name,
        "description": organization.description,
        "email": email_address(organization.email),
        "website": web_address(organization.website),
        "tax_status": organization.tax_status,
        "tax_id": organization.tax_id,
        "year_incorporated": organization.year_incorporated,
        "legal_status": organization.legal_status,
    }
    return pruned(fields, ("id", "name", "description"))


def organization_lists(organization: Organization) -> dict[str, list[dict]]:
    """The organization's phones, contacts and, for an id that is no UUID, that id."""
    oid = organization.id
    return {
        "phones": phones(organization.phones, "organization_id", oid),
        "contacts": contacts(organization.contacts, "organization_id", oid),
        "organization_identifiers": source_identifiers(organization),
    }


def source_identifiers(organization: Organization) -> list[dict]:
    """The original id of an organization published under a derived UUID."""
    if is_uuid(organization.id):
        return []
    key = owner_key("organization", organization.id)
    return [
        {
            "id": derived_id("organization_identifier", key),
            "organization_id": organization.id,
            "identifier_type": SOURCE_ID,
            "identifier": organization.id,
        }
    ]


def service_fields(service: Service) -> dict:
    """The service's own fields."""
    fields = {
        "id": service.id,
        "organization_id": service.organization_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": web_address(service.url),
        "email": email_address(service.email),
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
    return pruned(fields, ("id", "name", "status"))


def service_lists(service: Service, package: Package) -> dict[str, list[dict]]:
    """The lists nested in a service document (without its service_at_locations)."""
    sid, key = service.id, owner_key("service", service.id)
    return {
        "phones": phones(service.phones, "service_id", sid),
        "schedules": schedules(service.hours, "service_id", sid),
        "languages": languages(service.languages, "service_id", sid),
        "service_areas": [area(item, sid, n) for n, item in enumerate(service.service_areas)],
        "attributes": [attribute(sid, term_id, package) for term_id in service.taxonomy_term_ids],
        "required_documents": [
            {"id": derived_id("document", key, str(n)), "service_id": sid, "document": document}
            for n, document in enumerate(service.required_documents)
        ],
        "cost_options": [cost_option(item, sid, n) for n, item in enumerate(service.cost_options)],
        "contacts": contacts(service.contacts, "service_id", sid),
    }


def location_fields(location: Location) -> dict:
    """The location's own fields, with an original id that is no UUID as its external id."""
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
    if not is_uuid(location.id):
        fields |= {"external_identifier": location.id, "external_identifier_type": SOURCE_ID}
    return pruned(fields, ("id", "location_type"))


def location_lists(location: Location) -> dict[str, list[dict]]:
    """The lists nested in a location: addresses, phones, schedules, languages, accessibility."""
    lid, key = location.id, owner_key("location", location.id)
    return {
        "addresses": [address(item, lid, n) for n, item in enumerate(location.addresses)],
        "phones": phones(location.phones, "location_id", lid),
        "schedules": schedules(location.hours, "location_id", lid),
        "languages": languages(location.languages, "location_id", lid),
        "accessibility": [
            {
                "id": derived_id("accessibility", key, str(n)),
                "location_id": lid,
                "description": note,
            }
            for n, note in enumerate(location.accessibility)
        ],
        "contacts": contacts(location.contacts, "location_id", lid),
    }


def service_at_location_fields(link: ServiceAtLocation) -> dict:
    """The link's own fields."""
    fields = {
        "id": link.id,
        "service_id": link.service_id,
        "location_id": link.location_id,
        "description": link.description,
    }
    return pruned(fields)


def service_at_location_lists(link: ServiceAtLocation) -> dict[str, list[dict]]:
    """Phones, schedules and contacts particular to a service at one location."""
    return {
        "phones": phones(link.phones, "service_at_location_id", link.id),
        "schedules": schedules(link.hours, "service_at_location_id", link.id),
        "contacts": contacts(link.contacts, "service_at_location_id", link.id),
    }


def phones(items: list[Phone], link: str, owner_id: str) -> list[dict]:
    """Phone objects of one owner; an extension that is no number goes into the description."""
    key = owner_key(LINK_KINDS[link], owner_id)
    return [
        pruned(
            {
                "id": phone.id or derived_id("phone", link, key, str(n)),
                link: owner_id,
                "number": phone.number,
                **_extension(phone),
                "type": phone.type,
            },
            ("id", "number"),
        )
        for n, phone in enumerate(items)
    ]


def _extension(phone: Phone) -> dict:
    """The extension as the number HSDS 3.0 wants, or kept in words in the description."""
    extension = phone.extension.strip()
    if extension.isdigit() and not extension.startswith("0"):
        return {"extension": int(extension), "description": phone.description}
    words = f"ext. {extension}" if extension else ""
    text = "; ".join(part for part in (phone.description, words) if part)
    return {"description": text}


def contacts(items: list[Contact], link: str, owner_id: str) -> list[dict]:
    """Contact objects of one owner, each with its phones."""
    key = owner_key(LINK_KINDS[link], owner_id)
    found = []
    for n, contact in enumerate(items):
        cid = contact.id or derived_id("contact", link, key, str(n))
        fields = {
            "id": cid,
            link: owner_id,
            "name": contact.name,
            "title": contact.title,
            "department": contact.department,
            "email": email_address(contact.email),
        }
        found.append({**pruned(fields), "phones": phones(contact.phones, "contact_id", cid)})
    return found


def schedules(hours: Hours, link: str, owner_id: str) -> list[dict]:
    """Schedule objects encoding one owner's hours."""
    key = owner_key(LINK_KINDS[link], owner_id)
    return [
        pruned({"id": derived_id("schedule", link, key, str(n)), link: owner_id, **row})
        for n, row in enumerate(schedule_rows(hours))
    ]


def languages(codes: list[str], link: str, owner_id: str) -> list[dict]:
    """Language objects with both the code and its English name."""
    key = owner_key(LINK_KINDS[link], owner_id)
    return [
        {
            "id": derived_id("language", link, key, code),
            link: owner_id,
            "name": language_name(code),
            "code": code,
        }
        for code in codes
    ]


def area(item: ServiceArea, service_id: str, position: int) -> dict:
    """A service area: `extent_type` is the kind, `extent` the value."""
    key = owner_key("service", service_id)
    fields = {
        "id": item.id or derived_id("service_area", key, str(position)),
        "service_id": service_id,
        "name": item.name,
        "description": item.description,
        "extent": item.value,
        "extent_type": item.kind,
    }
    return pruned(fields)


def attribute(service_id: str, term_id: str, package: Package) -> dict:
    """The link between a service and a taxonomy term, with the term nested."""
    term = package.taxonomy_terms.get(term_id)
    nested = {"taxonomy_term": taxonomy_term_object(term)} if term else {}
    key = owner_key("service", service_id)
    return {
        "id": derived_id("attribute", key, owner_key("taxonomy_term", term_id)),
        "link_id": service_id,
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        **nested,
    }


def address(item: Address, location_id: str, position: int) -> dict:
    """An address object."""
    key = owner_key("location", location_id)
    fields = {
        "id": item.id or derived_id("address", key, str(position)),
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
    required = ("id", "address_1", "city", "state_province", "postal_code", "country")
    return pruned(fields, (*required, "address_type"))


def cost_option(item: CostOption, service_id: str, position: int) -> dict:
    """A cost option object."""
    key = owner_key("service", service_id)
    fields = {
        "id": item.id or derived_id("cost_option", key, str(position)),
        "service_id": service_id,
        "option": item.option,
        "currency": item.currency,
        "amount": item.amount,
        "amount_description": item.amount_description,
    }
    return pruned(fields)


def taxonomy_id(name: str) -> str:
    """The id given to a taxonomy known by its name."""
    return derived_id("taxonomy", name) if name else ""


def taxonomy_object(name: str) -> dict:
    """A taxonomy (vocabulary) known by its name."""
    return {"id": taxonomy_id(name), "name": name, "description": ""}


def taxonomy_term_object(term: TaxonomyTerm) -> dict:
    """A taxonomy term object; its taxonomy is named and identified."""
    fields = {
        "id": term.id,
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "parent_id": term.parent_id,
        "taxonomy": term.taxonomy,
        "taxonomy_id": taxonomy_id(term.taxonomy),
    }
    return pruned(fields, ("id", "name", "description"))

"""Directory services, places and the organizations that run them, mapped from our Open
Referral (HSDS) records to SDOHCC HealthcareService and Location and US Core Organization."""

from __future__ import annotations

from referral.directory.models import Location, Organization, Phone, Service
from referral.extensions import db
from referral.fhir.codes import need_codes, sdoh_category
from referral.fhir.people import language
from referral.fhir.shape import distinct, ref, resource, valid_id

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def fhir_id(record) -> str:
    """The FHIR id of a directory record: its own id when FHIR allows it, else its HSDS id."""
    return record.id if valid_id(record.id) else record.hsds_id


APPOINTMENT = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
    "SDOHCC-ExtensionHealthcareServiceTelecomAppointment"
)
US_CORE_LOCATION = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-location"


def telecom(phones: list[Phone], email: str = "", url: str = "") -> list[dict]:
    """Phones, email and web address as ContactPoints."""
    points = [{"system": "phone", "value": p.number, "use": "work"} for p in phones]
    points += [{"system": "email", "value": email, "use": "work"}] if email else []
    return points + ([{"system": "url", "value": url, "use": "work"}] if url else [])


def healthcare_service(service: Service, base: str) -> dict:
    """A directory service as a HealthcareService; an active one with a phone to call for an
    appointment is an SDOHCC HealthcareService (the profile asks for both)."""
    places = [ref("Location", fhir_id(sal.location)) for sal in service.service_at_locations]
    categories = [sdoh_category(need_codes(n.need).category) for n in service.needs]
    points = telecom(service.phones, service.email, service.url)
    body = resource(
        "HealthcareService",
        fhir_id(service),
        service.version,
        service.updated_at,
        identifier=[{"system": f"{base}/hsds/services", "value": service.id}],
        active=service.status == "active",
        providedBy=ref("Organization", fhir_id(service.organization), service.organization.name),
        category=distinct(categories),
        type=[{"text": n.need} for n in service.needs],
        location=places,
        name=service.name,
        comment=service.description[:1000] or None,
        extraDetails=service.application_process or None,
        telecom=points,
        eligibility=[{"comment": service.eligibility_description}]
        if service.eligibility_description
        else None,
        communication=[language(x.code) for x in service.languages],
        availableTime=weekly(service.schedules, "availableStartTime", "availableEndTime"),
        availabilityExceptions=service.hours_text or None,
    )
    if body["active"] and service.phones:
        points[0]["extension"] = [{"url": APPOINTMENT, "valueBoolean": True}]
    else:
        del body["meta"]["profile"]
    return body


def weekly(schedules, opens: str, closes: str) -> list[dict]:
    """Weekly opening hours, each day's opening and closing under the names the resource uses
    (HealthcareService.availableTime and Location.hoursOfOperation differ only in those)."""
    return [
        {
            "daysOfWeek": [DAYS[s.weekday]],
            opens: s.opens_at.strftime("%H:%M:%S"),
            closes: s.closes_at.strftime("%H:%M:%S"),
        }
        for s in schedules
        if 0 <= s.weekday < 7
    ]


def location(place: Location, base: str) -> dict:
    """A directory place as an SDOHCC (US Core) Location."""
    address = next((a for a in place.addresses if a.address_type == "physical"), None)
    address = address or (place.addresses[0] if place.addresses else None)
    position = (
        {"latitude": place.latitude, "longitude": place.longitude}
        if place.latitude is not None and place.longitude is not None
        else None
    )
    body = resource(
        "Location",
        fhir_id(place),
        place.version,
        place.updated_at,
        identifier=[{"system": f"{base}/hsds/locations", "value": place.id}],
        status="active",
        name=place.name or (address.address_1 if address else "") or "Unnamed place",
        description=place.description[:1000] or None,
        mode="instance",
        telecom=telecom(place.phones),
        address=address_json(address) if address else None,
        position=position,
        managingOrganization=organization_ref(place.organization_id),
        hoursOfOperation=weekly(place.schedules, "openingTime", "closingTime"),
    )
    if address is None:
        body["meta"]["profile"] = [US_CORE_LOCATION]
    return body


def organization_ref(organization_id: str | None) -> dict | None:
    """A reference to the directory organization that runs a place."""
    found = db.session.get(Organization, organization_id) if organization_id else None
    return ref("Organization", fhir_id(found), found.name) if found else None


def address_json(address) -> dict:
    """An HSDS address as a FHIR Address."""
    lines = [line for line in (address.address_1, address.address_2) if line]
    found = {
        "use": "work",
        "type": "postal" if address.address_type == "postal" else "physical",
        "line": lines,
        "city": address.city,
        "state": address.state_province,
        "postalCode": address.postal_code,
        "country": address.country,
    }
    return {key: value for key, value in found.items() if value}


def organization(found: Organization, base: str) -> dict:
    """An organization of the directory as a US Core Organization."""
    return resource(
        "Organization",
        fhir_id(found),
        found.version,
        found.updated_at,
        identifier=[{"system": f"{base}/hsds/organizations", "value": found.id}],
        active=True,
        name=found.name,
        alias=[found.alternate_name] if found.alternate_name else None,
        telecom=telecom(found.phones, found.email, found.website),
    )

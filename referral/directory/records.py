"""Plain records of an HSDS directory: what readers produce, writers consume and the database loads.

They are the one shape every HSDS version is turned into, so that importing, exporting and the
database never deal with CSV columns or JSON documents directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from referral.capacity.rules import Capacity
from referral.search.hours import Window

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
AREA_KINDS = ("postal_code", "county", "state", "nationwide")


@dataclass
class TaxonomyTerm:
    """A term of any vocabulary (AIRS/211, Open Eligibility, a local one)."""

    id: str
    name: str
    code: str = ""
    description: str = ""
    parent_id: str | None = None
    taxonomy: str = ""


@dataclass
class Phone:
    """A telephone number with its extension and kind (voice, fax, text, …)."""

    number: str
    extension: str = ""
    type: str = ""
    description: str = ""
    id: str | None = None


@dataclass
class Contact:
    """A person or role to ask for at an organization, service or location."""

    id: str
    name: str = ""
    title: str = ""
    department: str = ""
    email: str = ""
    phones: list[Phone] = field(default_factory=list)


@dataclass
class Address:
    """A postal address; `address_type` is `physical` or `postal`."""

    address_1: str
    city: str = ""
    state_province: str = ""
    postal_code: str = ""
    address_2: str = ""
    region: str = ""
    country: str = "US"
    attention: str = ""
    address_type: str = "physical"
    id: str | None = None


@dataclass
class ServiceArea:
    """Where a service is offered: a ZIP code, a county, a state or the whole nation.

    `value` is `33136` for a postal code, `FL:Miami-Dade County` for a county, `FL` for a state and
    empty for nationwide; `name` is the label people read.
    """

    kind: str
    value: str = ""
    name: str = ""
    description: str = ""
    id: str | None = None


@dataclass
class CostOption:
    """One price of a service (HSDS 3.0 cost_options)."""

    option: str = ""
    amount: float | None = None
    currency: str = "USD"
    amount_description: str = ""
    id: str | None = None


@dataclass
class Hours:
    """Weekly opening windows plus the free text they came from.

    No windows means the hours are unknown (never "closed"); with windows, a day without one is
    closed.
    """

    windows: list[Window] = field(default_factory=list)
    text: str = ""

    @property
    def known(self) -> bool:
        """Whether any weekly window is recorded."""
        return bool(self.windows)


@dataclass
class Organization:
    """An organization that delivers services."""

    id: str
    name: str
    description: str = ""
    alternate_name: str = ""
    email: str = ""
    website: str = ""
    tax_status: str = ""
    tax_id: str = ""
    year_incorporated: int | None = None
    legal_status: str = ""
    phones: list[Phone] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    rebuilt: bool = False


@dataclass
class Service:
    """A service, with what a case manager needs to tell a patient about it."""

    id: str
    organization_id: str
    name: str
    description: str = ""
    alternate_name: str = ""
    url: str = ""
    email: str = ""
    status: str = "active"
    interpretation_services: str = ""
    application_process: str = ""
    fees_description: str = ""
    wait_time: str = ""
    accreditations: str = ""
    licenses: str = ""
    eligibility_description: str = ""
    minimum_age: float | None = None
    maximum_age: float | None = None
    alert: str = ""
    last_verified: date | None = None
    required_documents: list[str] = field(default_factory=list)
    cost_options: list[CostOption] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    hours: Hours = field(default_factory=Hours)
    languages: list[str] = field(default_factory=list)
    service_areas: list[ServiceArea] = field(default_factory=list)
    taxonomy_term_ids: list[str] = field(default_factory=list)
    curated_needs: list[str] | None = None
    contacts: list[Contact] = field(default_factory=list)
    # Whether it takes referrals now; not an HSDS field, so never written to HSDS output.
    capacity: Capacity | None = None


@dataclass
class Location:
    """A place where services are delivered (or a virtual/postal location)."""

    id: str
    name: str = ""
    organization_id: str | None = None
    alternate_name: str = ""
    description: str = ""
    transportation: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_type: str = "physical"
    addresses: list[Address] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    hours: Hours = field(default_factory=Hours)
    languages: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class ServiceAtLocation:
    """A service offered at a location, with details particular to that place."""

    id: str
    service_id: str
    location_id: str
    description: str = ""
    phones: list[Phone] = field(default_factory=list)
    hours: Hours = field(default_factory=Hours)
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class Problem:
    """One thing wrong in an input: `FILE:ROW: field: message`."""

    file: str
    row: int | None
    field: str
    message: str
    severity: str = "error"
    detail: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        text = f"{self.message} ({self.detail})" if self.detail else self.message
        return f"{where}: {self.field}: {text}" if self.field else f"{where}: {text}"


@dataclass
class Package:
    """A whole directory read from one HSDS package, with every problem found in it."""

    organizations: dict[str, Organization] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    service_at_locations: dict[str, ServiceAtLocation] = field(default_factory=dict)
    taxonomy_terms: dict[str, TaxonomyTerm] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    source: str = ""
    metadata: list[dict] = field(default_factory=list)
    # (canonical table, id) → the row that gave that id, so later checks can point at it.
    origins: dict[tuple[str, str], object] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> list[Problem]:
        """Problems that stop the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems imported around, listed in the summary."""
        return [p for p in self.problems if p.severity == "warning"]

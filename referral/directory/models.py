"""The directory in the database, aligned with HSDS 3.0 (organization, service, location, …)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referral.extensions import db

ID = String(255)
MAX_ID = 2**31 - 1
"""The largest whole-number id every database holds (PostgreSQL's INTEGER); SQLite's is larger."""


def utcnow() -> datetime:
    """The current time in UTC, for timestamps."""
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """A stored time with its UTC zone (SQLite hands times back without one)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class Stamped:
    """Columns every editable directory record carries."""

    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )


class Organization(Stamped, db.Model):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    hsds_id: Mapped[str | None] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    alternate_name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(Text, default="")
    tax_status: Mapped[str] = mapped_column(Text, default="")
    tax_id: Mapped[str] = mapped_column(Text, default="")
    year_incorporated: Mapped[int | None] = mapped_column(Integer)
    legal_status: Mapped[str] = mapped_column(Text, default="")
    rebuilt: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    services: Mapped[list[Service]] = relationship(back_populates="organization")
    phones: Mapped[list[Phone]] = relationship(
        primaryjoin="Phone.organization_id == Organization.id", order_by="Phone.position"
    )


class Service(Stamped, db.Model):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    hsds_id: Mapped[str | None] = mapped_column(String(36), index=True)
    organization_id: Mapped[str] = mapped_column(ID, ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    alternate_name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="active", nullable=False)
    interpretation_services: Mapped[str] = mapped_column(Text, default="")
    application_process: Mapped[str] = mapped_column(Text, default="")
    fees_description: Mapped[str] = mapped_column(Text, default="")
    wait_time: Mapped[str] = mapped_column(Text, default="")
    accreditations: Mapped[str] = mapped_column(Text, default="")
    licenses: Mapped[str] = mapped_column(Text, default="")
    eligibility_description: Mapped[str] = mapped_column(Text, default="")
    minimum_age: Mapped[float | None] = mapped_column(Float)
    maximum_age: Mapped[float | None] = mapped_column(Float)
    alert: Mapped[str] = mapped_column(Text, default="")
    last_verified: Mapped[date | None] = mapped_column(Date)
    hours_text: Mapped[str] = mapped_column(Text, default="")
    required_documents: Mapped[list] = mapped_column(JSON, default=list)
    curated_needs: Mapped[list | None] = mapped_column(JSON)

    organization: Mapped[Organization] = relationship(back_populates="services")
    phones: Mapped[list[Phone]] = relationship(
        primaryjoin="Phone.service_id == Service.id", order_by="Phone.position"
    )
    schedules: Mapped[list[Schedule]] = relationship(
        primaryjoin="Schedule.service_id == Service.id", order_by="Schedule.position"
    )
    languages: Mapped[list[Language]] = relationship(
        primaryjoin="Language.service_id == Service.id", order_by="Language.position"
    )
    service_areas: Mapped[list[ServiceArea]] = relationship(order_by="ServiceArea.position")
    cost_options: Mapped[list[CostOption]] = relationship(order_by="CostOption.position")
    taxonomy_links: Mapped[list[ServiceTaxonomy]] = relationship(
        order_by="ServiceTaxonomy.position"
    )
    needs: Mapped[list[ServiceNeed]] = relationship(order_by="ServiceNeed.need")
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", order_by="ServiceAtLocation.id"
    )


class Location(Stamped, db.Model):
    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    hsds_id: Mapped[str | None] = mapped_column(String(36), index=True)
    organization_id: Mapped[str | None] = mapped_column(ID, ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(Text, default="")
    alternate_name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    transportation: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_type: Mapped[str] = mapped_column(String(32), default="physical")
    timezone: Mapped[str] = mapped_column(String(64), default="")
    hours_text: Mapped[str] = mapped_column(Text, default="")
    accessibility: Mapped[list] = mapped_column(JSON, default=list)

    addresses: Mapped[list[Address]] = relationship(order_by="Address.position")
    phones: Mapped[list[Phone]] = relationship(
        primaryjoin="Phone.location_id == Location.id", order_by="Phone.position"
    )
    schedules: Mapped[list[Schedule]] = relationship(
        primaryjoin="Schedule.location_id == Location.id", order_by="Schedule.position"
    )
    languages: Mapped[list[Language]] = relationship(
        primaryjoin="Language.location_id == Location.id", order_by="Language.position"
    )


class ServiceAtLocation(db.Model):
    __tablename__ = "service_at_locations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    hsds_id: Mapped[str | None] = mapped_column(String(36), index=True)
    service_id: Mapped[str] = mapped_column(ID, ForeignKey("services.id"), index=True)
    location_id: Mapped[str] = mapped_column(ID, ForeignKey("locations.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    hours_text: Mapped[str] = mapped_column(Text, default="")

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship()
    phones: Mapped[list[Phone]] = relationship(
        primaryjoin="Phone.service_at_location_id == ServiceAtLocation.id",
        order_by="Phone.position",
    )
    schedules: Mapped[list[Schedule]] = relationship(
        primaryjoin="Schedule.service_at_location_id == ServiceAtLocation.id",
        order_by="Schedule.position",
    )


class Address(db.Model):
    __tablename__ = "addresses"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    location_id: Mapped[str] = mapped_column(ID, ForeignKey("locations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    address_type: Mapped[str] = mapped_column(String(16), default="physical")
    attention: Mapped[str] = mapped_column(Text, default="")
    address_1: Mapped[str] = mapped_column(Text, default="")
    address_2: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str] = mapped_column(Text, default="")
    state_province: Mapped[str] = mapped_column(Text, default="")
    postal_code: Mapped[str] = mapped_column(String(16), default="", index=True)
    country: Mapped[str] = mapped_column(String(8), default="US")


class Phone(db.Model):
    __tablename__ = "phones"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ID, ForeignKey("services.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(ID, ForeignKey("locations.id"), index=True)
    organization_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("organizations.id"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("service_at_locations.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str] = mapped_column(Text, nullable=False)
    extension: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(32), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class Schedule(db.Model):
    """One weekly opening window; the owner's `hours_text` keeps the words they came from."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str | None] = mapped_column(ID, ForeignKey("services.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(ID, ForeignKey("locations.id"), index=True)
    service_at_location_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("service_at_locations.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    weekday: Mapped[int] = mapped_column(Integer, nullable=False)
    opens_at: Mapped[time] = mapped_column(Time, nullable=False)
    closes_at: Mapped[time] = mapped_column(Time, nullable=False)


class Language(db.Model):
    __tablename__ = "languages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str | None] = mapped_column(ID, ForeignKey("services.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(ID, ForeignKey("locations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(16), nullable=False)


class ServiceArea(db.Model):
    __tablename__ = "service_areas"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str] = mapped_column(ID, ForeignKey("services.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    value: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")


class Contact(db.Model):
    """A person or role to ask for; its phones are kept with it, as HSDS nests them."""

    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("organizations.id"), index=True
    )
    service_id: Mapped[str | None] = mapped_column(ID, ForeignKey("services.id"), index=True)
    location_id: Mapped[str | None] = mapped_column(ID, ForeignKey("locations.id"), index=True)
    service_at_location_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("service_at_locations.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    phones: Mapped[list] = mapped_column(JSON, default=list)


class CostOption(db.Model):
    __tablename__ = "cost_options"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str] = mapped_column(ID, ForeignKey("services.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    option: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(8), default="USD")
    amount_description: Mapped[str] = mapped_column(Text, default="")


class TaxonomyTerm(db.Model):
    __tablename__ = "taxonomy_terms"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    hsds_id: Mapped[str | None] = mapped_column(String(36), index=True)
    code: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(ID)
    taxonomy: Mapped[str] = mapped_column(Text, default="")


class ServiceTaxonomy(db.Model):
    __tablename__ = "service_taxonomy"

    service_id: Mapped[str] = mapped_column(ID, ForeignKey("services.id"), primary_key=True)
    term_id: Mapped[str] = mapped_column(ID, ForeignKey("taxonomy_terms.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    term: Mapped[TaxonomyTerm] = relationship()


class ServiceNeed(db.Model):
    """A need key (food, housing, …) a service meets, derived by the need mapping."""

    __tablename__ = "service_needs"

    service_id: Mapped[str] = mapped_column(ID, ForeignKey("services.id"), primary_key=True)
    need: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

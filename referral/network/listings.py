"""Directory listings for the organizations pages: finding ones to claim, naming claimed ones."""

from __future__ import annotations

import re

from sqlalchemy import or_, select

from referral.directory.models import Organization, Service
from referral.extensions import db
from referral.network.models import Claim, NetworkOrganization


def listing_name(found: Claim) -> str:
    """The name of the directory organization or service a claim names."""
    if found.directory_organization_id:
        directory = db.session.get(Organization, found.directory_organization_id)
        return directory.name if directory else found.directory_organization_id
    service = db.session.get(Service, found.service_id)
    if service is None:
        return found.service_id or ""
    owner = db.session.get(Organization, service.organization_id)
    return f"{service.name} ({owner.name})" if owner else service.name


def directory_matches(
    text: str, limit: int = 20
) -> list[tuple[Organization, NetworkOrganization | None]]:
    """Directory organizations whose name holds `text` (or whose id it is), each with the
    network organization that already claims it, if any."""
    text = text.strip()
    if not text:
        return []
    like = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
    query = (
        select(Organization, NetworkOrganization)
        .outerjoin(Claim, Claim.directory_organization_id == Organization.id)
        .outerjoin(NetworkOrganization, NetworkOrganization.id == Claim.organization_id)
        .where(or_(Organization.name.ilike(like, escape="\\"), Organization.id == text))
        .order_by(Organization.name, Organization.id)
    )
    return [tuple(row) for row in db.session.execute(query.limit(limit))]

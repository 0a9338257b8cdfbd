"""Creating organizations, adding members, claiming listings and sharing patients.

Helpers add and flush; the request or command commits.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import func, select, update

from referral.directory.models import Organization, Service, utcnow
from referral.errors import AppError, BadInput, Conflict, NotFound, Refused
from referral.extensions import db
from referral.network.models import (
    DEFAULT_KEY,
    KINDS,
    Claim,
    Membership,
    NetworkOrganization,
    PatientShare,
)
from referral.network.scope import care_org_ids

KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DEFAULT_NAME = "Our organization"


class NetworkError(AppError):
    """An organization, membership or share that cannot be made; the message says why."""

    status, code = 400, "bad_request"


class OrganizationProblems(NetworkError):
    """An organization's details that cannot be saved; every problem is listed by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()), next(iter(problems)))
        self.problems = problems


STALE = (
    "Someone else changed this organization while you were editing it. The form now shows "
    "the current version; make your change again if it is still needed."
)


def organizations() -> list[NetworkOrganization]:
    """Every organization of the network, by name."""
    return list(db.session.scalars(select(NetworkOrganization).order_by(NetworkOrganization.name)))


def organization_count() -> int:
    """How many organizations share this installation."""
    return db.session.scalar(select(func.count(NetworkOrganization.id))) or 0


def find_organization(key: str) -> NetworkOrganization | None:
    """The organization with that key, if any."""
    query = select(NetworkOrganization).where(NetworkOrganization.key == key.strip().lower())
    return db.session.scalar(query)


def organization_named(key: str, field: str = "org") -> NetworkOrganization:
    """The organization with that key, or an error listing the keys there are."""
    found = find_organization(key)
    if found is None:
        known = ", ".join(o.key for o in organizations()) or "none yet"
        raise NotFound(f"There is no organization {key!r} (there are: {known}).", field=field)
    return found


def organization_by_id(organization_id: int | None) -> NetworkOrganization | None:
    """A network organization by id, held for the rest of the session so that a list of
    referrals reads each of its organizations once."""
    if not organization_id:
        return None
    held = db.session.info.setdefault("network_organizations", {})
    found = held.get(organization_id)
    if found is None or found not in db.session:
        found = held[organization_id] = db.session.get(NetworkOrganization, organization_id)
    return found


def organization_key(organization_id: int | None) -> str | None:
    """The key of a network organization, or None."""
    found = organization_by_id(organization_id)
    return found.key if found else None


def organization_name(organization_id: int | None) -> str:
    """The name of a network organization, or an empty string."""
    found = organization_by_id(organization_id)
    return found.name if found else ""


def signed_as(name: str, referral, party) -> str:
    """How someone is shown in a referral's history and thread: the receiving organization's
    staff with their organization's name."""
    if party.value == "requester":
        return name
    return f"{name} ({organization_name(referral.receiving_org_id)})"


def default_organization() -> NetworkOrganization:
    """The installation's only organization, made when there is none yet (a single-team
    installation never has to name one)."""
    found = db.session.scalars(select(NetworkOrganization).limit(2)).all()
    if len(found) == 1:
        return found[0]
    if found:
        keys = ", ".join(o.key for o in organizations())
        raise NetworkError(f"Name the organization: this installation has several ({keys}).", "org")
    organization = NetworkOrganization(key=DEFAULT_KEY, name=DEFAULT_NAME, kind="both")
    db.session.add(organization)
    db.session.flush()
    return organization


def create_organization(
    key: str, name: str, kind: str, email: str = "", claims: tuple[str, ...] = ()
) -> NetworkOrganization:
    """Add an organization to the network, with the directory listings it answers for."""
    key, name, email = key.strip().lower(), name.strip(), email.strip()
    problems = organization_problems(key, name, kind, email)
    if "key" not in problems and find_organization(key) is not None:
        problems["key"] = f"There is already an organization with the key {key!r}; choose another."
    if problems:
        raise OrganizationProblems(problems)
    organization = NetworkOrganization(key=key, name=name, kind=kind, email=email)
    db.session.add(organization)
    db.session.flush()
    for listing in claims:
        claim(organization, listing)
    return organization


def update_organization(
    organization: NetworkOrganization,
    name: str | None,
    email: str | None,
    links: bool | None,
    kind: str | None = None,
    active: bool | None = None,
) -> None:
    """Change what is given of an organization (None leaves a value as it is)."""
    name = organization.name if name is None else name.strip()
    email = organization.email if email is None else email.strip()
    kind = organization.kind if kind is None else kind
    problems = organization_problems(organization.key, name, kind, email)
    if "kind" not in problems and (refused := kind_problem(organization, kind)):
        problems["kind"] = refused
    if problems:
        raise OrganizationProblems(problems)
    organization.name, organization.email, organization.kind = name, email, kind
    if links is not None:
        organization.link_enabled = links
    if active is not None:
        organization.active = active
    db.session.flush()


def edit_organization(organization: NetworkOrganization, version: str, **changes) -> None:
    """Update an organization from a form shown at `version`, refusing to overwrite a change
    someone else saved since the form was shown or saves while this one is being saved."""
    if version != organization_version(organization):
        raise Conflict(STALE, field="version")
    hold_unchanged(organization)
    update_organization(organization, **changes)


def hold_unchanged(organization: NetworkOrganization) -> None:
    """Take the organization's row until the end of the request, if it still holds what was
    read of it (a concurrent edit waits for this one, then finds it changed)."""
    row = NetworkOrganization
    unchanged = update(row).where(
        row.id == organization.id,
        row.name == organization.name,
        row.kind == organization.kind,
        row.email == organization.email,
        row.active == organization.active,
        row.link_enabled == organization.link_enabled,
    )
    held = db.session.execute(
        unchanged.values(name=organization.name).execution_options(synchronize_session=False)
    )
    if held.rowcount != 1:
        raise Conflict(STALE, field="version")


def organization_version(organization: NetworkOrganization) -> str:
    """A fingerprint of the details the edit form shows, to notice someone else's change."""
    shown = (organization.name, organization.kind, organization.email)
    flags = (organization.active, organization.link_enabled)
    text = "\x1f".join((*shown, *map(str, flags)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_organization(key: str, name: str, kind: str, email: str) -> None:
    """Refuse a key, name, kind or email address that cannot be used, naming each field."""
    problems = organization_problems(key, name, kind, email)
    if problems:
        raise OrganizationProblems(problems)


def organization_problems(key: str, name: str, kind: str, email: str) -> dict[str, str]:
    """What is wrong with an organization's key, name, kind and email, by field."""
    problems = {}
    if not KEY.fullmatch(key):
        problems["key"] = (
            "The key must be lower-case letters, digits and hyphens (for example clinic-a)."
        )
    if not name:
        problems["name"] = "An organization needs a name."
    if kind not in KINDS:
        problems["kind"] = f"Choose whether it is {', '.join(KINDS[:-1])} or {KINDS[-1]}."
    if email and not EMAIL.fullmatch(email):
        problems["email"] = (
            f"{email!r} is not an email address; give one such as intake@clinic.org."
        )
    return problems


def kind_problem(organization: NetworkOrganization, kind: str) -> str | None:
    """Why the organization cannot stop receiving referrals yet, if it cannot."""
    if kind in ("receiving", "both") or not organization.receives:
        return None
    ties = receiving_ties(organization)
    if not ties:
        return None
    return (
        f"{organization.name} still {' and '.join(ties)}. Remove its claims, give its "
        "receiving staff another role and close its open referrals first, or keep it receiving."
    )


def receiving_ties(organization: NetworkOrganization) -> list[str]:
    """What keeps the organization receiving: claims, receiving staff, open referrals."""
    ties = []
    if organization.claims:
        ties.append(f"answers for {len(organization.claims)} directory listing(s)")
    if any(m.role == "receiver" for m in members_of(organization)):
        ties.append("has receiving staff")
    if count := open_received(organization):
        ties.append(f"has {count} open referral(s) in its inbox")
    return ties


def open_received(organization: NetworkOrganization) -> int:
    """How many open referrals wait in the organization's inbox."""
    from referral.referrals.models import CLOSED_STATUSES, Referral

    query = select(func.count(Referral.id)).where(
        Referral.receiving_org_id == organization.id, Referral.status.not_in(CLOSED_STATUSES)
    )
    return db.session.scalar(query) or 0


def claim(organization: NetworkOrganization, listing_id: str, user_id: int | None = None) -> Claim:
    """Make the organization answer for a directory organization (all its services) or one
    service, named by id; open referrals to it move to the organization's inbox."""
    if not organization.receives:
        message = f"{organization.name} does not receive referrals; make it receiving first."
        raise NetworkError(message, "claims")
    listing_id = listing_id.strip()
    if not listing_id:
        raise NetworkError("Give the id of a directory organization or service.", "claims")
    directory = db.session.get(Organization, listing_id)
    service = None if directory else db.session.get(Service, listing_id)
    if directory is None and service is None:
        message = f"There is no directory organization or service with the id {listing_id!r}."
        raise NotFound(message, field="claims")
    taken = db.session.scalar(
        select(Claim).where(
            Claim.directory_organization_id == listing_id
            if directory
            else Claim.service_id == listing_id
        )
    )
    if taken is not None and taken.organization_id != organization.id:
        message = f"{listing_id!r} is already claimed by {taken.organization.name}."
        raise Conflict(message, field="claims")
    found = taken or Claim(
        organization=organization,
        directory_organization_id=directory.id if directory else None,
        service_id=service.id if service else None,
        claimed_by=user_id,
    )
    db.session.add(found)
    db.session.flush()
    route_open_referrals()
    return found


def unclaim(organization: NetworkOrganization, claim_id: int) -> None:
    """Stop the organization answering for a listing; referrals already sent stay with it."""
    found = next((c for c in organization.claims if c.id == claim_id), None)
    if found is None:
        raise NotFound(f"{organization.name} has no such claim.", field="claims")
    organization.claims.remove(found)
    db.session.flush()


def counts_by_organization(column) -> dict[int, int]:
    """How many rows each organization has of a table, by the table's organization column."""
    query = select(column, func.count()).group_by(column)
    return {organization_id: count for organization_id, count in db.session.execute(query)}


def receiving_org_id(service: Service) -> int | None:
    """The active network organization that answers for a service: its own claim, else its
    directory organization's."""
    claims = (
        select(Claim.organization_id)
        .join(NetworkOrganization, NetworkOrganization.id == Claim.organization_id)
        .where(NetworkOrganization.active)
    )
    found = db.session.scalar(claims.where(Claim.service_id == service.id))
    if found is None and service.organization_id:
        query = claims.where(Claim.directory_organization_id == service.organization_id)
        found = db.session.scalar(query)
    return found


def route_open_referrals() -> None:
    """Give open referrals that no organization receives yet to the one that now claims them."""
    from referral.referrals.models import CLOSED_STATUSES, Referral

    waiting = select(Referral).where(
        Referral.receiving_org_id.is_(None), Referral.status.not_in(CLOSED_STATUSES)
    )
    for referral in db.session.scalars(waiting):
        service = db.session.get(Service, referral.service_id)
        referral.receiving_org_id = receiving_org_id(service) if service else None
    db.session.flush()


def add_member(user, organization: NetworkOrganization, role: str) -> Membership:
    """Put a user in an organization with a role there (or change their role in it)."""
    from referral.auth.models import ROLES

    if role not in ROLES:
        raise NetworkError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.", "role")
    if role == "receiver" and not organization.receives:
        message = f"{organization.name} does not receive referrals, so it has no receivers."
        raise NetworkError(message, "role")
    found = next((m for m in user.memberships if m.organization_id == organization.id), None)
    if found is None:
        found = Membership(user=user, organization=organization, role=role)
        db.session.add(found)
    found.role = role
    db.session.flush()
    return found


def member_of(organization: NetworkOrganization, user_id: int):
    """A member of the organization, by user id, or 404."""
    from referral.auth.models import User

    user = db.session.get(User, user_id)
    if user is None or user.role_in(organization.id) is None:
        raise NotFound(f"That person is not a member of {organization.name}.", field="member")
    return user


def join(organization: NetworkOrganization, username: str, role: str) -> Membership:
    """Add an existing account, named by username, to the organization with a role."""
    from referral.auth.operations import find_user

    username = username.strip()
    user = find_user(username) if username else None
    if user is None:
        message = f"There is no account named {username!r}; add the person on the Accounts page."
        raise NotFound(message if username else "Give the person's username.", field="username")
    if user.role_in(organization.id) is not None:
        message = f"{username} is already a member; change their role in the list instead."
        raise Conflict(message, field="username")
    return add_member(user, organization, role)


def check_not_self(user, by) -> None:
    """Refuse an organization admin changing their own membership (they would lock
    themselves out); the installation's admins keep their rights and may."""
    if user.id == by.id and not by.instance_admin:
        message = "You cannot change your own membership; ask another administrator."
        raise Refused(message, field="member")


def remove_member(user, organization: NetworkOrganization) -> None:
    """Take a user out of an organization."""
    for membership in list(user.memberships):
        if membership.organization_id == organization.id:
            user.memberships.remove(membership)
            db.session.delete(membership)
    db.session.flush()


def home_organization(user, asked: str | None = None) -> NetworkOrganization:
    """The organization a user registers a patient for: the one asked for, or their only one."""
    org_ids = care_org_ids(user)
    if asked:
        organization = find_organization(asked)
        if organization is None:
            raise BadInput(f"There is no organization {asked!r}.", field="organization")
        if organization.id not in org_ids:
            raise BadInput(f"You are not a member of {organization.name}.", field="organization")
        return organization
    if len(org_ids) == 1:
        return db.session.get(NetworkOrganization, next(iter(org_ids)))
    if not org_ids:
        raise BadInput(
            "You belong to no care team, so you cannot register patients.", "organization"
        )
    keys = ", ".join(sorted(db.session.get(NetworkOrganization, i).key for i in org_ids))
    raise BadInput(f"Name the organization the patient is registered with: {keys}.", "organization")


def share_patient(patient, organization: NetworkOrganization, user, reason: str) -> PatientShare:
    """Let another organization's care team see a patient, recording who shared and why."""
    reason = reason.strip()
    if not reason:
        raise BadInput("Say why the patient is shared (for example: joint care plan).", "reason")
    if organization.id == patient.organization_id:
        raise BadInput(f"The patient is already registered with {organization.name}.", "org")
    found = active_share(patient.id, organization.id)
    if found is not None:
        return found
    share = PatientShare(
        patient_id=patient.id, organization=organization, shared_by=user.id, reason=reason[:500]
    )
    db.session.add(share)
    db.session.flush()
    return share


def end_share(patient, organization: NetworkOrganization, user) -> None:
    """Stop sharing a patient with an organization (the record of the share stays)."""
    share = active_share(patient.id, organization.id)
    if share is None:
        raise NotFound(f"The patient is not shared with {organization.name}.", field="org")
    share.ended_at, share.ended_by = utcnow(), user.id
    db.session.flush()


def active_share(patient_id: int, organization_id: int) -> PatientShare | None:
    """The share of a patient with an organization that has not ended, if any."""
    query = select(PatientShare).where(
        PatientShare.patient_id == patient_id,
        PatientShare.organization_id == organization_id,
        PatientShare.ended_at.is_(None),
    )
    return db.session.scalar(query)


def shares_of(patient_id: int) -> list[PatientShare]:
    """Every share of a patient, current and ended, oldest first."""
    query = select(PatientShare).where(PatientShare.patient_id == patient_id)
    return list(db.session.scalars(query.order_by(PatientShare.id)))


def members_of(organization: NetworkOrganization) -> list[Membership]:
    """The organization's members, by username."""
    from referral.auth.models import User

    query = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == organization.id)
        .order_by(User.username)
    )
    return list(db.session.scalars(query))

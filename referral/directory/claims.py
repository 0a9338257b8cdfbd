"""Ids a package gives its phones, addresses, areas, costs and contacts, checked before writing.

These rows keep the package's own ids in the database, where an id names one row whatever its
owner. A package may not reuse an id across files (a 1.x physical and postal address both `1`),
nor take an id that the directory already gives a row of a record the package does not include.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from referral.directory import models as m
from referral.directory import records as r
from referral.directory.hsds.rows import Row
from referral.directory.store import CONTACT_OWNERS, chunks
from referral.extensions import db

TAKEN_IN_PACKAGE = "id is used by another row of the package"
TAKEN_IN_DIRECTORY = "id is already used in the directory by a record this package does not hold"


def id_conflicts(package: r.Package) -> list[r.Problem]:
    """An error for each kept child id that is taken twice in the package or by the directory."""
    problems: list[r.Problem] = []
    for name, ids in _kept_ids(package).items():
        problems += _twice(package, name, ids)
        problems += _taken(package, name, set(ids))
    return problems


def _kept_ids(package: r.Package) -> dict[str, list[str]]:
    """The ids of the package's rows that keep their own ids, by canonical table."""
    return {
        "phones": [p.id for owner in _phone_owners(package) for p in owner.phones if p.id],
        "addresses": [a.id for loc in package.locations.values() for a in loc.addresses if a.id],
        "service_areas": [a.id for s in package.services.values() for a in s.service_areas if a.id],
        "cost_options": [c.id for s in package.services.values() for c in s.cost_options if c.id],
        "contacts": [c.id for owner in _phone_owners(package) for c in owner.contacts if c.id],
    }


def _phone_owners(package: r.Package) -> Iterator:
    """Every record of the package that may own phones or contacts."""
    for _, kind in CONTACT_OWNERS:
        yield from getattr(package, kind).values()


def _twice(package: r.Package, name: str, ids: list[str]) -> list[r.Problem]:
    """Errors for ids that two rows of the package (in different files) give one table."""
    seen: set[str] = set()
    problems = []
    for key in ids:
        if key in seen:
            problems.append(_problem(package, name, key, TAKEN_IN_PACKAGE))
        seen.add(key)
    return problems


def _taken(package: r.Package, name: str, ids: set[str]) -> list[r.Problem]:
    """Errors for ids the directory already gives to rows of records outside the package."""
    model, owners = _owners(package, name)
    found = []
    for part in chunks(sorted(ids)):
        found += db.session.execute(select(model).where(model.id.in_(part))).scalars()
    return [
        _problem(package, name, row.id, TAKEN_IN_DIRECTORY)
        for row in found
        if not any(getattr(row, column) in keep for column, keep in owners)
    ]


def _owners(package: r.Package, name: str) -> tuple[type, list[tuple[str, set[str]]]]:
    """The model of a table and, per owner column, the owners whose rows the import replaces."""
    if name in ("phones", "contacts"):
        model = m.Phone if name == "phones" else m.Contact
        return model, [(col, set(getattr(package, kind))) for col, kind in CONTACT_OWNERS]
    if name == "addresses":
        return m.Address, [("location_id", set(package.locations))]
    model = m.ServiceArea if name == "service_areas" else m.CostOption
    return model, [("service_id", set(package.services))]


def _problem(package: r.Package, name: str, key: str, message: str) -> r.Problem:
    """The problem at the row that gave `key`, or at the file when the row is not known."""
    row: Row | None = package.origins.get((name, key))
    if row is None:
        return r.Problem(f"{name}.csv", None, "id", message, detail=key)
    return row.problem("id", message, detail=key)

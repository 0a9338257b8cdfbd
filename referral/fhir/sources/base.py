"""What every source shares: the request context, ids, paging and token matching."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from sqlalchemy import and_, or_, select

from referral.extensions import db
from referral.fhir.access import Requester
from referral.fhir.outcome import not_found
from referral.fhir.search import Query, Span
from referral.network.models import NetworkOrganization
from referral.paging import Page, page_of

MAX_ROW_ID = 2**31 - 1


@dataclass
class Found:
    """A resource and the patient whose data it is (None for directory and people records)."""

    resource: dict
    patient_id: int | None = None


@dataclass
class Context:
    """One request's caller, base URL and the records read so far (read once per request)."""

    requester: Requester
    base: str
    orgs: dict[int, NetworkOrganization] = field(default_factory=dict)

    def org(self, org_id: int | None) -> NetworkOrganization | None:
        """A network organization by id, read once."""
        if org_id is None:
            return None
        if org_id not in self.orgs:
            self.orgs[org_id] = db.session.get(NetworkOrganization, org_id)
        return self.orgs[org_id]


def row_id(value: str) -> int | None:
    """A database id from a FHIR id, or None when it cannot be one."""
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ROW_ID else None


def prefixed_id(value: str, prefix: str = "") -> int | None:
    """The row id at the start of a derived id (`12-88122-7` → 12; `f7` with prefix f → 7)."""
    if not value.startswith(prefix):
        return None
    return row_id(value[len(prefix) :].split("-", 1)[0])


def within(spans: list[Span], column):
    """SQL conditions for `_lastUpdated` spans on a time column."""
    return [
        and_(
            *(
                c
                for c in (column >= s.start if s.start else None, column < s.end if s.end else None)
                if c is not None
            )
        )
        for s in spans
    ]


def tokens_hold(query: Query, name: str, codings: list[dict]) -> bool:
    """Whether a resource's codings satisfy the token parameter (any of its values)."""
    given = query.get(name)
    return all(any(t.matches(codings) for t in alternatives) for alternatives in given)


def codings_of(*concepts) -> list[dict]:
    """Every coding of the given CodeableConcepts (lists of them too)."""
    found = []
    for item in concepts:
        for one in item if isinstance(item, list) else [item]:
            found += (one or {}).get("coding", [])
    return found


def sql_page(query, q: Query) -> tuple[list, int]:
    """One page of an ordered query and the total (not counted when reading by id)."""
    if not q.counted:
        rows = list(db.session.scalars(query.limit(q.count).offset(q.offset)))
        return rows, len(rows)
    return page_of(query, Page(limit=q.count, offset=q.offset))


def python_page(items: list, q: Query) -> tuple[list, int]:
    """One page of a list and its length."""
    return items[q.offset : q.offset + q.count], len(items)


def id_values(q: Query) -> list[str]:
    """The `_id` values asked for, flattened."""
    return [v for values in q.get("_id") for v in values]


def patient_values(q: Query) -> list[list[int]]:
    """The patient ids asked for by `patient` or `subject` (each parameter: alternatives)."""
    groups = q.get("patient") + q.get("subject") + q.get("for")
    return [[row_id(v) or 0 for v in values] for values in groups]


class Source:
    """A resource type: its search parameters, `_include`s, and how to read and search it."""

    resource_type = ""
    params: ClassVar[dict[str, str]] = {"_id": "string"}
    includes: ClassVar[dict[str, str]] = {}

    def read(self, ctx: Context, resource_id: str) -> Found:
        """One resource by id, or 404."""
        found = self.read_many(ctx, [resource_id])
        if not found:
            raise not_found(self.resource_type, resource_id)
        return found[0]

    def read_many(self, ctx: Context, resource_ids: list[str]) -> list[Found]:
        """The resources of these ids the caller may see, read together."""
        ids = list(resource_ids)
        return self.search(ctx, Query(values={"_id": [ids]}, count=len(ids) or 1, counted=False))[0]

    def search(self, ctx: Context, q: Query) -> tuple[list[Found], int]:
        """One page of matches and how many there are."""
        raise NotImplementedError


def directory_record(model, resource_id: str):
    """A directory record by its FHIR id (its own id, or its HSDS id)."""
    query = select(model).where(or_(model.id == resource_id, model.hsds_id == resource_id))
    return db.session.scalars(query.limit(1)).first()

"""Long lists a page at a time: where a page starts and how long it is, checked one way for
every list of the API and the pages, and the total that says how much there is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import request, url_for
from sqlalchemy import func, select

from referral.errors import BadInput
from referral.extensions import db

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10**6


@dataclass(frozen=True)
class Page:
    """Which part of a list to show: `limit` rows from row `offset` (counting from 0)."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def next(self, total: int) -> Page | None:
        """The page after this one, or None when this one reaches the end."""
        after = self.offset + self.limit
        return Page(self.limit, after) if after < total else None

    def previous(self) -> Page | None:
        """The page before this one, or None on the first."""
        return Page(self.limit, max(0, self.offset - self.limit)) if self.offset else None


def parse_page(args: Mapping[str, str]) -> Page:
    """The page `limit` and `offset` ask for, or a 400 naming the one that is not a whole
    number in range."""
    return Page(
        limit=whole_in(args.get("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT),
        offset=whole_in(args.get("offset"), "offset", 0, MAX_OFFSET, 0),
    )


def whole_in(raw: str | None, name: str, low: int, high: int, default: int) -> int:
    """A whole number from low to high, the default when absent."""
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadInput(f"{name} must be a whole number from {low} to {high}.", field=name)
    return int(raw)


def page_of(query, page: Page | None) -> tuple[list, int]:
    """One page of an ordered query's rows (all of them without a page), and how many rows
    the whole query has."""
    if page is None:
        rows = list(db.session.scalars(query))
        return rows, len(rows)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(db.session.scalars(query.limit(page.limit).offset(page.offset)))
    return rows, total or 0


def page_json(results: list, total: int, page: Page) -> dict:
    """A list answer: its results, the total, and links to the next and previous pages."""
    following, before = page.next(total), page.previous()
    return {
        "results": results,
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
        "next": page_url(following) if following else None,
        "previous": page_url(before) if before else None,
    }


def page_url(page: Page) -> str:
    """The address of the current list at another page, its other filters kept."""
    args = request.args.to_dict() | {"limit": page.limit, "offset": page.offset}
    return url_for(request.endpoint, **(request.view_args or {}), **args)

"""Rows and tables as read from a package, whatever their source: CSV files or JSON documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from referral.directory.hsds.cleaning import clean_id, clean_text
from referral.directory.records import Problem


@dataclass
class Table:
    """One file of a package: its name, its columns and its rows.

    `aliases` maps the column names the reader uses to the names this file really has
    (`taxonomy` → `vocabulary` in HSDS 1.x), so problems name the column the person sees.
    """

    file: str
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def has(self, column: str) -> bool:
        """Whether the table has `column` (under its own name or an alias)."""
        return self.aliases.get(column, column) in self.columns or column in self.defaults

    def column(self, name: str) -> str:
        """The name this table gives the column the reader calls `name`."""
        return self.aliases.get(name, name)


@dataclass
class Row:
    """One record: a CSV row (`number` counts the header as row 1) or a JSON object at `path`."""

    table: Table
    values: dict[str, object]
    number: int | None
    path: str = ""

    def text(self, name: str) -> str:
        """The tidy text of a column (blank when absent)."""
        return clean_text(self.raw(name))

    def id(self, name: str = "id") -> str:
        """The identifier in a column, stripped of padding."""
        return clean_id(self.raw(name))

    def raw(self, name: str) -> object:
        """The value of a column as read, before any tidying."""
        value = self.values.get(self.table.column(name))
        return self.table.defaults.get(name, "") if value is None else value

    def field(self, name: str) -> str:
        """How a problem names the column: the CSV header, or a JSON path."""
        column = self.table.column(name)
        if not self.path:
            return column
        return f"{self.path}.{column}" if column else self.path

    def problem(
        self, name: str, message: str, severity: str = "error", detail: str = ""
    ) -> Problem:
        """A problem found in this row's column `name`."""
        return Problem(self.table.file, self.number, self.field(name), message, severity, detail)


Tables = dict[str, list[Table]]
DUPLICATE = "id is used by an earlier row"
REPEATED = "row repeats an earlier row with the same id; skipped"
BLANK = "required value is blank"


def rows_of(tables: Tables, name: str) -> Iterator[Row]:
    """Every row of every table read under the canonical `name`."""
    for table in tables.get(name, []):
        yield from table.rows


def unique_rows(
    rows: Iterable[Row],
    problems: list[Problem],
    blank_ok: bool = False,
    linked: bool = True,
    keep_first: str = "",
) -> Iterator[Row]:
    """Rows whose id is new, each file on its own.

    A repeated id is an error, unless the later row only repeats what the earlier one says
    (every value it fills is the same), which is skipped with a warning. In a table whose ids
    nothing links to or keeps (`linked` false: HSDS 1.x languages, eligibility…) the id says
    nothing, so such a row is read like any other. With `keep_first` (a warning's words) a
    conflicting row is skipped with that warning instead. A blank id is an error unless
    `blank_ok`.
    """
    seen: dict[tuple[str, str], Row] = {}
    for row in rows:
        key = row.id()
        first = seen.get((row.table.file, key)) if key else None
        if not key and not blank_ok:
            problems.append(row.problem("id", BLANK))
        elif first is None:
            if key:
                seen[(row.table.file, key)] = row
            yield row
        elif _repeats(row, first):
            problems.append(row.problem("id", REPEATED, "warning", _where(key, first)))
        elif not linked:
            yield row
        elif keep_first:
            problems.append(row.problem("id", keep_first, "warning", _where(key, first)))
        else:
            problems.append(row.problem("id", DUPLICATE, detail=_where(key, first)))


def _repeats(row: Row, first: Row) -> bool:
    """Whether every value `row` fills equals the value of `first` in that column."""
    return all(
        value == first.values.get(column)
        for column, value in row.values.items()
        if value not in (None, "")
    )


def _where(key: str, first: Row) -> str:
    """The repeated id and where it was first used: a CSV row, or a JSON document's path."""
    if first.path:
        return f"{key}, first used at {first.path}"
    return f"{key}, first used at row {first.number}" if first.number else key

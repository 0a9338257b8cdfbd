"""Where a tabular package's files come from: a folder or a zip, with or without a descriptor."""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from referral.directory.hsds.rows import Row, Table
from referral.directory.records import Problem

MAX_ENCODING_PROBLEMS = 20
csv.field_size_limit(2**31 - 1)


class Source:
    """The CSV files of a package, by base name, read from a folder or a zip archive."""

    def __init__(self, files: dict[str, bytes | Path], label: str) -> None:
        self.files = files
        self.label = label

    def names(self) -> list[str]:
        """The base names of the files in the package."""
        return sorted(self.files)

    def read(self, name: str) -> bytes:
        """The bytes of one file."""
        data = self.files[name]
        return data.read_bytes() if isinstance(data, Path) else data


def open_source(path: Path) -> tuple[Source | None, list[Problem]]:
    """The package at `path` (a folder or a .zip), or a problem saying why it cannot be opened."""
    if path.is_dir():
        return Source(_folder_files(path), path.name), []
    if path.is_file() and path.suffix.lower() == ".zip":
        return _zip_source(path)
    message = "the package was not found" if not path.exists() else "not a folder, zip or JSON file"
    return None, [Problem(path.name, None, "", message)]


def _folder_files(folder: Path) -> dict[str, bytes | Path]:
    """The files of a folder, or of its one subfolder when the package sits one level down."""
    files = {child.name: child for child in folder.iterdir() if child.is_file()}
    if _is_package(files):
        return dict(files)
    subfolders = [child for child in folder.iterdir() if child.is_dir()]
    if len(subfolders) == 1:
        return _folder_files(subfolders[0])
    return dict(files)


def _zip_source(path: Path) -> tuple[Source | None, list[Problem]]:
    """The files of a zip archive, found at the shallowest folder that holds the package."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            root = _zip_root([PurePosixPath(info.filename) for info in members])
            files: dict[str, bytes | Path] = {
                PurePosixPath(info.filename).name: archive.read(info)
                for info in members
                if PurePosixPath(info.filename).parent == root
            }
    except (zipfile.BadZipFile, OSError) as error:
        return None, [
            Problem(path.name, None, "", "the zip archive cannot be opened", detail=str(error))
        ]
    return Source(files, path.name), []


def _zip_root(paths: list[PurePosixPath]) -> PurePosixPath:
    """The folder inside a zip that holds services.csv or datapackage.json."""
    marked = [p.parent for p in paths if p.name in ("services.csv", "datapackage.json")]
    if not marked:
        return PurePosixPath(".")
    return min(marked, key=lambda folder: len(folder.parts))


def _is_package(files: dict[str, Path]) -> bool:
    """Whether the files look like an HSDS package."""
    return "services.csv" in files or "datapackage.json" in files


def read_descriptor(source: Source) -> tuple[dict[str, dict], list[Problem]]:
    """The resources datapackage.json declares, by file name, and the problems found in it."""
    if "datapackage.json" not in source.files:
        return {}, []
    try:
        descriptor = json.loads(source.read("datapackage.json").decode("utf-8-sig"))
        resources = descriptor.get("resources") or []
        declared = {
            PurePosixPath(r["path"]).name: r for r in resources if isinstance(r.get("path"), str)
        }
    except (ValueError, AttributeError, TypeError) as error:
        message = "datapackage.json cannot be read; files are read as UTF-8"
        return {}, [Problem("datapackage.json", None, "", message, "warning", str(error))]
    absent = sorted(name for name in declared if name not in source.files)
    message = "file named in datapackage.json is not in the package"
    return declared, [Problem(name, None, "", message, "warning") for name in absent]


def read_table(file: str, data: bytes, encoding: str | None) -> tuple[Table, list[Problem]]:
    """The rows of one CSV file; problems for undecodable text and rows that cannot be parsed."""
    problems = []
    if encoding and not _known(encoding):
        message = "datapackage.json declares an encoding that is not known; UTF-8 is used"
        problems.append(Problem(file, None, "", message, detail=encoding))
        encoding = None
    text, bad_offsets = decode(data, encoding)
    table = Table(file)
    row_ends: list[int] = []
    problems += _parse_rows(table, text, row_ends)
    problems += _encoding_problems(table, bad_offsets, row_ends, encoding)
    return table, problems


def decode(data: bytes, encoding: str | None) -> tuple[str, list[int]]:
    """The text of a file (UTF-8 unless told otherwise) and where undecodable bytes were."""
    name = encoding or "utf-8"
    if codecs.lookup(name).name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return _decode_marking(data, name)


def _known(encoding: str) -> bool:
    """Whether Python knows an encoding by that name."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _decode_marking(data: bytes, encoding: str) -> tuple[str, list[int]]:
    """Decode `data`, replacing undecodable bytes and noting where they were."""
    parts: list[str] = []
    bad: list[int] = []
    position, length = 0, 0
    while len(bad) < MAX_ENCODING_PROBLEMS:
        try:
            parts.append(data[position:].decode(encoding))
            return "".join(parts), bad
        except UnicodeDecodeError as error:
            good = data[position : position + error.start].decode(encoding)
            parts.append(good)
            length += len(good)
            bad.append(length)
            parts.append("\ufffd")
            length += 1
            position += error.end
    parts.append(data[position:].decode(encoding, errors="replace"))
    return "".join(parts), bad


def _parse_rows(table: Table, text: str, row_ends: list[int]) -> list[Problem]:
    """Fill `table` from CSV text; stop at the first row that cannot be parsed."""
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    number = 0
    try:
        for values in reader:
            number += 1
            row_ends.append(lines.consumed)
            problem = _add_row(table, values, number)
            if problem:
                return [problem]
    except csv.Error as error:
        message = "the file cannot be read as CSV from this row on"
        return [Problem(table.file, number + 1, "", message, detail=str(error))]
    return []


def _add_row(table: Table, values: list[str], number: int) -> Problem | None:
    """Add one parsed row to `table` (the first is its header)."""
    if number == 1:
        table.columns = [value.strip().lower() for value in values]
        return None
    if not any(value.strip() for value in values):
        return None
    if len(values) > len(table.columns):
        message = "the row has more values than the header has columns"
        return Problem(table.file, number, "", message, detail=f"{len(values)} values")
    table.rows.append(Row(table, dict(zip(table.columns, values, strict=False)), number))
    return None


def _encoding_problems(
    table: Table, bad_offsets: list[int], row_ends: list[int], encoding: str | None
) -> list[Problem]:
    """One problem per row holding text that could not be decoded."""
    numbers = sorted({_row_at(offset, row_ends) for offset in bad_offsets})
    message = (
        f"text is not valid {encoding or 'UTF-8'}; declare the file's encoding in datapackage.json"
    )
    problems = []
    for number in numbers:
        column, value = _bad_value(table, number)
        problems.append(Problem(table.file, number, column, message, detail=value[:80]))
    return problems


def _bad_value(table: Table, number: int) -> tuple[str, str]:
    """The column and value of a row that hold an undecodable character."""
    for row in table.rows:
        if row.number == number:
            return next(
                (
                    (column, str(value))
                    for column, value in row.values.items()
                    if "\ufffd" in str(value)
                ),
                ("", ""),
            )
    return "", ""


def _row_at(offset: int, row_ends: list[int]) -> int:
    """The row number (header = 1) holding the character at `offset`."""
    for number, end in enumerate(row_ends, start=1):
        if offset < end:
            return number
    return len(row_ends) + 1


class _Lines:
    """The lines of a text, counting how many characters the CSV reader has taken."""

    def __init__(self, text: str) -> None:
        self.lines: Iterator[str] = iter(io.StringIO(text, newline=""))
        self.consumed = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.consumed += len(line)
        return line

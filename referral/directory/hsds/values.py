"""Typed values read from text columns, each with the warning to give when it cannot be read."""

from __future__ import annotations

import re
from datetime import date

from dateutil import parser as dateparser

from referral.directory.hsds.rows import Row
from referral.directory.records import SERVICE_STATUSES, Problem


def number(row: Row, column: str, message: str) -> tuple[float | None, list[Problem]]:
    """A number from a column; a warning (and None) when the text is not a number."""
    text = row.text(column)
    if not text:
        return None, []
    try:
        return float(text.replace(",", "")), []
    except ValueError:
        return None, [row.problem(column, message, "warning", text)]


def age(row: Row, column: str) -> tuple[float | None, list[Problem]]:
    """An age in years; "18 years" and "18+" read as 18."""
    text = row.text(column)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:\+|years?|yrs?|y)?\.?", text, re.IGNORECASE)
    if match:
        return float(match.group(1)), []
    if not text:
        return None, []
    return None, [row.problem(column, "age could not be read; left blank", "warning", text)]


def year(row: Row, column: str) -> tuple[int | None, list[Problem]]:
    """A year ("1987", or the year of a date such as "1987-01-01")."""
    text = row.text(column)
    match = re.search(r"\b(1[6-9]\d\d|20\d\d)\b", text)
    if match:
        return int(match.group(1)), []
    if not text:
        return None, []
    return None, [row.problem(column, "year could not be read; left blank", "warning", text)]


def day(row: Row, column: str) -> tuple[date | None, list[Problem]]:
    """A calendar date, ISO 8601 or as people write it."""
    text = row.text(column)
    if not text:
        return None, []
    try:
        return date.fromisoformat(text[:10]), []
    except ValueError:
        pass
    try:
        return dateparser.parse(text).date(), []
    except (ValueError, OverflowError):
        return None, [row.problem(column, "date could not be read; left blank", "warning", text)]


def status(row: Row) -> tuple[str, list[Problem]]:
    """An HSDS service status; blank is active, anything unknown is active with a warning."""
    text = row.text("status").lower().replace("_", " ")
    if not text or text in SERVICE_STATUSES:
        return text or "active", []
    message = "status is not an HSDS service status; active assumed"
    return "active", [row.problem("status", message, "warning", row.text("status"))]


def coordinates(row: Row) -> tuple[tuple[float, float] | None, list[Problem]]:
    """Latitude and longitude when both are given, numeric, in range and not (0, 0)."""
    lat_text, lon_text = row.text("latitude"), row.text("longitude")
    if not lat_text and not lon_text:
        return None, []
    detail = f"{lat_text}, {lon_text}"
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return None, [
            row.problem("latitude", "coordinates are not numbers; dropped", "warning", detail)
        ]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, [
            row.problem("latitude", "coordinates are out of range; dropped", "warning", detail)
        ]
    if lat == 0 and lon == 0:
        return None, [row.problem("latitude", "coordinates are (0, 0); dropped", "warning", detail)]
    return (lat, lon), []

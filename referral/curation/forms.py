"""Editing forms as patches: posted fields in, the patch the editing rules take out, and back.

Lists are edited as rows (phones), a weekly grid (hours, up to two windows a day), or one item
per line (documents to bring, service areas as `kind: value`).
"""

from __future__ import annotations

from collections.abc import Mapping

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WINDOWS = 2
TEXT_FIELDS = {
    "service": (
        "name",
        "alternate_name",
        "status",
        "description",
        "url",
        "email",
        "eligibility_description",
        "application_process",
        "fees_description",
        "wait_time",
        "interpretation_services",
        "alert",
        "hours_text",
    ),
    "organization": (
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "tax_status",
        "tax_id",
        "legal_status",
    ),
    "location": ("name", "alternate_name", "description", "transportation"),
}
NUMBER_FIELDS = {
    "service": ("minimum_age", "maximum_age"),
    "organization": ("year_incorporated",),
    "location": ("latitude", "longitude"),
}
LINE_FIELDS = {"service": ("required_documents",), "location": ("accessibility",)}
HAS_HOURS = ("service", "location")


def patch_from_form(form: Mapping, kind: str, current: Mapping) -> dict:
    """The fields a posted form changed, as a patch (unchanged fields are left out)."""
    patch: dict = {}
    for name in TEXT_FIELDS[kind]:
        if name in form:
            patch[name] = form.get(name, "").strip()
    for name in NUMBER_FIELDS.get(kind, ()):
        if name in form:
            patch[name] = number(form.get(name, ""))
    for name in LINE_FIELDS.get(kind, ()):
        if name in form:
            patch[name] = lines(form.get(name, ""))
    if "phone-0-number" in form:
        patch["phones"] = phones(form)
    if kind in HAS_HOURS and "hours-0-0-opens" in form:
        patch["schedules"] = schedules(form)
    if "languages" in form:
        patch["languages"] = [c.strip() for c in form.get("languages", "").split(",") if c.strip()]
    patch |= service_lists(form) if kind == "service" else {}
    patch |= addresses(form) if kind == "location" else {}
    return {k: v for k, v in patch.items() if v != current.get(k)}


def number(text: str):
    """A number typed in a form, None when blank, or the text itself for the rules to refuse."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def lines(text: str) -> list[str]:
    """One item per non-blank line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def phones(form: Mapping) -> list[dict]:
    """The phone rows that have a number."""
    found, row = [], 0
    while f"phone-{row}-number" in form:
        number_ = form.get(f"phone-{row}-number", "").strip()
        if number_:
            found.append(
                {
                    "number": number_,
                    "extension": form.get(f"phone-{row}-extension", "").strip(),
                    "type": form.get(f"phone-{row}-type", "").strip(),
                    "description": form.get(f"phone-{row}-description", "").strip(),
                }
            )
        row += 1
    return found


def schedules(form: Mapping) -> list[dict]:
    """The filled windows of the weekly grid."""
    found = []
    for day in range(7):
        for window in range(WINDOWS):
            opens = form.get(f"hours-{day}-{window}-opens", "").strip()
            closes = form.get(f"hours-{day}-{window}-closes", "").strip()
            if opens or closes:
                found.append({"weekday": day, "opens_at": opens, "closes_at": closes})
    return found


def service_lists(form: Mapping) -> dict:
    """Service areas, taxonomy terms and needs as posted."""
    patch: dict = {}
    if "service_areas" in form:
        patch["service_areas"] = [area(line) for line in lines(form.get("service_areas", ""))]
    if "taxonomy_term_ids" in form:
        patch["taxonomy_term_ids"] = lines(form.get("taxonomy_term_ids", "").replace(",", "\n"))
    if "needs_mode" in form:
        automatic = form.get("needs_mode") == "automatic"
        patch["need_keys"] = None if automatic else list(form.getlist("need_keys"))
    return patch


def area(line: str) -> dict:
    """A service area written as `kind: value` (`nationwide` alone)."""
    kind, _, value = line.partition(":")
    return {"kind": kind.strip().lower().replace(" ", "_"), "value": value.strip()}


def addresses(form: Mapping) -> dict:
    """The location's street address, when the form has one."""
    if "address_1" not in form:
        return {}
    fields = ("address_1", "address_2", "city", "state_province", "postal_code", "country")
    address = {name: form.get(name, "").strip() for name in fields}
    address["country"] = address["country"] or "US"
    address["address_type"] = "physical"
    return {"addresses": [address] if address["address_1"] else []}


def grid(schedule_rows: list[dict]) -> dict[tuple[int, int], tuple[str, str]]:
    """The weekly grid's cells from a document's schedules: (day, window) -> (opens, closes)."""
    cells: dict[tuple[int, int], tuple[str, str]] = {}
    for row in schedule_rows:
        day = row.get("weekday")
        window = sum(1 for d, _ in cells if d == day)
        if isinstance(day, int) and window < WINDOWS:
            cells[(day, window)] = (row.get("opens_at", ""), row.get("closes_at", ""))
    return cells


def area_lines(areas: list[dict]) -> str:
    """Service areas as the form shows them."""
    return "\n".join(f"{a['kind']}: {a.get('value', '')}".rstrip(": ") for a in areas)

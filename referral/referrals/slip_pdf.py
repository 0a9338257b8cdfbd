"""A patient's printed referral slip laid out as a PDF page they can take home."""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import fpdf
import segno

PAPERS = {"letter": "letter", "a4": "A4"}
SCALES = (1.0, 0.9, 0.8, 0.72)
FONT = "Helvetica"
MARGIN = 15.0
QR_SIZE = 25.0
QR_GAP = 6.0
PT = 25.4 / 72
LINE = 1.22
MIN_POINTS = 7.0
BODY = 10.5
LABEL = 8.5
GUTTER = 5.0
CONTACT_SPACE = 8.0
RULE_GAP = 3.5
SCRATCH_HEIGHT = 5000.0
BOX_PAD = 4.0

Color = tuple[int, int, int]

INK = (25, 25, 25)
ACCENT = (18, 62, 112)
MUTED = (95, 95, 95)
RULE = (190, 190, 190)
BOX_FILL = (241, 245, 250)

_SUBSTITUTES = {
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2039": "<",
    "\u203a": ">",
    "\u2026": "...",
    "\u2022": "-",
    "\u2023": "-",
    "\u2043": "-",
    "\u25cf": "-",
    "\u25aa": "-",
    "\u2192": "->",
    "\u2190": "<-",
    "\u20ac": "EUR",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u0142": "l",
    "\u0141": "L",
    "\u0111": "d",
    "\u0110": "D",
    "\u00a0": " ",
    "\t": " ",
    "\r\n": "\n",
    "\r": "\n",
    "\u2028": "\n",
    "\u2029": "\n",
}


@dataclass(frozen=True)
class SlipService:
    """One service on a slip, as the patient reads it."""

    name: str
    organization: str
    address: str
    phone: str
    hours: tuple[str, ...]
    walk_ins: str
    bring: str
    cost: str
    url: str


@dataclass(frozen=True)
class Slip:
    """What a printed slip shows: for whom, which services, and who to call."""

    patient_name: str
    prepared_on: str
    services: tuple[SlipService, ...]
    contact_name: str
    contact_phone: str
    contact_email: str
    organization: str
    patient_url: str = ""


@dataclass(frozen=True)
class SlipLabels:
    """Every fixed word on a slip, already in the patient's language."""

    title: str
    prepared_for: str
    address: str
    phone: str
    hours: str
    hours_unknown: str
    bring: str
    cost: str
    scan: str
    questions: str
    unknown: str
    patient_link: str = ""


@dataclass(frozen=True)
class _Column:
    """A column of labelled rows: where it starts, its label width and its full width."""

    x: float
    label_w: float
    width: float


@dataclass(frozen=True)
class _Row:
    """One labelled line of a service block; an empty label leaves the label space blank."""

    label: str
    value: str
    points: float = BODY
    style: str = ""


@dataclass(frozen=True)
class _Layout:
    """Font scale and column positions for one rendering of a slip."""

    scale: float
    wide: _Column
    left: _Column
    right: _Column
    qr_x: float

    def size(self, points: float) -> float:
        """A font size in points at this scale, never below a legible minimum."""
        return _scaled(points, self.scale)

    def line(self, points: float) -> float:
        """The line height in millimetres of text set at `points` before scaling."""
        return self.size(points) * PT * LINE

    def gap(self, mm: float) -> float:
        """A vertical gap in millimetres at this scale."""
        return mm * self.scale


def _scaled(points: float, scale: float) -> float:
    """A font size in points at `scale`, never below a legible minimum."""
    return round(max(points * scale, min(points, MIN_POINTS)), 2)


def printable(text: str) -> str:
    """Text the PDF core fonts can show: latin-1 only, typographic marks made plain."""
    for char, plain in _SUBSTITUTES.items():
        text = text.replace(char, plain)
    return "".join(_latin1(char) for char in text)


def _latin1(char: str) -> str:
    """One character as latin-1 text: kept, reduced to its base letter, dropped, or '?'."""
    category = unicodedata.category(char)
    if char == "\n":
        return char
    if category in ("Cc", "Cf") and char != "\u00ad":
        return ""
    if category.startswith("Z"):
        return " "
    if ord(char) < 256:
        return char
    return _base_letters(char)


def _base_letters(char: str) -> str:
    """The latin-1 letters a character decomposes to, or '?' when there are none."""
    parts = unicodedata.normalize("NFKD", char)
    kept = "".join(part for part in parts if not unicodedata.combining(part))
    if kept and all(ord(part) < 256 for part in kept):
        return kept
    return "?"


def render_pdf(
    slip: Slip, labels: SlipLabels, paper: str = "letter", *, compress: bool = True
) -> bytes:
    """The slip as PDF bytes, in smaller type when that keeps it to one page."""
    page_format = _paper_format(paper)
    for scale in SCALES[:-1]:
        pdf = _render(slip, labels, page_format, scale, compress, one_page=True)
        if pdf.pages_count == 1:
            return bytes(pdf.output())
    pdf = _render(slip, labels, page_format, SCALES[-1], compress, one_page=False)
    return bytes(pdf.output())


def _paper_format(paper: str) -> str:
    """The fpdf page format of a paper name, refusing names it does not know."""
    page_format = PAPERS.get(paper.strip().lower())
    if page_format is None:
        choices = ", ".join(repr(name) for name in PAPERS)
        raise ValueError(f"Unknown paper {paper!r}; choose one of {choices}.")
    return page_format


def _render(
    slip: Slip, labels: SlipLabels, page_format: str, scale: float, compress: bool, one_page: bool
) -> fpdf.FPDF:
    """The slip laid out at one font scale; with `one_page`, abandoned once it needs a second."""
    pdf = _new_document(page_format, compress)
    pdf.set_title(labels.title)
    layout = _layout(pdf, labels, scale)
    _header(pdf, slip, labels, layout)
    place = _service if one_page else _place_service
    for index, service in enumerate(slip.services):
        place(pdf, service, labels, layout, index == 0)
        if one_page and pdf.pages_count > 1:
            return pdf
    _patient_link(pdf, slip, labels, layout)
    if one_page and pdf.pages_count > 1:
        return pdf
    _contact_box(pdf, slip, labels, layout)
    return pdf


def _new_document(page_format: str | tuple[float, float], compress: bool) -> fpdf.FPDF:
    """An empty one-page document with the slip's margins."""
    pdf = fpdf.FPDF(orientation="portrait", unit="mm", format=page_format)
    pdf.set_compression(compress)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.c_margin = 0
    pdf.set_creator("referral")
    pdf.add_page()
    return pdf


def _measure(pdf: fpdf.FPDF, draw: Callable[[fpdf.FPDF], None]) -> float:
    """How tall `draw` makes its content on a page as wide as `pdf` and endlessly long."""
    scratch = _new_document((pdf.w, SCRATCH_HEIGHT), compress=False)
    draw(scratch)
    return scratch.get_y() - scratch.t_margin


def _layout(pdf: fpdf.FPDF, labels: SlipLabels, scale: float) -> _Layout:
    """Columns for a page: the text beside the QR code, with details split in two."""
    text_w = pdf.epw - QR_SIZE - QR_GAP
    qr_x = pdf.l_margin + pdf.epw - QR_SIZE
    label_w = _label_width(pdf, scale, labels.address, labels.phone, labels.bring, labels.cost)
    right_x = pdf.l_margin + text_w * 0.56
    wide = _Column(pdf.l_margin, min(label_w, text_w * 0.3), text_w)
    left = _Column(pdf.l_margin, wide.label_w, right_x - GUTTER - pdf.l_margin)
    hours_w = min(_label_width(pdf, scale, labels.hours), text_w * 0.15)
    right = _Column(right_x, hours_w, pdf.l_margin + text_w - right_x)
    return _Layout(scale, wide, left, right, qr_x)


def _label_width(pdf: fpdf.FPDF, scale: float, *names: str) -> float:
    """The width of a label column holding the widest of `names`, with a little space after."""
    pdf.set_font(FONT, "B", _scaled(LABEL, scale))
    return max(pdf.get_string_width(printable(name)) for name in names) + 3.0


def _style(
    pdf: fpdf.FPDF, points: float, layout: _Layout, style: str = "", color: Color = INK
) -> None:
    """Set the font style, scaled size and colour for the text that follows."""
    pdf.set_font(FONT, style, layout.size(points))
    pdf.set_text_color(*color)


def _paragraph(pdf: fpdf.FPDF, x: float, width: float, height: float, text: str) -> None:
    """Left-aligned text wrapped within a column, leaving the cursor below it."""
    pdf.set_x(x)
    pdf.multi_cell(
        width, height, printable(text), align="L", new_x=fpdf.XPos.LMARGIN, new_y=fpdf.YPos.NEXT
    )


def _header(pdf: fpdf.FPDF, slip: Slip, labels: SlipLabels, layout: _Layout) -> None:
    """The organization, title and "prepared for" line, underlined by an accent rule."""
    if slip.organization.strip():
        _style(pdf, 9.5, layout, "B", MUTED)
        _paragraph(pdf, pdf.l_margin, pdf.epw, layout.line(9.5), slip.organization.upper())
    _style(pdf, 22, layout, "B", ACCENT)
    _paragraph(pdf, pdf.l_margin, pdf.epw, layout.line(22), labels.title)
    _style(pdf, 11.5, layout)
    _paragraph(pdf, pdf.l_margin, pdf.epw, layout.line(11.5), _prepared_for(slip, labels))
    pdf.ln(layout.gap(2.5))
    _rule(pdf, ACCENT, 0.7)
    pdf.ln(layout.gap(4))


def _prepared_for(slip: Slip, labels: SlipLabels) -> str:
    """The "prepared for" sentence with the patient's name and the date filled in."""
    text = labels.prepared_for.replace("{name}", slip.patient_name)
    return text.replace("{date}", slip.prepared_on)


def _rule(pdf: fpdf.FPDF, color: Color, width: float) -> None:
    """A horizontal line across the text area at the cursor."""
    pdf.set_draw_color(*color)
    pdf.set_line_width(width)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())


def _place_service(
    pdf: fpdf.FPDF, service: SlipService, labels: SlipLabels, layout: _Layout, first: bool
) -> None:
    """A service block, moved whole onto a new page when it would otherwise be split."""
    height = _measure(pdf, lambda scratch: _service(scratch, service, labels, layout, first))
    fits_here = pdf.get_y() + height <= pdf.page_break_trigger
    if not fits_here and height - _rule_space(layout, first) <= pdf.eph:
        pdf.add_page()
        first = True
    _service(pdf, service, labels, layout, first)


def _rule_space(layout: _Layout, first: bool) -> float:
    """The height of the rule and gaps above a block; none above the first on a page."""
    return 0.0 if first else 2 * layout.gap(RULE_GAP)


def _service(
    pdf: fpdf.FPDF, service: SlipService, labels: SlipLabels, layout: _Layout, first: bool
) -> None:
    """One service: a rule above unless first, the text column, and its QR code."""
    if not first:
        pdf.ln(layout.gap(RULE_GAP))
        _rule(pdf, RULE, 0.25)
        pdf.ln(layout.gap(RULE_GAP))
    top, page = pdf.get_y(), pdf.page
    qr_bottom = _qr(pdf, service.url, labels.scan, layout, top)
    _service_text(pdf, service, labels, layout)
    if pdf.page == page:
        pdf.set_y(max(pdf.get_y(), qr_bottom))


def _patient_link(pdf: fpdf.FPDF, slip: Slip, labels: SlipLabels, layout: _Layout) -> None:
    """The QR code of the patient's own page with its one line, below the services."""
    if not slip.patient_url.strip():
        return
    pdf.ln(layout.gap(RULE_GAP))
    _rule(pdf, RULE, 0.25)
    pdf.ln(layout.gap(RULE_GAP))
    top = pdf.get_y()
    qr_bottom = _qr(pdf, slip.patient_url, "", layout, top)
    _style(pdf, 12.0, layout, "B", ACCENT)
    _paragraph(pdf, layout.wide.x, layout.wide.width, layout.line(12.0), labels.patient_link)
    pdf.set_y(max(pdf.get_y(), qr_bottom))


def _service_text(
    pdf: fpdf.FPDF, service: SlipService, labels: SlipLabels, layout: _Layout
) -> None:
    """The name, organization and labelled details of a service, left of its QR code."""
    _style(pdf, 14.5, layout, "B", ACCENT)
    _paragraph(pdf, layout.wide.x, layout.wide.width, layout.line(14.5), service.name)
    if service.organization.strip():
        _style(pdf, BODY, layout, "", MUTED)
        _paragraph(pdf, layout.wide.x, layout.wide.width, layout.line(BODY), service.organization)
    pdf.ln(layout.gap(1.5))
    _side_by_side(pdf, layout, _where_rows(service, labels), _when_rows(service, labels))
    _rows(pdf, layout, layout.wide, _what_rows(service, labels))


def _where_rows(service: SlipService, labels: SlipLabels) -> list[_Row]:
    """The address and phone rows, when known."""
    rows = []
    if service.address.strip():
        rows.append(_Row(labels.address, service.address.strip()))
    if service.phone.strip():
        rows.append(_Row(labels.phone, service.phone.strip(), 13.0, "B"))
    return rows


def _when_rows(service: SlipService, labels: SlipLabels) -> list[_Row]:
    """The hours, or a prompt to ask about them, and the walk-in sentence when known."""
    hours = "\n".join(line.strip() for line in service.hours if line.strip())
    rows = [_Row(labels.hours, hours) if hours else _Row(labels.hours, labels.hours_unknown)]
    if service.walk_ins.strip():
        rows.append(_Row("", service.walk_ins.strip(), BODY, "I"))
    return rows


def _what_rows(service: SlipService, labels: SlipLabels) -> list[_Row]:
    """What to bring and the cost, when known."""
    rows = []
    if service.bring.strip():
        rows.append(_Row(labels.bring, service.bring.strip()))
    if service.cost.strip():
        rows.append(_Row(labels.cost, service.cost.strip()))
    return rows


def _side_by_side(pdf: fpdf.FPDF, layout: _Layout, left: list[_Row], right: list[_Row]) -> None:
    """Two columns of rows from the same top, or one column when one side is empty or split."""
    top, page = pdf.get_y(), pdf.page
    if not left:
        _rows(pdf, layout, layout.left, right)
        return
    _rows(pdf, layout, layout.left, left)
    if pdf.page != page:
        _rows(pdf, layout, layout.wide, right)
        return
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    _rows(pdf, layout, layout.right, right)
    if pdf.page == page:
        pdf.set_y(max(left_bottom, pdf.get_y()))


def _rows(pdf: fpdf.FPDF, layout: _Layout, column: _Column, rows: list[_Row]) -> None:
    """Rows one below the other in a column."""
    for row in rows:
        _row(pdf, layout, column, row)


def _row(pdf: fpdf.FPDF, layout: _Layout, column: _Column, row: _Row) -> None:
    """A small grey label beside its value, both wrapped within their column."""
    top, page, height = pdf.get_y(), pdf.page, layout.line(row.points)
    label_bottom = top
    if row.label:
        _style(pdf, LABEL, layout, "B", MUTED)
        _paragraph(pdf, column.x, column.label_w - 1.0, height, row.label)
        label_bottom = pdf.get_y()
    pdf.set_y(top)
    _style(pdf, row.points, layout, row.style)
    _paragraph(pdf, column.x + column.label_w, column.width - column.label_w, height, row.value)
    bottom = max(pdf.get_y(), label_bottom) if pdf.page == page else pdf.get_y()
    pdf.set_y(bottom + layout.gap(1.2))


def _qr(pdf: fpdf.FPDF, url: str, caption: str, layout: _Layout, top: float) -> float:
    """A QR code of `url` at the right of the block with its caption; returns its bottom."""
    if not url.strip():
        return top
    pdf.image(io.BytesIO(_qr_png(url.strip())), x=layout.qr_x, y=top, w=QR_SIZE, h=QR_SIZE)
    _style(pdf, 7.5, layout, "", MUTED)
    pdf.set_xy(layout.qr_x - 2.0, top + QR_SIZE + 0.5)
    height = layout.line(7.5)
    pdf.multi_cell(QR_SIZE + 4.0, height, printable(caption), align="C")
    bottom = pdf.get_y()
    pdf.set_y(top)
    return bottom


@functools.lru_cache(maxsize=64)
def _qr_png(url: str) -> bytes:
    """A PNG image of a QR code for `url`, with its quiet zone."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def _contact_box(pdf: fpdf.FPDF, slip: Slip, labels: SlipLabels, layout: _Layout) -> None:
    """The shaded "questions?" box with the case manager's details, at the foot of the page."""
    height = _contact_height(pdf, slip, labels, layout)
    top = max(pdf.get_y() + layout.gap(6), pdf.page_break_trigger - height)
    if top + height > pdf.page_break_trigger + 0.01:
        pdf.add_page()
        top = pdf.page_break_trigger - height
    pdf.set_fill_color(*BOX_FILL)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.4)
    pdf.rect(pdf.l_margin, top, pdf.epw, height, style="DF", round_corners=True, corner_radius=2)
    pdf.set_y(top + BOX_PAD)
    _contact_text(pdf, slip, labels, layout)


def _contact_parts(slip: Slip) -> list[_Row]:
    """The case manager's name, phone and email, those that are known, as unlabelled rows."""
    parts = [
        _Row("", slip.contact_name.strip()),
        _Row("", slip.contact_phone.strip(), 13.0, "B"),
        _Row("", slip.contact_email.strip()),
    ]
    return [part for part in parts if part.value]


def _contact_text(pdf: fpdf.FPDF, slip: Slip, labels: SlipLabels, layout: _Layout) -> None:
    """The box's heading, then the contact details on one line, or stacked if they don't fit."""
    x, inner = pdf.l_margin + BOX_PAD, pdf.epw - 2 * BOX_PAD
    _style(pdf, 12.0, layout, "B", ACCENT)
    _paragraph(pdf, x, inner, layout.line(12.0), labels.questions)
    pdf.ln(layout.gap(0.8))
    parts = _contact_parts(slip)
    if _one_line_width(pdf, layout, parts) <= inner:
        _contact_line(pdf, layout, x, parts)
        return
    for part in parts:
        _style(pdf, part.points, layout, part.style)
        _paragraph(pdf, x, inner, layout.line(part.points), part.value)


def _one_line_width(pdf: fpdf.FPDF, layout: _Layout, parts: list[_Row]) -> float:
    """How wide the contact details are when set on one line with space between them."""
    width = CONTACT_SPACE * max(len(parts) - 1, 0)
    for part in parts:
        _style(pdf, part.points, layout, part.style)
        width += pdf.get_string_width(printable(part.value))
    return width


def _contact_line(pdf: fpdf.FPDF, layout: _Layout, x: float, parts: list[_Row]) -> None:
    """The contact details side by side on one line, sharing a baseline height."""
    height = max((layout.line(part.points) for part in parts), default=0.0)
    pdf.set_x(x)
    for part in parts:
        _style(pdf, part.points, layout, part.style)
        text = printable(part.value)
        pdf.cell(pdf.get_string_width(text) + CONTACT_SPACE, height, text)
    pdf.ln(height)


def _contact_height(pdf: fpdf.FPDF, slip: Slip, labels: SlipLabels, layout: _Layout) -> float:
    """How tall the contact box is, padding included."""
    return _measure(pdf, lambda scratch: _contact_text(scratch, slip, labels, layout)) + 2 * BOX_PAD

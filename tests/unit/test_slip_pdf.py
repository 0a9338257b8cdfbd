"""The printed referral slip: page sizes, fitting on one page, text encoding and layout."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import fpdf
import pytest

from referral.referrals.slip_pdf import (
    MARGIN,
    Slip,
    SlipLabels,
    SlipService,
    printable,
    render_pdf,
)

MM = 72 / 25.4

ENGLISH = SlipLabels(
    title="Your referrals",
    prepared_for="Prepared for {name} on {date}",
    address="Address",
    phone="Phone",
    hours="Hours",
    hours_unknown="Call to ask about hours",
    bring="What to bring",
    cost="Cost",
    scan="Scan for details and directions",
    questions="Questions? Call your case manager",
    unknown="Ask when you call",
)

SPANISH = SlipLabels(
    title="Sus referidos",
    prepared_for="Preparado para {name} el {date}",
    address="Dirección",
    phone="Teléfono",
    hours="Horario",
    hours_unknown="Llame para preguntar el horario",
    bring="Qué traer",
    cost="Costo",
    scan="Escanee para ver detalles y cómo llegar",
    questions="¿Preguntas? Llame a su administradora de casos",
    unknown="Pregunte cuando llame",
)

BRING = (
    "A photo ID for every adult in the household, proof of address dated within the last "
    "30 days (a utility bill or lease), and Social Security cards for all of the children."
)
COST = "Free for households under 200% of the poverty level; otherwise a sliding fee of $5-$20."


def service(number: int, **changes: object) -> SlipService:
    """A service with typical text: two address lines, three hours lines, long notes."""
    typical = SlipService(
        name=f"Neighborhood Family Services Center {number}",
        organization="Greater Cleveland Community Partners",
        address=f"{1500 + number} South Waterloo Road, Suite 210\nCleveland, OH 44110",
        phone=f"(216) 555-01{number:02d}",
        hours=("Mon–Fri 9:00 AM – 5:00 PM", "Sat 10:00 AM – 1:00 PM", "Closed on holidays"),
        walk_ins="Walk-ins are welcome.",
        bring=BRING,
        cost=COST,
        url=f"https://referral.example.org/services/{number}/neighborhood-family-services",
    )
    return replace(typical, **changes)


def slip(count: int = 4, **changes: object) -> Slip:
    """A slip for Maria listing `count` typical services."""
    typical = Slip(
        patient_name="María",
        prepared_on="March 3, 2025",
        services=tuple(service(number) for number in range(1, count + 1)),
        contact_name="Ana Ruiz",
        contact_phone="(216) 555-0142",
        contact_email="ana.ruiz@clinic.example.org",
        organization="MetroHealth Community Care",
    )
    return replace(typical, **changes)


def plain(document: Slip, labels: SlipLabels = ENGLISH, paper: str = "letter") -> bytes:
    """The slip's PDF with uncompressed content streams, so its text can be searched."""
    return render_pdf(document, labels, paper, compress=False)


def page_count(pdf: bytes) -> int:
    """How many page objects a PDF has."""
    return len(re.findall(rb"/Type /Page\b", pdf))


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    """The width and height in points of every page's MediaBox."""
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    return [(float(width), float(height)) for width, height in boxes]


@dataclass(frozen=True)
class Run:
    """A run of text drawn on a page: where it starts, how wide it is, and what it says."""

    x: float
    y: float
    width: float
    text: str


def text_runs(pdf: bytes) -> list[Run]:
    """Every run of text in an uncompressed PDF, measured with the font it is set in."""
    styles = font_styles(pdf)
    meter = fpdf.FPDF(unit="pt")
    runs = []
    pattern = rb"/(F\d+) ([\d.]+) Tf|BT ([\d.]+) ([\d.]+) Td [^(]*\(((?:\\.|[^\\)])*)\) Tj"
    for match in re.finditer(pattern, pdf):
        if match[1]:
            meter.set_font("helvetica", styles[match[1]], float(match[2]))
            continue
        text = re.sub(rb"\\(.)", rb"\1", match[5]).decode("latin-1")
        runs.append(Run(float(match[3]), float(match[4]), meter.get_string_width(text), text))
    return runs


def font_styles(pdf: bytes) -> dict[bytes, str]:
    """The fpdf style ("", "B", "I", "BI") of each font resource name in a PDF."""
    objects = dict(re.findall(rb"(\d+) 0 obj\s*<<\s*/BaseFont /([\w-]+)", pdf))
    styles = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", pdf):
        base = objects[number]
        styles[name] = ("B" if b"Bold" in base else "") + ("I" if b"Oblique" in base else "")
    return styles


def images(pdf: bytes) -> list[tuple[float, float, float]]:
    """The x, y and width in points of every image drawn on the pages."""
    found = re.findall(rb"([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm /I\d+ Do", pdf)
    return [(float(x), float(y), float(width)) for width, _, x, y in found]


def test_rendered_slip_is_a_pdf_document() -> None:
    assert render_pdf(slip(), ENGLISH).startswith(b"%PDF")


def test_letter_paper_is_612_by_792_points() -> None:
    assert media_boxes(plain(slip())) == [(612.0, 792.0)]


def test_a4_paper_is_595_by_842_points() -> None:
    assert media_boxes(plain(slip(), paper="a4")) == [(595.28, 841.89)]


@pytest.mark.parametrize(("paper", "size"), [("A4", (595.28, 841.89)), ("Letter", (612.0, 792.0))])
def test_paper_names_ignore_case(paper: str, size: tuple[float, float]) -> None:
    assert media_boxes(plain(slip(1), paper=paper)) == [size]


def test_unknown_paper_raises_value_error_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="'letter', 'a4'"):
        render_pdf(slip(), ENGLISH, "legal")


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("labels", [ENGLISH, SPANISH], ids=["english", "spanish"])
def test_four_typical_services_fit_on_one_page(paper: str, labels: SlipLabels) -> None:
    assert page_count(plain(slip(4), labels, paper)) == 1


def test_one_service_is_set_in_full_size_type() -> None:
    assert b"/F1 14.50 Tf" in plain(slip(1))


@pytest.fixture(scope="module")
def forty() -> bytes:
    """An uncompressed slip listing forty typical services."""
    return plain(slip(40))


def test_forty_services_spill_onto_more_pages_keeping_every_name(forty: bytes) -> None:
    assert page_count(forty) > 1
    for number in range(1, 41):
        assert f"(Neighborhood Family Services Center {number})".encode() in forty


def test_forty_services_keep_the_contact_box_after_the_last_service(forty: bytes) -> None:
    assert forty.index(b"(Questions? Call your case manager)") > forty.index(b"Center 40)")


def test_spanish_accents_are_written_as_latin1_bytes() -> None:
    pdf = plain(slip(), SPANISH)
    for text in (b"Qu\xe9 traer", b"Tel\xe9fono", b"Direcci\xf3n", b"\xbfPreguntas?"):
        assert text in pdf


def test_patient_name_and_date_fill_the_prepared_for_line() -> None:
    assert b"(Prepared for Mar\xeda on March 3, 2025)" in plain(slip())


def test_metadata_title_is_the_slip_title_without_the_patient_name() -> None:
    pdf = plain(slip())
    info = re.search(rb"<<\s*/CreationDate.*?>>", pdf, re.DOTALL)
    assert info is not None
    assert b"/Title (Your referrals)" in info[0]
    assert b"Mar\xeda" not in info[0] and b"Maria" not in info[0]


def test_rows_with_empty_values_are_left_out() -> None:
    bare = service(1, address="", phone="", bring="", cost="", walk_ins="")
    runs = {run.text for run in text_runs(plain(slip(services=(bare,))))}
    assert not runs & {"Address", "Phone", "What to bring", "Cost", "Walk-ins are welcome."}
    assert "Hours" in runs


def test_unknown_hours_show_the_hours_unknown_label() -> None:
    runs = {run.text for run in text_runs(plain(slip(services=(service(1, hours=()),))))}
    assert "Call to ask about hours" in runs


def test_every_hours_entry_gets_its_own_line() -> None:
    runs = {run.text for run in text_runs(plain(slip(1)))}
    assert {"Mon-Fri 9:00 AM - 5:00 PM", "Sat 10:00 AM - 1:00 PM", "Closed on holidays"} <= runs


def test_walk_in_sentence_is_shown_when_given() -> None:
    assert b"(Walk-ins are welcome.)" in plain(slip(1))


def test_contact_box_skips_empty_contact_details() -> None:
    pdf = plain(slip(1, contact_name="", contact_email=""))
    assert b"(Questions? Call your case manager)" in pdf
    assert b"(\\(216\\) 555-0142)" in pdf
    assert b"Ana Ruiz" not in pdf and b"clinic.example.org" not in pdf


def test_each_service_with_a_url_gets_a_qr_code_at_least_22_mm_square() -> None:
    documents = (service(1), service(2, url=""), service(3))
    found = images(plain(slip(services=documents)))
    assert len(found) == 2
    assert all(width >= 22 * MM for _, _, width in found)


def test_text_stays_inside_the_side_margins() -> None:
    long_word = "https://example.org/" + "very-long-path-segment-" * 12
    pdf = plain(slip(2, services=(service(1, bring=long_word, name="X" * 150), service(2))))
    page_width = media_boxes(pdf)[0][0]
    for run in text_runs(pdf):
        assert run.x >= MARGIN * MM - 0.5
        assert run.x + run.width <= page_width - MARGIN * MM + 0.5, run.text


def test_long_words_wrap_onto_several_lines() -> None:
    long_word = "https://example.org/" + "very-long-path-segment-" * 12
    runs = text_runs(plain(slip(services=(service(1, bring=long_word),))))
    pieces = [run.text for run in runs if "very-long" in run.text]
    assert len(pieces) > 1
    assert "".join(pieces) == long_word


def test_service_text_column_ends_before_the_qr_codes() -> None:
    pdf = plain(slip(4))
    runs, codes = text_runs(pdf), images(pdf)
    qr_x = min(x for x, _, _ in codes)
    contact_box = next(run.y for run in runs if run.text.startswith("Questions?"))
    top = max(y + size for _, y, size in codes)
    services = [run for run in runs if contact_box < run.y <= top and run.x < qr_x - 3 * MM]
    assert len(services) > 40
    assert all(run.x + run.width < qr_x - 3 * MM for run in services)


@pytest.mark.parametrize(
    ("typographic", "expected"),
    [("9–5 — daily", "9-5 - daily"), ("‐‑‒―−", "-----")],
)
def test_printable_turns_dashes_into_hyphens(typographic: str, expected: str) -> None:
    assert printable(typographic) == expected


def test_printable_turns_curly_single_quotes_into_apostrophes() -> None:
    assert printable("‘don’t’") == "'don't'"


def test_printable_turns_curly_double_quotes_into_straight_ones() -> None:
    assert printable("“Hi” „there“") == '"Hi" "there"'


def test_printable_turns_an_ellipsis_into_three_dots() -> None:
    assert printable("wait…") == "wait..."


def test_printable_turns_bullets_into_hyphens() -> None:
    assert printable("• ID") == "- ID"


def test_printable_turns_odd_spaces_into_plain_spaces() -> None:
    assert printable("a\u00a0b\u2003c\u202fd\u3000e\u2009f") == "a b c d e f"


@pytest.mark.parametrize(
    "text", ["¿Qué? ¡Sí! Dirección, teléfono, niño, pingüino", "Mèsi, kò, à, Haïti, ça"]
)
def test_printable_keeps_spanish_french_and_creole_letters(text: str) -> None:
    assert printable(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Nguyễn Thị", "Nguyen Thi"), ("Ștefan Dvořák", "Stefan Dvorák"), ("ﬁle ™", "file TM")],
)
def test_printable_reduces_other_accented_letters_to_their_base(text: str, expected: str) -> None:
    assert printable(text) == expected


def test_printable_replaces_what_latin1_cannot_show_with_question_marks() -> None:
    assert printable("日本 🙂 ok") == "?? ? ok"


def test_printable_strips_control_characters_but_keeps_line_breaks() -> None:
    assert printable("a\x00b\x1bc\x7fd\x85e\u200bf\nline\r\nnext\tend") == "abcdef\nline\nnext end"


def test_printable_never_raises_and_always_gives_latin1() -> None:
    every = "".join(chr(code) for code in range(0x110000) if code % 13 == 0 or code < 0x3000)
    printable(every).encode("latin-1")

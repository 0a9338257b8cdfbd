"""The Spanish interface catalog: complete, compiled from its source, and names its source."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "referral" / "translations" / "es" / "LC_MESSAGES"
METHODS = [("referral/**.py", "python"), ("templates/**.html", "jinja2")]


def po():
    with open(CATALOG / "messages.po", "rb") as f:
        return read_po(f, locale="es")


def test_every_interface_string_has_a_spanish_translation():
    found = {
        message for _, _, message, *_ in extract_from_dir(str(ROOT), METHODS, keywords={"_": None})
    }
    translated = {m.id: m.string for m in po() if m.id}
    assert found <= set(translated), found - set(translated)
    assert all(translated[message] for message in found)


def test_the_compiled_catalog_matches_its_source():
    with open(CATALOG / "messages.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == {m.id: m.string for m in po() if m.id}


def test_the_catalog_names_where_its_spanish_comes_from():
    assert "not professionally translated" in (CATALOG / "messages.po").read_text(encoding="utf-8")

"""Imported text loses control characters that databases refuse."""

from referral.directory.hsds.cleaning import clean_id, clean_text


def test_control_characters_are_removed_from_text_and_ids():
    assert clean_text("Food\x00 Pantry\x07") == "Food Pantry"
    assert clean_id(" s\x001 ") == "s1"


def test_newlines_and_tabs_are_kept():
    assert clean_text("line one\nline\ttwo") == "line one\nline\ttwo"

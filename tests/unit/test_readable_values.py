"""Field values as curators read them on comparisons, requests and history."""

from referral.curation.views import readable


def test_hours_read_as_days_and_times():
    rows = [{"weekday": 1, "opens_at": "10:00", "closes_at": "12:00"}]
    assert readable(rows) == "Tue 10:00–12:00"


def test_phones_areas_and_lists_read_one_per_line():
    assert readable([{"number": "(216) 555-0100", "extension": "2"}]) == "(216) 555-0100 ext. 2"
    assert readable(
        [{"kind": "county", "value": "OH:Cuyahoga County", "name": "Cuyahoga County, OH"}]
    ) == ("Cuyahoga County, OH")
    assert readable(["Photo ID", "Proof of address"]) == "Photo ID\nProof of address"


def test_stored_json_text_is_read_back_and_empty_values_show_a_dash():
    assert readable('["en", "es"]') == "en\nes"
    assert readable("") == "—" and readable(None) == "—" and readable("[]") == "—"
    assert readable("[not json") == "[not json"

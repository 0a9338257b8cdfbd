"""The patient's page says hours in words and links phones and maps correctly."""

from referral.patientlink.wording import directions_url, plain_hours, plain_line, tel_url


def test_day_ranges_and_times_are_written_out():
    assert plain_line("Mon–Fri: 9:00 AM–5:00 PM", "en") == "Monday to Friday: 9:00 AM to 5:00 PM"
    assert plain_line("sáb: 9:00 a. m.–1:00 p. m.", "es") == "sábado: 9:00 a. m. a 1:00 p. m."
    two = plain_line("Tue: 9:00 AM–12:00 PM, 1:00 PM–4:00 PM", "en")
    assert two == "Tuesday: 9:00 AM to 12:00 PM, 1:00 PM to 4:00 PM"


def test_lines_in_another_shape_are_kept():
    assert plain_hours(["By appointment", "Open 24 hours"], "en") == [
        "By appointment",
        "Open 24 hours",
    ]


def test_phone_links_keep_digits_and_the_extension():
    assert tel_url("216-555-0107 ext. 2") == "tel:2165550107;ext=2"
    assert tel_url("+1 (216) 555-0100") == "tel:+12165550100"
    assert tel_url("") == "" and tel_url("call us") == ""


def test_directions_search_the_address_on_one_line():
    url = directions_url("3115 Chester Ave\nCleveland, OH 44114")
    assert url.endswith("destination=3115+Chester+Ave%2C+Cleveland%2C+OH+44114")
    assert directions_url("") == ""

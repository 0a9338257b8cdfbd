"""Delivery rules: quiet hours in the patient's time zone (across midnight and daylight-saving
changes), the retry back-off, reading replies, Message-IDs and the daily run."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from referral.notifications import rules
from referral.notifications.replies import GOT_HELP, NO_HELP, OTHER, STOP, parse_reply

NIGHT = (time(21), time(8))
NY = "America/New_York"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_quiet_hours_are_read_from_their_setting_and_can_be_off():
    assert rules.parse_quiet_hours("21:00-08:00") == NIGHT
    assert rules.parse_quiet_hours(" 7:30 - 9:15 ") == (time(7, 30), time(9, 15))
    assert rules.parse_quiet_hours("off") is None and rules.parse_quiet_hours("") is None
    for bad in ("9pm-8am", "25:00-08:00", "21:00"):
        with pytest.raises(ValueError):
            rules.parse_quiet_hours(bad)


def test_a_text_in_the_day_goes_at_once():
    now = utc(2026, 6, 10, 16, 0)  # 12:00 in New York
    assert rules.first_moment_allowed(now, NY, NIGHT) == now


def test_a_text_late_in_the_evening_waits_for_the_next_morning():
    now = utc(2026, 6, 11, 2, 30)  # 22:30 on 10 June in New York (EDT, UTC-4)
    assert rules.first_moment_allowed(now, NY, NIGHT) == utc(2026, 6, 11, 12, 0)


def test_a_text_after_midnight_waits_for_the_same_morning():
    now = utc(2026, 6, 11, 5, 0)  # 01:00 on 11 June in New York
    assert rules.first_moment_allowed(now, NY, NIGHT) == utc(2026, 6, 11, 12, 0)


def test_the_morning_is_the_patients_own_not_the_servers():
    now = utc(2026, 6, 11, 2, 30)  # 22:30 in New York, but 19:30 in Los Angeles
    assert rules.first_moment_allowed(now, "America/Los_Angeles", NIGHT) == now


def test_quiet_hours_across_the_spring_change_end_at_eight_on_the_new_clock():
    now = utc(2026, 3, 8, 3, 0)  # 22:00 EST on 7 March; clocks go forward at 02:00 on 8 March
    assert rules.first_moment_allowed(now, NY, NIGHT) == utc(2026, 3, 8, 12, 0)  # 08:00 EDT


def test_quiet_hours_across_the_autumn_change_end_at_eight_on_the_new_clock():
    now = utc(2026, 11, 1, 2, 0)  # 22:00 EDT on 31 October; clocks go back at 02:00 on 1 Nov
    assert rules.first_moment_allowed(now, NY, NIGHT) == utc(2026, 11, 1, 13, 0)  # 08:00 EST


def test_quiet_hours_ending_in_the_skipped_hour_end_when_the_clock_resumes():
    now = utc(2026, 3, 8, 6, 30)  # 01:30 EST on 8 March, in quiet hours until 02:30
    ends = rules.first_moment_allowed(now, NY, (time(1), time(2, 30)))
    assert ends == utc(2026, 3, 8, 7, 0)  # 03:00 EDT, the first moment after the gap


def test_quiet_hours_that_do_not_wrap_past_midnight():
    early = (time(0), time(7))
    assert rules.first_moment_allowed(utc(2026, 6, 10, 8, 0), NY, early) == utc(2026, 6, 10, 11)
    assert rules.first_moment_allowed(utc(2026, 6, 10, 12, 0), NY, early) == utc(2026, 6, 10, 12)


def test_no_quiet_hours_means_now_and_an_unknown_zone_is_refused():
    now = utc(2026, 6, 11, 2, 30)
    assert rules.first_moment_allowed(now, NY, None) == now
    with pytest.raises(ValueError, match="time zone"):
        rules.first_moment_allowed(now, "Mars/Olympus", NIGHT)


def test_failed_attempts_wait_one_five_thirty_minutes_then_two_hours_then_give_up():
    now = utc(2026, 6, 10, 12)
    waits = [rules.retry_at(n, now) - now for n in (1, 2, 3, 4)]
    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
    ]
    assert rules.retry_at(5, now) is None


@pytest.mark.parametrize(
    ("text", "kind", "says"),
    [
        ("1", GOT_HELP, "got-help"),
        (" Yes! ", GOT_HELP, "got-help"),
        ("sí", GOT_HELP, "got-help"),
        ("Si", GOT_HELP, "got-help"),
        ("2", NO_HELP, "couldnt-get-help"),
        ("NO.", NO_HELP, "couldnt-get-help"),
    ],
)
def test_one_and_yes_mean_got_help_two_and_no_mean_did_not(text, kind, says):
    reply = parse_reply(text)
    assert (reply.kind, reply.patient_says) == (kind, says)


@pytest.mark.parametrize(
    "text", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "cancel", "END", "quit"]
)
def test_stop_and_its_synonyms_opt_out(text):
    assert parse_reply(text).kind == STOP


@pytest.mark.parametrize(
    "text", ["", "12", "I went on Tuesday, they were closed", "yes please call"]
)
def test_anything_else_is_words_for_the_case_manager(text):
    assert parse_reply(text) == parse_reply(text) and parse_reply(text).kind == OTHER


def test_a_message_id_comes_from_the_key_so_a_resend_carries_the_same_one():
    first = rules.message_id("referral-arrived:7", "Care <care@clinic.example>")
    assert first == rules.message_id("referral-arrived:7", "care@clinic.example")
    assert first.endswith("@clinic.example>") and first != rules.message_id("x", "a@b.org")


def test_texts_go_to_valid_numbers_in_e164():
    assert rules.sms_number("(216) 555-0142") == "+12165550142"
    for bad in ("", "555", "call me"):
        with pytest.raises(ValueError):
            rules.sms_number(bad)


def test_the_daily_jobs_run_once_a_day_after_their_hour():
    morning = datetime(2026, 6, 10, 7, 5)
    assert rules.daily_run_due(morning, 7, None)
    assert not rules.daily_run_due(morning, 7, date(2026, 6, 10))
    assert not rules.daily_run_due(datetime(2026, 6, 11, 6, 59), 7, date(2026, 6, 10))
    assert rules.daily_run_due(datetime(2026, 6, 11, 7, 0), 7, date(2026, 6, 10))

"""Reading HL7 v2 ADT messages: events become encounters, and every unusable message comes
back with a sentence saying what is wrong instead of an exception."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from referral.transitions.adt import ack, hl7_time, parse, split_messages

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adt"


def messages(name: str) -> list[str]:
    return split_messages((FIXTURES / name).read_bytes().decode())


def one(name: str):
    [raw] = messages(name)
    return parse(raw)


def test_an_admit_is_an_admission_with_its_mrn_time_facility_and_diagnosis():
    found = one("a01_admit.hl7")
    assert (found.kind, found.event, found.control_id) == ("admission", "A01", "JMH0001")
    assert found.mrn == "MRN1001", "the identifier of type MR is taken among several"
    assert found.at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert found.facility == "Jackson Memorial" and found.sending_facility == "JMH"
    assert found.diagnosis_codes == ["J18.9"] and not found.problem


def test_a_discharge_keeps_every_diagnosis_code():
    found = one("a03_discharge.hl7")
    assert found.kind == "discharge" and found.diagnosis_codes == ["Z59.0", "I10"]


def test_an_emergency_registration_with_newline_separators_is_an_emergency_visit():
    found = one("a04_emergency.hl7")
    assert found.kind == "emergency" and found.facility == "Jackson Memorial ED"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("truncated.hl7", "PV1 segment is missing"),
        ("a08_update.hl7", "A08 is not recorded"),
        ("missing_mrn.hl7", "PID-3 holds no medical record number"),
    ],
)
def test_unusable_messages_say_what_is_wrong_and_keep_their_text(name, problem):
    found = one(name)
    assert problem in found.problem
    assert found.raw.startswith("MSH|") and found.control_id


def test_an_outpatient_registration_is_not_an_emergency_visit():
    raw = messages("a04_emergency.hl7")[0].replace("PV1|1|E|", "PV1|1|O|")
    assert "only emergency registrations" in parse(raw).problem


def test_garbage_and_broken_headers_never_raise():
    assert "MSH" in parse("hello there").problem
    assert parse("MSH|").problem and parse("MSH|^~\\&|X").problem
    assert parse("MSH|^~\\&|A|B|C|D|2026||ADT^A03|1|P|2.5\rPID|||\x00").problem


def test_a_file_of_two_messages_and_mllp_frames_split_into_messages():
    assert [parse(m).control_id for m in messages("two_messages.hl7")] == ["JMH0007", "JMH0008"]
    framed = messages("mllp_framed.hl7")
    assert [parse(m).kind for m in framed] == ["discharge", "emergency"]
    assert not any("\x0b" in m or "\x1c" in m for m in framed)


def test_text_before_the_first_header_is_a_message_of_its_own():
    found = split_messages("junk\rMSH|^~\\&|A\r")
    assert found == ["junk", "MSH|^~\\&|A"]


def test_hl7_times_with_and_without_offsets():
    assert hl7_time("202612040830-0500") == datetime.fromisoformat("2026-12-04T08:30-05:00")
    assert hl7_time("20261304") is None and hl7_time("soon") is None


def test_an_ack_accepts_a_stored_message_and_reports_a_problem():
    accepted = ack(one("a03_discharge.hl7"), True)
    assert "MSA|AA|JMH0002|" in accepted and accepted.startswith("MSH|^~\\&|REFERRAL||EPIC|")
    refused = ack(one("a08_update.hl7"), True)
    assert "MSA|AE|JMH0005|MSH-9 event A08" in refused
    assert "MSA|AR|" in ack(parse("junk"), True)

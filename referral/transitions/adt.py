"""Reading HL7 v2 ADT messages (no Flask, no database): split a feed into messages and read
each one's event, patient MRN, time, facility and diagnoses with `hl7` (python-hl7).

A message that cannot be recorded is not an exception: it comes back with a `problem`, a
sentence saying what is wrong and where, and is stored as rejected with its text intact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import hl7

MLLP_START, MLLP_END = "\x0b", "\x1c"
EVENT_KINDS = {"A01": "admission", "A03": "discharge", "A04": "emergency"}
"""The ADT events recorded, and the encounter each one is."""
EMERGENCY_CLASS = "E"
MSH_START = re.compile(r"(?:^|(?<=[\r\n]))MSH")
HL7_TIME = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")


@dataclass(frozen=True)
class ParsedMessage:
    """What one ADT message says; `problem` is set when it cannot be recorded."""

    raw: str
    control_id: str = ""
    event: str = ""
    sending_facility: str = ""
    mrn: str | None = None
    kind: str | None = None
    at: datetime | None = None
    facility: str = ""
    diagnosis_codes: list[str] = field(default_factory=list)
    problem: str = ""


class Reading:
    """A parsed message's fields as text, read by position with its own separators; a field,
    component or segment that is absent reads as blank."""

    def __init__(self, message: hl7.Message):
        self.message = message
        _, _, self.repeat, self.component_separator, self.sub = message.separators

    def segments(self, name: str) -> list:
        """The segments called `name`, in order."""
        return [s for s in self.message if str(s[0]) == name]

    def field(self, segment, number: int) -> str:
        """Field `number` of a segment (MSH counted as HL7 counts it), blank when absent."""
        if segment is None or number >= len(segment):
            return ""
        return str(segment[number]).strip()

    def component(self, value: str, index: int) -> str:
        """Component `index` (from 1) of a field's text (of its first repetition)."""
        parts = value.split(self.repeat)[0].split(self.component_separator)
        return parts[index - 1].strip() if index <= len(parts) else ""

    def repetitions(self, value: str) -> list[str]:
        """The repetitions of a field's text."""
        return [r for r in value.split(self.repeat) if r.strip()]


def split_messages(text: str) -> list[str]:
    """The messages of a file or stream: MLLP framing removed, each starting at an MSH
    segment; text before the first MSH comes back as a message of its own (to be rejected)."""
    text = text.replace(MLLP_START, "").replace(MLLP_END, "")
    starts = [m.start() for m in MSH_START.finditer(text)]
    bounds = [0, *starts] if not starts or starts[0] != 0 else starts
    pieces = [text[a:b] for a, b in zip(bounds, [*bounds[1:], len(text)], strict=True)]
    return [p.strip("\r\n \t") for p in pieces if p.strip()]


def segments(raw: str) -> list[str]:
    """The segments of a message, whether separated by CR, LF or CRLF."""
    return [s for s in re.split(r"\r\n|\r|\n", raw) if s.strip()]


def parse(raw: str, zone: tzinfo = UTC) -> ParsedMessage:
    """Read one message; times without an offset are taken to be in `zone`."""
    lines = segments(raw.replace("\x00", ""))
    if not lines or not lines[0].startswith("MSH"):
        return ParsedMessage(raw, problem="The message does not start with an MSH segment.")
    if len(lines[0]) < 8 or len(set(lines[0][3:8])) < 5:
        return ParsedMessage(
            raw, problem="MSH-1 and MSH-2 (the separators) are missing or repeat a character."
        )
    try:
        reading = Reading(hl7.parse("\r".join(lines)))
        return read_message(raw, reading, zone)
    except Exception as exc:  # a message the parser cannot take apart is malformed
        return ParsedMessage(raw, problem=f"The message could not be read as HL7 v2: {exc}")


def read_message(raw: str, reading: Reading, zone: tzinfo) -> ParsedMessage:
    """The fields of a parsed message, or the first problem found."""
    [msh, *_] = reading.segments("MSH")
    message_type = reading.field(msh, 9)
    evn = next(iter(reading.segments("EVN")), None)
    found = {
        "control_id": reading.field(msh, 10)[:64],
        "sending_facility": reading.component(reading.field(msh, 4), 1),
        "event": (reading.component(message_type, 2) or reading.field(evn, 1))[:8],
    }
    problem = header_problem(reading.component(message_type, 1), found)
    if problem:
        return ParsedMessage(raw, **found, problem=problem)
    pid = next(iter(reading.segments("PID")), None)
    pv1 = next(iter(reading.segments("PV1")), None)
    problem = segment_problem(reading, pid, pv1, found["event"])
    if problem:
        return ParsedMessage(raw, **found, problem=problem)
    mrn = medical_record_number(reading, pid)
    at = event_time(reading, evn, pv1, found["event"], zone)
    location = reading.component(reading.field(pv1, 3), 4)
    values = {
        **found,
        "mrn": mrn,
        "kind": EVENT_KINDS[found["event"]],
        "at": at,
        "facility": location.split(reading.sub)[0] or found["sending_facility"],
        "diagnosis_codes": diagnosis_codes(reading),
    }
    return ParsedMessage(raw, **values, problem=content_problem(mrn, at))


def header_problem(message_type: str, found: dict) -> str:
    """What makes the header unusable: no control id, not ADT, an event not recorded."""
    if not found["control_id"]:
        return "MSH-10 (message control id) is empty."
    if message_type != "ADT":
        return f"MSH-9 says {message_type or 'nothing'}: only ADT messages are read."
    if found["event"] not in EVENT_KINDS:
        known = ", ".join(EVENT_KINDS)
        return f"MSH-9 event {found['event'] or '(empty)'} is not recorded (only {known})."
    return ""


def segment_problem(reading: Reading, pid, pv1, event: str) -> str:
    """A missing segment (a message cut off) or an A04 that is not an emergency visit."""
    if pid is None:
        return "The PID segment is missing (the message may be cut off)."
    if pv1 is None:
        return "The PV1 segment is missing (the message may be cut off)."
    patient_class = reading.field(pv1, 2)
    if event == "A04" and patient_class != EMERGENCY_CLASS:
        return (
            f"A04 registration with patient class PV1-2 {patient_class or '(empty)'}: only "
            "emergency registrations (class E) are recorded."
        )
    return ""


def content_problem(mrn: str | None, at: datetime | None) -> str:
    """A missing MRN or event time."""
    if not mrn:
        return "PID-3 holds no medical record number."
    if at is None:
        return "No event time: EVN-2, PV1-44 and PV1-45 are empty or not HL7 times."
    return ""


def medical_record_number(reading: Reading, pid) -> str | None:
    """The identifier of PID-3 whose type (CX-5) is MR, else the first one."""
    ids = [
        (reading.component(rep, 1), reading.component(rep, 5))
        for rep in reading.repetitions(reading.field(pid, 3))
    ]
    ids = [(value, kind) for value, kind in ids if value]
    chosen = next((v for v, k in ids if k == "MR"), ids[0][0] if ids else None)
    return chosen[:64] if chosen else None


def event_time(reading: Reading, evn, pv1, event: str, zone: tzinfo) -> datetime | None:
    """When it happened: EVN-2, else the discharge (PV1-45) or admit (PV1-44) time."""
    visit = (45, 44) if event == "A03" else (44, 45)
    values = (reading.field(evn, 2), *(reading.field(pv1, n) for n in visit))
    for value in values:
        found = hl7_time(reading.component(value, 1), zone)
        if found is not None:
            return found
    return None


def hl7_time(value: str, zone: tzinfo = UTC) -> datetime | None:
    """An HL7 DTM (YYYY[MM[DD[HH[MM[SS]]]]][+ZZZZ]) as an aware time, or None."""
    match = HL7_TIME.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        found = datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0)
        ) + timedelta(seconds=int(second or 0))
    except ValueError:
        return None
    if offset:
        sign = -1 if offset[0] == "-" else 1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        return found.replace(tzinfo=timezone(sign * delta))
    return found.replace(tzinfo=zone)


def diagnosis_codes(reading: Reading) -> list[str]:
    """The codes of the DG1 segments (DG1-3.1), in order, without repeats."""
    codes = [reading.component(reading.field(s, 3), 1) for s in reading.segments("DG1")]
    return list(dict.fromkeys(c[:32] for c in codes if c))[:20]


def ack(parsed: ParsedMessage, stored: bool) -> str:
    """The HL7 ACK answering a message: AA when it was recorded (or had been already), AE with
    its problem in MSA-3 when it was kept as rejected, AR when it was no HL7 message at all."""
    code = "AE" if parsed.problem else "AA"
    code = code if parsed.raw.startswith("MSH") else "AR"
    note = parsed.problem or ("" if stored else "Already received.")
    note = re.sub(r"[|^~\\&\r\n]", " ", note)
    header = parsed.raw.split("\r", 1)[0].split("\n", 1)[0].split("|")
    sender = (header + [""] * 12)[2:4]
    version = (header + [""] * 12)[11] or "2.5"
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    control = parsed.control_id
    return (
        f"MSH|^~\\&|REFERRAL||{sender[0]}|{sender[1]}|{now}||ACK|A{control[:19]}|P|{version}\r"
        f"MSA|{code}|{control}|{note}\r"
    )

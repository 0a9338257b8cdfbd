"""Reading HL7 v2 ADT messages (no Flask, no database): split a feed into messages and read
each one's event, patient MRN, time, facility and diagnoses with `hl7apy`.

A message that cannot be recorded is not an exception: it comes back with a `problem`, a
sentence saying what is wrong and where, and is stored as rejected with its text intact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from hl7apy.parser import parse_message

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


READ_FIELDS = {
    "MSH": (3, 8, 9, 11),
    "EVN": (1, 2),
    "PID": (3,),
    "PV1": (2, 3, 44, 45),
    "DG1": (3,),
}
"""The fields read from each segment (by position after the segment name; MSH counts from
its encoding characters, so 3 is MSH-4)."""


def read_part(lines: list[str]) -> str:
    """The segments and fields that are read, others left blank: hl7apy builds a tree of every
    component it is given, and most of a message (names, addresses, insurance) is not read.
    The message is kept whole in `raw` all the same."""
    separator = lines[0][3:4] or "|"
    kept = []
    for line in lines:
        wanted = READ_FIELDS.get(line[:3])
        if wanted is None:
            continue
        fields = line.split(separator)
        last = min(len(fields) - 1, max(wanted))
        keep = {*wanted, 1} if line[:3] == "MSH" else wanted
        kept.append(
            separator.join(
                f if i in keep or i == 0 else "" for i, f in enumerate(fields[: last + 1])
            )
        )
    return "\r".join(kept)


def parse(raw: str, zone: tzinfo = UTC) -> ParsedMessage:
    """Read one message; times without an offset are taken to be in `zone`."""
    lines = segments(raw.replace("\x00", ""))
    if not lines or not lines[0].startswith("MSH"):
        return ParsedMessage(raw, problem="The message does not start with an MSH segment.")
    try:
        message = parse_message(read_part(lines), find_groups=False)
    except Exception as exc:  # hl7apy raises many kinds; each is a message we cannot read
        return ParsedMessage(raw, problem=f"The message could not be read as HL7 v2: {exc}")
    try:
        return read_message(raw, message, zone)
    except Exception as exc:  # a field hl7apy cannot give us is a malformed message too
        return ParsedMessage(raw, problem=f"The message could not be read as HL7 v2: {exc}")


def read_message(raw: str, message, zone: tzinfo) -> ParsedMessage:
    """The fields of a parsed message, or the first problem found."""
    msh = message.msh
    found = {
        "control_id": text(msh.msh_10)[:64],
        "sending_facility": component(msh.msh_4, 1),
        "event": (component(msh.msh_9, 2) or text(first(message, "EVN"), "evn_1"))[:8],
    }
    problem = header_problem(component(msh.msh_9, 1), found)
    if problem:
        return ParsedMessage(raw, **found, problem=problem)
    pid, pv1 = first(message, "PID"), first(message, "PV1")
    problem = segment_problem(pid, pv1, found["event"])
    if problem:
        return ParsedMessage(raw, **found, problem=problem)
    mrn = medical_record_number(pid)
    at = event_time(message, pv1, found["event"], zone)
    values = {
        **found,
        "mrn": mrn,
        "kind": EVENT_KINDS[found["event"]],
        "at": at,
        "facility": component(pv1.pv1_3, 4).split("&")[0] or found["sending_facility"],
        "diagnosis_codes": diagnosis_codes(message),
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


def segment_problem(pid, pv1, event: str) -> str:
    """A missing segment (a message cut off) or an A04 that is not an emergency visit."""
    if pid is None:
        return "The PID segment is missing (the message may be cut off)."
    if pv1 is None:
        return "The PV1 segment is missing (the message may be cut off)."
    patient_class = text(pv1.pv1_2)
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


def first(message, name: str):
    """The first segment called `name`, or None."""
    return next((s for s in message.children if s.name == name), None)


def text(element, child: str | None = None) -> str:
    """An element's text (or that of its child `child`), blank when absent."""
    if element is None:
        return ""
    if child is not None:
        element = getattr(element, child)
    return element.to_er7().strip()


def component(element, index: int) -> str:
    """Component `index` (from 1) of a composite field, blank when absent; read from the text,
    so that it holds whatever the HL7 version calls the component."""
    parts = element.to_er7().split("^")
    return parts[index - 1].strip() if index <= len(parts) else ""


def medical_record_number(pid) -> str | None:
    """The identifier of PID-3 whose type (CX-5) is MR, else the first one."""
    ids = [(component(rep, 1), component(rep, 5)) for rep in pid.pid_3]
    ids = [(value, kind) for value, kind in ids if value]
    chosen = next((v for v, k in ids if k == "MR"), ids[0][0] if ids else None)
    return chosen[:64] if chosen else None


def event_time(message, pv1, event: str, zone: tzinfo) -> datetime | None:
    """When it happened: EVN-2, else the discharge (PV1-45) or admit (PV1-44) time."""
    evn = first(message, "EVN")
    visit = (pv1.pv1_45, pv1.pv1_44) if event == "A03" else (pv1.pv1_44, pv1.pv1_45)
    for value in (text(evn, "evn_2") if evn is not None else "", *(text(v) for v in visit)):
        found = hl7_time(value, zone)
        if found is not None:
            return found
    return None


def hl7_time(value: str, zone: tzinfo = UTC) -> datetime | None:
    """An HL7 DTM (YYYY[MM[DD[HH[MM[SS]]]]][+ZZZZ]) as an aware time, or None."""
    match = HL7_TIME.match(value.split("^")[0].strip())
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


def diagnosis_codes(message) -> list[str]:
    """The codes of the DG1 segments (DG1-3.1), in order, without repeats."""
    codes = [component(s.dg1_3, 1) for s in message.children if s.name == "DG1"]
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

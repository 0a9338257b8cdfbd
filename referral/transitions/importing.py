"""Storing ADT messages from files, folders or a listener: every message kept with its text,
matched to a patient by MRN when exactly one fits, queued when none or several do. Work is
done a chunk at a time (one transaction, one MRN lookup); a chunk that fails is redone one
message at a time, so each message is stored whole or not at all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select, tuple_

from referral.extensions import db
from referral.patients.models import Patient
from referral.transitions.adt import ParsedMessage, parse, split_messages
from referral.transitions.models import AdtMessage
from referral.transitions.operations import open_need_counts, record_encounter

CHUNK = 500
RESULTS = ("matched", "unmatched", "ambiguous", "rejected", "duplicates")


def message_files(path: Path) -> list[Path]:
    """The files to read: the file itself, or every file in the folder (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [path]


def read_messages(path: Path) -> Iterable[tuple[str, str]]:
    """(raw message, origin) for every message in a file or folder."""
    for file in message_files(path):
        text = file.read_bytes().decode("utf-8", errors="replace")
        for raw in split_messages(text):
            yield raw, str(file)


def import_messages(
    messages: Iterable[tuple[str, str]],
    settings: dict,
    organization_id: int | None = None,
    progress: Callable[[Counter], None] | None = None,
) -> Counter:
    """Store and match messages; the counts of each result (matched, …, duplicates)."""
    zone = ZoneInfo(settings["TIME_ZONE"])
    counts: Counter = Counter({name: 0 for name in RESULTS})
    chunk: list[tuple[ParsedMessage, str]] = []
    for raw, origin in messages:
        chunk.append((parse(raw, zone), origin))
        if len(chunk) >= CHUNK:
            counts.update(store_chunk(chunk, settings, organization_id))
            chunk = []
            if progress:
                progress(counts)
    if chunk:
        counts.update(store_chunk(chunk, settings, organization_id))
    return counts


def store_chunk(chunk, settings: dict, organization_id) -> Counter:
    """Store a chunk in one transaction; if that fails, each message in its own."""
    try:
        counts = store(chunk, settings, organization_id)
        db.session.commit()
        return counts
    except Exception:
        db.session.rollback()
    counts = Counter()
    for one in chunk:
        try:
            counts.update(store([one], settings, organization_id))
            db.session.commit()
        except Exception as exc:  # this message alone cannot be stored: keep it as rejected
            db.session.rollback()
            counts.update(keep_unstorable(one, organization_id, exc))
    return counts


def keep_unstorable(one, organization_id, exc: Exception) -> Counter:
    """Keep the text of a message whose storing failed, as rejected, saying why."""
    parsed, origin = one
    db.session.add(
        AdtMessage(
            origin=origin,
            raw=parsed.raw.replace("\x00", ""),
            status="rejected",
            problem=f"The message could not be stored: {str(exc)[:300]}",
            organization_id=organization_id,
        )
    )
    db.session.commit()
    return Counter({"rejected": 1})


def store(chunk, settings: dict, organization_id) -> Counter:
    """Add the messages of a chunk and the encounters of those matched (flushes only)."""
    seen = already_stored(chunk)
    patients = patients_by_mrn({p.mrn for p, _ in chunk if p.mrn}, organization_id)
    candidates = [ids[0] for ids in patients.values() if len(ids) == 1]
    needs = open_need_counts(candidates)
    counts: Counter = Counter()
    for parsed, origin in chunk:
        key = (parsed.sending_facility, parsed.control_id)
        if key in seen and (parsed.raw in seen[key] or "" in seen[key]):
            counts["duplicates"] += 1
            continue
        seen.setdefault(key, set()).add(parsed.raw if parsed.problem else "")
        status = store_one(parsed, origin, patients, needs, settings, organization_id)
        counts[status] += 1
    db.session.flush()
    return counts


def already_stored(chunk) -> dict[tuple[str, str], set[str]]:
    """For each (sending facility, control id) in the chunk already stored: the raw texts
    of those rejected, and "" when one was not rejected (then it is a duplicate outright)."""
    keys = {(p.sending_facility, p.control_id) for p, _ in chunk}
    query = select(
        AdtMessage.sending_facility, AdtMessage.control_id, AdtMessage.status, AdtMessage.raw
    ).where(tuple_(AdtMessage.sending_facility, AdtMessage.control_id).in_(keys))
    found: dict[tuple[str, str], set[str]] = {}
    for facility, control, status, raw in db.session.execute(query):
        found.setdefault((facility, control), set()).add(raw if status == "rejected" else "")
    return found


def patients_by_mrn(mrns: set[str], organization_id) -> dict[str, list[int]]:
    """The ids of the patients holding each MRN (of the organization, when one is given)."""
    if not mrns:
        return {}
    query = select(Patient.mrn, Patient.id).where(Patient.mrn.in_(mrns))
    if organization_id:
        query = query.where(Patient.organization_id == organization_id)
    found: dict[str, list[int]] = {}
    for mrn, patient_id in db.session.execute(query.order_by(Patient.id)):
        found.setdefault(mrn, []).append(patient_id)
    return found


def store_one(parsed: ParsedMessage, origin, patients, needs, settings, organization_id) -> str:
    """Add one message, and its encounter when one patient matches; its status."""
    ids = patients.get(parsed.mrn or "", [])
    if parsed.problem:
        status = "rejected"
    else:
        status = {0: "unmatched", 1: "matched"}.get(len(ids), "ambiguous")
    problem = parsed.problem or {
        "unmatched": f"No patient has MRN {parsed.mrn}.",
        "ambiguous": f"{len(ids)} patients have MRN {parsed.mrn}: choose the right one.",
    }.get(status, "")
    message = AdtMessage(
        origin=origin[:1000],
        control_id=parsed.control_id,
        event=parsed.event,
        sending_facility=parsed.sending_facility,
        mrn=parsed.mrn,
        raw=parsed.raw.replace("\x00", ""),
        status=status,
        problem=problem,
        patient_id=ids[0] if status == "matched" else None,
        organization_id=organization_id,
    )
    db.session.add(message)
    if status == "matched":
        values = {k: getattr(parsed, k) for k in ("kind", "at", "facility", "diagnosis_codes")}
        record_encounter(ids[0], values, settings, message=message, needs=needs)
    return status


def store_received(raw: str, origin: str, settings: dict, organization_id=None):
    """Store one message received by the listener; (its reading, whether it was new)."""
    parsed = parse(raw, ZoneInfo(settings["TIME_ZONE"]))
    counts = store_chunk([(parsed, origin)], settings, organization_id)
    return parsed, counts["duplicates"] == 0

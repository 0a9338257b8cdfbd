"""What a patient's text reply means: yes, no, stop, or words for the case manager."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from referral.referrals.states import Outcome

GOT_HELP, NO_HELP, STOP, OTHER = "got-help", "no-help", "stop", "other"
YES_WORDS = frozenset({"1", "yes", "y", "si", "sí"})
NO_WORDS = frozenset({"2", "no", "n"})
STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
SAYS = {GOT_HELP: Outcome.GOT_HELP.value, NO_HELP: Outcome.COULDNT_GET_HELP.value}


@dataclass(frozen=True)
class Reply:
    """A reply read: its kind and, for yes or no, what the patient says came of the referral."""

    kind: str
    patient_says: str | None = None


def parse_reply(text: str) -> Reply:
    """Read a reply: `1`/yes/sí got help, `2`/no did not, STOP (and its synonyms) opts out,
    anything else is words for the case manager. Case, accents and punctuation around the
    word do not matter."""
    word = plain(text)
    if word in STOP_WORDS:
        return Reply(STOP)
    if word in YES_WORDS or fold(word) in YES_WORDS:
        return Reply(GOT_HELP, SAYS[GOT_HELP])
    if word in NO_WORDS:
        return Reply(NO_HELP, SAYS[NO_HELP])
    return Reply(OTHER)


def plain(text: str) -> str:
    """The reply lower-cased with spaces and closing punctuation trimmed."""
    return (text or "").strip().strip(".!¡¿?,;").strip().lower()


def fold(word: str) -> str:
    """A word without its accents (sí → si)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

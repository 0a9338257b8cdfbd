"""Reading opening hours written as free text, the way US directories and 211 exports write them.

"9:00am-5:00pm, Mon-Fri", "M-F 9-5", "Mon-Thu 8-12, 1-5; Fri 8-12", "Tu/Th 10a-2p", "weekdays
9-5", "lunes a viernes 9 a 5". No maintained library reads this loose grammar, so it is a small
tokenizer and a few rules here: each clause (a line, or a part between ";") is cut into items (day
names, time spans, "closed", stray times, other words), days and spans are paired whether the days
come first ("Mon-Fri 9-5, Sat 10-2") or last ("9-5, Mon-Fri"), and what cannot be paired is kept
as unread, so that nothing is dropped without a word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import time
from typing import NamedTuple

MIDNIGHT = time(0)
ALL_WEEK = list(range(7))
Span = tuple[time, time]

_NAMED_TIMES = {"noon": time(12), "midday": time(12), "mediodia": time(12)}
_NAMED_TIMES |= {"midnight": MIDNIGHT, "medianoche": MIDNIGHT}
_CLOCK = re.compile(
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{1,2}))?(?::(?P<second>\d{2}))?(?P<half>[ap]m?)?"
)
_PACKED = re.compile(r"(?P<hour>\d{1,2})(?P<minute>\d{2})(?P<half>[ap]m?)")
_HALF = re.compile(r"[ap]\.?(?:\s*m\.?)?$")

_HALF_DAY = r"(?:\s*[ap]\.?\s*m\b\.?|[ap]\b\.?)"
_NAMED = r"noon|midnight|midday|mediodia|medianoche"
_TIME = rf"(?:{_NAMED}|\d{{1,4}}(?::\d{{1,3}}){{0,2}}{_HALF_DAY}?)"
_JOIN = r"(?:(?:\s*(?:-+|\bto\b|\ba\b|\bal\b|\bhasta\b|\buntil\b|\btill\b)\s*)+|\s+)"
_RANGE = re.compile(rf"(?<![\d:])(?P<opens>{_TIME})(?P<join>{_JOIN})(?P<closes>{_TIME})(?![\d:])")
_LONE_TIME = re.compile(
    rf"(?<![\d:])(?:\d{{1,2}}(?::\d{{2}}){{1,2}}{_HALF_DAY}?|\d{{1,2}}{_HALF_DAY}|{_NAMED})(?![\d:])"
)
_DASHES = re.compile("ΓÇô|GÇô|[–—‒―]")

_ALL_DAY = re.compile(r"\b24\s*(?:hours?|hrs?|horas)\b|\b24\s*/\s*7\b|\btodo el dia\b|\ball day\b")
_CLOSED = re.compile(r"\bclos(?:e|ed|es|ing)\b|\bcerrado\b")
_PARENTHESES = re.compile(r"\([^)]*\)?")
_MONTHS = (
    "january|february|march|april|june|july|august|september|october|november|december|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)
_IRREGULAR = re.compile(
    r"\b\d+(?:st|nd|rd|th)\b|\b(?:first|second|third|fourth|fifth|last)\b|\bevery other\b"
    r"|\bmonth(?:ly|s)?\b|\bmes\b|\b(?:primer|segundo|tercer|cuarto|ultimo)\b"
    rf"|\b(?:{_MONTHS})\b|\b(?:19|20)\d\d\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d{1,2}\b(?!\s*(?::|[ap]\.?m))"
)
APPOINTMENT = re.compile(
    r"\b(?:by|with|needs?|requires?|call for|make)\s+(?:an?\s+)?(?:appt|appointments?)\b"
    r"|\b(?:appt|appointments?)\s+only\b|\bcall (?:for|ahead for|to (?:ask|confirm))\s+"
    r"(?:the\s+)?(?:(?:dates|days|times)\s+(?:and|&)\s+)?(?:hours|times|dates|schedule|days"
    r"|availability)\b|\bvar(?:y|ies|iable)\b"
    r"|\b(?:por|con) cita\b|\bcita previa\b"
)

_DAY_WORDS = {
    word: day
    for day, words in enumerate(
        (
            "mon monday mondays lun lunes",
            "tue tues tuesday tuesdays martes mar",
            "wed weds wednesday wednesdays mie miercoles",
            "thu thur thurs thursday thursdays jue jueves",
            "fri friday fridays vie viernes",
            "sat saturday saturdays sab sabado sabados",
            "sun sunday sundays dom domingo domingos",
        )
    )
    for word in words.split()
}
# One- and two-letter day names ("M", "Tu", "R" for Thursday), also run together ("MWF", "TTh").
_SHORT_DAYS = {"m": 0, "mo": 0, "t": 1, "tu": 1, "w": 2, "we": 2, "r": 3, "th": 3, "f": 4}
_SHORT_DAYS |= {"fr": 4, "s": 5, "sa": 5, "u": 6, "su": 6}
_NOT_DAYS = {"we", "u"}  # "we are open", "u" for "you"
_SHORT_DAY = re.compile(r"mo|tu|we|th|fr|sa|su|[mtwrfsu]")
_RANGE_WORDS = {"-", "to", "thru", "through", "a", "al", "hasta", "until", "till"}
_LIST_WORDS = {",", "/", "&", "+", "and", "or", "y"}
_FILLER = {"open", "from", "hours", "hrs", "only", "de", "horario", ":", "."}
_EVERY_DAY = re.compile(
    r"\b(?:7|seven) days\b|\bdaily\b|\bevery ?day\b|\b24\s*/\s*7\b|\ball week\b"
    r"|\btodos los dias\b|\b7 dias\b|\bdiario\b|\bdiariamente\b"
)
_WORK_DAYS = re.compile(r"\bweekdays\b|\bentre semana\b|\bdias (?:de semana|laborables)\b")
_WEEKEND = re.compile(r"\bweekends?\b|\bfin(?:es)? de semana\b")
_DAY_PHRASES = ((_EVERY_DAY, ALL_WEEK), (_WORK_DAYS, ALL_WEEK[:5]), (_WEEKEND, [5, 6]))
_WORD = re.compile(r"[a-z0-9'’]+|\S")
# Bare numbers that count people or years, not hours ("ages 5-12", "3-5 days").
_COUNT_BEFORE = re.compile(r"\b(?:ages?|aged|grades?|gr|kids|children|youth|k|suite|ste|room)\W*$")
_COUNT_AFTER = re.compile(
    r"^\W*(?:years?|yrs?|y/?o|months?|mos?|weeks?|wks?|days?|people|persons|families"
    r"|households?|students|children|kids|minutes?|mins?)\b"
)


class Item(NamedTuple):
    """One piece of a clause: `kind` is day, days, span, closed, time, to, and, filler or word."""

    kind: str
    value: object = None


@dataclass
class Group:
    """Days and the spans they are open; `closed` when the text says these days are closed."""

    days: list[int]
    spans: list[Span] = field(default_factory=list)
    closed: bool = False
    excepted: bool = False

    @property
    def unread(self) -> bool:
        """Whether the group names days but no times and no closing."""
        return not (self.spans or self.closed or self.excepted)


@dataclass
class Clause:
    """What one clause says: paired groups, spans left without days, and if anything is unread."""

    text: str
    groups: list[Group] = field(default_factory=list)
    leftover: list[Span] = field(default_factory=list)
    unread: bool = False
    spans_only: bool = False
    days_only: list[int] | None = None
    times_first: bool = False

    @property
    def empty(self) -> bool:
        """Whether the clause names no days and no times ("Administration:", "By appointment")."""
        return not (self.groups or self.leftover or self.unread or self.spans_only) and (
            self.days_only is None
        )


@dataclass
class TextHours:
    """Everything read from a free-text hours value, before it becomes weekly windows."""

    openings: list[tuple[int, time, time]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    dayless: bool = False
    by_appointment: bool = False


def parse_time(text: str) -> time | None:
    """The time of day in `text` ("9:00am", "9am", "12:00pm", "17:00", "noon"), or None."""
    compact = re.sub(r"[\s.]", "", plain(text))
    if compact in _NAMED_TIMES:
        return _NAMED_TIMES[compact]
    match = _CLOCK.fullmatch(compact) or _PACKED.fullmatch(compact)
    if match is None:
        return None
    parts = match.groupdict()
    return _clock_time(
        int(parts["hour"]), int(parts["minute"] or 0), int(parts.get("second") or 0), parts["half"]
    )


def _clock_time(hour: int, minute: int, second: int, half: str | None) -> time | None:
    """A time from clock parts, reading `hour` on a 12-hour dial when `half` is am/pm."""
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_weekdays(text: str) -> list[int] | None:
    """The weekdays (0=Monday) named in `text` ("Mon-Fri", "Sat & Sun", "lunes a viernes"), or None.

    Ranges wrap around the week ("Fri-Mon"). Schedules that are not weekly ("every 3rd Saturday",
    "Saturday, August 18") give None.
    """
    words = _words(plain(text))
    if _IRREGULAR.search(words):
        return None
    days = {day for item in clause_items(words) if item.kind == "days" for day in item.value}
    if _EVERY_DAY.search(words):
        days |= set(ALL_WEEK)
    return sorted(days) or None


def read_text(text: str) -> TextHours:
    """The day-and-time openings a free-text hours value describes, and what stayed unread."""
    reader = _Reader(TextHours(by_appointment=bool(APPOINTMENT.search(plain(text)))))
    for clause in map(read_clause, clauses(text)):
        reader.add(clause)
    reader.finish()
    return reader.reading


@dataclass
class _Reader:
    """Clauses read in order: times on a line of their own take the days of the next line, and
    days on a line of their own lend them to the times that follow ("Monday-Friday\n9-5")."""

    reading: TextHours
    waiting: list[Clause] = field(default_factory=list)
    lender: Clause | None = None
    lent: bool = False

    def add(self, clause: Clause) -> None:
        """Take one clause's openings, or keep it until a later clause completes it."""
        if clause.days_only is not None:
            self._days(clause)
        elif clause.spans_only and self.lender is not None:
            _open(self.reading, self.lender.days_only or [], clause.leftover)
            self.lent = True
        elif clause.spans_only:
            self.waiting.append(clause)
        elif not clause.empty:
            self._whole(clause)

    def finish(self) -> None:
        """Count what is still waiting as unread."""
        self._release()

    def _days(self, clause: Clause) -> None:
        """Days alone open the times waiting before them, or wait for times after them."""
        self._release(waiting=False)
        if self.waiting:
            _open(self.reading, clause.days_only or [], _leftovers(self.waiting))
            self.waiting = []
        else:
            self.lender, self.lent = clause, False

    def _whole(self, clause: Clause) -> None:
        """A clause with days and times; times waiting before it take its days if it names
        times first ("8-12; 1-5, Mon-Fri")."""
        self._release(waiting=False)
        if self.waiting and clause.times_first and clause.groups:
            clause.groups[0].spans[:0] = _leftovers(self.waiting)
            self.waiting = []
        self._release()
        for group in clause.groups:
            if not group.closed:
                _open(self.reading, group.days, group.spans)
        dayless, unread = [clause] if clause.leftover else [], [clause] if clause.unread else []
        _unread(self.reading, dayless, unread)

    def _release(self, waiting: bool = True) -> None:
        """Days that no times took, and (with `waiting`) times that no days took, are unread."""
        if self.lender is not None and not self.lent:
            _unread(self.reading, [], [self.lender])
        self.lender = None
        if waiting:
            _unread(self.reading, self.waiting, [])
            self.waiting = []


def _unread(reading: TextHours, dayless: list[Clause], unread: list[Clause]) -> None:
    """Record clauses whose spans got no days (all-day ones: every day) or that say too little."""
    for clause in dayless:
        if all(span == (MIDNIGHT, MIDNIGHT) for span in clause.leftover):
            _open(reading, ALL_WEEK, clause.leftover)
            continue
        reading.dayless = True
        reading.unread.append(clause.text)
    reading.unread += [clause.text for clause in unread if clause.text not in reading.unread]


def _leftovers(clauses: list[Clause]) -> list[Span]:
    """The spans the clauses left without days."""
    return [span for clause in clauses for span in clause.leftover]


def _open(reading: TextHours, days: list[int], spans: list[Span]) -> None:
    """Add each span on each day."""
    reading.openings += [(day, *span) for span in spans for day in days]


def clauses(text: str) -> list[str]:
    """The clauses of `text`: its lines (real or written as a backslash and "n") split at ";"."""
    unescaped = _DASHES.sub("-", text.replace("\\n", "\n"))
    parts = (part.strip() for line in unescaped.splitlines() for part in line.split(";"))
    return [part for part in parts if part]


def read_clause(text: str) -> Clause:
    """The groups of days and spans one clause gives, and whether part of it stays unread."""
    words = _words(plain(text))
    clause = Clause(text)
    items = clause_items(_PARENTHESES.sub(" ", words))
    if _IRREGULAR.search(words):
        clause.unread = any(item.kind in ("days", "span", "time") for item in items)
        return clause
    kinds = {item.kind for item in items} - {"to", "and", "filler"}
    if kinds == {"span"}:
        clause.spans_only, clause.leftover = True, [i.value for i in items if i.kind == "span"]
    elif kinds == {"days"}:
        clause.days_only = sorted({day for i in items if i.kind == "days" for day in i.value})
    else:
        _pair(clause, _closed_first(items))
    return clause


def _closed_first(items: list[Item]) -> list[Item]:
    """Items with "Sat-Sun closed" turned into "closed Sat-Sun", the order the pairing reads;
    in "Mon-Fri, closed Sat" the closing already comes before the days it closes."""
    kinds = [item.kind for item in items] + [""]
    ordered = list(items)
    for index in range(len(items) - 1):
        if kinds[index : index + 2] == ["days", "closed"] and kinds[index + 2] != "days":
            ordered[index], ordered[index + 1] = items[index + 1], items[index]
    return ordered


def _pair(clause: Clause, items: list[Item]) -> None:
    """Pair the days and spans of a clause, whichever of them is written first."""
    first = next((item.kind for item in items if item.kind in ("days", "span")), "")
    clause.times_first = first == "span"
    unread = _times_first(clause, items) if clause.times_first else _days_first(clause, items)
    appointment = bool(APPOINTMENT.search(plain(clause.text)))
    missing = any(group.unread for group in clause.groups)
    clause.unread = unread or (missing and not appointment)


def _days_first(clause: Clause, items: list[Item]) -> bool:
    """Groups of "Mon-Fri 9-5, Sat 10-2": each run of days takes the spans after it."""
    closing, unread = False, False
    for item in items:
        current = clause.groups[-1] if clause.groups else None
        if item.kind == "closed" and current and current.unread:
            current.closed = True
        elif item.kind == "closed":
            closing = True
        elif item.kind == "days" and current and current.unread and not closing:
            current.days = sorted(set(current.days + item.value))
        elif item.kind == "days":
            clause.groups.append(Group(list(item.value), closed=closing))
            closing = False
        elif item.kind == "span" and current and (closing or current.closed):
            current.excepted, closing = True, False
        elif item.kind == "span" and current:
            current.spans.append(item.value)
        unread |= item.kind == "time"
    return unread


def _times_first(clause: Clause, items: list[Item]) -> bool:
    """Groups of "9-12 & 1-5, Mon-Fri; 10-2, Sat": spans wait for the days written after them."""
    pending: list[Span] = []
    closing, excepted, unread = False, False, False
    for item in items:
        if item.kind == "closed":
            closing = True
        elif item.kind == "span" and closing:
            closing, excepted = False, True
        elif item.kind == "span":
            pending.append(item.value)
        elif item.kind == "days" and (closing or pending or excepted):
            if not closing and pending:
                clause.groups.append(Group(list(item.value), pending))
            pending, closing, excepted = ([] if not closing else pending), False, False
        elif item.kind == "days":
            unread = True
        unread |= item.kind == "time"
    clause.leftover = [] if closing else pending  # "12:00pm-12:30pm closed for prayer"
    return unread


def clause_items(words: str) -> list[Item]:
    """The items of a plain lower-case clause, with day names joined into runs of days."""
    return _join_days(_settle_days(_items(words)))


def _items(words: str) -> list[Item]:
    """The clause cut into items from left to right; a span's context settles am and pm."""
    items: list[Item] = []
    position, after = 0, None
    while (position := _skip_space(words, position)) < len(words):
        item, position = _next_item(words, position, after)
        if item.kind in ("span", "day", "maybe"):
            after = item.value[1] if item.kind == "span" else None
        items.append(item)
    return items


def _skip_space(words: str, position: int) -> int:
    """The position of the next character that is not a space."""
    while position < len(words) and words[position].isspace():
        position += 1
    return position


def _next_item(words: str, position: int, after: time | None) -> tuple[Item, int]:
    """The item that starts at `position`, and where the next one starts."""
    match = _RANGE.match(words, position)
    if match and (span := _read_range(match, after)):
        return Item("span", span), match.end()
    if match := _ALL_DAY.match(words, position):
        return Item("span", (MIDNIGHT, MIDNIGHT)), match.end()
    if match := _CLOSED.match(words, position):
        return Item("closed"), match.end()
    for pattern, days in _DAY_PHRASES:
        if match := pattern.match(words, position):
            return Item("day", days), match.end()
    if match := _LONE_TIME.match(words, position):
        return Item("time"), match.end()
    word = _WORD.match(words, position)
    assert word is not None  # `position` is at a character that is not a space
    return _word_item(word.group()), word.end()


def _word_item(word: str) -> Item:
    """A word as a day, a range or list word, a possible short day name, filler or other."""
    if word in _DAY_WORDS:
        return Item("day", [_DAY_WORDS[word]])
    if word in _RANGE_WORDS:
        return Item("to")
    if word in _LIST_WORDS:
        return Item("and")
    if word in _FILLER:
        return Item("filler")
    days = _short_days(word)
    return Item("maybe", days) if days else Item("word")


def _short_days(word: str) -> list[int] | None:
    """The days of a short or run-together name ("Th", "MWF", "TTh"), in week order, or None."""
    parts = _SHORT_DAY.findall(word)
    if "".join(parts) != word or word in _NOT_DAYS:
        return None
    days = [_SHORT_DAYS[part] for part in parts]
    return days if days == sorted(set(days)) else None


def _settle_days(items: list[Item]) -> list[Item]:
    """Short day names count only beside another day ("M-F", "Tu/Th") or before a time span."""
    return [
        Item("day" if _beside_days(items, index) else "word", item.value)
        if item.kind == "maybe"
        else item
        for index, item in enumerate(items)
    ]


def _beside_days(items: list[Item], index: int) -> bool:
    """Whether the item at `index` stands alone, before a span, or joined to a day name."""
    following = [item.kind for item in items[index + 1 :] if item.kind != "filler"]
    if len(items) == 1 or following[:1] == ["span"]:
        return True
    for step in (-1, 1):
        other = index + step
        if 0 <= other < len(items) and items[other].kind in ("to", "and"):
            other += step
        if 0 <= other < len(items) and items[other].kind in ("day", "maybe"):
            return True
    return False


def _join_days(items: list[Item]) -> list[Item]:
    """Day names with only range or list words between them made one item of days."""
    joined: list[Item] = []
    run: list[int] | None = None
    through = False
    for item in items:
        if item.kind == "day" and run is not None:
            run += _day_span(run[-1], item.value[0])[1:-1] if through else []
            run += [day for day in item.value if day not in run]
        elif item.kind == "day":
            run = list(item.value)
            joined.append(Item("days", run))
        elif item.kind in ("to", "and") and run is not None:
            through = item.kind == "to"
            continue
        else:
            run = None
            joined.append(item)
        through = False
    return joined


def _day_span(first: int, last: int) -> list[int]:
    """The weekdays from `first` to `last` inclusive, wrapping past Sunday."""
    return [(first + step) % 7 for step in range((last - first) % 7 + 1)]


def _read_range(match: re.Match[str], after: time | None) -> Span | None:
    """One opening span, inferring am/pm the way people write ranges ("9:00am-5:00", "8-5")."""
    opens_text, closes_text = match.group("opens"), match.group("closes")
    opens, closes = parse_time(opens_text), parse_time(closes_text)
    if opens is None or closes is None or opens == closes != MIDNIGHT:
        return None
    if _on_dial(opens_text) and _on_dial(closes_text):
        return _dial_range(opens, closes, after) if _hours_not_counts(match) else None
    closes_half, opens_half = _HALF.search(closes_text), _HALF.search(opens_text)
    if not closes_half and opens.hour <= 12 and closes <= opens and closes.hour < 12:
        closes = _later(closes, 12)
    elif not opens_half and closes_half and opens.hour < 12 and _later(opens, 12) < closes:
        opens = _later(opens, 12)
    return opens, closes


def _on_dial(text: str) -> bool:
    """Whether a time is written without am/pm on a 12-hour dial ("8", "5:30", not "08:00")."""
    hour = re.match(r"\d+", text)
    return (
        hour is not None
        and not text.startswith("0")
        and 1 <= int(hour.group()[:2]) <= 12
        and (not _HALF.search(text))
    )


def _hours_not_counts(match: re.Match[str]) -> bool:
    """Whether a range of bare numbers reads as hours: joined by a dash or "to", not "ages 5-12"."""
    if ":" in match.group("opens") + match.group("closes"):
        return True
    words = match.string
    return bool(match.group("join").strip()) and not (
        _COUNT_BEFORE.search(words[: match.start()]) or _COUNT_AFTER.search(words[match.end() :])
    )


def _dial_range(opens: time, closes: time, after: time | None) -> Span:
    """Hours without am/pm: 1 to 5 o'clock open in the afternoon, as does an hour earlier than
    the close of the span before it ("8-12, 6-9"); the close is the first reading after the
    opening (8-5 is 8:00–17:00, 9-12 is 9:00–12:00)."""
    if opens.hour != 12 and (opens.hour <= 5 or (after is not None and opens < after)):
        opens = _later(opens, 12)
    readings = [closes, _later(closes, 12)] if closes.hour != 12 else [closes, MIDNIGHT]
    later = [reading for reading in readings if reading > opens or reading == MIDNIGHT]
    return opens, later[0] if later else closes


def _later(moment: time, hours: int) -> time:
    """`moment` moved `hours` later on the same day (at most 23 o'clock)."""
    return moment.replace(hour=min(moment.hour + hours, 23))


def _words(text: str) -> str:
    """Plain text with dashes made hyphens, "12 noon" made "noon" and "Mon-Thru" made "Mon-Thu"."""
    text = _DASHES.sub("-", text)
    text = re.sub(r"\b12\s*(noon|midnight)\b", r"\1", text)
    return re.sub(r"-\s*thru\b", "-thu", text)


def plain(text: str) -> str:
    """`text` in lower case without accents, so "Sábado" reads as "sabado"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))

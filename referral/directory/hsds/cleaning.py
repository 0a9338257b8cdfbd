"""Tidying text values of real-world HSDS exports: padding, escapes, tags, broken characters."""

from __future__ import annotations

import re

import ftfy

# Internal editor tags some 211 exports leave in descriptions (`###MON###`, `###COL###`).
_TAG = re.compile(r"#{3}[A-Z0-9_]+#{3}")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")

# UTF-8 read as code page 437, then saved in a Windows code page with "best fit" substitutes
# (`Γ` → `G`, `├` → `+`, `┬` → `-`, `⌐` → `¬`). That last step loses information, so general
# repair libraries cannot undo it; these rules undo the sequences such exports contain.
_THREE_BYTE = re.compile(r"(?:GÇ|-Ç-)([^\x00-\x7f])")
_LEAD_C2 = re.compile(r"-([á«¬ôöûÆ])")
_LEAD_C3 = re.compile(r"(?<=\w)\+([í¬¡ºÆ¦])|\+([í¬¡ºÆ¦])(?=\w)")
_ORPHAN = re.compile(r"-Ç(?![^\x00-\x7f])")
_BEST_FIT = {"¬": 0xA9}  # `⌐` (0xA9) was saved as `¬`
_INVISIBLE = str.maketrans({"\u200b": "", "\ufeff": "", "\u2011": "-", "\xa0": " "})


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object) -> str:
    """A value as tidy text: stripped, escapes and tags resolved, broken characters repaired."""
    if value is None:
        return ""
    text = str(value).replace("\\r\\n", "\n").replace("\\n", "\n").replace("\r\n", "\n")
    text = _TAG.sub("", _CONTROL.sub("", text))
    if not text.isascii():
        text = repair_mojibake(text).translate(_INVISIBLE)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_id(value: object) -> str:
    """An identifier as text, stripped of padding and control characters."""
    return "" if value is None else _CONTROL.sub("", str(value)).strip()


def repair_mojibake(text: str) -> str:
    """Text with UTF-8 that was decoded in the wrong code page put back as it was written."""
    text = _repair_best_fit(text)
    return ftfy.fix_encoding(text)


def _repair_best_fit(text: str) -> str:
    """Undo the lossy code page 437 sequences that general repair cannot recover."""
    text = _THREE_BYTE.sub(_three_byte, text)
    text = _ORPHAN.sub("", text)
    text = _LEAD_C2.sub(_lead_c2, text)
    return _LEAD_C3.sub(_lead_c3, text)


def _byte(char: str) -> int | None:
    """The code page 437 byte a character stood for, if any."""
    if char in _BEST_FIT:
        return _BEST_FIT[char]
    try:
        return char.encode("cp437")[0]
    except UnicodeEncodeError:
        return None


def _three_byte(match: re.Match[str]) -> str:
    """`GÇÖ` → `’`: the general-punctuation block (bytes E2 80 xx)."""
    byte = _byte(match.group(1))
    if byte is None:
        return match.group(0)
    return bytes([0xE2, 0x80, byte]).decode("utf-8", errors="ignore") or match.group(0)


def _lead_c2(match: re.Match[str]) -> str:
    """`-á` → no-break space, `-«` → `®`; C1 controls become the Windows punctuation they meant."""
    byte = _byte(match.group(1))
    if byte is None:
        return match.group(0)
    if 0x80 <= byte <= 0x9F:
        return bytes([byte]).decode("cp1252", errors="ignore") or match.group(0)
    char = bytes([0xC2, byte]).decode("utf-8", errors="ignore")
    return " " if char == "\xa0" else char or match.group(0)


def _lead_c3(match: re.Match[str]) -> str:
    """`+í` → `á`, `+¬` → `é`, `+¡` → `í`; `+¦` stands for ó, ñ or ú, told apart by what follows."""
    char = match.group(1) or match.group(2)
    if char == "¦":
        return _lost_letter(match)
    byte = _byte(char)
    return bytes([0xC3, byte]).decode("utf-8", errors="ignore") if byte else match.group(0)


def _lost_letter(match: re.Match[str]) -> str:
    """Guess ó, ñ or ú for `+¦` from the Spanish spelling around it."""
    before = match.string[: match.start()]
    after = match.string[match.end() :]
    if not before or not before[-1].isalpha():
        return "ú"  # útil, único
    if after[:1].lower() in ("o", "a", "e", "i"):
        return "ñ"  # niños, español, año, señal
    if after[:2].lower() == "bl" or (after[:1].lower() == "n" and after[1:2].lower() in "aeiou"):
        return "ú"  # público, reúne
    return "ó"  # sesión, cómo, próxima

"""Create dates as exports write them: ISO (`2024-03-14 10:05`, `2024-03-14T10:05:00Z`), Salesforce's and
Excel's `3/14/2024 10:05 AM` or `14/03/2024` (day or month first, decided per file), `14.03.2024`, Korean
`2024. 3. 14. 오후 2:05`, `Mar 14, 2024`, and epoch milliseconds. A date without a time is 09:00."""

from __future__ import annotations

import re
from datetime import datetime, timezone

_ISO = re.compile(
    r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\.?"
    r"(?:[ T]+(오전|오후|AM|PM)?\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(AM|PM|오전|오후)?)?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
_NUMERIC = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})"
    r"(?:[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$", re.IGNORECASE)
_NAMED = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d %Y",
          "%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p", "%d %b %Y %H:%M", "%b %d, %Y %H:%M", "%d-%b-%Y %H:%M")


def day_first(values: list[str]) -> bool:
    """Whether `a/b/yyyy` dates of one file put the day first: yes when some first number is over 12, no when
    some second one is; otherwise dots mean day first (14.03.2024) and slashes month first (Salesforce, US)."""
    dots = False
    for v in values:
        m = _NUMERIC.match(v.strip())
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(3))
        if a > 12 >= b:
            return True
        if b > 12 >= a:
            return False
        dots = dots or m.group(2) == "."
    return dots


def parse(text: str, *, dayfirst: bool = False) -> datetime:
    """The date and time as written: naive (the file's local time) unless it names its zone. ValueError when it
    is not a date."""
    v = " ".join(text.split())
    if re.fullmatch(r"\d{12,13}", v):  # epoch milliseconds
        return datetime.fromtimestamp(int(v) / 1000, tz=timezone.utc)
    m = _ISO.match(v)
    if m:
        y, mo, d, pre, hh, mm, ss, post, zone = m.groups()
        at = _at(int(y), int(mo), int(d), hh, mm, ss, pre or post)
        return _zoned(at, zone)
    m = _NUMERIC.match(v)
    if m:
        a, _sep, b, y, hh, mm, ss, half = m.groups()
        year = int(y) + (2000 if len(y) == 2 else 0)
        day, month = (int(a), int(b)) if dayfirst else (int(b), int(a))
        return _at(year, month, day, hh, mm, ss, half)
    for fmt in _NAMED:
        try:
            at = datetime.strptime(v, fmt)
        except ValueError:
            continue
        return at if ("%H" in fmt or "%I" in fmt) else at.replace(hour=9)
    raise ValueError(text)


def _at(y: int, mo: int, d: int, hh: str | None, mm: str | None, ss: str | None, half: str | None) -> datetime:
    if hh is None:
        return datetime(y, mo, d, 9, 0)
    hour = int(hh)
    if half:
        pm = half.upper() in ("PM", "오후")
        if not 1 <= hour <= 12:
            raise ValueError("hour")
        hour = hour % 12 + (12 if pm else 0)
    return datetime(y, mo, d, hour, int(mm or 0), int(ss or 0))


def _zoned(at: datetime, zone: str | None) -> datetime:
    if not zone:
        return at
    if zone.upper() in ("Z", "UTC"):
        return at.replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(f"{at:%Y-%m-%dT%H:%M:%S}{zone[:3]}:{zone[-2:]}")

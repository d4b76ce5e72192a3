"""A report's period: whole local days in the reader's zone, stored as a UTC half-open range."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from store.dto.reports import Period
from store.errors import Invalid

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
KINDS = ("week", "month", "quarter")


def is_period(word: str) -> bool:
    """`week`, `month`, `quarter` or a `YYYY-MM` month."""
    return word in KINDS or bool(MONTH.match(word))


def _at(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))


def period_of(kind: str, tz: str, now: datetime) -> Period:
    """`week`: the last seven days, today included; `month` and `quarter`: the calendar month or quarter
    that holds today; `YYYY-MM`: that month. Days are cut in `tz`."""
    today = now.astimezone(ZoneInfo(tz)).date()
    if kind == "week":
        return Period("week", _at(today - timedelta(days=6), tz), _at(today + timedelta(days=1), tz), tz)
    if kind == "month":
        first = today.replace(day=1)
        return Period("month", _at(first, tz), _at(_next_month(first), tz), tz)
    if kind == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return Period("quarter", _at(first, tz), _at(_next_month(_next_month(_next_month(first))), tz), tz)
    m = MONTH.match(kind)
    if m and 1 <= int(m.group(2)) <= 12 and 2000 <= int(m.group(1)) <= 2100:
        first = date(int(m.group(1)), int(m.group(2)), 1)
        if _at(first, tz) > now:
            raise Invalid("period_future", text=kind)
        return Period(kind, _at(first, tz), _at(_next_month(first), tz), tz)
    raise Invalid("period_unknown", text=kind[:20])


def week_before(day: date, tz: str) -> Period:
    """The seven days before `day` (a weekly report sent on a Monday covers Monday to Sunday before it)."""
    return Period("week", _at(day - timedelta(days=7), tz), _at(day, tz), tz)


def week_start(now: datetime, tz: str) -> datetime:
    """Monday 00:00 of this week in `tz`, in UTC."""
    today = now.astimezone(ZoneInfo(tz)).date()
    return _at(today - timedelta(days=today.weekday()), tz)


def month_start(now: datetime, tz: str) -> datetime:
    return _at(now.astimezone(ZoneInfo(tz)).date().replace(day=1), tz)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def offsets(period: Period) -> list[tuple[datetime, datetime, int]]:
    """The period cut where the zone's UTC offset changes (daylight saving): (start, end, offset seconds),
    so a database without time zones can still group by local day."""
    zone = ZoneInfo(period.tz)
    out: list[tuple[datetime, datetime, int]] = []
    start = period.start
    day = start
    while day < period.end:
        nxt = min(period.end, day + timedelta(days=1))
        off = int(day.astimezone(zone).utcoffset().total_seconds())
        if out and out[-1][2] == off:
            out[-1] = (out[-1][0], nxt, off)
        else:
            out.append((day, nxt, off))
        day = nxt
    return out or [(start, period.end, int(start.astimezone(zone).utcoffset().total_seconds()))]

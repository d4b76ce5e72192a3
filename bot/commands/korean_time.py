"""Korean time phrases, read the way Korean reps write them: `내일 오후 3시`, `모레 10시`, `다음 주 월요일`,
`3일 후`, `오늘 저녁`, `12월 1일 14:30`, `2시간 뒤`.

dateparser reads English well and Korean poorly (it takes `오후 3시` but not `모레`, `저녁` or `3일 후`), so
Korean is read here, in the person's local time, and English is left to dateparser. `read` takes a whole
phrase and returns (local time, whether it named a time of day), or None when the phrase is not one.

An hour without 오전/오후 (`내일 3시`) is taken as a working hour: 1–6 o'clock are afternoon (15:00), as a rep
setting a follow-up means; `오전 3시` or `새벽 3시` say otherwise.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from store.text import HANGUL

_WEEKDAYS = "월화수목금토일"
_DAYS = {"오늘": 0, "금일": 0, "내일": 1, "명일": 1, "모레": 2, "내일모레": 2, "글피": 3}
# A part of the day: (hour when no hour is given, whether an hour 1–11 given with it is afternoon).
_PARTS = {"새벽": (5, False), "아침": (9, False), "오전": (10, False), "점심": (12, True), "정오": (12, True),
          "낮": (13, True), "오후": (14, True), "저녁": (19, True), "밤": (21, True)}
_WORKING_PM = range(1, 7)  # a bare `3시` on a follow-up is 15:00

_DAY = re.compile(
    r"^(?:(?P<named>내일모레|오늘|금일|내일|명일|모레|글피)"
    r"|(?P<week>(?:다음|다다음|이번)\s*주)\s*(?P<wd>[월화수목금토일])요일"
    r"|(?P<next>다음\s*)?(?P<wd2>[월화수목금토일])요일"
    r"|(?:(?P<y>\d{4})\s*년\s*)?(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일"
    r"|(?P<y2>\d{4})[-./](?P<m2>\d{1,2})[-./](?P<d2>\d{1,2}))\s*")
_AFTER = re.compile(r"^(?P<n>\d{1,3})\s*(?P<unit>분|시간|일|주|주일|개월|달)\s*(?:후|뒤|있다가|이따)$")
_TIME = re.compile(
    r"^(?:(?P<part>새벽|아침|오전|점심|정오|낮|오후|저녁|밤)\s*)?"
    r"(?:(?P<h>\d{1,2})\s*시\s*(?:(?P<half>반)|(?P<min>\d{1,2})\s*분)?|(?P<hh>\d{1,2}):(?P<mm>\d{2}))?\s*(?:에|쯤|경)?$")


def read(phrase: str, now: datetime) -> tuple[datetime, bool] | None:
    """(local time, names a time of day) for a Korean phrase; `now` is the person's local time (naive)."""
    text = " ".join(phrase.split())
    if not text or not HANGUL.search(text):
        return None
    after = _AFTER.match(text)
    if after:
        return _after(int(after["n"]), after["unit"], now)
    day, rest = _day(text, now)
    clock = _TIME.match(rest)
    if clock is None or (day is None and not rest):
        return None
    hour, minute, named = _clock(clock)
    if day is None:  # a time alone (`오후 3시`, `저녁`): today, or tomorrow once it has passed
        if not named:
            return None
        at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return (at if at > now else at + timedelta(days=1)), True
    if not named:
        return day.replace(hour=9, minute=0, second=0, microsecond=0), False
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0), True


def _after(n: int, unit: str, now: datetime) -> tuple[datetime, bool]:
    if unit == "분":
        return now + timedelta(minutes=n), True
    if unit == "시간":
        return now + timedelta(hours=n), True
    days = {"일": 1, "주": 7, "주일": 7, "개월": 30, "달": 30}[unit] * n
    return now + timedelta(days=days), False


def _day(text: str, now: datetime) -> tuple[datetime | None, str]:
    m = _DAY.match(text)
    if m is None:
        return None, text
    rest = text[m.end():]
    if m["named"]:
        return now + timedelta(days=_DAYS[m["named"]]), rest
    if m["wd"]:
        week = m["week"].replace(" ", "")
        monday = now - timedelta(days=now.weekday())
        weeks = {"이번주": 0, "다음주": 1, "다다음주": 2}[week]
        return monday + timedelta(weeks=weeks, days=_WEEKDAYS.index(m["wd"])), rest
    if m["wd2"]:
        if m["next"]:  # `다음 월요일`: next week's, as `다음 주 월요일`
            return now - timedelta(days=now.weekday()) + timedelta(weeks=1, days=_WEEKDAYS.index(m["wd2"])), rest
        return now + timedelta(days=(_WEEKDAYS.index(m["wd2"]) - now.weekday()) % 7 or 7), rest
    year, month, day = (m["y"] or m["y2"]), int(m["m"] or m["m2"]), int(m["d"] or m["d2"])
    try:
        date = now.replace(year=int(year) if year else now.year, month=month, day=day)
    except ValueError:
        return None, text
    if not year and date.date() < now.date():  # `3월 1일` in December: next year's
        date = date.replace(year=now.year + 1)
    return date, rest


def _clock(m: re.Match) -> tuple[int, int, bool]:
    part = m["part"]
    h = m["h"] or m["hh"]
    if h is None:
        if part is None:
            return 9, 0, False
        return _PARTS[part][0], 0, True
    hour, minute = int(h), int(m["min"] or m["mm"] or (30 if m["half"] else 0))
    if hour > 23 or minute > 59:
        hour, minute = min(hour, 23), min(minute, 59)
    if part is not None:
        if _PARTS[part][1] and 1 <= hour <= 11:
            hour += 12
        elif part in ("새벽", "아침", "오전") and hour == 12:
            hour = 0 if part == "새벽" else 12
    elif m["h"] and hour in _WORKING_PM:
        hour += 12
    return hour, minute, True

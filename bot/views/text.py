"""Formatting shared by every view: escaping user text, times in a reader's zone, truncation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_day_names
from babel.numbers import format_currency, get_currency_precision

from bot.i18n import N_, _, korean, ngettext


def esc(text: str | None) -> str:
    """Slack's three control characters; user text must never become a mention or link."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def esc_cut(text: str | None, limit: int) -> str:
    """Escape, then cut to `limit` characters without splitting an entity such as `&amp;`."""
    escaped = esc(text)
    if len(escaped) <= limit:
        return escaped
    head = escaped[: limit - 1]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head.rstrip() + "…"


# Slack's mrkdwn has no escape for its formatting characters: inside a bold title they would end the bold
# (`*Shop *Best**`), so there they become look-alikes that format nothing.
_MARKERS = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def bold(text: str | None, limit: int) -> str:
    """`*Acme*` for user text (a company name) whatever it holds: escaped, cut, its formatting marks inert."""
    return f"*{esc_cut((text or '').translate(_MARKERS), limit) or '-'}*"


def plain(text: str | None, limit: int) -> str:
    """For plain_text objects (headers, option labels, button text): one line, escaped, within `limit`.

    Slack does not turn plain_text into mentions, but it does decode the three entities, so escaping
    costs nothing and keeps user text inert wherever it lands."""
    return esc_cut(" ".join((text or "").split()) or "-", limit)


SYSTEM_ACTORS = {"intake": N_("the web form"), "import": N_("an import"), "sla": N_("the SLA timer")}


def user(user_id: str | None) -> str:
    if not user_id:
        return _("nobody")
    actor = SYSTEM_ACTORS.get(user_id)
    return _(actor) if actor else f"<@{user_id}>"


def num(n: int | float) -> str:
    """1,234 (both languages group thousands the same way)."""
    return f"{n:,}"


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def when(dt: datetime, tz: str) -> str:
    """`Tue 24 Nov 15:00 CET` in the reader's zone; for a Korean reader `11월 24일 (화) 오후 3:00`
    (the zone named only when it is not Korea's)."""
    d = local(dt, tz)
    if korean():
        shown = format_datetime(d, "M월 d일 (E) a h:mm", locale="ko")
        return shown if tz == "Asia/Seoul" else f"{shown} {d.tzname()}"
    return f"{d:%a} {d.day} {d:%b} {d:%H:%M} {d.tzname()}"


def when_for_all(dt: datetime, fallback_tz: str) -> str:
    """Text Slack shows in each reader's own zone (used on shared messages such as the card)."""
    return f"<!date^{int(dt.timestamp())}^{{date_short_pretty}} {{time}}|{when(dt, fallback_tz)}>"


def ago(dt: datetime, now: datetime) -> str:
    seconds = (now - dt).total_seconds()
    future = seconds < 0
    s = abs(seconds)
    if s < 45:
        return _("now")
    if s < 90:
        return _("in a minute") if future else _("a minute ago")
    if s < 3600 * 1.5:
        n = round(s / 60)
        text = ngettext("in {n} min", "in {n} min", n) if future else ngettext("{n} min ago", "{n} min ago", n)
    elif s < 86400 * 1.5:
        n = round(s / 3600)
        text = ngettext("in {n} h", "in {n} h", n) if future else ngettext("{n} h ago", "{n} h ago", n)
    else:
        n = round(s / 86400)
        text = ngettext("in {n} day", "in {n} days", n) if future else ngettext("{n} day ago", "{n} days ago", n)
    return text.format(n=num(n))


def fit_lines(lines: list[str], limit: int) -> str:
    """Whole lines (each already escaped) up to `limit` characters, so no entity is ever cut."""
    out, size = [], 0
    for line in lines:
        if size + len(line) + 1 > limit:
            out.append("…")
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


def duration_text(minutes: int) -> str:
    """45 min, 2 h, 1 d (and 90 min: not every span is a whole hour); 45분, 2시간, 1일."""
    if minutes and minutes % 1440 == 0:
        return _("{n} d").format(n=minutes // 1440)
    if minutes and minutes % 60 == 0:
        return _("{n} h").format(n=minutes // 60)
    return _("{n} min").format(n=minutes)


_MAN, _EOK = 10_000, 100_000_000


def _won_in_words(won: int) -> str | None:
    """120만원, 1억 2,000만원, 3억원: how Korean readers say round amounts of won (None when not round)."""
    if won < _MAN or won % _MAN:
        return None
    eok, man = divmod(won // _MAN, _EOK // _MAN)
    parts = ([f"{eok:,}억"] if eok else []) + ([f"{man:,}만"] if man else [])
    return " ".join(parts) + "원"


def money(amount_minor: int, currency: str, recurring: bool = False) -> str:
    """₩1,200,000 or $1,500.50, with /month for a recurring (MRR) amount. Babel knows each currency's digits.
    A Korean reader sees won in words where that is shorter (120만원) and ₩1,234,500 where it is not."""
    value = Decimal(amount_minor).scaleb(-get_currency_precision(currency))
    if korean():
        words = _won_in_words(int(value)) if currency == "KRW" else None
        shown = words or format_currency(value, currency, locale="ko_KR")
    else:
        shown = format_currency(value, currency, locale="en_US")
    return shown + (_("/month") if recurring else "")


def amounts(by_currency: dict[str, int], default_currency: str) -> str:
    """Several currencies side by side (most deals share the workspace's); nothing is 0 of the default."""
    return " + ".join(money(v, c) for c, v in sorted(by_currency.items())) or money(0, default_currency)


def pct(share: float | None) -> str:
    """0.413 → 41%; None (nothing to divide) → –."""
    return "–" if share is None else f"{share:.0%}"


def span_hours(hours: float | None) -> str:
    """How long something took, at a useful precision: 45 min, 5 h, 2.5 days (45분, 5시간, 2.5일)."""
    if hours is None:
        return "–"
    if hours < 1:
        return _("{n} min").format(n=round(hours * 60))
    if hours < 48:
        n = f"{hours:.0f}" if hours >= 10 else f"{hours:.1f}".removesuffix(".0")
        return _("{n} h").format(n=n)
    days = hours / 24
    n = f"{days:.0f}" if days >= 10 else f"{days:.1f}".removesuffix(".0")
    return ngettext("{n} day", "{n} days", 2).format(n=n)


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def weekday_name(i: int) -> str:
    """0 = Monday: `Mon` as a setting is typed; `월요일` for a Korean reader."""
    return get_day_names("wide", locale="ko")[i] if korean() else get_day_names("abbreviated", locale="en")[i]


def day_span(first, last) -> str:
    """`1–30 Nov 2026`, `24 Nov – 1 Dec 2026`, `28 Dec 2026 – 3 Jan 2027`; in Korean `2026년 11월 1–30일`,
    `2026년 11월 24일 – 12월 1일`, `2026년 12월 28일 – 2027년 1월 3일`."""
    if korean():
        head = f"{first.year}년 {first.month}월 {first.day}일"
        if first == last:
            return head
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.year}년 {first.month}월 {first.day}–{last.day}일"
        if first.year == last.year:
            return f"{head} – {last.month}월 {last.day}일"
        return f"{head} – {last.year}년 {last.month}월 {last.day}일"
    if first == last:
        return f"{first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"

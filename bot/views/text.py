"""Formatting shared by every view: escaping user text, times in a reader's zone, truncation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, get_currency_precision


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


SYSTEM_ACTORS = {"intake": "the web form", "import": "an import", "sla": "the SLA timer"}


def user(user_id: str | None) -> str:
    if not user_id:
        return "nobody"
    return SYSTEM_ACTORS.get(user_id) or f"<@{user_id}>"


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def when(dt: datetime, tz: str) -> str:
    """`Tue 24 Nov 15:00 CET` in the reader's zone."""
    d = local(dt, tz)
    return f"{d:%a} {d.day} {d:%b} {d:%H:%M} {d.tzname()}"


def when_for_all(dt: datetime, fallback_tz: str) -> str:
    """Text Slack shows in each reader's own zone (used on shared messages such as the card)."""
    return f"<!date^{int(dt.timestamp())}^{{date_short_pretty}} {{time}}|{when(dt, fallback_tz)}>"


def ago(dt: datetime, now: datetime) -> str:
    seconds = (now - dt).total_seconds()
    future = seconds < 0
    s = abs(seconds)
    if s < 90:
        span = "a minute" if s >= 45 else "moments"
    elif s < 3600 * 1.5:
        span = f"{round(s / 60)} min"
    elif s < 86400 * 1.5:
        span = f"{round(s / 3600)} h"
    else:
        span = f"{round(s / 86400)} days"
    if span == "moments":
        return "now"
    return f"in {span}" if future else f"{span} ago"


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
    """45 min, 2 h, 1 d (and 90 min: not every span is a whole hour)."""
    if minutes and minutes % 1440 == 0:
        return f"{minutes // 1440} d"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def money(amount_minor: int, currency: str, recurring: bool = False) -> str:
    """₩1,200,000 or $1,500.50, with /month for a recurring (MRR) amount. Babel knows each currency's digits."""
    value = Decimal(amount_minor).scaleb(-get_currency_precision(currency))
    return format_currency(value, currency, locale="en_US") + ("/month" if recurring else "")


def amounts(by_currency: dict[str, int], default_currency: str) -> str:
    """Several currencies side by side (most deals share the workspace's); nothing is 0 of the default."""
    return " + ".join(money(v, c) for c, v in sorted(by_currency.items())) or money(0, default_currency)


def pct(share: float | None) -> str:
    """0.413 → 41%; None (nothing to divide) → –."""
    return "–" if share is None else f"{share:.0%}"


def span_hours(hours: float | None) -> str:
    """How long something took, at a useful precision: 45 min, 5 h, 2.5 days."""
    if hours is None:
        return "–"
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 48:
        return f"{hours:.0f} h" if hours >= 10 else f"{hours:.1f} h".replace(".0 h", " h")
    days = hours / 24
    return f"{days:.0f} days" if days >= 10 else f"{days:.1f} days".replace(".0 days", " days")


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def day_span(first, last) -> str:
    """`1–30 Nov 2026`, `24 Nov – 1 Dec 2026`, `28 Dec 2026 – 3 Jan 2027`."""
    if first == last:
        return f"{first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"

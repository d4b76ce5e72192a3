"""Block Kit and mrkdwn as HTML, faithfully enough to use: the playground's page is rendered from the world with
the Jinja2 templates in `playground/templates/` and the helpers here.

Every interactive element carries where it lives (`data-b`: the block's index, `data-e`: the element's, `acc`
for an accessory), so a click is turned back into Slack's payload from the stored blocks, not from the page.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, Undefined, select_autoescape
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"
EMOJI = {"warning": "⚠️", "alarm_clock": "⏰", "white_check_mark": "✅", "zzz": "💤", "calendar": "📅",
         "memo": "📝", "bell": "🔔", "inbox_tray": "📥", "rotating_light": "🚨", "sunrise": "🌅", "x": "❌",
         "bulb": "💡", "telephone_receiver": "📞", "tada": "🎉", "wave": "👋", "chart_with_upwards_trend": "📈",
         "moneybag": "💰", "hourglass_flowing_sand": "⏳", "mag": "🔍", "star": "⭐", "fire": "🔥",
         "heavy_check_mark": "✔️", "point_right": "👉", "eyes": "👀", "thumbsup": "👍", "+1": "👍"}
TOKEN = re.compile(r"<([^<>]+)>")


class Viewer:
    """Who is looking: their zone (for `<!date^…>`) and the workspace's names (for mentions)."""

    def __init__(self, user_id: str, tz: str, users: dict[str, dict], channels: dict[str, dict]) -> None:
        self.user_id, self.tz, self.users, self.channels = user_id, tz, users, channels

    def name(self, user_id: str) -> str:
        u = self.users.get(user_id)
        return (u.get("real_name") or u.get("name")) if u else user_id


def _emoji(text: str) -> str:
    return re.sub(r":([a-z0-9_+\-]+):", lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def _date_token(body: str, viewer: Viewer) -> str:
    """`!date^1700000000^{date_short_pretty} {time}|fallback` in the viewer's zone."""
    head, _, fallback = body.partition("|")
    parts = head.split("^")
    try:
        at = datetime.fromtimestamp(int(parts[1]), tz=timezone.utc).astimezone(ZoneInfo(viewer.tz))
    except (IndexError, ValueError, OverflowError):
        return fallback
    today = datetime.now(ZoneInfo(viewer.tz)).date()
    pretty = ("today" if at.date() == today else "tomorrow" if (at.date() - today).days == 1 else
              "yesterday" if (today - at.date()).days == 1 else None)
    formats = {"{date_short_pretty}": pretty or f"{at:%b} {at.day}", "{date_short}": f"{at:%b} {at.day}, {at.year}",
               "{date_pretty}": pretty or f"{at:%B} {at.day}", "{date}": f"{at:%B} {at.day}, {at.year}",
               "{date_long}": f"{at:%A}, {at:%B} {at.day}, {at.year}", "{date_num}": f"{at:%Y-%m-%d}",
               "{time}": f"{at:%H:%M}", "{time_secs}": f"{at:%H:%M:%S}"}
    out = parts[2] if len(parts) > 2 else "{date_short} {time}"
    for key, value in formats.items():
        out = out.replace(key, value)
    return out


def _inline(text: str) -> str:
    """Slack's inline formatting on text that is already HTML-escaped."""
    text = re.sub(r"```(.+?)```", lambda m: f"<pre>{m.group(1)}</pre>", text, flags=re.S)
    text = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])", r"<i>\1</i>", text)
    text = re.sub(r"(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])", r"<s>\1</s>", text)
    return text


def mrkdwn(text: str | None, viewer: Viewer) -> Markup:
    """Slack mrkdwn (its `&amp; &lt; &gt;` entities, `<…>` control sequences, *bold* _italic_ ~strike~ `code`,
    > quotes, newlines) as safe HTML."""
    if not text or isinstance(text, Undefined):
        return Markup("")
    out: list[str] = []
    pos = 0
    for m in TOKEN.finditer(text):
        out.append(_inline(str(escape(_emoji(html.unescape(text[pos:m.start()]))))))
        body = m.group(1)
        if body.startswith("@"):
            uid, _, label = body[1:].partition("|")
            out.append(f'<span class="mention">@{escape(viewer.name(uid) if uid in viewer.users else label or uid)}'
                       "</span>")
        elif body.startswith("#"):
            cid, _, label = body[1:].partition("|")
            name = viewer.channels.get(cid, {}).get("name") or label or cid
            out.append(f'<span class="mention">#{escape(name)}</span>')
        elif body.startswith("!date^"):
            out.append(str(escape(_date_token(body, viewer))))
        elif body.startswith("!"):
            special, _, label = body[1:].partition("|")
            out.append(f'<span class="mention loud">@{escape(label or special.split("^")[0])}</span>')
        else:
            url, _, label = body.partition("|")
            url = html.unescape(url)
            safe = url if url.startswith(("http://", "https://", "mailto:", "#")) else "#"
            out.append(f'<a href="{escape(safe)}" target="_blank" rel="noopener">'
                       f'{_inline(str(escape(html.unescape(label or url.removeprefix("mailto:")))))}</a>')
        pos = m.end()
    out.append(_inline(str(escape(_emoji(html.unescape(text[pos:]))))))
    joined = "".join(out)
    lines = []
    for line in joined.split("\n"):
        lines.append(f'<span class="quote">{line[4:]}</span>' if line.startswith("&gt; ") else line)
    return Markup("<br>".join(lines))


def plain(obj, viewer: Viewer | None = None) -> Markup:
    """A text object (plain_text or mrkdwn) as HTML."""
    if obj is None or isinstance(obj, Undefined):
        return Markup("")
    if isinstance(obj, str):
        return Markup(escape(obj))
    if obj.get("type") == "mrkdwn" and viewer is not None:
        return mrkdwn(obj.get("text"), viewer)
    return Markup(escape(_emoji(html.unescape(obj.get("text") or ""))))


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["mrkdwn"] = lambda text, viewer: mrkdwn(text, viewer)
    env.filters["plain"] = lambda obj, viewer=None: plain(obj, viewer)
    env.filters["clock"] = lambda ts, viewer: _clock(ts, viewer)
    env.globals["initials"] = lambda name: "".join(w[0] for w in (name or "?").split()[:2]).upper()
    return env


def _clock(ts: str, viewer: Viewer) -> str:
    try:
        at = datetime.fromtimestamp(float(ts), tz=timezone.utc).astimezone(ZoneInfo(viewer.tz))
    except (TypeError, ValueError, OverflowError):
        return ""
    today = datetime.now(ZoneInfo(viewer.tz)).date()
    return f"{at:%H:%M}" if at.date() == today else f"{at:%b} {at.day}, {at:%H:%M}"

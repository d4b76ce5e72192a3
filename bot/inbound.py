"""What Slack sends, read once where it arrives: text as the person typed it, a message's shared content and
files, the workspace a request belongs to, and whether the person acting belongs to another organization.

Slack encodes `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;` in the text of messages (`message`, `app_mention`,
attachments) and slash commands, so that a real `<…>` is always its own markup: a person (`<@U123>`), a channel
(`<#C123|sales>`), a special mention (`<!here>`, `<!subteam^S1|@team>`) or a link (`<https://x|label>`,
`<mailto:a@b.kr|a@b.kr>`). `decode` turns such text into plain text once, at the edge; the views escape it once
on the way out (`bot/views/text.py`). References to people, channels and groups are kept as Slack wrote them (so
a mention stays resolvable, and the views' escaping keeps it inert); links become what the person typed.
Modal inputs (`plain_text_input` values in `view_submission`) arrive as typed and are never decoded.
"""

from __future__ import annotations

import re

from bot.i18n import _

_MARKUP = re.compile(r"<([^<>]*)>|&(amp|lt|gt);")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_CHARS = {"amp": "&", "lt": "<", "gt": ">"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # Slack's links always carry one (it adds http:// itself)
BOT_COMMAND = re.compile(r"\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: _CHARS[m.group(1)], text)


def _link(inner: str) -> str:
    """`<url>` or `<url|label>` as the person wrote it: an auto-linked URL, e-mail or domain is what was typed;
    a link with its own label keeps both."""
    url, _, label = inner.partition("|")
    url, label = _unescape(url).strip(), " ".join(_unescape(label).split())
    scheme, colon, rest = url.partition(":")
    bare = rest.removeprefix("//").rstrip("/") if colon and scheme.isalpha() else url
    if not label or label == url:
        return bare if scheme in ("mailto", "tel") else url
    if label in (bare, url.rstrip("/")) or scheme in ("mailto", "tel"):
        return label
    return f"{label} ({url})"


def decode(text: str | None) -> str:
    """Slack's text (a message, a slash command's text) → plain text, in one pass, so `&amp;lt;` is `&lt;`."""
    if not text:
        return ""

    def one(m: re.Match) -> str:
        if m.group(2):
            return _CHARS[m.group(2)]
        inner = m.group(1)
        if not _SCHEME.match(inner):
            return m.group(0)  # a person, a channel, a group or @here (kept, resolvable), or not Slack's markup
        return _link(inner)

    return _MARKUP.sub(one, text)


def is_command(text: str, bot_user_id: str | None) -> bool:
    """A message that starts by mentioning the bot is a command to it, not history."""
    m = BOT_COMMAND.match(text or "")
    return bool(bot_user_id and m and m.group(1) == bot_user_id)


def _is_shared_message(a: dict) -> bool:
    """A forwarded or linked Slack message (not a link preview of a web page)."""
    return bool(a.get("is_share") or a.get("is_msg_unfurl") or a.get("msg_subtype")
                or (a.get("author_id") and a.get("channel_id")))


def message_text(message: dict) -> str:
    """A message as plain text with what it shares: the content of a forwarded or linked message (who wrote it,
    its text, its link). A link preview counts only when the message has no text of its own (its URL is already
    in the text otherwise)."""
    own = decode(message.get("text")).strip()
    parts = [own] if own else []
    for a in message.get("attachments") or []:
        if not isinstance(a, dict):
            continue
        shared = _is_shared_message(a)
        if not shared and parts:
            continue
        body = " ".join(decode(a.get("text") or a.get("fallback") or a.get("title") or a.get("pretext")).split())
        who = a.get("author_name") or a.get("author_subname")
        link = a.get("from_url") or a.get("original_url") or a.get("title_link")
        if shared:
            line = (_("Forwarded from {who}: {text}").format(who=who, text=body) if who and body
                    else _("Forwarded: {text}").format(text=body or who or _("a message")))
        else:
            line = body
        if link and link not in line:
            line = f"{line} {link}" if line else link
        if line:
            parts.append(line)
    return "\n".join(parts)


def files_of(message: dict) -> list[dict] | None:
    """Files a message carries (its own and those of a message it shares): id, name and link. A file shared from
    another organization may come with its id only (`file_access: check_file_info`); the id is kept."""
    found = [f for f in message.get("files") or [] if isinstance(f, dict)]
    for a in message.get("attachments") or []:
        if isinstance(a, dict):
            found += [f for f in a.get("files") or [] if isinstance(f, dict)]
    files, seen = [], set()
    for f in found:
        if f.get("id") and f["id"] in seen:
            continue
        seen.add(f.get("id"))
        entry = {"id": f.get("id"), "name": (f.get("name") or f.get("title") or "file")[:200],
                 "url": f.get("permalink") or f.get("url_private")}
        if f.get("url_private") and f.get("permalink"):
            entry["url_private"] = f["url_private"]
        files.append({k: v for k, v in entry.items() if v is not None})
    return files or None


# ------------------------------------------------------------------------------------------------ workspaces
def workspace_of(body: dict, authorized_team: str | None = None) -> str:
    """The workspace a request belongs to, from the payload's own fields (the team the app is installed in: an
    interaction's `team`, an event's `authorizations`), never from the acting person's `user.team_id`, which is an
    `E…` organization id for some Enterprise Grid members. A payload naming no workspace (an org-wide shape) is the
    authorized one's."""
    view = body.get("view") if isinstance(body.get("view"), dict) else {}
    team = body.get("team")
    auths = body.get("authorizations") if isinstance(body.get("authorizations"), list) else []
    first = auths[0] if auths and isinstance(auths[0], dict) else {}
    for found in (view.get("app_installed_team_id"),
                  team.get("id") if isinstance(team, dict) else team if isinstance(team, str) else None,
                  first.get("team_id"), body.get("context_team_id"), body.get("team_id"), view.get("team_id"),
                  authorized_team):
        if found:
            return str(found)
    return ""


def home_ids(body: dict, workspace: str, authorized: tuple[str | None, str | None] = (None, None)) -> set[str]:
    """The installing workspace and its Enterprise Grid organization: the authorized install's ids, and the
    organization the payload gives for that same workspace."""
    team_id, enterprise_id = authorized
    home = {team_id or workspace, enterprise_id}
    team, enterprise = body.get("team"), body.get("enterprise")
    if isinstance(team, dict) and team.get("id") == (team_id or workspace):
        home.add(team.get("enterprise_id"))
    if isinstance(enterprise, dict) and (not team or isinstance(team, dict) and team.get("id") == (team_id or workspace)):
        home.add(enterprise.get("id"))  # the organization of this workspace (or, with no team named, of the install)
    for auth in body.get("authorizations") or []:
        if isinstance(auth, dict) and auth.get("team_id") == (team_id or workspace):
            home.add(auth.get("enterprise_id"))
    if body.get("context_team_id") == (team_id or workspace):
        home.add(body.get("context_enterprise_id"))
    if body.get("team_id") == (team_id or workspace):
        home.add(body.get("enterprise_id"))
    return {h for h in home if h}


def acting_message(body: dict) -> dict:
    """The message an event is about (an edit's new version), or {}."""
    event = body.get("event")
    if not isinstance(event, dict):
        return {}
    if event.get("subtype") == "message_changed":
        return event.get("message") or {}
    return event


def author_team(message: dict) -> str | None:
    """The organization of a message's author: in a Slack Connect channel, `user_team` (or the profile's team,
    `source_team`, `team`) is theirs."""
    return (message.get("user_team") or (message.get("user_profile") or {}).get("team") or message.get("source_team")
            or message.get("team"))


def actor_team(body: dict) -> str | None:
    """The organization of the person acting: an event's author, an interaction's user."""
    if isinstance(body.get("event"), dict):
        return author_team(acting_message(body))
    user = body.get("user")
    return user.get("team_id") if isinstance(user, dict) else None


def is_external(team: str | None, home: set[str], body: dict) -> bool:
    """Someone of another organization: their team is neither the installing workspace nor its organization. A
    channel Slack says is not shared outside (`is_ext_shared_channel: false`) has no such people."""
    if body.get("is_ext_shared_channel") is False:
        return False
    return bool(team) and team not in home

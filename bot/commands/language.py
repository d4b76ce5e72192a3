"""`/lead settings language ko|en`: the workspace's language, that of its shared messages (bot/languages.py)."""

from __future__ import annotations

from bot import languages
from bot.context import Req
from bot.i18n import NAMES, _, normalize
from store.services import languages as store_languages

WORDS = ("language", "lang", "languages", "언어")


def state_line(req: Req) -> str:
    """The `/lead settings` overview's line about languages."""
    shared = languages.of_workspace(req.crm, req.team_id)
    own = languages.of_person(req.crm, req.team_id, req.user_id)
    return _("*Language:* shared messages in *{shared}*; yours follow your Slack language (*{own}*). Change the "
             "workspace's with `/lead settings language ko` or `en`.").format(shared=NAMES[shared], own=NAMES[own])


def choose(req: Req, value: str) -> None:
    """Without a value: what is spoken to whom. With one: the workspace's language (managers and admins)."""
    own = languages.of_person(req.crm, req.team_id, req.user_id)
    if not value.strip():
        shared = languages.of_workspace(req.crm, req.team_id)
        req.reply(_("Shared messages (lead cards and their threads, assignment notices, channel reports) are in "
                    "*{shared}*. Your own messages follow your Slack language: *{own}*. Change the workspace's "
                    "with `/lead settings language ko` or `/lead settings language en`.").format(
                        shared=NAMES[shared], own=NAMES[own]))
        return
    req.me()  # their role comes from their Slack profile
    typed = value.split()[0]  # `ko`, `ko-KR`, `한국어`, `Korean`, `english`…
    lang = store_languages.set_workspace_language(req.db, req.clock, req.team_id, req.user_id,
                                                  normalize(typed) or typed)
    languages.forget(req.crm, req.team_id)
    req.reply(_("Saved: shared messages (lead cards and their threads, assignment notices, channel reports) are "
                "now in *{shared}*; a card changes language the next time it is updated. Your own messages follow "
                "your Slack language: *{own}*.").format(shared=NAMES[lang], own=NAMES[own]))

"""Answering a change the way every verb does: deliver it (card, thread line), then confirm it to the asker."""

from __future__ import annotations

from collections.abc import Callable

from bot.context import Req
from bot.i18n import _
from bot.views import replies
from bot.wording import Refusal
from store.dto import LeadChanged, LeadSummary


def missing(req: Req, question: str, usage: str, words: str) -> Refusal:
    """A verb typed without what it needs: ask, with an example for where the person is (`/lead log acme
    …`, or `@CRM log …` in a lead's thread)."""
    verb = usage.split(" ", 1)[0]
    if req.in_thread:
        return Refusal(_("{question} `@CRM {verb} {words}`.").format(question=question, verb=verb, words=words))
    return Refusal(_("{question} Usage: `/lead {usage}`, e.g. `/lead {verb} acme {words}`.").format(
        question=question, usage=usage, verb=verb, words=words))


def change(req: Req, service: Callable[..., LeadChanged], lead: LeadSummary, *args: object) -> None:
    """One change to the lead, applied once (`req.key`: a replayed pick or a mention), then answered."""
    answer_change(req, service(req.db, req.clock, req.team_id, req.user_id, lead.id, *args,
                               idempotency_key=req.effect_key))


def answer_change(req: Req, result: LeadChanged, *, extra: list | None = None) -> None:
    """Deliver the change; confirm it to the asker (in a thread, the thread line is the answer, and `extra`
    follows it to the asker alone). When an activity was logged and a follow-up is still open, offer to close
    it; `extra` blocks (a tip) come after the confirmation."""
    shown = req.deliver(result)
    if req.in_thread:
        if extra:
            req.reply(_("A tip about when to call"), extra)
        return
    lead, tz = shown.lead, req.tz()
    text = replies.changed(lead, result.change, tz, shown.error)
    if result.change.activity and lead.follow_up and not result.change.follow_up_at:
        req.reply(text, replies.follow_up_still_open(text, lead, tz, req.clock.now(), req.user_id))
        return
    if extra:
        req.reply(text, [replies.section(text), *extra])
        return
    req.reply(text)

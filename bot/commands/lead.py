"""The lead verbs of `/lead`: new, update, log, status, assign, followup, show, find, mine.

A verb about one lead comes in two halves (see `bot.commands.verbs`): `prepare` reads the words after the
lead into a `PendingAction`, `act` does it to the lead the reference resolved to. The same `act` serves the
slash command, the pick-one replay and a mention in the lead's thread.
"""

from __future__ import annotations

from datetime import datetime

from bot.commands.answers import answer_change, change, missing
from bot.commands.deals import offer_conversion
from bot.commands.parse import mentioned_user, parse_when, read_activity
from bot.context import Req
from bot.i18n import _
from bot.labels import label
from bot.metadata import ModalContext, PendingAction
from bot.views import lists, replies
from bot.views.best_time import suggestion_input
from bot.views.lead_360 import lead_360
from bot.views.lead_modals import (
    follow_up_default,
    new_lead_modal,
    update_modal_payload,
)
from bot.wording import Refusal
from store.dto import LeadSummary
from store.services import best_time, leads, pipeline, updates
from store.services.members import USER_ID


# ------------------------------------------------------------------ verbs about no single lead


def new(req: Req, args: str) -> None:
    if not args:
        req.open_view(new_lead_modal(req.modal_context()))
        return
    result = leads.create_lead(req.db, req.clock, req.team_id, req.user_id,
                               leads.NewLead(company=args.strip('"“”')), channel_hint=req.channel_id)
    if result.existed:
        req.reply(replies.existed(result.lead))
        return
    shown = req.deliver(result)
    req.reply(replies.created(shown.lead, req.user_id, shown.error))


def find(req: Req, args: str) -> None:
    hits = leads.search(req.db, req.team_id, args)
    text, blocks = lists.find_results(args, hits, req.tz(), req.clock.now())
    req.reply(text, blocks)


def mine(req: Req, _args: str) -> None:
    found, total = leads.my_leads(req.db, req.clock, req.team_id, req.user_id)
    text, blocks = lists.my_leads(found, total, req.tz(), req.clock.now())
    req.reply(text, blocks)


# ------------------------------------------------------------------ verbs about one lead: prepare, act


def prepare_update(req: Req, _ref: str, _rest: str) -> PendingAction:
    return PendingAction(verb="update", channel_id=req.channel_id)


def update(req: Req, lead: LeadSummary | None, _pending: PendingAction, _rest: str) -> None:
    ctx = req.modal_context(lead.id if lead else None)
    if req.key:  # replayed from a pick-one answer: that message is gone, confirm elsewhere
        ctx = ctx.model_copy(update={"reply": None})
    open_update_modal(req, ctx, lead)


def open_update_modal(req: Req, ctx: ModalContext, lead: LeadSummary | None, *,
                      close_default: str | None = None) -> None:
    """Open first (the trigger expires in 3 s): only cached data is used to build the modal."""
    with req.db.read() as s:
        statuses = pipeline.statuses(s, req.team_id)
    if lead is not None:
        ctx = ctx.model_copy(update={"status": lead.status})
    if not (close_default and lead and lead.follow_up):
        close_default = follow_up_default(lead, req.clock.now())
    tz = req.cached_tz()
    best = best_time.best_times(req.db, req.clock.now(), req.team_id, lead.id) if lead is not None else None
    req.open_view(update_modal_payload(
        statuses, ctx, lead=lead, tz=tz, close_default=close_default,
        suggestion=suggestion_input(best, tz, replaces=_("Used when Next follow-up is empty.")) if best else None))
    req.me()  # warm the zone cache for the submission


def prepare_log(req: Req, _ref: str, rest: str) -> PendingAction:
    if not rest:
        raise missing(req, _("What should I write down?"), "log <lead> <text>", _("called, no answer"))
    return PendingAction(verb="log", arg=rest)


def log(req: Req, lead: LeadSummary, pending: PendingAction, _rest: str) -> None:
    """The words say what happened (`called, no answer` is a call nobody answered); an open follow-up stays
    open: the answer offers to mark it done."""
    text = pending.arg or ""
    change(req, updates.log_note, lead, text, *read_activity(text))


def prepare_status(req: Req, _ref: str, rest: str) -> PendingAction:
    if not rest:
        with req.db.read() as s:
            options = pipeline.statuses(s, req.team_id)
        raise Refusal(_("Which status? Choose one of: {names}.").format(
            names=", ".join(label(o.name) for o in options)))
    with req.db.read() as s:
        pipeline.match_status(pipeline.statuses(s, req.team_id), rest)  # a wrong status before the lead
    return PendingAction(verb="status", arg=rest)


def status(req: Req, lead: LeadSummary, pending: PendingAction, _rest: str) -> None:
    result = updates.change_status(req.db, req.clock, req.team_id, req.user_id, lead.id, pending.arg or "",
                                   idempotency_key=req.effect_key)  # the service reads `qual` as Qualifying
    offer_conversion(req, result)  # before the card is delivered: the trigger expires in 3 s
    answer_change(req, result)


def prepare_assign(req: Req, ref: str, rest: str) -> PendingAction:
    if ref.startswith("<@"):
        raise Refusal(_("Name the lead first, then the person: `/lead assign acme @alice`."))
    owner = mentioned_user(rest)
    req.person(owner)  # Slack knows them (the service refuses bots)
    return PendingAction(verb="assign", arg=owner)


def assign(req: Req, lead: LeadSummary, pending: PendingAction, _rest: str) -> None:
    owner = pending.arg or ""  # came back through a button: checked again, as if typed
    if not USER_ID.fullmatch(owner):
        raise Refusal(_("That is not a person in this workspace. Mention them with @."))
    if req.person(owner).is_bot:
        raise Refusal(_("A bot can't own a lead. Mention a person."))
    change(req, updates.assign, lead, owner)


def prepare_followup(req: Req, _ref: str, rest: str) -> PendingAction:
    if not rest:
        return PendingAction(verb="followup")  # no time: the answer suggests the best ones
    due, note = parse_when(rest, req.tz(), req.clock.now())
    return PendingAction(verb="followup", arg=note or None, due=due.isoformat())


def followup(req: Req, lead: LeadSummary, pending: PendingAction, rest: str) -> None:
    best = best_time.best_times(req.db, req.clock.now(), req.team_id, lead.id)
    if pending.due is None:
        if best is None or not best.slots:
            raise missing(req, _("When?"), "followup <lead> <when> [note]", _("tomorrow 10am send the quote"))
        text, blocks = replies.suggested_times(lead, best, req.tz(), in_thread=req.in_thread)
        req.reply(text, blocks)
        return
    due, note = datetime.fromisoformat(pending.due), pending.arg
    if rest and lead.owner_id and lead.owner_id != req.user_id:
        # "tomorrow" without a time is 09:00 of the owner's tomorrow (they are the one reminded)
        due, note = parse_when(rest, req.tz(), req.clock.now(), day_tz=req.person(lead.owner_id).tz)
    result = updates.schedule_follow_up(req.db, req.clock, req.team_id, req.user_id, lead.id, due, note or None,
                                        idempotency_key=req.effect_key)
    tip = replies.better_times(lead, best, req.tz(), note) if best_time.poor_choice(best, due) else None
    answer_change(req, result, extra=tip)


def prepare_show(_req: Req, _ref: str, _rest: str) -> PendingAction:
    return PendingAction(verb="show")


def show(req: Req, lead: LeadSummary, _pending: PendingAction, _rest: str) -> None:
    detail = leads.lead_detail(req.db, req.team_id, lead.id)
    text, blocks = lead_360(detail, req.tz(), req.clock.now(),
                            best=best_time.best_times(req.db, req.clock.now(), req.team_id, lead.id))
    req.reply(text, blocks)

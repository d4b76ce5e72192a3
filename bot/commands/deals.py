"""Deals in Slack: `/lead deal`, `/lead won`, `/lead lost`, `/lead pipeline`, the card's Deal button, the deal
and lost modals, and the conversion offered when a lead moves to Closing (see `card.submit_update`)."""

from __future__ import annotations

import re

from slack_bolt import Ack

from bot.commands.answers import answer_change, change, missing
from bot.commands.parse import USER_MENTION
from bot.context import Req
from bot.errors import Listeners
from bot.forms import DealForm, field_errors, submitted, values
from bot.i18n import _, pgettext
from bot.ids import Action, Callback
from bot.labels import label
from bot.metadata import DealRef, ModalContext, PendingAction
from bot.views import deals as views
from bot.views import replies
from bot.wording import Refusal
from store.dto import DealChanged, DealInfo, DealInput, LeadSummary
from store.services import deal_stages, deals, leads, organizations, updates
from store.services.pipeline import statuses
from store.text import name_key
from store.vocabulary import CONVERT_AT

listeners = Listeners()
register = listeners.register


def deal_modal(req: Req, lead: LeadSummary, ctx: ModalContext, *, deal: DealInfo | None = None,
               stage: str | None = None):
    """The deal modal for this lead (cached stages and two indexed look-ups: it opens within the trigger's 3 s)."""
    with req.db.read() as s:
        options, currency = deal_stages.stages(s, req.team_id), deal_stages.currency_of(s, req.team_id)
        alikes = organizations.look_alikes(s, req.team_id, lead.organization_id) if ctx.converting else []
    return views.deal_modal(options, ctx, lead, currency, deal=deal, stage=stage, look_alikes=alikes)


def open_deal(req: Req, lead: LeadSummary, *, deal_id: int | None = None, stage: str | None = None,
              new: bool = False) -> None:
    """The deal modal: the deal named, else the lead's newest open deal, else (or when `new`) a new one."""
    if new:
        deal = None
    elif deal_id is None:  # the lead's snapshot carries its open deals, newest first: no query before the modal
        deal = lead.deals[0] if lead.deals else None
    else:
        deal = deals.deal_of_lead(req.db, req.team_id, lead.id, deal_id)
    ctx = req.modal_context(lead.id).model_copy(update={"converting": True if not lead.deals and not deal else None})
    req.open_view(deal_modal(req, lead, ctx, deal=deal, stage=stage).to_dict())  # validated once


def answer_deal(req: Req, result: DealChanged, *, ctx: ModalContext | None = None) -> None:
    """Like every change (in a lead's thread, the thread line is the answer); after a modal, where it started."""
    if ctx is None:
        answer_change(req, result)
        return
    shown = req.deliver(result)
    req.tell(replies.changed(shown.lead, result.change, req.cached_tz(), shown.error), channel_id=ctx.channel_id,
             response_url=ctx.response_url)


# ------------------------------------------------------------------ verbs


def prepare_deal(_req: Req, _ref: str, rest: str) -> PendingAction:
    if rest and rest.strip().lower() not in ("new", "upsell", "renewal"):
        raise Refusal(_("Usage: `/lead deal <lead>` edits its open deal; `/lead deal <lead> new` starts another."))
    return PendingAction(verb="deal", arg=rest.strip().lower() or None)


def deal(req: Req, lead: LeadSummary, pending: PendingAction, _rest: str) -> None:
    open_deal(req, lead, new=bool(pending.arg))


def prepare_won(_req: Req, _ref: str, _rest: str) -> PendingAction:
    return PendingAction(verb="won")


def won(req: Req, lead: LeadSummary, _pending: PendingAction, _rest: str) -> None:
    """One open deal: won now. None (or several): the deal modal, at Won, to say which and how much."""
    if len(lead.deals) != 1:
        if req.in_thread:
            raise Refusal(_("Several deals are open on this lead: use the card's *Deal* button to say which was "
                            "won and for how much.") if lead.deals else
                          _("No deal is open on this lead: use the card's *Deal* button to say which was won and "
                            "for how much."))
        with req.db.read() as s:
            stage = next((o.name for o in deal_stages.stages(s, req.team_id) if o.outcome == "won"), None)
        open_deal(req, lead, stage=stage)
        return
    answer_deal(req, deals.decide(req.db, req.clock, req.team_id, req.user_id, lead.id, "won",
                                  deal_id=lead.deals[0].id, idempotency_key=req.effect_key))


def prepare_lost(_req: Req, _ref: str, rest: str) -> PendingAction:
    return PendingAction(verb="lost", arg=rest or None)


def lost(req: Req, lead: LeadSummary, pending: PendingAction, _rest: str) -> None:
    """Lost with a reason and one open deal: done. Otherwise the lost modal asks why (and which deal)."""
    if not lead.deals:
        raise Refusal(_("{company} has no open deal. Create one with `/lead deal #{lead_id}`.").format(
            company=lead.company, lead_id=lead.id))
    reason, note = deals.lost_reason_of(pending.arg)
    if reason and len(lead.deals) == 1:
        answer_deal(req, deals.decide(req.db, req.clock, req.team_id, req.user_id, lead.id, "lost",
                                      deal_id=lead.deals[0].id, lost_reason=reason, lost_note=note,
                                      idempotency_key=req.effect_key))
        return
    if req.in_thread:
        raise Refusal(_("Say why: `@CRM lost price, they chose a cheaper tool`") if not reason else
                      _("Several deals are open on this lead: use `/lead lost` to say which."))
    req.open_view(views.lost_modal(
        req.modal_context(lead.id), lead, list(lead.deals), reason, note))


def pipeline(req: Req, args: str) -> None:
    """`/lead pipeline` (yours), `mine`, `@rep`, `all`."""
    words = args.strip().lower()
    mention = USER_MENTION.search(args)
    owner = mention.group(1) if mention else (None if words in ("all", "team", "everyone") else req.user_id)
    if words and not mention and words not in ("all", "team", "everyone", "mine", "my", "me"):
        raise Refusal(_("Usage: `/lead pipeline` (yours), `/lead pipeline @rep` or `/lead pipeline all`."))
    summary = deals.pipeline_summary(req.db, req.clock, req.team_id, req.tz(), owner_id=owner)
    with req.db.read() as s:
        currency = deal_stages.currency_of(s, req.team_id)
    whose = pgettext("whose pipeline", "yours") if owner == req.user_id else \
        (req.person_name(owner) or owner) if owner else pgettext("whose pipeline", "the team")
    text, blocks = views.pipeline_message(summary, whose, currency)
    req.reply(text, blocks)


# ------------------------------------------------------------------ buttons and modals


@listeners.action(Action.CARD_DEAL)
def card_deal(ack: Ack, req: Req) -> None:
    ack()
    open_deal(req, req.clicked_lead())


@listeners.action(re.compile(f"^{Action.DEAL_OPEN}:"))
def open_from_pipeline(ack: Ack, req: Req) -> None:
    ack()
    ref = req.button(DealRef, _("That button is out of date. Run `/lead pipeline` again."))
    open_deal(req, leads.get_lead(req.db, req.team_id, ref.lead_id), deal_id=ref.deal_id)


@listeners.view(Callback.DEAL)
def submit_deal(ack: Ack, req: Req, view: dict) -> None:
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    form = DealForm.model_validate(values(view))
    if ctx.lead_id is None:
        return ack(field_errors(view, "deal_name", _("This form is out of date. Close it and use /lead deal.")))

    def save() -> DealChanged:
        if form.owner:
            req.person(form.owner)
        inp = DealInput(ctx.lead_id or 0, deal_id=ctx.deal_id, name=form.deal_name, amount=form.amount or "",
                        recurring=form.billing == "monthly", stage=form.stage, expected_close=form.expected_close,
                        next_step=form.next_step, owner_id=form.owner, kind=form.kind, lost_reason=form.lost_reason,
                        lost_note=form.lost_note)
        key = f"deal-view:{view['id']}"  # its own: the id outlives an update modal that became this one
        if not ctx.converting:
            return deals.save_deal(req.db, req.clock, req.team_id, req.user_id, inp, idempotency_key=key)
        merge = form.merge_into if form.merge_into not in (None, "keep") else None
        return deals.convert(req.db, req.clock, req.team_id, req.user_id, inp,
                             merge_into=int(merge) if merge and merge.isdigit() else None,
                             contact_name=form.contact_name, contact_email=form.contact_email, idempotency_key=key)

    result = submitted(ack, view, "amount", save)
    if result is not None:
        ack()
        answer_deal(req, result, ctx=ctx)


@listeners.view(Callback.DEAL_LOST)
def submit_lost(ack: Ack, req: Req, view: dict) -> None:
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    form = DealForm.model_validate(values(view))
    result = submitted(ack, view, "lost_reason", lambda: deals.decide(
        req.db, req.clock, req.team_id, req.user_id, ctx.lead_id or 0, "lost", deal_id=form.deal or ctx.deal_id,
        lost_reason=form.lost_reason, lost_note=form.lost_note, idempotency_key=f"lost-view:{view['id']}"))
    if result is not None:
        ack()
        answer_deal(req, result, ctx=ctx)


def conversion(req: Req, result) -> dict | None:
    """The update modal moved the lead to Closing (or Qualified) and it has no open deal: the modal becomes
    the deal form, so the deal is created while the conversation is fresh."""
    change, lead = result.change, result.lead
    if not change.status_to or name_key(change.status_to) not in CONVERT_AT or lead.deals:
        return None
    ctx = ModalContext(lead_id=lead.id, channel_id=req.channel_id, converting=True)
    return {"response_action": "update", "view": deal_modal(req, lead, ctx).to_dict()}


def offer_conversion(req: Req, result) -> None:
    """`/lead status <lead> closing`: open the same deal form with the command's trigger."""
    offer = conversion(req, result)
    if offer and req.trigger_id and not req.in_thread:
        req.open_view(offer["view"])


def prepare_churned(req: Req, _ref: str, rest: str) -> PendingAction:
    if not rest:
        raise missing(req, _("Why did they leave?"), "churned <lead> <why>", _("moved to a cheaper tool"))
    return PendingAction(verb="churned", arg=rest)


def churned(req: Req, lead: LeadSummary, pending: PendingAction, _rest: str) -> None:
    """A customer who paid (a recurring deal) and left: the status that says so, with why."""
    with req.db.read() as s:
        status = next((o.name for o in statuses(s, req.team_id) if name_key(o.name) == "churned"), None)
    if status is None:
        raise Refusal(_("This workspace's pipeline has no {status} status. Use `/lead status` with the one you use."
                        ).format(status=label("Churned")))  # not translated: the store's word, label() shows it
    change(req, updates.change_status, lead, status, pending.arg)

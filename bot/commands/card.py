"""The lead card: its buttons (Log activity, Change status, Reassign, Accept, Pass, History, Follow), the
modals they open and `/lead new`'s form, and the Lead picker's type-ahead.

Modal submissions validate and write before the ack, so a problem comes back as a field error; the card
edit and the confirmation happen after the ack.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack

from bot.commands import deals, reminders
from bot.commands.lead import open_update_modal
from bot.context import Req
from bot.errors import Listeners
from bot.forms import (
    NewLeadForm,
    StatusForm,
    UpdateForm,
    field_errors,
    local_to_utc,
    refused,
    submitted,
    values,
)
from bot.i18n import _
from bot.ids import Action, Callback, Field
from bot.metadata import FollowRef, ModalContext, TimelinePage
from bot.views import replies
from bot.views.history import history_view
from bot.views.lead_modals import lead_option, reassign_modal, status_modal
from bot.views.text import esc_cut, user
from bot.wording import Refusal
from store.dto import LeadChanged, LeadSummary
from store.errors import CrmError
from store.services import followers, leads, pipeline, routing, updates

listeners = Listeners()
register = listeners.register


def _card_context(req: Req, lead: LeadSummary) -> ModalContext:
    return req.modal_context(lead.id)


# ------------------------------------------------------------------ buttons


@listeners.action(Action.CARD_LOG)
def log_activity(ack: Ack, req: Req) -> None:
    ack()
    lead = req.clicked_lead()
    open_update_modal(req, _card_context(req, lead), lead)


@listeners.action(Action.CARD_STATUS)
def change_status(ack: Ack, req: Req) -> None:
    ack()
    lead = req.clicked_lead()
    with req.db.read() as s:
        options = pipeline.statuses(s, req.team_id)
    req.open_view(status_modal(options, lead, _card_context(req, lead), req.cached_tz()))


@listeners.action(Action.CARD_REASSIGN)
def reassign(ack: Ack, req: Req) -> None:
    ack()
    lead = req.clicked_lead()
    req.open_view(reassign_modal(lead, _card_context(req, lead), req.cached_tz()))


@listeners.action(Action.CARD_ACCEPT)
def accept(ack: Ack, req: Req) -> None:
    """The routed owner takes the lead: recorded once, the card shows it."""
    ack()
    result = routing.accept(req.db, req.clock, req.team_id, req.user_id, req.clicked_lead().id)
    if result.done:
        lead = req.deliver(result).lead
        req.reply(_("You accepted *{company}*. Log your first touch with `/lead update #{lead_id}` or the card's "
                    "Log activity.").format(company=esc_cut(lead.company, 200), lead_id=lead.id),
                  response_type="ephemeral", replace_original=False)


@listeners.action(Action.CARD_PASS)
def pass_lead(ack: Ack, req: Req) -> None:
    """The owner passes: the next rep in rotation gets it; the card says who passed and who has it."""
    ack()
    lead = req.clicked_lead()
    req.me()  # a manager may pass for the owner: their role comes from their profile
    key = f"pass:{lead.id}:{req.user_id}:{lead.routed_at.isoformat() if lead.routed_at else ''}"
    result = routing.pass_lead(req.db, req.clock, req.team_id, req.user_id, lead.id, key=key)
    if result.done:
        req.deliver(result)
        req.reply(_("Passed *{company}* to {owner}.").format(company=esc_cut(lead.company, 200),
                                                             owner=user(result.new_owner)),
                  response_type="ephemeral", replace_original=False)


def _history(req: Req, lead_id: int, page: int, *, replace: bool) -> None:
    lead, entries, older = leads.history(req.db, req.team_id, lead_id, page=page)
    text, blocks = history_view(lead, entries, page, older, req.cached_tz())
    req.reply(text, blocks, response_type="ephemeral", replace_original=replace)


@listeners.action(Action.CARD_HISTORY)
def history(ack: Ack, req: Req) -> None:
    ack()
    _history(req, req.clicked_lead().id, 0, replace=False)


@listeners.action(re.compile(f"^{Action.TIMELINE_PAGE}:"))
def history_page(ack: Ack, req: Req) -> None:
    ack()
    page = req.button(TimelinePage, _("That page is out of date. Click History on the card again."))
    _history(req, page.lead_id, page.page, replace=True)


@listeners.action(Action.CARD_FOLLOW)
def follow(ack: Ack, req: Req) -> None:
    """Follow from the card (a toggle); the answer offers the opposite."""
    ack()
    ref = req.button(FollowRef)
    lead = leads.get_lead(req.db, req.team_id, ref.lead_id)
    now_following = followers.toggle(req.db, req.clock, req.team_id, lead.id, req.user_id, follow=ref.follow)
    text, blocks = replies.follow_answer(lead, now_following)
    req.reply(text, blocks, response_type="ephemeral",
              replace_original=bool((req.body.get("container") or {}).get("is_ephemeral")))


@listeners.options(Action.LEAD_SELECT)
def lead_options(ack: Ack, req: Req, payload: dict) -> None:
    """Type-ahead for the Lead picker (works with 100,000 leads)."""
    found = leads.suggest(req.db, req.team_id, payload.get("value") or "")
    ack(options=[lead_option(lead).to_dict() for lead in found])


# ------------------------------------------------------------------ modal submissions


def _save(ack: Ack, req: Req, view: dict, field: str, build: Callable[[ModalContext], updates.LeadUpdate],
          then: Callable[[LeadChanged], dict | None] = lambda _result: None) -> LeadChanged | None:
    """Shared by the lead-changing modals: build the update (may raise Invalid for a field), apply it
    once per view, answer with field errors or close the modal (or, `then`, replace it with the next
    one), then edit the card and confirm."""
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    result = submitted(ack, view, field, lambda: updates.update_lead(
        req.db, req.clock, req.team_id, req.user_id, build(ctx), idempotency_key=f"view:{view['id']}"))
    if result is None:
        return None
    next_view = then(result)
    ack(next_view) if next_view else ack()
    shown = req.deliver(result)
    if ctx.nudge is None and not ctx.home:  # from a nudge the edited DM, from the Home its refresh, confirms
        req.tell(replies.changed(shown.lead, result.change, req.cached_tz(), shown.error),
                 channel_id=ctx.channel_id, response_url=ctx.response_url)
    return result


@listeners.view(Callback.UPDATE_LEAD)
def submit_update(ack: Ack, req: Req, view: dict) -> None:
    def build(ctx: ModalContext) -> updates.LeadUpdate:
        form = UpdateForm.model_validate(values(view))
        lead_id = ctx.lead_id or form.lead
        if lead_id is None:
            raise Refusal(_("Choose the lead this is about."), field="lead")
        if form.follow_up_time and not form.follow_up_date:
            raise Refusal(_("Pick the day of the follow-up too."), field="follow_up")
        due = local_to_utc(form.follow_up_date, form.follow_up_time, req.tz()) if form.follow_up_date else \
            form.suggestion  # a suggested time counts when no date was picked
        status = None if ctx.status and form.status == ctx.status else form.status  # untouched: no change
        return updates.LeadUpdate(lead_id=lead_id, status=status, activity=form.activity, outcome=form.outcome,
                                  note=form.note, follow_up_at=due, follow_up_note=form.follow_up_note,
                                  close_follow_up=form.follow_up_close == "done")

    result = _save(ack, req, view, "note", build, then=lambda changed: deals.conversion(req, changed))
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    if result is not None and ctx.nudge is not None:
        reminders.after_update(req, ctx, closed=bool(result.change.follow_up_closed))


def _change_one(ack: Ack, req: Req, view: dict, field: str, question: str) -> None:
    """The Change status and Reassign modals: one required choice (status or owner) and a reason."""

    def build(ctx: ModalContext) -> updates.LeadUpdate:
        form = StatusForm.model_validate(values(view))
        chosen = getattr(form, field)
        if not chosen:
            raise Refusal(question, field=field)
        if field == "owner":
            req.person(chosen)  # Slack knows them (the service refuses bots)
            return updates.LeadUpdate(ctx.lead_id or 0, owner_id=chosen, reason=form.reason)
        return updates.LeadUpdate(ctx.lead_id or 0, status=chosen, reason=form.reason)

    _save(ack, req, view, field, build, then=lambda changed: deals.conversion(req, changed))


@listeners.view(Callback.CHANGE_STATUS)
def submit_status(ack: Ack, req: Req, view: dict) -> None:
    _change_one(ack, req, view, "status", _("Choose the new status."))


@listeners.view(Callback.REASSIGN)
def submit_reassign(ack: Ack, req: Req, view: dict) -> None:
    _change_one(ack, req, view, "owner", _("Choose the new owner."))


@listeners.view(Callback.NEW_LEAD)
def submit_new_lead(ack: Ack, req: Req, view: dict) -> None:
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    given = values(view)
    form = NewLeadForm.model_validate(given)
    typed = given.get(Field.SOURCE_OTHER)
    source = typed if isinstance(typed, str) and typed.strip() else form.source  # typed wins over the list
    try:
        if form.owner:
            req.person(form.owner)
        result = leads.create_lead(
            req.db, req.clock, req.team_id, req.user_id,
            leads.NewLead(company=form.company or "", contact_name=form.contact_name, email=form.email,
                          phone=form.phone, segment=form.segment, source=source, note=form.note,
                          owner_id=form.owner),
            channel_hint=ctx.channel_id,
        )
    except CrmError as exc:
        return ack(refused(view, exc, "company"))
    if result.existed:
        return ack(field_errors(view, "company", _(
            "{company} already has an open lead (#{lead_id}). Use /lead update #{lead_id} instead.").format(
            company=result.lead.company, lead_id=result.lead.id)))
    ack()
    shown = req.deliver(result)
    req.tell(replies.created(shown.lead, req.user_id, shown.error), channel_id=ctx.channel_id,
             response_url=ctx.response_url)

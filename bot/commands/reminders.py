"""The nudge DM's buttons: Done, Snooze (one hour, or a time from the menu), Reschedule (a modal),
Log activity (the update modal). Each edits the DM to show what was done; one action per nudge. The App Home's
follow-ups carry the same buttons (there, the Home's refresh shows what was done)."""

from __future__ import annotations

from slack_bolt import Ack

from bot.commands import home
from bot.commands.lead import open_update_modal
from bot.context import Req
from bot.errors import Listeners
from bot.forms import RescheduleForm, field_errors, local_to_utc, refused, values
from bot.i18n import _
from bot.ids import Action, Callback
from bot.metadata import ModalContext, NudgeRef
from bot.views import reminder_dm
from bot.views.best_time import suggestion_input
from bot.views.lead_modals import reschedule_modal
from bot.wording import Refusal
from store.dto import FollowUpActed, FollowUpItem
from store.errors import CrmError
from store.services import best_time, followups, leads, nudges

listeners = Listeners()
register = listeners.register


def _ref(raw: str | None) -> NudgeRef:
    ref = NudgeRef.load(raw)
    if ref is None:
        raise Refusal(_("That button is out of date. See your follow-ups with `/lead mine`."))
    return ref


def _key(ref: NudgeRef) -> str | None:
    return f"nudge:{ref.notification_id}" if ref.notification_id else None


def _message(req: Req) -> tuple[str | None, str | None, bool]:
    c = req.body.get("container") or {}
    return c.get("channel_id") or (req.body.get("channel") or {}).get("id"), c.get("message_ts"), bool(c.get("is_ephemeral"))


def _edit(req: Req, item: FollowUpItem, what: str, *, channel: str | None, ts: str | None, ephemeral: bool) -> None:
    """Edit the message the button was in: what happened, by whom, no buttons left."""
    text, blocks = reminder_dm.nudge_outcome(item, what, req.user_id, req.cached_tz(), req.clock.now())
    if ephemeral:
        req.reply(text, blocks, replace_original=True)
    elif channel and ts:
        req.client.chat_update(channel=channel, ts=ts, text=text, blocks=[b.to_dict() for b in blocks])


def show_outcome(req: Req, result: FollowUpActed, *, channel: str | None, ts: str | None,
                 ephemeral: bool = False) -> None:
    if result.already == "used":
        return  # a double click: the first click edits the message
    what = reminder_dm.outcome_text(result.verb, result.already, result.follow_up.due_at, req.cached_tz())
    _edit(req, FollowUpItem(result.follow_up, result.lead), what, channel=channel, ts=ts, ephemeral=ephemeral)
    if result.verb:
        req.deliver(result)  # the Home shows it once the notifier has published it
    if req.surface == "modal":
        home.refresh_list(req)  # a Home list: it shows the follow-up gone


def _act(ack: Ack, req: Req, verb: str, choice: str | None, raw: str | None) -> None:
    ack()
    ref = _ref(raw)
    until = reminder_dm.snooze_until(choice or "1h", req.clock.now(), req.tz()) if verb == "snooze" else None
    result = followups.act(req.db, req.clock, req.team_id, req.user_id, ref.follow_up_id, verb,  # type: ignore[arg-type]
                           until=until, notification_id=ref.notification_id, key=_key(ref))
    channel, ts, ephemeral = _message(req)
    show_outcome(req, result, channel=channel, ts=ts, ephemeral=ephemeral)


@listeners.action(Action.NUDGE_DONE)
def done(ack: Ack, req: Req) -> None:
    _act(ack, req, "done", None, req.action.get("value"))


@listeners.action(Action.NUDGE_SNOOZE)
def snooze(ack: Ack, req: Req) -> None:
    _act(ack, req, "snooze", "1h", req.action.get("value"))


@listeners.action(Action.NUDGE_SNOOZE_UNTIL)
def snooze_until(ack: Ack, req: Req) -> None:
    choice, _, raw = ((req.action.get("selected_option") or {}).get("value") or "").partition("|")
    if choice not in reminder_dm.SNOOZE_CHOICES:
        ack()
        raise Refusal(_("That choice is out of date. See your follow-ups with `/lead mine`."))
    _act(ack, req, "snooze", choice, raw)


def _modal_context(req: Req, ref: NudgeRef) -> ModalContext:
    channel, ts, _ephemeral = _message(req)
    return ModalContext(lead_id=ref.lead_id, channel_id=channel, nudge=ref, dm_ts=ts)


@listeners.action(Action.NUDGE_RESCHEDULE)
def reschedule(ack: Ack, req: Req) -> None:
    ack()
    ref = _ref(req.action.get("value"))
    item = nudges.follow_up_item(req.db, req.team_id, ref.follow_up_id)
    if item is None:
        raise Refusal(_("That follow-up no longer exists."))
    tz = req.cached_tz()
    best = best_time.best_times(req.db, req.clock.now(), req.team_id, item.lead.id)
    req.open_view(reschedule_modal(
        item.lead.company, item.follow_up.due_at, item.follow_up.note, _modal_context(req, ref), tz,
        suggestion_input(best, tz, replaces=_("Choosing one replaces Date and Time.")) if best else None))


@listeners.view(Callback.RESCHEDULE)
def submit_reschedule(ack: Ack, req: Req, view: dict) -> None:
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    if ctx.nudge is None:
        return ack(field_errors(view, "due", _("This form is out of date. Close it and use the buttons again.")))
    form = RescheduleForm.model_validate(values(view))
    try:
        if form.follow_up_date is None and form.suggestion is None:
            raise Refusal(_("Pick the new date."), field="due")
        until = form.suggestion or local_to_utc(form.follow_up_date, form.follow_up_time, req.tz())
        result = followups.act(req.db, req.clock, req.team_id, req.user_id, ctx.nudge.follow_up_id, "reschedule",
                               until=until, note=form.follow_up_note, notification_id=ctx.nudge.notification_id,
                               key=_key(ctx.nudge) or f"view:{view.get('id')}")
    except CrmError as exc:
        return ack(refused(view, exc, "due"))
    ack()
    show_outcome(req, result, channel=ctx.channel_id, ts=ctx.dm_ts)


@listeners.action(Action.NUDGE_LOG)
def log_activity(ack: Ack, req: Req) -> None:
    ack()
    ref = _ref(req.action.get("value"))
    lead = leads.get_lead(req.db, req.team_id, ref.lead_id)
    open_update_modal(req, _modal_context(req, ref), lead, close_default="done")


def after_update(req: Req, ctx: ModalContext, closed: bool) -> None:
    """The update modal opened from a nudge was saved: the nudge shows it."""
    if ctx.nudge is None or not ctx.dm_ts:
        return
    item = nudges.follow_up_item(req.db, req.team_id, ctx.nudge.follow_up_id)
    if item is not None:
        what = reminder_dm.outcome_text("logged" if closed else "logged-kept", None, item.follow_up.due_at,
                                        req.cached_tz())
        _edit(req, item, what, channel=ctx.channel_id, ts=ctx.dm_ts, ephemeral=False)

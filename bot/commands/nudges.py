"""The nudge DM's buttons: Done, Snooze (one hour, or a time from the menu), Reschedule (a modal),
Log activity (the update modal). Each edits the DM to show what was done; one action per nudge."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import people
from bot.commands import lead as lead_cmd
from bot.deps import Crm, team_of
from bot.errors import guarded
from bot.forms import RescheduleForm, field_errors, local_to_utc, values
from bot.ids import Action, Callback
from bot.delivery import deliver_lead
from bot.metadata import ModalContext, NudgeRef
from bot.views import nudges as views
from bot.views.modals import reschedule_modal
from store.errors import Invalid
from store.services import followups, leads, nudges


def register(app: App) -> None:
    app.action(Action.NUDGE_DONE)(guarded(done))
    app.action(Action.NUDGE_SNOOZE)(guarded(snooze))
    app.action(Action.NUDGE_SNOOZE_UNTIL)(guarded(snooze_until))
    app.action(Action.NUDGE_RESCHEDULE)(guarded(reschedule))
    app.action(Action.NUDGE_LOG)(guarded(log_activity))
    app.view(Callback.RESCHEDULE)(guarded(submit_reschedule))


def _ref(raw: str | None) -> NudgeRef:
    ref = NudgeRef.load(raw)
    if ref is None:
        raise Invalid("That button is out of date. See your follow-ups with `/lead mine`.")
    return ref


def _key(ref: NudgeRef) -> str | None:
    return f"nudge:{ref.notification_id}" if ref.notification_id else None


def _message(body: dict) -> tuple[str | None, str | None, bool]:
    c = body.get("container") or {}
    return c.get("channel_id") or (body.get("channel") or {}).get("id"), c.get("message_ts"), bool(c.get("is_ephemeral"))


def show_outcome(client: WebClient, crm: Crm, team: str, user: str, result: followups.FollowUpActed,
                 verb: str | None, *, channel: str | None, ts: str | None, respond: Respond | None = None) -> None:
    """Edit the message the button was in: what happened, by whom, no buttons left."""
    if result.already == "used":
        return  # a double click: the first click edits the message
    tz = people.tz_of(crm, team, user)
    item = nudges.FollowUpItem(result.follow_up, result.lead)
    what = views.outcome_text(verb, result.already, result.follow_up.due_at, tz)
    text, blocks = views.nudge_outcome(item, what, user, tz, crm.clock.now())
    if respond is not None:
        respond(text=text, blocks=[b.to_dict() for b in blocks], replace_original=True)
    elif channel and ts:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=[b.to_dict() for b in blocks])
    if verb:
        deliver_lead(client, crm, team, result.lead.id)


def _act(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext, verb: str,
         choice: str | None, raw: str | None) -> None:
    ack()
    crm: Crm = context["crm"]
    team, user = team_of(context), context.user_id
    ref = _ref(raw)
    until = None
    if verb == "snooze":
        until = views.snooze_until(choice or "1h", crm.clock.now(), people.member(client, crm, team, user).tz)
    result = followups.act(crm.db, crm.clock, team, user, ref.follow_up_id, verb, until=until,  # type: ignore[arg-type]
                           notification_id=ref.notification_id, key=_key(ref))
    channel, ts, ephemeral = _message(body)
    show_outcome(client, crm, team, user, result, result.verb, channel=channel, ts=ts,
                 respond=respond if ephemeral else None)


def done(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
    action = (body.get("actions") or [{}])[0]
    _act(ack, body, client, respond, context, "done", None, action.get("value"))


def snooze(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
    action = (body.get("actions") or [{}])[0]
    _act(ack, body, client, respond, context, "snooze", "1h", action.get("value"))


def snooze_until(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
    action = (body.get("actions") or [{}])[0]
    choice, _, raw = ((action.get("selected_option") or {}).get("value") or "").partition("|")
    if choice not in views.SNOOZE_CHOICES:
        ack()
        raise Invalid("That choice is out of date. See your follow-ups with `/lead mine`.")
    _act(ack, body, client, respond, context, "snooze", choice, raw)


def _modal_context(body: dict, ref: NudgeRef) -> ModalContext:
    channel, ts, _ = _message(body)
    return ModalContext(lead_id=ref.lead_id, channel_id=channel, nudge=ref, dm_ts=ts)


def reschedule(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    crm: Crm = context["crm"]
    team, user = team_of(context), context.user_id
    ref = _ref((body.get("actions") or [{}])[0].get("value"))
    item = nudges.follow_up_item(crm.db, team, ref.follow_up_id)
    if item is None:
        raise Invalid("That follow-up no longer exists.")
    tz = people.tz_of(crm, team, user)
    client.views_open(trigger_id=body.get("trigger_id"),
                      view=reschedule_modal(item.lead.company, item.follow_up.due_at, item.follow_up.note,
                                            _modal_context(body, ref), tz))


def submit_reschedule(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    crm: Crm = context["crm"]
    team, user = team_of(context), context.user_id
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    if ctx.nudge is None:
        return ack(field_errors(view, "due", "This form is out of date. Close it and use the buttons again."))
    form = RescheduleForm.model_validate(values(view))
    try:
        if form.follow_up_date is None:
            raise Invalid("Pick the new date.", field="due")
        until = local_to_utc(form.follow_up_date, form.follow_up_time, people.member(client, crm, team, user).tz)
        result = followups.act(crm.db, crm.clock, team, user, ctx.nudge.follow_up_id, "reschedule", until=until,
                               note=form.follow_up_note, notification_id=ctx.nudge.notification_id,
                               key=_key(ctx.nudge) or f"view:{view.get('id')}")
    except Invalid as exc:
        return ack(field_errors(view, exc.field or "due", exc.message))
    ack()
    show_outcome(client, crm, team, user, result, result.verb, channel=ctx.channel_id, ts=ctx.dm_ts)


def log_activity(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    crm: Crm = context["crm"]
    team, user = team_of(context), context.user_id
    ref = _ref((body.get("actions") or [{}])[0].get("value"))
    lead = leads.get_lead(crm.db, team, ref.lead_id)
    lead_cmd.open_update_modal(client, crm, team, user, body.get("trigger_id"), _modal_context(body, ref), lead,
                               close_default="done")


def after_update(client: WebClient, crm: Crm, team: str, user: str, ctx: ModalContext, closed: bool) -> None:
    """The update modal opened from a nudge was saved: the nudge shows it."""
    if ctx.nudge is None or not ctx.dm_ts:
        return
    item = nudges.follow_up_item(crm.db, team, ctx.nudge.follow_up_id)
    if item is None:
        return
    tz = people.tz_of(crm, team, user)
    what = views.outcome_text("logged" if closed else "logged-kept", None, item.follow_up.due_at, tz)
    text, blocks = views.nudge_outcome(item, what, user, tz, crm.clock.now())
    client.chat_update(channel=ctx.channel_id, ts=ctx.dm_ts, text=text, blocks=[b.to_dict() for b in blocks])

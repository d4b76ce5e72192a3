"""Buttons: the lead card's (Log activity, Change status, Reassign) and the pick-one answers."""

from __future__ import annotations

import re
from datetime import datetime

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import people
from bot.commands import lead as lead_cmd
from bot.deps import Crm, channel_of, team_of
from bot.errors import guarded
from bot.ids import Action
from bot.metadata import FollowRef, LeadRef, ModalContext, PendingAction, TimelinePage
from bot.delivery import deliver_lead
from bot.views.history import history_view
from bot.views.modals import reassign_modal, status_modal
from bot.views.replies import follow_answer
from bot.views.text import esc_cut, user
from store.errors import Duplicate, Invalid
from store.services import followers, leads, pipeline, routing, updates


def register(app: App) -> None:
    app.action(Action.CARD_LOG)(guarded(log_activity))
    app.action(Action.CARD_STATUS)(guarded(change_status))
    app.action(Action.CARD_REASSIGN)(guarded(reassign))
    app.action(re.compile(f"^{Action.PICK_LEAD}:"))(guarded(pick_lead))
    app.action(Action.CARD_ACCEPT)(guarded(accept))
    app.action(Action.CARD_PASS)(guarded(pass_lead))
    app.action(Action.CARD_HISTORY)(guarded(history))
    app.action(re.compile(f"^{Action.TIMELINE_PAGE}:"))(guarded(history_page))
    app.action(Action.CARD_FOLLOW)(guarded(follow))


def _history(respond: Respond, crm: Crm, team: str, user_id: str, lead_id: int, page: int, *, replace: bool) -> None:
    lead, entries, older = leads.history(crm.db, team, lead_id, page=page)
    text, blocks = history_view(lead, entries, page, older, people.tz_of(crm, team, user_id))
    respond(text=text, blocks=[b.to_dict() for b in blocks], response_type="ephemeral", replace_original=replace)


def history(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    crm, team, lead, _ctx = _lead_for(body, context)
    _history(respond, crm, team, context.user_id, lead.id, 0, replace=False)


def history_page(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    crm, team, action, _ctx = _setup(body, context)
    page = TimelinePage.load(action.get("value"))
    if page is None:
        raise Invalid("That page is out of date. Click History on the card again.")
    _history(respond, crm, team, context.user_id, page.lead_id, page.page, replace=True)


def follow(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
    """Follow from the card (a toggle); the answer offers the opposite."""
    ack()
    crm, team, action, _ctx = _setup(body, context)
    ref = FollowRef.load(action.get("value"))
    if ref is None:
        raise Invalid("That button is out of date. Use `/lead show <lead>` for a fresh card.")
    lead = leads.get_lead(crm.db, team, ref.lead_id)
    now_following = followers.toggle(crm.db, crm.clock, team, lead.id, context.user_id, follow=ref.follow)
    text, blocks = follow_answer(lead, now_following)
    respond(text=text, blocks=[b.to_dict() for b in blocks], response_type="ephemeral",
            replace_original=bool((body.get("container") or {}).get("is_ephemeral")))


def accept(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
    """The routed owner takes the lead: recorded once, the card shows it."""
    ack()
    crm, team, lead, _ctx = _lead_for(body, context)
    result = routing.accept(crm.db, crm.clock, team, context.user_id, lead.id)
    if result.done:
        deliver_lead(client, crm, team, lead.id)
        respond(text=f"You accepted *{esc_cut(lead.company, 200)}*. Log your first touch with "
                     f"`/lead update #{lead.id}` or the card's Log activity.", response_type="ephemeral",
                replace_original=False)


def pass_lead(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
    """The owner passes: the next rep in rotation gets it; the card says who passed and who has it."""
    ack()
    crm, team, lead, _ctx = _lead_for(body, context)
    me = people.member(client, crm, team, context.user_id)
    key = f"pass:{lead.id}:{context.user_id}:{lead.routed_at.isoformat() if lead.routed_at else ''}"
    result = routing.pass_lead(crm.db, crm.clock, team, context.user_id, lead.id, is_manager=me.can_manage, key=key)
    if result.done:
        deliver_lead(client, crm, team, lead.id)
        respond(text=f"Passed *{esc_cut(lead.company, 200)}* to {user(result.new_owner)}.",
                response_type="ephemeral", replace_original=False)


def _setup(body: dict, context: BoltContext):
    crm: Crm = context["crm"]
    team = team_of(context)
    action = (body.get("actions") or [{}])[0]
    ctx = ModalContext(channel_id=channel_of(body), response_url=body.get("response_url"))
    return crm, team, action, ctx


def _lead_for(body: dict, context: BoltContext):
    crm, team, action, ctx = _setup(body, context)
    ref = LeadRef.load(action.get("value"))
    if ref is None:
        raise Invalid("That button is out of date. Use `/lead show <lead>` for a fresh card.")
    lead = leads.get_lead(crm.db, team, ref.lead_id)
    return crm, team, lead, ctx.model_copy(update={"lead_id": lead.id})


def log_activity(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    crm, team, lead, ctx = _lead_for(body, context)
    lead_cmd.open_update_modal(client, crm, team, context.user_id, body.get("trigger_id"), ctx, lead)


def change_status(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    crm, team, lead, ctx = _lead_for(body, context)
    with crm.db.read() as s:
        options = pipeline.statuses(s, team)
    tz = people.tz_of(crm, team, context.user_id)
    client.views_open(trigger_id=body.get("trigger_id"), view=status_modal(options, lead, ctx, tz))


def reassign(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    crm, team, lead, ctx = _lead_for(body, context)
    tz = people.tz_of(crm, team, context.user_id)
    client.views_open(trigger_id=body.get("trigger_id"), view=reassign_modal(lead, ctx, tz))


def pick_lead(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
    """Replay the command that named several leads, now with the one the person picked (once)."""
    ack()
    crm, team, action, ctx = _setup(body, context)
    pending = PendingAction.load(action.get("value"))
    if pending is None or pending.lead_id is None:
        raise Invalid("That choice is out of date. Run the command again.")
    lead = leads.get_lead(crm.db, team, pending.lead_id)
    asker = lead_cmd.Asker(crm, client, respond, team, context.user_id, ctx.channel_id, body.get("trigger_id"),
                           body.get("response_url"))
    if pending.verb == "update":
        lead_cmd.open_update_modal(client, crm, team, context.user_id, body.get("trigger_id"),
                                   ctx.model_copy(update={"lead_id": lead.id, "response_url": None}), lead)
        respond(delete_original=True)
        return
    if pending.verb == "show":
        respond(delete_original=True)
        lead_cmd.show_lead(asker, lead.id)
        return
    key = f"pick:{(body.get('container') or {}).get('message_ts') or action.get('action_ts')}"
    args = (crm.db, crm.clock, team, context.user_id, lead.id)
    try:
        if pending.verb == "log":
            result = updates.log_note(*args, pending.arg or "", idempotency_key=key)
        elif pending.verb == "status":
            result = updates.change_status(*args, pending.arg or "", idempotency_key=key)
        elif pending.verb == "assign":
            result = updates.assign(*args, pending.arg or "", idempotency_key=key)
        else:
            due = datetime.fromisoformat(pending.due or "")
            result = updates.schedule_follow_up(*args, due, pending.arg, idempotency_key=key)
    except Duplicate:
        return
    respond(delete_original=True)
    lead_cmd.answer_change(asker, result)

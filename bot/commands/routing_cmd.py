"""`/lead routing` (queues: list, create, edit, weights), `/lead away [until <when>]`, `/lead back`."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import people
from bot.commands.lead import VERBS, Asker
from bot.commands.modals import notify
from bot.commands.parse import USER_MENTION, parse_when
from bot.deps import Crm, channel_of, team_of
from bot.errors import guarded
from bot.forms import QueueForm, field_errors, values
from bot.ids import Action, Callback
from bot.metadata import ModalContext
from bot.views import routing as views
from bot.views.text import esc_cut, user, when
from store.errors import Invalid
from store.services import routing


def register(app: App) -> None:
    VERBS.update({"routing": routing_command, "away": away, "back": back})
    app.action(Action.QUEUE_NEW)(guarded(open_queue))
    app.action(Action.QUEUE_EDIT)(guarded(open_queue))
    app.action(Action.QUEUE_WEIGHTS)(guarded(open_weights))
    app.view(Callback.QUEUE)(guarded(submit_queue))
    app.view(Callback.WEIGHTS)(guarded(submit_weights))


def _require_manager(client: WebClient, crm: Crm, team: str, user_id: str) -> None:
    if not people.member(client, crm, team, user_id).can_manage:
        raise Invalid("Only managers and workspace admins can configure routing. An admin can make you a "
                      "manager, or ask one to set up the queue.")


def routing_command(asker: Asker, _args: str) -> None:
    _require_manager(asker.client, asker.crm, asker.team_id, asker.user_id)
    queues = routing.list_queues(asker.crm.db, asker.team_id)
    if not queues:  # nothing to list: straight to the form
        asker.client.views_open(trigger_id=asker.trigger_id, view=_with_channel(
            views.queue_modal(None, asker.channel_id), asker.channel_id))
        return
    away = routing.away(asker.crm.db, asker.crm.clock, asker.team_id, [u for q in queues for u, _ in q.members])
    text, blocks = views.queue_list(queues, away, asker.tz())
    asker.respond(text=text, blocks=[b.to_dict() for b in blocks])


def _with_channel(view, channel_id: str | None):
    """Remember where the manager typed the command, to confirm there."""
    ref = views.QueueRef.load(view.private_metadata) or views.QueueRef()
    view.private_metadata = ref.model_copy(update={"channel_id": channel_id}).dump()
    return view


def _queue_click(body: dict, client: WebClient, context: BoltContext):
    """A manager clicked a button of the queue list: (crm, team, the queue's ref, where they clicked)."""
    crm: Crm = context["crm"]
    team = team_of(context)
    _require_manager(client, crm, team, context.user_id)
    ref = views.QueueRef.load((body.get("actions") or [{}])[0].get("value")) or views.QueueRef()
    return crm, team, ref, channel_of(body)


def open_queue(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    crm, team, ref, channel = _queue_click(body, client, context)
    queue = routing.get_queue(crm.db, team, ref.queue_id) if ref.queue_id else None
    client.views_open(trigger_id=body.get("trigger_id"), view=_with_channel(views.queue_modal(queue, channel), channel))


def open_weights(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    crm, team, ref, channel = _queue_click(body, client, context)
    queue = routing.get_queue(crm.db, team, ref.queue_id or 0)
    names = {u: people.name_of(crm, team, u) or u for u, _ in queue.members}
    client.views_open(trigger_id=body.get("trigger_id"), view=_with_channel(views.weights_modal(queue, names), channel))


def submit_queue(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    crm: Crm = context["crm"]
    team, actor = team_of(context), context.user_id
    ref = views.QueueRef.load(view.get("private_metadata")) or views.QueueRef()
    form = QueueForm.model_validate(values(view))
    try:
        _require_manager(client, crm, team, actor)
        sla = routing.parse_sla(form.sla)
        for member in form.members:
            if people.member(client, crm, team, member, must_exist=True).is_bot:
                raise Invalid("Bots can't take leads. Choose people.", field="members")
        queue = routing.save_queue(
            crm.db, crm.clock, team, actor, queue_id=ref.queue_id, name=form.name or "", channel_id=form.channel or "",
            members=form.members, segment=None if form.segment in (None, "*") else form.segment, sla_minutes=sla,
            on_breach=form.on_breach or "notify")
    except Invalid as exc:
        return ack(field_errors(view, exc.field or "name", exc.message))
    ack()
    members = ", ".join(user(u) for u, _ in queue.members)
    notify(client, ModalContext(channel_id=ref.channel_id), actor,
           f"Saved queue *{esc_cut(queue.name, 80)}*{' (default)' if queue.is_default else ''}: notices in "
           f"<#{queue.channel_id}>, rotation {members}, first-touch SLA {views.duration_text(queue.sla_minutes)}.")


def submit_weights(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    crm: Crm = context["crm"]
    team, actor = team_of(context), context.user_id
    ref = views.QueueRef.load(view.get("private_metadata")) or views.QueueRef()
    weights: dict[str, int] = {}
    for block_id, raw in values(view).items():
        if not block_id.startswith("w:"):
            continue
        text = str(raw or "1").strip()
        if not text.isdigit():
            return ack({"response_action": "errors", "errors": {block_id: "A whole number from 0 to 100."}})
        weights[block_id[2:]] = int(text)
    try:
        _require_manager(client, crm, team, actor)
        queue = routing.set_weights(crm.db, team, ref.queue_id or 0, weights)
    except Invalid as exc:
        block = f"w:{exc.field}" if exc.field in weights else next(iter(f"w:{u}" for u in weights), "name")
        return ack({"response_action": "errors", "errors": {block: exc.message}})
    ack()
    notify(client, ModalContext(channel_id=ref.channel_id), actor,
           f"Weights of *{esc_cut(queue.name, 80)}*: " + ", ".join(f"{user(u)} {w}" for u, w in queue.members) + ".")


def _whom(asker: Asker, args: str) -> tuple[str, str]:
    """(the person, the rest): yourself, or a mentioned person (managers only)."""
    mentioned = USER_MENTION.search(args)
    if not mentioned or mentioned.group(1) == asker.user_id:
        return asker.user_id, USER_MENTION.sub("", args).strip()
    _require_manager(asker.client, asker.crm, asker.team_id, asker.user_id)
    return mentioned.group(1), USER_MENTION.sub("", args).strip()


def away(asker: Asker, args: str) -> None:
    who, rest = _whom(asker, args)
    rest = rest.removeprefix("until").strip()
    until = routing.FOREVER
    if rest:
        until, _ = parse_when(rest, asker.tz(), asker.crm.clock.now(),
                              day_tz=people.member(asker.client, asker.crm, asker.team_id, who).tz)
    routing.set_away(asker.crm.db, asker.crm.clock, asker.team_id, who, until)
    whose = "You are" if who == asker.user_id else f"{user(who)} is"
    span = "until you say `/lead back`" if until == routing.FOREVER else f"until {when(until, asker.tz())}"
    asker.respond(text=f"{whose} away {span}: routing skips {'you' if who == asker.user_id else 'them'} and the "
                       "assignment notices say so.")


def back(asker: Asker, args: str) -> None:
    who, _ = _whom(asker, args)
    routing.set_away(asker.crm.db, asker.crm.clock, asker.team_id, who, None)
    whose = "Welcome back: you are" if who == asker.user_id else f"{user(who)} is"
    asker.respond(text=f"{whose} in the rotation again.")

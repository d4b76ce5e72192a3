"""Routing: `/lead routing` (queues: list, create, edit, weights), `/lead away [until <when>]`, `/lead back`.
Only managers and admins change routing; the services enforce it."""

from __future__ import annotations

from slack_bolt import Ack

from bot.commands.parse import USER_MENTION, parse_when
from bot.context import Req
from bot.errors import Listeners
from bot.forms import QueueForm, refused, values
from bot.i18n import _
from bot.ids import Action, Callback
from bot.metadata import QueueRef
from bot.views import queue_admin
from bot.views.text import duration_text, esc_cut, user, when
from bot.wording import say
from store.errors import CrmError
from store.services import routing
from store.services.members import require_manager

listeners = Listeners()
register = listeners.register


def routing_command(req: Req, _args: str) -> None:
    req.me()  # their role comes from their Slack profile
    queues = routing.list_queues(req.db, req.team_id, by=req.user_id)
    if not queues:  # nothing to list: straight to the form
        req.open_view(_with_channel(
            queue_admin.queue_modal(None, req.channel_id), req.channel_id))
        return
    away = routing.away(req.db, req.clock, req.team_id, [u for q in queues for u, _weight in q.members])
    text, blocks = queue_admin.queue_list(queues, away, req.tz())
    req.reply(text, blocks)


def _with_channel(view, channel_id: str | None):
    """Remember where the manager typed the command, to confirm there."""
    ref = QueueRef.load(view.private_metadata) or QueueRef()
    view.private_metadata = ref.model_copy(update={"channel_id": channel_id}).dump()
    return view


def _clicked_queue(req: Req) -> QueueRef:
    """A manager clicked a button of the queue list."""
    req.me()  # their role comes from their Slack profile
    require_manager(req.db, req.team_id, req.user_id, "routing")
    return QueueRef.load(req.action.get("value")) or QueueRef()


@listeners.action(Action.QUEUE_NEW)
@listeners.action(Action.QUEUE_EDIT)
def open_queue(ack: Ack, req: Req) -> None:
    ack()
    ref = _clicked_queue(req)
    queue = routing.get_queue(req.db, req.team_id, ref.queue_id) if ref.queue_id else None
    req.open_view(_with_channel(queue_admin.queue_modal(queue, req.channel_id), req.channel_id))


@listeners.action(Action.QUEUE_WEIGHTS)
def open_weights(ack: Ack, req: Req) -> None:
    ack()
    ref = _clicked_queue(req)
    queue = routing.get_queue(req.db, req.team_id, ref.queue_id or 0)
    names = {u: req.person_name(u) or u for u, _weight in queue.members}
    req.open_view(_with_channel(queue_admin.weights_modal(queue, names), req.channel_id))


@listeners.view(Callback.QUEUE)
def submit_queue(ack: Ack, req: Req, view: dict) -> None:
    ref = QueueRef.load(view.get("private_metadata")) or QueueRef()
    form = QueueForm.model_validate(values(view))
    try:
        req.me()
        sla = routing.parse_sla(form.sla)
        for member in form.members:
            req.person(member)  # Slack knows them (the service refuses bots)
        queue = routing.save_queue(
            req.db, req.clock, req.team_id, req.user_id, queue_id=ref.queue_id, name=form.name or "",
            channel_id=form.channel or "", members=form.members,
            segment=None if form.segment in (None, "*") else form.segment, sla_minutes=sla,
            on_breach=form.on_breach or "notify")
    except CrmError as exc:
        return ack(refused(view, exc, "name"))
    ack()
    if queue.is_default:
        saved = _("Saved queue *{name}* (default): notices in {channel}, rotation {members}, first-touch SLA {sla}.")
    else:
        saved = _("Saved queue *{name}*: notices in {channel}, rotation {members}, first-touch SLA {sla}.")
    req.tell(saved.format(name=esc_cut(queue.name, 80), channel=f"<#{queue.channel_id}>",
                          members=", ".join(user(u) for u, _weight in queue.members),
                          sla=duration_text(queue.sla_minutes)), channel_id=ref.channel_id)


@listeners.view(Callback.WEIGHTS)
def submit_weights(ack: Ack, req: Req, view: dict) -> None:
    ref = QueueRef.load(view.get("private_metadata")) or QueueRef()
    weights: dict[str, int] = {}
    for block_id, raw in values(view).items():
        if not block_id.startswith("w:"):
            continue
        text = str(raw or "1").strip()
        if not text.isdigit():
            return ack({"response_action": "errors", "errors": {block_id: _("A whole number from 0 to 100.")}})
        weights[block_id[2:]] = int(text)
    try:
        req.me()
        queue = routing.set_weights(req.db, req.team_id, ref.queue_id or 0, weights, by=req.user_id)
    except CrmError as exc:
        block = f"w:{exc.field}" if exc.field in weights else next(iter(f"w:{u}" for u in weights), "name")
        return ack({"response_action": "errors", "errors": {block: esc_cut(say(exc), 300)}})
    ack()
    req.tell(_("Weights of *{name}*: {weights}.").format(
        name=esc_cut(queue.name, 80), weights=", ".join(f"{user(u)} {w}" for u, w in queue.members)),
        channel_id=ref.channel_id)


def _whom(req: Req, args: str) -> tuple[str, str]:
    """(the person, the rest): yourself, or a mentioned person (managers only: the service checks)."""
    mentioned = USER_MENTION.search(args)
    rest = USER_MENTION.sub("", args).strip()
    if not mentioned or mentioned.group(1) == req.user_id:
        return req.user_id, rest
    req.me()
    return mentioned.group(1), rest


def away(req: Req, args: str) -> None:
    who, rest = _whom(req, args)
    rest = rest.removeprefix("until").strip()
    until = routing.FOREVER
    if rest:
        until, _note = parse_when(rest, req.tz(), req.clock.now(), day_tz=req.person(who).tz)
    routing.set_away(req.db, req.clock, req.team_id, who, until, by=req.user_id)
    if who == req.user_id:
        text = _("You are away until you say `/lead back`: routing skips you and the assignment notices say so.") \
            if until == routing.FOREVER else \
            _("You are away until {time}: routing skips you and the assignment notices say so.")
    else:
        text = _("{person} is away until you say `/lead back`: routing skips them and the assignment notices say "
                 "so.") if until == routing.FOREVER else \
            _("{person} is away until {time}: routing skips them and the assignment notices say so.")
    shown = when(until, req.tz()) if until != routing.FOREVER else ""
    req.reply(text.format(person=user(who), time=shown))


def back(req: Req, args: str) -> None:
    who, _rest = _whom(req, args)
    routing.set_away(req.db, req.clock, req.team_id, who, None, by=req.user_id)
    text = _("Welcome back: you are in the rotation again.") if who == req.user_id else \
        _("{person} is in the rotation again.").format(person=user(who))
    req.reply(text)

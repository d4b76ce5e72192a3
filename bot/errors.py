"""The one error handler: any exception becomes a clear message where the person is.

Listeners are registered through `guarded`, which hands every exception to `handle`: before the
ack it becomes the ack itself (a modal field error, an ephemeral reply), after the ack a message
through the response_url, an ephemeral or a DM. Bolt's `@app.error` uses the same function for
what fails outside listeners (middleware). Handlers therefore just raise `CrmError`s.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot import inbox, languages
from bot.ack_first import YieldingAck
from bot.context import tell
from bot.i18n import N_, _, speaking
from bot.views.lead_modals import message_modal
from bot.views.text import esc
from bot.wording import say
from store.errors import CrmError, Invalid
from store.services import audit

log = logging.getLogger("bot.errors")

SORRY = N_("Sorry, something went wrong on my side and nothing was changed. Please try again in a moment.")


def register(app: App) -> None:
    app.error(on_error)


def guarded(fn: Callable[..., None]) -> Callable[..., None]:
    """Wrap a listener so its exceptions reach `handle`. The listener names what it needs: `req` (the
    request's `bot.context.Req`), `ack` (acks, then yields to requests still waiting for theirs), `view`,
    `payload`, `context`."""
    names = inspect.getfullargspec(fn).args

    def listener(ack: Ack, body: dict, payload: dict, context: BoltContext, client: WebClient, view) -> None:
        polite_ack = YieldingAck(ack, context.get("ack_gate"))
        given = {"ack": polite_ack, "req": context.get("req"), "payload": payload, "context": context, "view": view}
        with speaking(asker_language(context, lambda: polite_ack.sent)):
            try:
                fn(**{n: given[n] for n in names})
            except Exception as exc:  # noqa: BLE001 - this is the central handler
                handle(exc, body, context, client, ack)
                _finished(context, exc)
            else:
                _finished(context)

    listener.__name__ = fn.__name__
    listener.__qualname__ = fn.__qualname__
    return listener


def guarded_event(fn: Callable[..., None]) -> Callable[..., None]:
    """`guarded` for Events API listeners: Bolt acks events itself, so only what they use is injected
    (thread replies arrive by the thousand; every injected argument costs). They run on threads of their own
    (`crm.events`, a few: on SQLite they all wait for one writer anyway)."""

    def run(body: dict, context: BoltContext, client: WebClient) -> None:
        with speaking(asker_language(context, lambda: True)):  # Bolt has acked the event already
            try:
                fn(req=context["req"], context=context)
            except Exception as exc:  # noqa: BLE001 - this is the central handler
                handle(exc, body, context, client, None)
                _finished(context, exc)
            else:
                _finished(context)

    def listener(body: dict, context: BoltContext, client: WebClient) -> None:
        events = context["req"].crm.events
        if events is None:
            run(body, context, client)
        else:  # a burst of thread replies queues here, not in front of the commands' and clicks' listeners
            events.submit(run, body, context, client)

    listener.__name__ = fn.__name__
    listener.__qualname__ = fn.__qualname__
    return listener


def asker_language(context: BoltContext, acked=lambda: False):
    """The language of the person the request comes from, looked up when first needed (bot/languages.py);
    `acked` says whether Slack has had its answer (until then nothing waits for the Web API)."""
    req = context.get("req")
    if req is None:
        return None
    return languages.of_asker(req.client, req.crm, req.team_id, req.user_id, acked)


def _finished(context: BoltContext, error: Exception | None = None) -> None:
    """The request's inbox row (bot/inbox.py): done when the listener ended or refused politely; an
    unexpected error leaves it to be tried again by the sweep."""
    req = context.get("req")
    inbox.finished(getattr(req, "crm", None), context, None if error is None or isinstance(error, CrmError) else error)


def message_for(error: Exception, body: dict) -> str:
    if isinstance(error, CrmError):
        return esc(say(error))
    log.error("unhandled error in %s: %r", body.get("type") or body.get("command"), error, exc_info=error)
    return _(SORRY)


def answer_for(error: Exception, body: dict, message: str) -> dict:
    """What to answer Slack with when it is still waiting (the ack)."""
    kind = body.get("type")
    if kind == "view_submission":
        inputs = [b.get("block_id") for b in body.get("view", {}).get("blocks", []) if b.get("type") == "input"]
        if isinstance(error, CrmError) and inputs:
            return {"response_action": "errors", "errors": {inputs[0]: message[:300]}}
        return {"response_action": "update", "view": message_modal(_("Not saved"), message).to_dict()}
    if kind == "block_suggestion":
        return {"options": []}
    if body.get("command"):
        return {"response_type": "ephemeral", "text": message}
    return {}


# Refusals because of someone's role: each is written to the audit log.
ROLE_REFUSALS = {"not_manager", "not_admin"}


def audit_refusal(error: Exception, body: dict, context: BoltContext) -> None:
    if not isinstance(error, Invalid) or error.code not in ROLE_REFUSALS:
        return
    req = context.get("req")
    if req is None:
        return
    asked = body.get("command") and f"{body.get('command')} {body.get('text') or ''}".strip()
    if not asked:
        asked = ((body.get("actions") or [{}])[0].get("action_id") or (body.get("view") or {}).get("callback_id")
                 or body.get("type"))
    try:
        audit.refused(req.db, req.clock, req.team_id, req.user_id, str(error.params.get("what") or error.code),
                      asked)
    except Exception:  # noqa: BLE001 - the answer must still reach the person
        log.warning("could not write a refusal to the audit log", exc_info=True)


def handle(error: Exception, body: dict, context: BoltContext, client: WebClient, ack: Ack | None) -> None:
    audit_refusal(error, body, context)
    message = message_for(error, body)
    if ack is not None and ack.response is None:  # Slack still waits: the answer is the ack
        answer = answer_for(error, body, message)
        ack(**answer)
        if answer:
            return
    _tell(body, context, client, message)


def on_error(error: Exception, body: dict, response: BoltResponse | None, context: BoltContext,
             client: WebClient) -> BoltResponse | None:
    """Bolt's global handler (errors outside `guarded` listeners)."""
    audit_refusal(error, body, context)
    _finished(context, error)
    with speaking(asker_language(context)):
        message = message_for(error, body)
        if response is not None:
            answer = answer_for(error, body, message)
            if answer:
                return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json"})
    _tell(body, context, client, message)
    return BoltResponse(status=200, body="") if response is not None else None


def _tell(body: dict, context: BoltContext, client: WebClient, message: str) -> None:
    """After the ack: the response_url if there is one, else an ephemeral, else a DM."""
    if not context.user_id:
        return
    try:
        tell(client, context.user_id, message, response_url=body.get("response_url"), channel_id=context.channel_id)
    except Exception:  # the error path must never raise
        log.warning("could not tell %s about an error", context.user_id, exc_info=True)


class Listeners:
    """A feature's listeners, declared on the functions themselves (`@listeners.action(Action.X)`);
    `register(app)` hands them all to Bolt, each `guarded` so its errors reach `handle`."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, object, Callable[..., None]]] = []

    def _on(self, kind: str, key: object) -> Callable[[Callable[..., None]], Callable[..., None]]:
        def declare(fn: Callable[..., None]) -> Callable[..., None]:
            self._entries.append((kind, key, fn))
            return fn

        return declare

    def command(self, name: str):
        return self._on("command", name)

    def action(self, action_id: object):
        return self._on("action", action_id)

    def view(self, callback_id: object):
        return self._on("view", callback_id)

    def options(self, action_id: object):
        return self._on("options", action_id)

    def shortcut(self, callback_id: object):
        return self._on("shortcut", callback_id)

    def event(self, name: str):
        return self._on("event", name)

    def register(self, app: App) -> None:
        for kind, key, fn in self._entries:
            getattr(app, kind)(key)(guarded_event(fn) if kind == "event" else guarded(fn))

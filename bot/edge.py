"""Slash commands acked at the edge: `/lead <verb>` is answered by the HTTP layer as soon as its inbox row is
written, and Bolt dispatches it on a worker thread just after.

Why: a command's ack needs nothing from its listener. The verb's answer (a modal, a reply) follows the ack in
every case, and Slack never retries a command, so once the row is stored the command is safe. Dispatching it
through Bolt before answering cost each request some 2 ms of interpreter time (Bolt's middleware chain, the
listener hand-off): sixteen reps typing at once then waited for each other's chains, which put the ack p99 at
about twice a bare Bolt app's (docs/performance.md, issue 13). Here the ack costs a form parse, a key and the
row's write (batched with its neighbours', bot/inbox.py).

What is *not* acked here: `/lead help` and unknown words, whose answer is the ack itself (no Web API call, no
row), every other request type (a modal's submission answers with its field errors, events are Bolt's), and
Socket Mode (its acks leave over its own connection).

The dispatch waits at the ack-first gate (bot/ack_first.py) while other requests wait for their answer, and
until none has arrived for `DISPATCH_QUIET`: Bolt's part up to the listener's ack (some 2 ms of interpreter
time) then runs between acks, not before them. The gate's own 10 ms (what a listener waits after its ack) held
modals back: sixteen dispatches started together and the last modal left some 30 ms later; with no wait at all,
dispatches shared the interpreter with the burst's acks and the ack p99 came back to 1.25–1.73 times the
floor's (docs/performance.md, issue 13, fifth look).

After the ack the request goes through the same Bolt app, every middleware and listener, with the row it was
stored under (the `inbox_held` context: `bot.inbox.middleware` takes it instead of storing it again). Whatever
Bolt would have answered in the ack (bot/errors.on_error's answer to an error in a middleware) is posted to the
command's response_url instead; Bolt says its own "please reinstall" there itself (a workspace it has no
installation for), and that row, which no listener will ever mark, is marked done here. A crash between the
ack and the dispatch leaves the row claimed: the sweep replays it once the lease ends, as for any request.

Back-pressure: at most `slots` commands are between their ack and their listener's own ack. A burst beyond
that waits up to `SLOT_WAIT` seconds for a slot before its ack (Slack allows 3), then goes on without one,
so a flood of commands slows its own acks rather than queueing unbounded work behind them.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Executor
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.webhook import WebhookClient

from bot import inbox
from bot.ack_first import AckFirst
from bot.commands.verbs import answered_after_ack
from bot.context import slack_hook
from bot.crm import Crm
from store.services import inbox as stored

log = logging.getLogger(__name__)
SLOT_WAIT = 2.0  # seconds an ack may wait for a free dispatch slot (Slack allows 3 for the whole answer)
DISPATCH_QUIET = 0.003  # seconds since the newest arrival before a dispatch starts (the gate's own wait is 10 ms)
FORM = "application/x-www-form-urlencoded"


def command_of(content_type: str, raw: str) -> dict | None:
    """The form of a `/lead` command whose ack is empty (its verb answers after it); None for anything else."""
    if not content_type.lower().startswith(FORM):
        return None
    form = dict(parse_qsl(raw, keep_blank_values=True))
    if form.get("command") != "/lead" or not form.get("team_id") or not answered_after_ack(form.get("text") or ""):
        return None
    return form


class EdgeAck:
    def __init__(self, app: App, crm: Crm, gate: AckFirst, receiver: stored.Receiver, executor: Executor,
                 slots: int) -> None:
        self.app, self.crm, self.gate, self.receiver, self.pool = app, crm, gate, receiver, executor
        self.slots = threading.BoundedSemaphore(slots)

    def take(self, form: dict, raw: str, headers: dict[str, str]) -> bool:
        """Store the command and hand it to a worker; False when it could not be stored (answer 500)."""
        stamp = headers.get("x-slack-request-timestamp", "")
        key, kind = inbox.key_of(form, raw, {"x-slack-request-timestamp": [stamp]})  # type: ignore[misc]
        held = inbox.Held(key, pending=self.receiver.submit(
            team_id=form["team_id"], key=key, kind=kind, content_type=headers.get("content-type") or FORM, body=raw))
        if not held.stored():
            return False
        slot = self.slots.acquire(timeout=SLOT_WAIT)
        if not slot:
            log.warning("edge: every dispatch slot is busy; %s goes on without one", key)
        try:
            self.pool.submit(self._dispatch, form, raw, headers, held, slot)
        except RuntimeError:  # the pool is shutting down: the row stays claimed, and the sweep replays it
            log.warning("edge: stopping; %s is left to the sweep", key)
            if slot:
                self.slots.release()
        return True

    def _dispatch(self, form: dict, raw: str, headers: dict[str, str], held: inbox.Held, slot: bool) -> None:
        try:
            self.gate.yield_to_pending(quiet=DISPATCH_QUIET)  # the burst's other acks leave first
            req = BoltRequest(body=raw, headers=headers, context={"inbox_held": held})
            resp = self.app.dispatch(req)
            if resp.status == 404 or req.context.get("inbox") is None:  # no listener, or refused before the
                self._done(held)  # inbox middleware (Bolt found no installation): nobody else will mark the row
            if resp.body:
                self._answer(form, resp)
        except Exception:  # noqa: BLE001 - the row is unmarked: the sweep replays it
            log.exception("edge: dispatch of %s failed", held.key)
        finally:
            if slot:
                self.slots.release()

    def _done(self, held: inbox.Held) -> None:
        token = held.token
        if token is None:
            return
        try:
            stored.finish(self.crm.db, self.crm.clock, held.key, token)
        except Exception:  # noqa: BLE001 - replayed later: the answer is the same
            log.warning("edge: could not mark %s", held.key, exc_info=True)

    def _answer(self, form: dict, resp: BoltResponse) -> None:
        """What Bolt would have put in the ack, posted to the command's response_url."""
        url = form.get("response_url") or ""
        if not slack_hook(url, self.app.client.base_url):
            log.warning("edge: no usable response_url for an answer of %s bytes", len(resp.body))
            return
        try:
            message = json.loads(resp.body)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            message = {"text": resp.body}
        message.setdefault("response_type", "ephemeral")
        try:
            sent = WebhookClient(url).send_dict(message)
            if sent.status_code >= 400:
                log.info("edge: response_url answered %s", sent.status_code)
        except Exception as exc:  # noqa: BLE001 - an expired or unreachable response_url
            log.info("edge: response_url failed: %s", exc)

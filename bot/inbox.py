"""The inbox at the Slack edge (issue 15; the rules are in store/services/inbox.py).

- `middleware`: the first of the bot's middleware, after Bolt has verified the signature: hands the raw request
  to the inbox's writer under its own key (an event's `event_id`; a command's signature timestamp and body hash;
  a click's or a submission's body hash) and notes in the context which row this request is. A retry of a
  request already done is answered 200 at once, with nothing run again. A `/lead` command acked by the HTTP
  layer (bot/edge.py) was stored there already: its row comes in the context (`inbox_held`).
- `InboxApp`: the Bolt app, whose answer (the ack) waits until that row is written.
- `finished`: called by bot/errors.py when a listener ends: done, or (an unexpected error) retried later.
- `Replayer`: the sweep's way to process a stored row again: the same body, signed afresh with the app's own
  signing secret, dispatched through the same Bolt app (every middleware and listener, as Slack's retry would)."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from concurrent.futures import Future

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.ack_first import serving
from bot.crm import Crm
from store.services import inbox

log = logging.getLogger(__name__)
STORE_WAIT = 10.0  # seconds an answer waits for its row to be written
LATER = {"block_actions", "view_submission", "message_action", "shortcut"}  # effects after the ack


def key_of(body: dict, raw: str, headers: dict) -> tuple[str, str] | None:
    """(key, kind) of a request whose effect follows its ack; None for the rest (options, url_verification)."""
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}", str((body.get("event") or {}).get("type") or "event")
    if body.get("command"):
        stamp = (headers.get("x-slack-request-timestamp") or [""])[0]
        return f"command:{stamp}:{digest}", "command"  # Slack never retries a command: its own stamp and body
    if body.get("type") in LATER:
        return f"{body['type']}:{digest}", str(body["type"])
    return None


class Held:
    """This request's inbox row: its key, and its claim token (known once the row is written)."""

    def __init__(self, key: str, token: str | None = None, pending: Future | None = None) -> None:
        self.key, self._token, self._pending, self._failed = key, token, pending, False

    def stored(self, timeout: float = STORE_WAIT) -> bool:
        """Wait for the row to be written; False when it could not be (the database is away: logged once)."""
        pending = self._pending  # the answer's thread and the listener's may both ask
        if pending is not None:
            try:
                self._token = pending.result(timeout).token
            except Exception:  # noqa: BLE001 - told by the caller (the request is answered 500: Slack retries)
                if not self._failed:
                    log.warning("inbox: %s could not be stored", self.key, exc_info=True)
                self._token, self._failed = None, True
            self._pending = None
        return not self._failed

    @property
    def token(self) -> str | None:
        """The claim token this process holds on the row; None when it was done already (or never stored)."""
        self.stored()
        return self._token


class InboxApp(App):
    """Bolt's app, whose answer to Slack (the HTTP 200, or the Socket Mode ack) leaves only once the request
    is in the inbox. The row is written while the listener starts, so the answer waits for it only when the ack
    comes first (a burst: at most the writer's next batch); a row that could not be written gets a 500, and
    Slack retries events."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        with serving(req.context):  # its listener's hand-off returns at its ack (bot/ack_first.AckSignal)
            resp = super().dispatch(req)
        held = req.context.get("inbox")
        if isinstance(held, Held) and not held.stored():
            return BoltResponse(status=500, body="")
        return resp


def middleware(receiver: inbox.Receiver):
    """`receiver` writes the requests that arrive together in one batch (shared with bot/edge.py)."""

    def store(req: BoltRequest, context: BoltContext, body: dict, next) -> BoltResponse | None:  # noqa: A002
        replay = req.context.get("inbox_replay")
        if replay is not None:  # the sweep processes a stored row again: it holds the row's claim
            context["inbox"] = Held(*replay)
            return next()
        held = req.context.get("inbox_held")
        if isinstance(held, Held):  # a command acked at the edge (bot/edge.py): stored there already
            context["inbox"] = held
            return next()
        found = key_of(body, req.raw_body, req.headers)
        if found is None:
            return next()
        key, kind = found
        held = Held(key, pending=receiver.submit(
            team_id=context.team_id or "", key=key, kind=kind,
            content_type=(req.headers.get("content-type") or ["application/json"])[0], body=req.raw_body))
        if req.headers.get("x-slack-retry-num") and held.stored() and held.token is None:
            return BoltResponse(status=200, body="")  # a retry of what is done: nothing runs twice
        context["inbox"] = held
        return next()

    return store


def request_key(context: BoltContext) -> str | None:
    held = context.get("inbox")
    return held.key if held else None


def finished(crm: Crm | None, context: BoltContext, error: BaseException | None = None) -> None:
    """The listener has ended (a refusal counts as done: it was answered). Marks the row; never raises."""
    held = context.get("inbox")
    if not held or crm is None:
        return
    token = held.token
    if token is None:  # done by someone else already, or never stored (the request was answered 500)
        return
    if error is None and crm.marks is not None:
        crm.marks.add(token)
        return
    try:
        inbox.finish(crm.db, crm.clock, held.key, token, None if error is None else repr(error)[:200])
    except Exception:  # noqa: BLE001 - the sweep will process it again (its effects are keyed): log it only
        log.warning("inbox: could not mark %s", held.key, exc_info=True)


class Marks:
    """Done marks, written together: one UPDATE for every row finished within the last `FLUSH` seconds, so
    a burst of a thousand replies a second costs a few marking transactions, not a thousand. A crash loses at
    most the marks of that moment: those rows are processed again, and change nothing twice."""

    FLUSH = 0.05  # seconds

    def __init__(self, crm: Crm) -> None:
        self.crm = crm
        self._tokens: list[str] = []
        self._lock = threading.Lock()
        self._ring = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, token: str) -> None:
        with self._lock:
            self._tokens.append(token)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="inbox-marks", daemon=True)
                self._thread.start()

    def flush(self) -> int:
        with self._lock:
            tokens, self._tokens = self._tokens, []
        try:
            return inbox.finish_many(self.crm.db, self.crm.clock, tokens)
        except Exception:  # noqa: BLE001 - kept for the next flush (the database may be away for a moment)
            log.warning("inbox: %s done marks not written yet", len(tokens), exc_info=True)
            with self._lock:
                self._tokens[:0] = tokens
            return 0

    def _run(self) -> None:
        while True:
            self._ring.wait(self.FLUSH)
            with self._lock:
                if not self._tokens:  # nothing came in the last moment: the thread ends (`add` starts another)
                    self._thread = None
                    return
            self.flush()


class Replayer:
    """Dispatch a stored request again through the app, signed with the app's own secret."""

    def __init__(self, app, signing_secret: str, crm: Crm) -> None:
        self.app, self.verifier, self.crm = app, SignatureVerifier(signing_secret), crm

    def __call__(self, row: inbox.Stored) -> int:
        stamp = str(int(time.time()))
        headers = {"content-type": [row.content_type], "x-slack-request-timestamp": [stamp],
                   "x-slack-signature": [self.verifier.generate_signature(timestamp=stamp, body=row.body)]}
        resp = self.app.dispatch(BoltRequest(body=row.body, headers=headers,
                                             context={"inbox_replay": (row.key, row.token)}))
        if resp.status == 404:  # no listener wants it (an event nobody handles): nothing to do, ever
            inbox.finish(self.crm.db, self.crm.clock, row.key, row.token)
        elif resp.status >= 400:
            inbox.finish(self.crm.db, self.crm.clock, row.key, row.token, f"replay answered {resp.status}")
        return resp.status

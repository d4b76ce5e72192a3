"""Drives the running bot as Slack does: signed slash commands, button clicks found by their text,
modals filled by reading their labels, option loads. Waits for the work each request started."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from tests.fake_slack import FakeSlack


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor; `wait_idle()` returns once every listener (after its ack) has finished."""

    def __init__(self) -> None:
        super().__init__(max_workers=64, thread_name_prefix="listener")  # the edge's dispatches too
        self._pending = 0
        self._cv = threading.Condition()
        self.errors: list[BaseException] = []

    def submit(self, fn, /, *args, **kwargs):
        with self._cv:
            self._pending += 1

        def run():
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                self.errors.append(exc)
                raise
            finally:
                with self._cv:
                    self._pending -= 1
                    self._cv.notify_all()

        return super().submit(run)

    def wait_idle(self, timeout: float = 15) -> None:
        with self._cv:
            if not self._cv.wait_for(lambda: self._pending == 0, timeout):
                raise TimeoutError("listeners still running")


class Response:
    def __init__(self, status: int, body: bytes, elapsed: float, headers: dict | None = None) -> None:
        self.status, self.raw, self.elapsed, self.headers = status, body, elapsed, headers or {}

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")

    @property
    def json(self):
        return json.loads(self.raw or b"{}")


class SlackDriver:
    def __init__(self, bot_url: str, secret: str, fake: FakeSlack, executor: TrackingExecutor, team: str = "T1"):
        self.bot_url, self.secret, self.fake, self.executor, self.team = bot_url, secret, fake, executor, team
        self._n = itertools.count(1)

    # ------------------------------------------------------------ transport
    def sign(self, body: str, ts: int | None = None) -> dict:
        ts = int(time.time()) if ts is None else ts
        sig = "v0=" + hmac.new(self.secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig}

    def post(self, body: str, content_type: str, headers: dict | None = None, *, wait: bool = True,
             path: str = "/slack/events") -> Response:
        h = {"Content-Type": content_type, **(headers if headers is not None else self.sign(body))}
        req = urllib.request.Request(self.bot_url + path, data=body.encode(), headers=h, method="POST")
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                resp = Response(r.status, r.read(), time.perf_counter() - start)
        except urllib.error.HTTPError as e:
            resp = Response(e.code, e.read(), time.perf_counter() - start)
        if wait:
            self.executor.wait_idle()
        return resp

    def get(self, path: str, headers: dict | None = None) -> Response:
        """A browser's GET (the install pages); redirects are not followed."""
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        req = urllib.request.Request(self.bot_url + path, headers=headers or {}, method="GET")
        start = time.perf_counter()
        try:
            with opener.open(req, timeout=10) as r:
                return Response(r.status, r.read(), time.perf_counter() - start, dict(r.headers.items()))
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read(), time.perf_counter() - start, dict(e.headers.items()))

    def response_url(self) -> str:
        return f"{self.fake.url}response/{next(self._n)}"

    # ------------------------------------------------------------ slash command
    def command(self, text: str, *, user: str = "U1", channel: str = "C1", team: str | None = None,
                wait: bool = True) -> Response:
        form = {"token": "x", "team_id": team or self.team, "team_domain": "test", "channel_id": channel,
                "channel_name": "sales", "user_id": user, "user_name": user.lower(), "command": "/lead",
                "text": text, "api_app_id": "A1", "response_url": self.response_url(),
                "trigger_id": self.fake.new_trigger()}
        return self.post(urlencode(form), "application/x-www-form-urlencoded", wait=wait)

    def event(self, inner: dict, event_id: str | None = None, *, retry: int | None = None, team: str | None = None,
              wait: bool = True) -> Response:
        """An Events API delivery (a retry carries X-Slack-Retry-Num)."""
        body = json.dumps({"type": "event_callback", "team_id": team or self.team, "api_app_id": "A1",
                           "event_id": event_id or f"Ev{next(self._n)}", "event_time": int(time.time()),
                           "event": inner})
        headers = self.sign(body)
        if retry:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return self.post(body, "application/json", headers, wait=wait)

    def message_shortcut(self, callback_id: str, message: dict, *, user: str = "U1", channel: str = "C1",
                         team: str | None = None, wait: bool = True) -> Response:
        """The person picks a message shortcut from a message's ⋮ menu."""
        payload = {"type": "message_action", "callback_id": callback_id, "team": {"id": team or self.team},
                   "user": {"id": user}, "channel": {"id": channel, "name": channel.lower()}, "api_app_id": "A1",
                   "trigger_id": self.fake.new_trigger(user), "message_ts": message.get("ts"), "message": message,
                   "response_url": self.response_url(), "action_ts": f"{time.time():.6f}"}
        return self.interact(payload, wait=wait)

    def open_home(self, user: str = "U1", *, wait: bool = True) -> Response:
        """The person clicks the app's Home tab."""
        return self.event({"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
                           "event_ts": f"{time.time():.6f}"}, wait=wait)

    def click_in_view(self, view: dict, text: str, *, user: str = "U1", team: str | None = None,
                      nth: int = 0, wait: bool = True) -> Response:
        """Click a button by its text in a published Home or an open modal (the `nth` of that name)."""
        found = [(block, el) for block in view.get("blocks", [])
                 for el in [*(block.get("elements") or []), block.get("accessory") or {}]
                 if el.get("type") == "button" and el["text"]["text"] == text]
        if len(found) <= nth:
            raise AssertionError(f"no button {text!r} (#{nth}) in the view")
        block, el = found[nth]
        payload = {"type": "block_actions", "team": {"id": team or self.team}, "user": {"id": user},
                   "api_app_id": "A1", "trigger_id": self.fake.new_trigger(),
                   "container": {"type": "view", "view_id": view.get("id") or "VH"},
                   "view": {**view, "id": view.get("id") or "VH"},
                   "actions": [{"type": "button", "action_id": el["action_id"], "block_id": block.get("block_id", "b"),
                                "value": el.get("value"), "text": el["text"], "action_ts": f"{time.time():.6f}"}]}
        return self.interact(payload, wait=wait)

    def interact(self, payload: dict, *, wait: bool = True) -> Response:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", wait=wait)

    # ------------------------------------------------------------ what the person sees
    def replies(self) -> list[dict]:
        """Everything posted to response_urls (ephemeral answers), oldest first."""
        return [c.args for c in self.fake.responses]

    def last_reply_text(self) -> str:
        return message_text(self.replies()[-1])

    def last_view(self) -> dict:
        opened = self.fake.of("views.open")
        view = opened[-1]["view"]
        return json.loads(view) if isinstance(view, str) else view

    # ------------------------------------------------------------ buttons
    def click(self, message: dict, text: str, *, user: str = "U1", channel: str = "C1", team: str | None = None,
              message_ts: str = "1700000000.000001", ephemeral: bool = False, wait: bool = True) -> Response:
        blocks = message.get("blocks")
        blocks = json.loads(blocks) if isinstance(blocks, str) else (blocks or [])
        for block in blocks:
            for el in block.get("elements") or []:
                if el.get("type") == "button" and el["text"]["text"] == text:
                    payload = {
                        "type": "block_actions", "team": {"id": team or self.team}, "user": {"id": user},
                        "api_app_id": "A1", "trigger_id": self.fake.new_trigger(),
                        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                                      "is_ephemeral": ephemeral},
                        "channel": {"id": channel}, "response_url": self.response_url(),
                        "actions": [{"type": "button", "action_id": el["action_id"], "block_id": block.get(
                            "block_id", "b"), "value": el.get("value"), "text": el["text"],
                                     "action_ts": f"{time.time():.6f}"}],
                    }
                    return self.interact(payload, wait=wait)
        raise AssertionError(f"no button {text!r} in {[b.get('type') for b in blocks]}")

    # ------------------------------------------------------------ modals
    def submit(self, view: dict, fill: dict[str, object], *, user: str = "U1", team: str | None = None,
               view_id: str | None = None, wait: bool = True) -> Response:
        """Fill inputs by their label text; unknown labels fail the test (a person could not find them)."""
        values: dict = {}
        labels = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            label = block["label"]["text"]
            labels[label] = block
            el = block["element"]
            values[block["block_id"]] = {el["action_id"]: _empty(el)}
        for label, value in fill.items():
            if label not in labels:
                raise AssertionError(f"no input labelled {label!r}; labels are {list(labels)}")
            block = labels[label]
            el = block["element"]
            values[block["block_id"]] = {el["action_id"]: _filled(el, value)}
        payload = {
            "type": "view_submission", "team": {"id": team or self.team}, "user": {"id": user}, "api_app_id": "A1",
            "view": {**view, "id": view_id or view.get("id") or f"V{next(self._n)}", "state": {"values": values}},
        }
        return self.interact(payload, wait=wait)

    def options(self, action_id: str, value: str, *, user: str = "U1", team: str | None = None,
                block_id: str = "lead") -> Response:
        payload = {"type": "block_suggestion", "team": {"id": team or self.team}, "user": {"id": user},
                   "api_app_id": "A1", "action_id": action_id, "block_id": block_id, "value": value,
                   "view": {"id": "V0", "type": "modal"}}
        return self.interact(payload)


def _empty(el: dict) -> dict:
    """An input the person left alone: Slack submits its initial value (or nothing)."""
    kind = el["type"]
    key, initial = {"static_select": ("selected_option", "initial_option"),
                    "external_select": ("selected_option", "initial_option"),
                    "datepicker": ("selected_date", "initial_date"), "timepicker": ("selected_time", "initial_time"),
                    "users_select": ("selected_user", "initial_user"),
                    "multi_users_select": ("selected_users", "initial_users"),
                    "conversations_select": ("selected_conversation", "initial_conversation"),
                    "checkboxes": ("selected_options", "initial_options"),
                    }.get(kind, ("value", "initial_value"))
    return {"type": kind, key: el.get(initial)}


def _filled(el: dict, value) -> dict:
    kind = el["type"]
    if kind == "static_select":
        for o in el["options"]:
            if o["text"]["text"] == value:
                return {"type": kind, "selected_option": o}
        raise AssertionError(f"no option {value!r} in {[o['text']['text'] for o in el['options']]}")
    if kind == "external_select":
        return {"type": kind, "selected_option": value}
    if kind == "checkboxes":  # the labels of the boxes to tick
        by_label = {o["text"]["text"]: o for o in el["options"]}
        missing = [v for v in value if v not in by_label]
        if missing:
            raise AssertionError(f"no checkbox {missing} in {list(by_label)}")
        return {"type": kind, "selected_options": [by_label[v] for v in value]}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value)}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    return {"type": kind, "value": value}


def message_text(msg: dict) -> str:
    """All the text a person reads in a message: its text and every block's text."""
    parts = [msg.get("text") or ""]
    blocks = msg.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else (blocks or [])

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                parts.append(node.get("text", ""))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(blocks)
    return "\n".join(parts)

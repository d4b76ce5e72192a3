"""Slack's side of the conversation, without Slack: the Web API the bot calls (through `SLACK_API_URL`) and the
workspace it changes (channels, messages and threads, ephemeral answers, modal stacks, Home tabs, uploaded
files), with Slack's rules: Block Kit limits (`invalid_blocks`), the 3-second trigger (`expired_trigger_id`),
rate limits and 429s on demand.

Transport-neutral: `handle_http` takes a request and returns a response, so the same world serves the tests'
loopback server (`tests/fake_slack.py`) and the local playground (`playground/server.py`). Every call is
recorded (`calls`, `of`) for tests to read; every change bumps `version` for the playground's browsers.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from urllib.parse import parse_qs


from playground.checks import (  # noqa: F401 - re-exported: tests and the playground import them from here
    BlockKitError, Call, check_blocks, check_image, check_mrkdwn, check_view, json_arg,
)
from playground.webapi import WebApi


class SlackWorld(WebApi):
    """The state of one workspace as Slack holds it, and the Web API over it."""

    def __init__(self, team_id: str = "T1", *, real_ts: bool = False, bot_user: str = "UBOT",
                 team_name: str = "Test") -> None:
        self.team_id, self.team_name, self.bot_user = team_id, team_name, bot_user
        self.base_url = "http://127.0.0.1/"  # set by whoever serves the world (upload URLs, links)
        self.permalink_base = "https://test.slack.com/archives/"
        self.calls: list[Call] = []
        self.responses: list[Call] = []  # posts to response_url
        self.users: dict[str, dict] = {}
        self.forbidden_channels: set[str] = set()
        self.failures: dict[str, list[tuple[int, dict, dict]]] = {}
        self.trigger_ttl = 3.0
        self.triggers: dict[str, float] = {}
        self.trigger_users: dict[str, str] = {}  # trigger → who clicked or typed (the modal is theirs)
        self._ts = itertools.count(1)
        self._real_ts = real_ts  # the playground stamps messages with the clock; tests want stable ts
        self._last_ts = 0.0
        self._views = itertools.count(1)
        self._lock = threading.RLock()
        self.changed = threading.Condition(self._lock)
        self.version = 0
        # Rate limits as Slack applies them: {method: per-second allowance} over a sliding second, and
        # {method: (probability, Retry-After)} for a storm of 429s.
        self.limits: dict[str, int] = {}
        self.flaky: dict[str, tuple[float, int]] = {}
        self._recent: dict[str, list[float]] = {}
        self._random = random.Random(1234)
        self.files: dict[str, dict] = {}  # uploads: id → {name, length, data, complete, image, title, channel}
        self.homes: dict[str, dict] = {}  # the Home tab each user sees (the last views.publish)
        self._file_ids = itertools.count(1)
        # The workspace as people see it (the playground shows it; tests may read it).
        self.channels: dict[str, dict] = {}  # id → {id, name, is_im, user}
        self.messages: dict[str, list[dict]] = {}  # channel → messages (ts, user, text, blocks, thread_ts, edited)
        self.ephemerals: list[dict] = []  # {id, channel, user, thread_ts, text, blocks, ts, response}
        self.modals: dict[str, list[dict]] = {}  # user → the stack of open views (last on top)
        self.response_targets: dict[str, dict] = {}  # response_url path → {channel, user, thread_ts, message_ts}
        self._ephemeral_ids = itertools.count(1)
        # Workspaces and tokens (OAuth): which token speaks for which team. Unknown tokens speak for the
        # world's own team unless `strict_tokens` (then: invalid_auth); revoked ones get token_revoked.
        self.teams: dict[str, str] = {team_id: team_name}
        self.tokens: dict[str, str] = {}
        self.revoked: set[str] = set()
        self.strict_tokens = False
        self.client_id, self.client_secret = "111.222", "client-secret"
        self.codes: dict[str, dict] = {}  # OAuth codes not yet exchanged: code → {team, user, rotate}
        self.refresh: dict[str, str] = {}  # live refresh tokens → team
        self.token_ttl = 43_200  # expires_in of rotating tokens
        self.dnd: dict[str, dict] = {}  # user → dnd.info's answer

    # ---------------------------------------------------------------- set-up helpers
    def add_user(self, user_id: str, *, tz: str = "UTC", name: str | None = None, is_admin: bool = False,
                 is_bot: bool = False, deleted: bool = False, real_name: str | None = None,
                 locale: str = "en-US", team: str | None = None, status_text: str = "", status_emoji: str = "",
                 status_expiration: int = 0, is_owner: bool = False) -> dict:
        self.users[user_id] = {"id": user_id, "team_id": team or self.team_id, "name": name or user_id.lower(),
                               "real_name": real_name or name or user_id, "tz": tz, "is_admin": is_admin,
                               "is_owner": is_owner, "is_bot": is_bot, "deleted": deleted, "locale": locale,
                               "profile": {"display_name": real_name or name or user_id,
                                           "real_name": real_name or name or user_id,
                                           "email": f"{user_id.lower()}@example.com",
                                           "status_text": status_text, "status_emoji": status_emoji,
                                           "status_expiration": status_expiration}}
        return self.users[user_id]

    def add_channel(self, channel_id: str, name: str, *, im_user: str | None = None, shared: bool = False,
                    private: bool = False, bot_member: bool = True) -> None:
        with self._lock:
            self.channels[channel_id] = {"id": channel_id, "name": name, "is_im": bool(im_user), "user": im_user,
                                         "is_ext_shared": shared, "is_private": private, "is_member": bot_member}
            self.messages.setdefault(channel_id, [])
            self._bump()

    def add_team(self, team_id: str, name: str) -> None:
        self.teams[team_id] = name

    def issue_code(self, team_id: str, user_id: str, *, rotate: bool = False) -> str:
        """What Slack's authorize page hands the browser after "Allow": a one-time code for oauth.v2.access."""
        code = f"code-{team_id}-{len(self.codes)}-{time.monotonic_ns()}"
        self.codes[code] = {"team": team_id, "user": user_id, "rotate": rotate}
        return code

    def team_of_token(self, token: str | None) -> str | None:
        if token in self.tokens:
            return self.tokens[token]
        return None if self.strict_tokens else self.team_id

    def new_trigger(self, user: str | None = None) -> str:
        trigger = f"trig-{time.monotonic_ns()}"
        self.triggers[trigger] = time.monotonic()
        if user:
            self.trigger_users[trigger] = user
        return trigger

    def fail(self, method: str, status: int = 429, *, headers: dict | None = None, body: dict | None = None,
             times: int = 1) -> None:
        self.failures.setdefault(method, []).extend(
            [(status, headers or ({"Retry-After": "1"} if status == 429 else {}), body or {"ok": False,
                                                                                       "error": "ratelimited"})] * times)

    # ---------------------------------------------------------------- reading what was sent
    def of(self, method: str) -> list[dict]:
        with self._lock:
            return [c.args for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self.responses.clear()

    def _bump(self) -> None:
        """Something people can see changed (call with the lock held)."""
        self.version += 1
        self.changed.notify_all()

    def wait_change(self, since: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != since, timeout)
            return self.version

    # ---------------------------------------------------------------- the workspace
    def next_ts(self) -> str:
        with self._lock:
            if not self._real_ts:
                return f"1700000000.{next(self._ts):06d}"
            now = max(time.time(), self._last_ts + 0.000001)
            self._last_ts = now
            return f"{now:.6f}"

    def dm_of(self, user_id: str) -> str:
        channel = "D" + user_id[1:]
        if channel not in self.channels:
            self.add_channel(channel, self.users.get(user_id, {}).get("name", user_id), im_user=user_id)
        return channel

    def find_message(self, channel: str, ts: str) -> dict | None:
        return next((m for m in self.messages.get(channel, ()) if m["ts"] == ts), None)

    def post(self, channel: str, *, user: str | None, text: str, blocks: list | None = None,
             thread_ts: str | None = None, files: list | None = None, ts: str | None = None) -> dict:
        """A message appears in a channel (the bot's, through the API, or a person's, from the playground)."""
        with self._lock:
            msg = {"ts": ts or self.next_ts(), "user": user or self.bot_user, "bot": user is None, "text": text or "",
                   "blocks": blocks or [], "thread_ts": thread_ts, "edited": False, "files": files or []}
            self.messages.setdefault(channel, []).append(msg)
            if channel not in self.channels:
                self.channels[channel] = {"id": channel, "name": channel, "is_im": channel.startswith("D"),
                                          "user": None}
            self._bump()
            return msg

    def ephemeral(self, channel: str, user: str, text: str, blocks: list | None, *, thread_ts: str | None = None,
                  response: str | None = None, replace: str | None = None) -> dict:
        with self._lock:
            if replace:
                old = next((e for e in self.ephemerals if e["id"] == replace), None)
                if old is not None:
                    old.update(text=text or "", blocks=blocks or [])
                    self._bump()
                    return old
            stamp = self.next_ts() if self._real_ts else f"{time.time():.6f}"  # tests: message ts stay 1, 2, 3…
            e = {"id": f"E{next(self._ephemeral_ids)}", "channel": channel, "user": user, "thread_ts": thread_ts,
                 "text": text or "", "blocks": blocks or [], "ts": stamp, "response": response}
            self.ephemerals.append(e)
            self._bump()
            return e

    def open_modal(self, user: str | None, view: dict, *, push: bool) -> None:
        if not user:
            return
        with self._lock:
            stack = self.modals.setdefault(user, [])
            if not push:
                stack.clear()
            stack.append(view)
            self._bump()

    def replace_view(self, view_id: str, view: dict) -> bool:
        with self._lock:
            for stack in self.modals.values():
                for i, v in enumerate(stack):
                    if v.get("id") == view_id:
                        stack[i] = view
                        self._bump()
                        return True
        return False

    def close_modal(self, user: str, *, all_views: bool = False) -> None:
        with self._lock:
            stack = self.modals.get(user) or []
            if all_views:
                stack.clear()
            elif stack:
                stack.pop()
            self._bump()

    # ---------------------------------------------------------------- response_url
    def respond(self, path: str, args: dict) -> None:
        """A post to a response_url: an answer only its asker sees (or, `in_channel`, everyone)."""
        check_blocks(args.get("blocks") or [], limit=50, files=self.files)
        with self._lock:
            self.responses.append(Call(path, args))
            target = self.response_targets.get(path)
            if target is None:
                self._bump()
                return
            blocks = args.get("blocks") or []
            if args.get("response_type") == "in_channel":
                self.post(target["channel"], user=None, text=args.get("text") or "", blocks=blocks)
                return
            message_ts = target.get("message_ts")  # clicked in a message everyone sees
            if message_ts and (args.get("replace_original") or args.get("delete_original")) \
                    and not target.get("ephemeral"):
                msgs = self.messages.get(target["channel"], [])
                if args.get("delete_original"):
                    self.messages[target["channel"]] = [m for m in msgs if m["ts"] != message_ts]
                else:
                    msg = self.find_message(target["channel"], message_ts)
                    if msg is not None:
                        msg.update(text=args.get("text") or "", blocks=blocks, edited=True)
                self._bump()
                return
            last = target.get("ephemeral")  # the answer this response_url gave before (or the clicked one)
            if args.get("delete_original") and last:
                self.ephemerals = [e for e in self.ephemerals if e["id"] != last]
                target["ephemeral"] = None
                self._bump()
                return
            if not (args.get("text") or blocks):
                return
            replace = last if args.get("replace_original") else None
            e = self.ephemeral(target["channel"], target["user"], args.get("text") or "", blocks,
                               thread_ts=target.get("thread_ts"), response=path, replace=replace)
            target["ephemeral"] = e["id"]

    # ---------------------------------------------------------------- kept across restarts (the playground)
    def snapshot(self) -> dict:
        """What people saw, to be restored on the next start (files as hex; open modals and answers dropped)."""
        with self._lock:
            return {"version": 1, "channels": self.channels, "messages": self.messages, "homes": self.homes,
                    "last_ts": self._last_ts, "file_ids": next(self._file_ids),
                    "files": {k: {**v, "data": v["data"].hex() if v.get("data") is not None else None}
                              for k, v in self.files.items()}}

    def restore(self, saved: dict) -> None:
        with self._lock:
            self.channels.update(saved.get("channels") or {})
            self.messages.update(saved.get("messages") or {})
            self.homes.update(saved.get("homes") or {})
            self._last_ts = float(saved.get("last_ts") or 0)
            self._file_ids = itertools.count(int(saved.get("file_ids") or 1))
            for k, v in (saved.get("files") or {}).items():
                self.files[k] = {**v, "data": bytes.fromhex(v["data"]) if v.get("data") else None}
            self._bump()

    # ---------------------------------------------------------------- HTTP
    def handle_http(self, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        """One POST to the world: `/api/<method>`, `/response/<n>` or `/upload/<file id>`."""
        if path.startswith("/upload/"):  # step 2 of an upload: the file's bytes
            record = self.files.get(path.removeprefix("/upload/"))
            if record is not None:
                with self._lock:
                    record["data"] = body
                    self.calls.append(Call("upload", {"file_id": record["id"], "size": len(body)}))
            return (200 if record is not None else 404), {"Content-Type": "text/plain"}, b"OK"
        raw = body.decode("utf-8", "replace")
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if "json" in content_type:
            args = json.loads(raw or "{}")
        else:
            args = {k: v[0] for k, v in parse_qs(raw).items()}
        try:
            if path.startswith("/response/"):
                self.respond(path, args)
                status, out_headers, answer = 200, {}, {"ok": True}
            else:
                auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
                token = auth.split(" ", 1)[1] if auth.lower().startswith("bearer ") else args.get("token")
                status, out_headers, answer = self._api(path.removeprefix("/api/"), args, token=token,
                                                        basic=auth if auth.lower().startswith("basic ") else None)
        except BlockKitError as exc:
            status, out_headers, answer = 200, {}, {"ok": False, "error": "invalid_blocks", "detail": str(exc)}
            with self._lock:
                self.calls.append(Call("!invalid_blocks", {"detail": str(exc), **args}))
        return status, {"Content-Type": "application/json", **out_headers}, json.dumps(answer).encode()

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
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs


@dataclass
class Call:
    method: str
    args: dict
    at: float = field(default_factory=time.monotonic)


class BlockKitError(AssertionError):
    pass


CONTROL = re.compile(r"<([^<>]*)>")
VALID = re.compile(r"^(?:@[UWB][A-Z0-9]+|#[CGD][A-Z0-9]+|![a-z]+(?:\^[^|>]*)?|(?:https?|mailto|slack):[^\s]+)(?:\|.*)?$", re.S)


def check_mrkdwn(text: str, where: str) -> None:
    """Slack reads `<…>` in mrkdwn as a mention, a channel, a date or a link: anything else is user text or a
    usage hint that should have been escaped (`&lt;lead&gt;`), and would show as a broken link."""
    for m in CONTROL.finditer(text or ""):
        if not VALID.match(m.group(1)):
            raise BlockKitError(f"unescaped <{m.group(1)[:40]}> in {where} mrkdwn")


def _text_objects(node, where: str = "block"):
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"], where
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                yield from _text_objects(value, node.get("type") or where)
    elif isinstance(node, list):
        for value in node:
            yield from _text_objects(value, where)


def check_blocks(blocks: list, *, limit: int, files: dict | None = None) -> None:
    """The limits Slack enforces with invalid_blocks (a subset that matters for this bot). `files`: the
    uploads Slack knows (id → record); an image block's `slack_file` must name a completed image upload."""
    if len(blocks) > limit:
        raise BlockKitError(f"{len(blocks)} blocks > {limit}")
    for text, where in _text_objects(blocks):
        check_mrkdwn(text, where)

    def text_len(obj, max_len, where):
        if obj is None:
            return
        t = obj["text"] if isinstance(obj, dict) else obj
        if len(t) > max_len:
            raise BlockKitError(f"{where} text {len(t)} > {max_len}")

    for b in blocks:
        kind = b.get("type")
        if kind == "section":
            text_len(b.get("text"), 3000, "section")
            for f in b.get("fields") or []:
                text_len(f, 2000, "field")
            if len(b.get("fields") or []) > 10:
                raise BlockKitError("more than 10 fields")
        if kind == "header":
            text_len(b.get("text"), 150, "header")
        if kind == "context" and len(b.get("elements") or []) > 10:
            raise BlockKitError("context > 10 elements")
        if kind == "actions":
            if len(b.get("elements") or []) > 25:
                raise BlockKitError("actions > 25 elements")
            for e in b["elements"]:
                text_len(e.get("text"), 75, "button")
                if len(e.get("value") or "") > 2000:
                    raise BlockKitError("button value > 2000")
        if kind == "input":
            text_len(b.get("label"), 2000, "label")
            el = b.get("element") or {}
            opts = el.get("options") or []
            if len(opts) > 100:
                raise BlockKitError("select > 100 options")
            for o in opts:
                text_len(o.get("text"), 75, "option")
                if len(o.get("value", "")) > 150:
                    raise BlockKitError("option value > 150")
        if kind == "image":
            check_image(b, files)
        for key in ("block_id",):
            if len(b.get(key) or "") > 255:
                raise BlockKitError("block_id > 255")


def check_image(b: dict, files: dict | None) -> None:
    """An image block: alt text, a title within limits, and exactly one source (a URL or a Slack file)."""
    if not b.get("alt_text") or len(b["alt_text"]) > 2000:
        raise BlockKitError("image alt_text missing or > 2000")
    if b.get("title") and len(b["title"]["text"]) > 2000:
        raise BlockKitError("image title > 2000")
    url, slack_file = b.get("image_url"), b.get("slack_file")
    if bool(url) == bool(slack_file):
        raise BlockKitError("image needs exactly one of image_url and slack_file")
    if slack_file:
        fid = slack_file.get("id")
        record = (files or {}).get(fid)
        if record is None or not record.get("complete") or not record.get("image"):
            raise BlockKitError(f"invalid slack file {fid!r}")


def check_view(view: dict, files: dict | None = None) -> None:
    check_blocks(view.get("blocks") or [], limit=100, files=files)
    for key in ("title", "submit", "close"):
        if view.get(key) and len(view[key]["text"]) > 24:
            raise BlockKitError(f"modal {key} > 24 chars")
    if len(view.get("private_metadata") or "") > 3000:
        raise BlockKitError("private_metadata > 3000")
    if any(b.get("type") == "input" for b in view.get("blocks") or []) and not view.get("submit"):
        raise BlockKitError("a modal with inputs needs a submit button")


def json_arg(args: dict, key: str):
    value = args.get(key)
    if isinstance(value, str):
        return json.loads(value)
    return value


class SlackWorld:
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

    # ---------------------------------------------------------------- set-up helpers
    def add_user(self, user_id: str, *, tz: str = "UTC", name: str | None = None, is_admin: bool = False,
                 is_bot: bool = False, deleted: bool = False, real_name: str | None = None,
                 locale: str = "en-US") -> None:
        self.users[user_id] = {"id": user_id, "name": name or user_id.lower(), "real_name": real_name or name or user_id,
                               "tz": tz, "is_admin": is_admin, "is_bot": is_bot, "deleted": deleted, "locale": locale,
                               "profile": {"display_name": real_name or name or user_id,
                                           "real_name": real_name or name or user_id,
                                           "email": f"{user_id.lower()}@example.com"}}

    def add_channel(self, channel_id: str, name: str, *, im_user: str | None = None) -> None:
        with self._lock:
            self.channels[channel_id] = {"id": channel_id, "name": name, "is_im": bool(im_user), "user": im_user}
            self.messages.setdefault(channel_id, [])
            self._bump()

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

    # ---------------------------------------------------------------- the API
    def _limited(self, method: str) -> tuple[int, dict, dict] | None:
        """429 when the method's allowance for the last second is used up, or by the storm's dice."""
        limited = {"Retry-After": "1"}
        if method in self.flaky:
            chance, retry_after = self.flaky[method]
            if self._random.random() < chance:
                return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
        if method in self.limits:
            now = time.monotonic()
            recent = [t for t in self._recent.get(method, []) if t > now - 1.0]
            if len(recent) >= self.limits[method]:
                self._recent[method] = recent
                return 429, limited, {"ok": False, "error": "ratelimited"}
            recent.append(now)
            self._recent[method] = recent
        return None

    def _api(self, method: str, args: dict) -> tuple[int, dict, dict]:
        with self._lock:
            queued = self.failures.get(method)
            if queued:
                failure = queued.pop(0)
                self.calls.append(Call("!" + method, args))
                return failure
            limited = self._limited(method)
            if limited:
                self.calls.append(Call("!" + method, args))
                return limited
            self.calls.append(Call(method, args))
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        return handler(args) if handler else (200, {}, {"ok": True})

    def _m_auth_test(self, _args):
        return 200, {}, {"ok": True, "team_id": self.team_id, "user_id": self.bot_user, "bot_id": "BBOT",
                         "team": self.team_name, "url": self.permalink_base.split("archives/")[0]}

    def _m_users_info(self, args):
        user = self.users.get(args.get("user", ""))
        return 200, {}, ({"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"})

    def _m_users_lookupByEmail(self, args):  # noqa: N802 - Slack's method name
        email = (args.get("email") or "").lower()
        user = next((u for u in self.users.values() if u["profile"]["email"].lower() == email), None)
        return 200, {}, ({"ok": True, "user": user} if user else {"ok": False, "error": "users_not_found"})

    def _m_views_publish(self, args):
        view = json_arg(args, "view")
        if (view or {}).get("type") != "home":
            return 200, {}, {"ok": False, "error": "invalid_arguments"}
        if args.get("user_id") not in self.users:
            return 200, {}, {"ok": False, "error": "user_not_found"}
        check_view(view, self.files)
        with self._lock:
            self.homes[args["user_id"]] = {**view, "id": f"VH{args['user_id']}"}
            self._bump()
        return 200, {}, {"ok": True, "view": {**view, "id": f"VH{args['user_id']}"}}

    def _m_conversations_open(self, args):
        users = (args.get("users") or "").split(",")
        if not users or users[0] not in self.users:
            return 200, {}, {"ok": False, "error": "user_not_found"}
        return 200, {}, {"ok": True, "channel": {"id": self.dm_of(users[0])}}

    def _m_files_getUploadURLExternal(self, args):  # noqa: N802
        try:
            length = int(args.get("length") or 0)
        except ValueError:
            length = 0
        if not args.get("filename") or length <= 0:
            return 200, {}, {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            fid = f"F{next(self._file_ids):09d}"
            self.files[fid] = {"id": fid, "name": args["filename"], "length": length, "data": None,
                               "complete": False, "image": args["filename"].lower().endswith(
                                   (".png", ".jpg", ".jpeg", ".gif"))}
        return 200, {}, {"ok": True, "upload_url": f"{self.base_url}upload/{fid}", "file_id": fid}

    def _m_files_completeUploadExternal(self, args):  # noqa: N802
        done = []
        for item in json_arg(args, "files") or []:
            record = self.files.get(item.get("id"))
            if record is None or record["data"] is None or len(record["data"]) != record["length"]:
                return 200, {}, {"ok": False, "error": "file_not_found"}
            with self._lock:
                record.update(complete=True, title=item.get("title"), channel=args.get("channel_id"),
                              thread_ts=args.get("thread_ts"), comment=args.get("initial_comment"))
            done.append({"id": record["id"], "name": record["name"], "title": item.get("title"),
                         "mimetype": "image/png" if record["image"] else "text/csv",
                         "permalink": f"{self.base_url}files/{record['id']}/{record['name']}"})
        channel = args.get("channel_id")
        if channel and done:  # shared: a message with the files, as Slack posts it
            self.post(channel, user=None, text=args.get("initial_comment") or "",
                      files=[{"id": d["id"], "name": d["name"], "title": d["title"]} for d in done],
                      thread_ts=args.get("thread_ts"))
        return 200, {}, {"ok": True, "files": done}

    def _m_views_open(self, args, *, push: bool = False):
        trigger = args.get("trigger_id", "")
        born = self.triggers.get(trigger)
        if born is None:
            return 200, {}, {"ok": False, "error": "invalid_trigger_id"}
        if time.monotonic() - born > self.trigger_ttl:
            return 200, {}, {"ok": False, "error": "expired_trigger_id"}
        del self.triggers[trigger]
        view = json_arg(args, "view")
        check_view(view, self.files)
        opened = {**view, "id": f"V{next(self._views)}"}
        self.open_modal(self.trigger_users.pop(trigger, None), opened, push=push)
        return 200, {}, {"ok": True, "view": opened}

    def _m_views_push(self, args):
        return self._m_views_open(args, push=True)

    def _m_views_update(self, args):
        view = json_arg(args, "view")
        check_view(view, self.files)
        updated = {**view, "id": args.get("view_id")}
        self.replace_view(args.get("view_id") or "", updated)
        return 200, {}, {"ok": True, "view": updated}

    def _message_args(self, args) -> tuple[str, list, tuple | None]:
        channel = args.get("channel", "")
        if channel in self.forbidden_channels:
            return channel, [], (200, {}, {"ok": False, "error": "not_in_channel"})
        blocks = json_arg(args, "blocks") or []
        check_blocks(blocks, limit=50, files=self.files)
        if len(args.get("text") or "") > 40000:
            return channel, blocks, (200, {}, {"ok": False, "error": "msg_too_long"})
        if channel.startswith("U"):
            channel = self.dm_of(channel) if channel in self.users else "D" + channel[1:]
        return channel, blocks, None

    def _m_chat_postMessage(self, args):  # noqa: N802
        channel, blocks, refused = self._message_args(args)
        if refused:
            return refused
        msg = self.post(channel, user=None, text=args.get("text") or "", blocks=blocks,
                        thread_ts=args.get("thread_ts") or None)
        return 200, {}, {"ok": True, "channel": channel, "ts": msg["ts"]}

    def _m_chat_update(self, args):
        channel, blocks, refused = self._message_args(args)
        if refused:
            return refused
        with self._lock:
            msg = self.find_message(channel, args.get("ts") or "")
            if msg is not None:
                msg.update(text=args.get("text") or "", blocks=blocks, edited=True)
                self._bump()
        return 200, {}, {"ok": True, "channel": channel, "ts": args.get("ts")}

    def _m_chat_postEphemeral(self, args):  # noqa: N802
        channel, blocks, refused = self._message_args(args)
        if refused:
            return refused
        e = self.ephemeral(channel, args.get("user") or "", args.get("text") or "", blocks,
                           thread_ts=args.get("thread_ts") or None)
        return 200, {}, {"ok": True, "message_ts": e["ts"]}

    def _m_chat_getPermalink(self, args):  # noqa: N802
        channel, ts = args.get("channel"), args.get("message_ts", "")
        if self._real_ts:
            return 200, {}, {"ok": True, "permalink": f"{self.base_url}#{channel}/{ts}"}
        return 200, {}, {"ok": True, "permalink": f"{self.permalink_base}{channel}/p{ts.replace('.', '')}"}

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
                status, out_headers, answer = self._api(path.removeprefix("/api/"), args)
        except BlockKitError as exc:
            status, out_headers, answer = 200, {}, {"ok": False, "error": "invalid_blocks", "detail": str(exc)}
            with self._lock:
                self.calls.append(Call("!invalid_blocks", {"detail": str(exc), **args}))
        return status, {"Content-Type": "application/json", **out_headers}, json.dumps(answer).encode()

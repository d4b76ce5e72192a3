"""A fake Slack Web API on a loopback port: records every call with its arguments, answers like Slack,
checks Block Kit limits, and can be told to fail (429 with Retry-After, channel errors)."""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Call:
    method: str
    args: dict
    at: float = field(default_factory=time.monotonic)


class BlockKitError(AssertionError):
    pass


def check_blocks(blocks: list, *, limit: int, files: dict | None = None) -> None:
    """The limits Slack enforces with invalid_blocks (a subset that matters for this bot). `files`: the
    uploads Slack knows (id → record); an image block's `slack_file` must name a completed image upload."""
    if len(blocks) > limit:
        raise BlockKitError(f"{len(blocks)} blocks > {limit}")

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


class FakeSlack:
    def __init__(self, team_id: str = "T1") -> None:
        self.team_id = team_id
        self.calls: list[Call] = []
        self.responses: list[Call] = []  # posts to response_url
        self.users: dict[str, dict] = {}
        self.forbidden_channels: set[str] = set()
        self.failures: dict[str, list[tuple[int, dict, dict]]] = {}
        self.trigger_ttl = 3.0
        self.triggers: dict[str, float] = {}
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._lock = threading.Lock()
        # Rate limits as Slack applies them: {method: per-second allowance} over a sliding second, and
        # {method: (probability, Retry-After)} for a storm of 429s.
        self.limits: dict[str, int] = {}
        self.flaky: dict[str, tuple[float, int]] = {}
        self._recent: dict[str, list[float]] = {}
        self._random = random.Random(1234)
        self.files: dict[str, dict] = {}  # uploads: id → {name, length, data, complete, image, title, channel}
        self.homes: dict[str, dict] = {}  # the Home tab each user sees (the last views.publish)
        self._file_ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ---------------------------------------------------------------- lifecycle
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def start(self) -> "FakeSlack":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---------------------------------------------------------------- set-up helpers
    def add_user(self, user_id: str, *, tz: str = "UTC", name: str | None = None, is_admin: bool = False,
                 is_bot: bool = False, deleted: bool = False) -> None:
        self.users[user_id] = {"id": user_id, "name": name or user_id.lower(), "real_name": name or user_id,
                               "tz": tz, "is_admin": is_admin, "is_bot": is_bot, "deleted": deleted,
                               "profile": {"display_name": name or user_id, "email": f"{user_id.lower()}@example.com"}}

    def new_trigger(self) -> str:
        trigger = f"trig-{time.monotonic_ns()}"
        self.triggers[trigger] = time.monotonic()
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
        if method == "auth.test":
            return 200, {}, {"ok": True, "team_id": self.team_id, "user_id": "UBOT", "bot_id": "BBOT",
                             "team": "Test", "url": "https://test.slack.com/"}
        if method == "users.info":
            user = self.users.get(args.get("user", ""))
            return 200, {}, ({"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"})
        if method == "users.lookupByEmail":
            email = (args.get("email") or "").lower()
            user = next((u for u in self.users.values() if u["profile"]["email"].lower() == email), None)
            return 200, {}, ({"ok": True, "user": user} if user else {"ok": False, "error": "users_not_found"})
        if method == "views.publish":
            view = _json_arg(args, "view")
            if (view or {}).get("type") != "home":
                return 200, {}, {"ok": False, "error": "invalid_arguments"}
            if args.get("user_id") not in self.users:
                return 200, {}, {"ok": False, "error": "user_not_found"}
            check_view(view, self.files)
            with self._lock:
                self.homes[args["user_id"]] = {**view, "id": f"VH{args['user_id']}"}
            return 200, {}, {"ok": True, "view": {**view, "id": f"VH{args['user_id']}"}}
        if method == "conversations.open":
            users = (args.get("users") or "").split(",")
            if not users or users[0] not in self.users:
                return 200, {}, {"ok": False, "error": "user_not_found"}
            return 200, {}, {"ok": True, "channel": {"id": "D" + users[0][1:]}}
        if method == "files.getUploadURLExternal":
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
            return 200, {}, {"ok": True, "upload_url": f"{self.url}upload/{fid}", "file_id": fid}
        if method == "files.completeUploadExternal":
            done = []
            for item in _json_arg(args, "files") or []:
                record = self.files.get(item.get("id"))
                if record is None or record["data"] is None or len(record["data"]) != record["length"]:
                    return 200, {}, {"ok": False, "error": "file_not_found"}
                with self._lock:
                    record.update(complete=True, title=item.get("title"), channel=args.get("channel_id"),
                                  thread_ts=args.get("thread_ts"), comment=args.get("initial_comment"))
                done.append({"id": record["id"], "name": record["name"], "title": item.get("title"),
                             "mimetype": "image/png" if record["image"] else "text/csv",
                             "permalink": f"https://test.slack.com/files/UBOT/{record['id']}/{record['name']}"})
            return 200, {}, {"ok": True, "files": done}
        if method in ("views.open", "views.push"):
            born = self.triggers.get(args.get("trigger_id", ""))
            if born is None:
                return 200, {}, {"ok": False, "error": "invalid_trigger_id"}
            if time.monotonic() - born > self.trigger_ttl:
                return 200, {}, {"ok": False, "error": "expired_trigger_id"}
            del self.triggers[args["trigger_id"]]
            view = _json_arg(args, "view")
            check_view(view, self.files)
            return 200, {}, {"ok": True, "view": {**view, "id": f"V{next(self._views)}"}}
        if method == "views.update":
            view = _json_arg(args, "view")
            check_view(view, self.files)
            return 200, {}, {"ok": True, "view": {**view, "id": args.get("view_id")}}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            channel = args.get("channel", "")
            if channel in self.forbidden_channels:
                return 200, {}, {"ok": False, "error": "not_in_channel"}
            blocks = _json_arg(args, "blocks") or []
            check_blocks(blocks, limit=50, files=self.files)
            if len(args.get("text") or "") > 40000:
                return 200, {}, {"ok": False, "error": "msg_too_long"}
            if method == "chat.postEphemeral":
                return 200, {}, {"ok": True, "message_ts": f"{time.time():.6f}"}
            ts = args.get("ts") or f"1700000000.{next(self._ts):06d}"
            if channel.startswith("U"):
                channel = "D" + channel[1:]
            return 200, {}, {"ok": True, "channel": channel, "ts": ts}
        if method == "chat.getPermalink":
            ts = args.get("message_ts", "").replace(".", "")
            return 200, {}, {"ok": True, "permalink": f"https://test.slack.com/archives/{args.get('channel')}/p{ts}"}
        return 200, {}, {"ok": True}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                data_in = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/upload/"):  # step 2 of an upload: the file's bytes
                    record = fake.files.get(self.path.removeprefix("/upload/"))
                    if record is not None:
                        with fake._lock:
                            record["data"] = data_in
                            fake.calls.append(Call("upload", {"file_id": record["id"], "size": len(data_in)}))
                    self.send_response(200 if record is not None else 404)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"OK")
                    return
                raw = data_in.decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                try:
                    if self.path.startswith("/response/"):
                        check_blocks(args.get("blocks") or [], limit=50, files=fake.files)
                        with fake._lock:
                            fake.responses.append(Call(self.path, args))
                        status, headers, body = 200, {}, {"ok": True}
                    else:
                        status, headers, body = fake._api(self.path.removeprefix("/api/"), args)
                except BlockKitError as exc:
                    status, headers, body = 200, {}, {"ok": False, "error": "invalid_blocks", "detail": str(exc)}
                    with fake._lock:
                        fake.calls.append(Call("!invalid_blocks", {"detail": str(exc), **args}))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _json_arg(args: dict, key: str):
    value = args.get(key)
    if isinstance(value, str):
        return json.loads(value)
    return value

"""One WSGI app on `127.0.0.1:$PORT`: the playground's page and its endpoints (`/`, `/play/…`), Slack's side
(`/api/…`, `/response/…`, `/upload/…`: the world the bot calls through `SLACK_API_URL`), and the bot itself
(`/slack/events`, `/healthz`, `/intake/leads`), which the page reaches only through signed requests."""

from __future__ import annotations

import importlib.util
import io
import json
import mimetypes
import threading
from pathlib import Path
from urllib.parse import parse_qs

import yaml

from playground.client import SlackClient
from playground.render import Viewer, environment
from playground.world import SlackWorld

STATIC = Path(__file__).parent / "static"
STATIC_FILES = {"style.css", "app.js"}  # served by name only: nothing else of the folder, no paths
MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yml"
SELECTED = {"static_select": "selected_option", "external_select": "selected_option", "overflow": "selected_option",
            "users_select": "selected_user", "conversations_select": "selected_conversation",
            "channels_select": "selected_channel", "datepicker": "selected_date", "timepicker": "selected_time",
            "radio_buttons": "selected_option", "multi_users_select": "selected_users",
            "checkboxes": "selected_options"}


FONTS = ("NanumGothic.ttf", "NanumGothicBold.ttf")
_font_cache: dict[str, bytes] = {}


def font(name: str) -> bytes | None:
    """NanumGothic for Korean on machines without a Korean font, from the `koreanize-matplotlib` package. Browsers
    refuse its hinting-source tables (TSI0–3: "OTS parsing error: TSI3: zero-length table"), so they are dropped
    (fontTools, 0.1 s, once)."""
    if name not in FONTS:
        return None
    if name not in _font_cache:
        spec = importlib.util.find_spec("koreanize_matplotlib")
        folders = (spec.submodule_search_locations or []) if spec else []
        path = next((Path(f, "fonts", name) for f in folders if Path(f, "fonts", name).exists()), None)
        if path is None:
            return None
        from fontTools.ttLib import TTFont

        ttf = TTFont(str(path))
        for tag in [t for t in ttf.keys() if t.startswith("TSI")]:
            del ttf[tag]
        buf = io.BytesIO()
        ttf.save(buf)
        _font_cache[name] = buf.getvalue()
    return _font_cache[name]


def commands() -> list[dict]:
    """The slash commands as Slack shows them while typing: name, usage hint, description (from the manifest)."""
    try:
        manifest = yaml.safe_load(MANIFEST.read_text())
        return [{"command": c["command"], "usage_hint": c.get("usage_hint", ""), "description": c.get("description", "")}
                for c in manifest["features"]["slash_commands"]]
    except (OSError, KeyError, yaml.YAMLError):
        return [{"command": "/lead", "usage_hint": "help", "description": "The CRM"}]


class Playground:
    """The playground's pages and endpoints over one world and one client."""

    def __init__(self, world: SlackWorld, client: SlackClient, people: list[dict], *, start: str) -> None:
        self.world, self.client, self.people, self.start = world, client, people, start
        self.env = environment()
        self.regions = self.env.get_template("regions.html").module
        self.commands = commands()

    # ---------------------------------------------------------------- what a person sees
    def viewer(self, user: str) -> Viewer:
        return Viewer(user, self.world.users.get(user, {}).get("tz", "UTC"), self.world.users, self.world.channels)

    def _message(self, m: dict, channel: str) -> dict:
        replies = sum(1 for r in self.world.messages.get(channel, ()) if r.get("thread_ts") == m["ts"]
                      and r["ts"] != m["ts"])
        return {**m, "channel": channel, "replies": replies, "eph": None,
                "files": [{**f, "image": self.world.files.get(f["id"], {}).get("image", False)} for f in m.get("files") or []]}

    def _ephemeral(self, e: dict) -> dict:
        return {"ts": e["ts"], "user": None, "bot": True, "text": e["text"], "blocks": e["blocks"], "edited": False,
                "channel": e["channel"], "eph": e["id"], "files": [], "replies": 0, "thread_ts": e["thread_ts"]}

    def state(self, user: str, where: str, thread: str) -> dict:
        w = self.world
        with w.changed:
            dm = w.dm_of(user) if user in w.users else ""
            if where not in w.channels and where != "home":
                where = self.start
            viewer = self.viewer(user)
            channels = [c for c in w.channels.values() if not c["is_im"]]
            s = {"team_name": w.team_name, "channels": channels, "channel_map": w.channels, "users": w.users,
                 "viewer": viewer, "where": where, "dm": dm, "people": self.people, "home": w.homes.get(user),
                 "channel_topic": {"C0SALES": "Lead cards: one per lead, its thread is the history",
                                   "C0INBOUND": "New leads, routed in turn to the reps"}.get(where, "")}
            if where != "home":
                top = [self._message(m, where) for m in w.messages.get(where, ())
                       if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]
                mine = [self._ephemeral(e) for e in w.ephemerals if e["channel"] == where and e["user"] == user
                        and not e["thread_ts"]]
                s["timeline"] = sorted(top + mine, key=lambda m: float(m["ts"]))
            s["thread"] = None
            if thread and where != "home":
                parent = w.find_message(where, thread)
                if parent is not None:
                    replies = [self._message(m, where) for m in w.messages.get(where, ())
                               if m.get("thread_ts") == thread and m["ts"] != thread]
                    replies += [self._ephemeral(e) for e in w.ephemerals if e["channel"] == where
                                and e["user"] == user and e["thread_ts"] == thread]
                    s["thread"] = {"parent": self._message(parent, where),
                                   "replies": sorted(replies, key=lambda m: float(m["ts"]))}
            stack = w.modals.get(user) or []
            s["modal"], s["modal_depth"] = (stack[-1] if stack else None), len(stack)
            r = self.regions
            name = (w.channels.get(where) or {}).get("name", "")
            return {"version": w.version, "where": where,
                    "sidebar": str(r.sidebar(s)), "main_head": str(r.main_head(s)), "main_list": str(r.main_list(s)),
                    "thread": str(r.thread(s)) if s["thread"] else "", "modal": str(r.modal(s)) if s["modal"] else "",
                    "modal_key": json.dumps(s["modal"], sort_keys=True, default=str) if s["modal"] else "",
                    "placeholder": f"Message #{name} — type /lead for the CRM's commands" if not where.startswith("D")
                    else "Message CRM — slash commands work here too"}

    def page(self, user: str) -> str:
        boot = {"user": user, "people": self.people, "start": self.start, "commands": self.commands}
        return self.env.get_template("page.html").render(user=user, people=self.people, team_name=self.world.team_name,
                                                         boot=boot)

    # ---------------------------------------------------------------- what a person does
    def _view(self, user: str, view_id: str) -> dict | None:
        stack = self.world.modals.get(user) or []
        home = self.world.homes.get(user)
        if home and home.get("id") == view_id:
            return home
        return next((v for v in stack if v.get("id") == view_id), None)

    def _element(self, blocks: list, b, e) -> tuple[dict, dict]:
        block = blocks[int(b)]
        if e == "acc":
            return block, block["accessory"]
        if e == "el":
            return block, block["element"]
        return block, block["elements"][int(e)]

    def _chosen(self, element: dict, value) -> dict:
        """What Slack puts in an action or a form value for this element, from what was picked on the page."""
        kind = element.get("type")
        key = SELECTED.get(kind)
        if kind == "button":
            return {"value": element.get("value"), "text": element.get("text")}
        if kind == "plain_text_input":
            return {"value": value or None}
        if key is None:
            return {}
        if kind in ("static_select", "overflow", "radio_buttons"):
            options = element.get("options") or [o for g in element.get("option_groups") or [] for o in g["options"]]
            return {key: next((o for o in options if o["value"] == value), None)}
        if kind == "checkboxes":
            return {key: [o for o in element.get("options") or [] if o["value"] in (value or [])]}
        if kind == "external_select":
            return {key: value or None}
        return {key: value or ([] if kind == "multi_users_select" else None)}

    def _form_state(self, view: dict, raw: dict) -> dict:
        values: dict = {}
        for i, block in enumerate(view.get("blocks") or []):
            if block.get("type") != "input":
                continue
            el = block["element"]
            values[block["block_id"]] = {el["action_id"]: {"type": el["type"],
                                                           **self._chosen(el, (raw or {}).get(str(i)))}}
        return values

    def act(self, user: str, body: dict) -> dict:
        w, surface = self.world, body.get("surface")
        if surface in ("message", "ephemeral"):
            if surface == "ephemeral":
                holder = next((e for e in w.ephemerals if e["id"] == body.get("eph")), None)
            else:
                holder = w.find_message(body.get("channel", ""), body.get("ts", ""))
            if holder is None:
                return {"ok": False}
            where = {"kind": surface, "channel": holder.get("channel") or body.get("channel"), "ts": holder["ts"],
                     "ephemeral": body.get("eph"), "thread_ts": holder.get("thread_ts"), "text": holder.get("text"),
                     "blocks": holder.get("blocks")}
            block, element = self._element(holder["blocks"], body["b"], body["e"])
        else:
            view = w.homes.get(user) if surface == "home" else self._view(user, body.get("view", ""))
            if view is None:
                return {"ok": False}
            where = {"kind": surface, "view": view, "values": self._form_state(view, body.get("values") or {})}
            block, element = self._element(view["blocks"], body["b"], body["e"])
        self.client.click(user, where, block, element, self._chosen(element, body.get("value")))
        return {"ok": True}

    def submit(self, user: str, body: dict) -> dict:
        view = self._view(user, body.get("view", ""))
        if view is None:
            return {"ok": False}
        answer = self.client.submit(user, view, self._form_state(view, body.get("values") or {}))
        return {"ok": True, "response_action": answer.get("response_action")}

    def options(self, user: str, body: dict) -> dict:
        view = self._view(user, body.get("view", "")) or {}
        blocks = view.get("blocks") or []
        try:
            block, element = self._element(blocks, body["b"], body["e"])
        except (IndexError, KeyError, ValueError):
            return {"options": []}
        return {"options": self.client.suggest(user, view, block.get("block_id", ""), element.get("action_id", ""),
                                               body.get("value") or "")}

    def say(self, user: str, body: dict) -> dict:
        text, where, thread = (body.get("text") or "").strip(), body.get("w") or self.start, body.get("t") or None
        if not text or where == "home":
            return {"ok": False}
        if text.startswith("/") and not thread:
            if not any(text.split(" ")[0] == c["command"] for c in self.commands):
                self.world.ephemeral(where, user, f"{text.split(' ')[0]} is not a valid command. The CRM's is "
                                     f"{self.commands[0]['command']}.", None)
                return {"ok": True}
            self.client.command(user, where, text)
        elif text.startswith("/"):
            self.world.ephemeral(where, user, "Slash commands can't be used in threads. Mention @CRM instead, "
                                 "e.g. `@CRM log called, no answer`.", None, thread_ts=thread)
        else:
            self.client.say(user, where, text, thread_ts=thread)
        return {"ok": True}

    # ---------------------------------------------------------------- WSGI
    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/" and method == "GET":
            return _send(start_response, "200 OK", self.page(query.get("as") or self.people[0]["id"]),
                         "text/html; charset=utf-8")
        if path == "/favicon.ico":
            start_response("204 No Content", [("Content-Length", "0")])
            return [b""]
        if path == "/play/state":
            return _json(start_response, self.state(query.get("u", ""), query.get("w", ""), query.get("t", "")))
        if path == "/play/wait":
            try:
                since = int(query.get("v", "-1"))
            except ValueError:
                since = -1
            return _json(start_response, {"version": self.world.wait_change(since, 20)})
        if path.startswith("/play/files/"):
            record = self.world.files.get(path.removeprefix("/play/files/"))
            if not record or record.get("data") is None:
                return _send(start_response, "404 Not Found", "no such file", "text/plain")
            kind = mimetypes.guess_type(record["name"])[0] or "application/octet-stream"
            return _send(start_response, "200 OK", record["data"], kind)
        if path.startswith("/play/static/"):
            name = path.removeprefix("/play/static/")
            data = font(name) if name in FONTS else (
                (STATIC / name).read_bytes() if name in STATIC_FILES else None)
            if data is None:
                return _send(start_response, "404 Not Found", "not found", "text/plain")
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return _send(start_response, "200 OK", data, kind, cache=True)
        if method == "POST" and path.startswith("/play/"):
            body = json.loads(_read(environ) or b"{}")
            user = body.get("u", "")
            if user not in self.world.users:
                return _json(start_response, {"ok": False, "error": "no such person"}, "400 Bad Request")
            handler = {"/play/say": self.say, "/play/act": self.act, "/play/submit": self.submit,
                       "/play/options": self.options, "/play/close": self.close,
                       "/play/home": self.home}.get(path)
            if handler is None:
                return _json(start_response, {"ok": False}, "404 Not Found")
            return _json(start_response, handler(user, body))
        return None

    def close(self, user: str, body: dict) -> dict:
        view = self._view(user, body.get("view", ""))
        if view is not None:
            self.client.close(user, view)
        return {"ok": True}

    def home(self, user: str, _body: dict) -> dict:
        threading.Thread(target=self.client.open_home, args=(user,), daemon=True).start()
        return {"ok": True}


class Dispatcher:
    """The one WSGI app: the playground, the world (Slack's Web API), then the bot (set once it is built)."""

    def __init__(self, world: SlackWorld, playground: Playground | None = None) -> None:
        self.world, self.playground, self.bot = world, playground, None

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if method == "POST" and path.startswith(("/api/", "/response/", "/upload/")):
            headers = {"Content-Type": environ.get("CONTENT_TYPE", "")}
            status, out_headers, data = self.world.handle_http(path, headers, _read(environ))
            start_response(f"{status} {'OK' if status == 200 else 'Error'}",
                           [(k, v) for k, v in out_headers.items()] + [("Content-Length", str(len(data)))])
            return [data]
        if self.playground is not None:
            answer = self.playground(environ, start_response)
            if answer is not None:
                return answer
        if self.bot is None:
            return _json(start_response, {"ok": False, "error": "starting"}, "503 Service Unavailable")
        return self.bot(environ, start_response)


def _read(environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length else b""


def _send(start_response, status: str, body, kind: str, *, cache: bool = False):
    data = body.encode() if isinstance(body, str) else body
    headers = [("Content-Type", kind), ("Content-Length", str(len(data)))]
    if cache:
        headers.append(("Cache-Control", "max-age=3600"))
    start_response(status, headers)
    return [data]


def _json(start_response, data: dict, status: str = "200 OK"):
    return _send(start_response, status, json.dumps(data), "application/json")

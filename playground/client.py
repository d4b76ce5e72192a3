"""What people do in the playground, sent to the bot as Slack would send it: signed slash commands, block_actions,
view_submission and block_suggestion payloads, and Events API callbacks (messages, mentions, app_home_opened),
all to the bot's own `POST /slack/events`. What Slack does with the bot's answers (an ack's text, a modal's
`response_action`) is applied to the world here too."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from playground.world import SlackWorld

MENTION = re.compile(r"(?<![\w.+-])@(\w[\w.-]*)")  # not inside an e-mail address


class SlackClient:
    def __init__(self, world: SlackWorld, bot_url: str, secret: str, *, app_id: str = "A0PLAY") -> None:
        self.world, self.bot_url, self.secret, self.app_id = world, bot_url, secret, app_id
        self._n = itertools.count(1)

    # ---------------------------------------------------------------- transport
    def _post(self, body: str, content_type: str) -> tuple[int, bytes]:
        ts = str(int(time.time()))
        sig = "v0=" + hmac.new(self.secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        req = urllib.request.Request(self.bot_url, data=body.encode(), method="POST", headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def _interact(self, payload: dict) -> tuple[int, dict]:
        status, raw = self._post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        try:
            return status, json.loads(raw or b"{}")
        except ValueError:
            return status, {}

    def response_url(self, **target) -> str:
        path = f"/response/{next(self._n)}"
        self.world.response_targets[path] = target
        return self.world.base_url.rstrip("/") + path

    def _team(self) -> dict:
        return {"id": self.world.team_id, "domain": "playground"}

    def _user(self, user: str) -> dict:
        u = self.world.users.get(user, {})
        return {"id": user, "username": u.get("name"), "name": u.get("name"), "team_id": self.world.team_id}

    # ---------------------------------------------------------------- slash commands
    def command(self, user: str, channel: str, text: str) -> int:
        """`/lead …` typed in a channel (slash commands can't be used in threads)."""
        command, _, rest = text.strip().partition(" ")
        body = urlencode({"token": "playground", "team_id": self.world.team_id, "team_domain": "playground",
                          "channel_id": channel, "channel_name": self.world.channels.get(channel, {}).get("name", ""),
                          "user_id": user, "user_name": self.world.users.get(user, {}).get("name", user),
                          "command": command, "text": self.slack_text(rest.strip(), named=True),
                          "api_app_id": self.app_id,
                          "response_url": self.response_url(channel=channel, user=user),
                          "trigger_id": self.world.new_trigger(user)})
        status, raw = self._post(body, "application/x-www-form-urlencoded")
        if status == 200 and raw.strip():
            answer = json.loads(raw)  # answered inside the ack (help, a refusal)
            if answer.get("response_type") == "in_channel":
                self.world.post(channel, user=None, text=answer.get("text") or "", blocks=answer.get("blocks"))
            else:
                self.world.ephemeral(channel, user, answer.get("text") or "", answer.get("blocks"))
        elif status != 200:
            self.world.ephemeral(channel, user, f"/lead failed with the error “{status}”", None)
        return status

    # ---------------------------------------------------------------- interactions
    def click(self, user: str, where: dict, block: dict, element: dict, action: dict) -> int:
        """A button, menu or picker used in a message, an ephemeral, the Home or a modal. `where` says which
        (kind, channel, ts, ephemeral id, view); `action` holds what was chosen (value, selected_option…)."""
        kind = where["kind"]
        payload = {"type": "block_actions", "team": self._team(), "user": self._user(user), "api_app_id": self.app_id,
                   "trigger_id": self.world.new_trigger(user), "token": "playground",
                   "actions": [{"action_id": element.get("action_id"), "block_id": block.get("block_id") or "b",
                                "type": element.get("type"), "action_ts": f"{time.time():.6f}", **action}]}
        if kind in ("message", "ephemeral"):
            channel = where["channel"]
            payload["channel"] = {"id": channel, "name": self.world.channels.get(channel, {}).get("name", "")}
            payload["container"] = {"type": "message", "message_ts": where["ts"], "channel_id": channel,
                                    "is_ephemeral": kind == "ephemeral"}
            payload["message"] = {"ts": where["ts"], "text": where.get("text", ""), "blocks": where.get("blocks", [])}
            target = {"channel": channel, "user": user, "thread_ts": where.get("thread_ts")}
            if kind == "ephemeral":
                target["ephemeral"] = where.get("ephemeral")
            else:
                target["message_ts"] = where["ts"]
            payload["response_url"] = self.response_url(**target)
        else:
            view = where["view"]
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = {**view, "state": {"values": where.get("values") or {}}}
        status, _ = self._interact(payload)
        return status

    def submit(self, user: str, view: dict, values: dict) -> dict:
        """A modal's submit button: the values typed, then whatever Slack does with the bot's answer (field
        errors stay on the view; update, push and clear change the stack; an empty answer closes it)."""
        payload = {"type": "view_submission", "team": self._team(), "user": self._user(user),
                   "api_app_id": self.app_id, "trigger_id": self.world.new_trigger(user), "token": "playground",
                   "view": {**view, "state": {"values": values}, "hash": "1", "team_id": self.world.team_id}}
        status, answer = self._interact(payload)
        action = answer.get("response_action")
        with self.world.changed:
            stack = self.world.modals.get(user) or []
            if status != 200:
                view["_errors"] = {"_": f"Slack could not reach the app ({status})."}
            elif action == "errors":
                for v in stack:
                    if v.get("id") == view.get("id"):
                        v["_errors"] = answer.get("errors") or {}
                        v["_values"] = values
            elif action == "update":
                self.world.replace_view(view.get("id"), {**answer["view"], "id": view.get("id")})
            elif action == "push":
                stack.append({**answer["view"], "id": f"VP{next(self._n)}"})
            elif action == "clear":
                stack.clear()
            else:
                self.world.modals[user] = [v for v in stack if v.get("id") != view.get("id")]
            self.world._bump()
        return answer

    def close(self, user: str, view: dict) -> None:
        """Cancel (Slack tells the app only when it asked: the bot doesn't)."""
        if view.get("notify_on_close"):
            self._interact({"type": "view_closed", "team": self._team(), "user": self._user(user),
                            "api_app_id": self.app_id, "view": view, "is_cleared": False})
        self.world.close_modal(user)

    def suggest(self, user: str, view: dict, block_id: str, action_id: str, value: str) -> list[dict]:
        """Type-ahead of an external_select: the options the bot's options listener answers."""
        status, answer = self._interact({
            "type": "block_suggestion", "team": self._team(), "user": self._user(user), "api_app_id": self.app_id,
            "action_id": action_id, "block_id": block_id, "value": value, "token": "playground",
            "view": {"id": view.get("id"), "type": view.get("type"), "callback_id": view.get("callback_id"),
                     "private_metadata": view.get("private_metadata")}})
        return (answer.get("options") or []) if status == 200 else []

    # ---------------------------------------------------------------- events
    def event(self, inner: dict) -> int:
        body = json.dumps({"token": "playground", "team_id": self.world.team_id, "api_app_id": self.app_id,
                           "type": "event_callback", "event_id": f"Ev{int(time.time() * 1000)}{next(self._n)}",
                           "event_time": int(time.time()), "event": inner,
                           "authorizations": [{"team_id": self.world.team_id, "user_id": self.world.bot_user,
                                               "is_bot": True}]})
        status, _ = self._post(body, "application/json")
        return status

    def slack_text(self, text: str, *, named: bool = False) -> str:
        """What Slack sends for typed text: `&`, `<`, `>` as entities and `@name` as a mention (`<@U…|name>` in
        a slash command, whose app escapes users; `<@U…>` in a message)."""
        names = {u["name"].lower(): uid for uid, u in self.world.users.items()}
        names["crm"] = self.world.bot_user

        def mention(m: re.Match) -> str:
            uid = names.get(m.group(1).lower())
            return (f"<@{uid}|{m.group(1)}>" if named else f"<@{uid}>") if uid else m.group(0)

        return MENTION.sub(mention, text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))

    def say(self, user: str, channel: str, text: str, *, thread_ts: str | None = None) -> dict:
        """A person writes a message (a reply in a thread, or in a channel); `@CRM` mentions the bot."""
        slack_text = self.slack_text(text)
        msg = self.world.post(channel, user=user, text=slack_text, thread_ts=thread_ts)
        event = {"type": "message", "channel": channel, "user": user, "text": slack_text, "ts": msg["ts"],
                 "event_ts": msg["ts"], "channel_type": "im" if channel.startswith("D") else "channel",
                 "team": self.world.team_id}
        if thread_ts:
            event["thread_ts"] = thread_ts
        self.event(event)
        if f"<@{self.world.bot_user}>" in slack_text:
            self.event({**event, "type": "app_mention"})
        return msg

    def open_home(self, user: str) -> int:
        return self.event({"type": "app_home_opened", "user": user, "channel": self.world.dm_of(user), "tab": "home",
                           "event_ts": f"{time.time():.6f}"})

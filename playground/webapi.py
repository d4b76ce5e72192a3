"""The Web API methods of the world (`SlackWorld` is this mixin plus the workspace's state): each `_m_<method>`
answers one Slack method as Slack would, on the world's state, with Slack's errors."""

from __future__ import annotations

import json
import time

from playground.checks import Call, check_blocks, check_view, json_arg


class WebApi:
    """Mixed into `SlackWorld`: the attributes used here are the world's."""
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

    def _api(self, method: str, args: dict, *, token: str | None = None,
             basic: str | None = None) -> tuple[int, dict, dict]:
        with self._lock:
            queued = self.failures.get(method)
            if queued:
                failure = queued.pop(0)
                self.calls.append(Call("!" + method, args, token=token))
                return failure
            limited = self._limited(method)
            if limited:
                self.calls.append(Call("!" + method, args, token=token))
                return limited
            self.calls.append(Call(method, args, token=token))
        if method == "oauth.v2.access":
            return self._oauth_access(args, basic)
        if token in self.revoked:
            return 200, {}, {"ok": False, "error": "token_revoked"}
        if self.team_of_token(token) is None:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        return handler({**args, "_token": token}) if handler else (200, {}, {"ok": True})

    def _m_auth_test(self, args):
        team = self.team_of_token(args.get("_token"))
        return 200, {}, {"ok": True, "team_id": team, "user_id": self.bot_user, "bot_id": "BBOT",
                         "team": self.teams.get(team, self.team_name),
                         "url": self.permalink_base.split("archives/")[0]}

    # ---------------------------------------------------------------- OAuth
    def _client_ok(self, args: dict, basic: str | None) -> bool:
        if basic:
            import base64

            try:
                given = base64.b64decode(basic.split(" ", 1)[1]).decode()
            except (ValueError, IndexError):
                return False
            return given == f"{self.client_id}:{self.client_secret}"
        return args.get("client_id") == self.client_id and args.get("client_secret") == self.client_secret

    def _oauth_access(self, args: dict, basic: str | None):
        """The code exchange (each code once) and, with token rotation, refresh_token grants (each refresh
        token once: it is revoked when used)."""
        if not self._client_ok(args, basic):
            return 200, {}, {"ok": False, "error": "invalid_client_id"}
        with self._lock:
            if args.get("grant_type") == "refresh_token":
                team = self.refresh.pop(args.get("refresh_token") or "", None)
                if team is None:
                    return 200, {}, {"ok": False, "error": "invalid_refresh_token"}
                rotate = True
            else:
                grant = self.codes.pop(args.get("code") or "", None)
                if grant is None:
                    return 200, {}, {"ok": False, "error": "invalid_code"}
                team, rotate = grant["team"], grant["rotate"]
            n = len(self.tokens) + 1
            token = f"xoxb-{team}-{n}-{time.monotonic_ns()}"
            self.tokens[token] = team
            answer = {"ok": True, "app_id": "A0CRM", "token_type": "bot", "access_token": token,
                      "scope": "commands,chat:write", "bot_user_id": self.bot_user,
                      "team": {"id": team, "name": self.teams.get(team, team)}, "enterprise": None,
                      "is_enterprise_install": False,
                      "authed_user": {"id": (grant["user"] if args.get("grant_type") != "refresh_token" else None)}}
            if rotate:
                refresh = f"xoxe-1-{team}-{n}"
                self.refresh[refresh] = team
                answer.update(refresh_token=refresh, expires_in=self.token_ttl)
        return 200, {}, answer

    # ---------------------------------------------------------------- people and channels
    def _m_dnd_info(self, args):
        user = args.get("user", "")
        if user not in self.users:
            return 200, {}, {"ok": False, "error": "user_not_found"}
        return 200, {}, {"ok": True, "dnd_enabled": False, "next_dnd_start_ts": 1, "next_dnd_end_ts": 1,
                         "snooze_enabled": False, **self.dnd.get(user, {})}

    def _m_conversations_info(self, args):
        c = self.channels.get(args.get("channel", ""))
        if c is None:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        return 200, {}, {"ok": True, "channel": {"id": c["id"], "name": c["name"], "is_im": c["is_im"],
                                                 "is_private": c.get("is_private", False),
                                                 "is_ext_shared": c.get("is_ext_shared", False),
                                                 "is_shared": c.get("is_ext_shared", False),
                                                 "is_member": c.get("is_member", True)}}

    def _m_conversations_join(self, args):
        c = self.channels.get(args.get("channel", ""))
        if c is None:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if c.get("is_private"):
            return 200, {}, {"ok": False, "error": "method_not_supported_for_channel_type"}
        c["is_member"] = True
        return 200, {}, {"ok": True, "channel": {"id": c["id"], "name": c["name"]}}

    def _m_conversations_replies(self, args):
        c = self.channels.get(args.get("channel", ""))
        if c is None:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if not c.get("is_member", True):
            return 200, {}, {"ok": False, "error": "not_in_channel"}
        ts = args.get("ts", "")
        thread = [m for m in self.messages.get(c["id"], []) if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            return 200, {}, {"ok": False, "error": "thread_not_found"}
        out = [{"type": "message", "ts": m["ts"], "user": m["user"], "text": m["text"],
                **({"thread_ts": m["thread_ts"]} if m.get("thread_ts") else {"thread_ts": ts}),
                **({"bot_id": "BBOT"} if m.get("bot") else {}), **({"files": m["files"]} if m.get("files") else {}),
                **({"metadata": m["metadata"]} if m.get("metadata") and args.get("include_all_metadata") in
                   (True, "true", "1", 1) else {})}
               for m in sorted(thread, key=lambda m: float(m["ts"]))]
        return 200, {}, {"ok": True, "messages": out, "has_more": False}

    def _m_users_info(self, args):
        user = self.users.get(args.get("user", ""))
        if user and args.get("include_locale") not in (True, "true", "1", 1):  # Slack's: no locale unless asked
            user = {k: v for k, v in user.items() if k != "locale"}
        return 200, {}, ({"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"})

    def _m_users_list(self, args):
        """The calling workspace's members, `limit` a page, with Slack's `next_cursor` (an offset here)."""
        team = self.team_of_token(args.get("_token"))
        members = [u for u in self.users.values() if u.get("team_id") == team]
        start, limit = int(args.get("cursor") or 0), max(1, min(int(args.get("limit") or 200), 1000))
        page = members[start:start + limit]
        more = start + limit < len(members)
        return 200, {}, {"ok": True, "members": page,
                         "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

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
        meta = args.get("metadata")
        if meta:  # message metadata: given back by conversations.replies with include_all_metadata
            msg["metadata"] = json.loads(meta) if isinstance(meta, str) else meta
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

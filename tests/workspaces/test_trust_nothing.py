"""Issue 17.6: nothing that came back through Slack is trusted. A pick-one button's `arg` is checked again like a
typed mention; a response_url is taken only from a request's own payload and followed only to Slack's hosts (or
the configured Web API base, here); modals' private_metadata keeps ids only."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from sqlalchemy import select

from bot.context import slack_hook
from store.models import Lead
from tests.slack_driver import message_text


def _pick(bot):
    bot.command("new Acme One")
    bot.command("new Acme Two")
    bot.command("assign acme <@U2>")
    return bot.replies()[-1]


def _forged(ask: dict, arg: str) -> dict:
    blocks = ask["blocks"] if isinstance(ask["blocks"], list) else json.loads(ask["blocks"])
    for block in blocks:
        for el in block.get("elements") or []:
            if el.get("type") == "button" and el.get("value"):
                value = json.loads(el["value"])
                el["value"] = json.dumps({**value, "arg": arg})
    return {**ask, "blocks": blocks}


def _owners(db) -> list:
    with db.read() as s:
        return [lead.owner_id for lead in s.scalars(select(Lead).order_by(Lead.id))]


def test_a_pick_one_button_cannot_make_a_mention_or_a_bot_the_owner(bot, fake, db):
    ask = _pick(bot)
    before = _owners(db)
    fake.clear()
    bot.click(_forged(ask, "U2> <!channel"), "Acme One #1", ephemeral=True, message_ts="1700000099.000002")
    assert "not a person in this workspace" in bot.last_reply_text()
    bot.click(_forged(ask, "UBOT2"), "Acme One #1", ephemeral=True, message_ts="1700000099.000003")
    assert "A bot can't own a lead" in bot.last_reply_text()
    assert _owners(db) == before
    assert not [c for c in fake.calls if "<!channel>" in json.dumps(c.args)]  # nothing pinged anyone
    bot.command("assign acme <@U2>")  # a genuine pick still works
    bot.click(bot.replies()[-1], "Acme One #1", ephemeral=True, message_ts="1700000099.000004")
    assert _owners(db)[0] == "U2"


class _Catcher(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        _Catcher.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_a_response_url_in_private_metadata_is_never_followed(bot, fake, db):
    server = HTTPServer(("127.0.0.1", 0), _Catcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    evil = f"http://127.0.0.1:{server.server_port}/anything/at/all"
    try:
        bot.command("new Acme")
        bot.command("update acme")
        view = bot.last_view()
        meta = json.loads(view["private_metadata"])
        assert "response_url" not in meta and "hooks" not in json.dumps(meta)  # ids only
        before = len(bot.replies())
        forged = {**view, "private_metadata": json.dumps({**meta, "response_url": evil})}
        r = bot.submit(forged, {"Note": "called, no answer", "Activity": "Call"})
        assert r.status == 200
        assert _Catcher.hits == []
        assert "Acme" in message_text(bot.replies()[-1]) and len(bot.replies()) == before + 1  # the real one
        # a made-up key finds nothing: the answer is an ephemeral where the person is
        bot.command("update acme")
        view = bot.last_view()
        forged = {**view, "private_metadata": json.dumps({**json.loads(view["private_metadata"]), "reply": "x" * 16,
                                                          "response_url": evil})}
        bot.submit(forged, {"Note": "called again", "Activity": "Call"})
        assert _Catcher.hits == []
        told = [c for c in fake.of("chat.postEphemeral") if c.get("user") == "U1"]
        assert told and "Acme" in message_text(told[-1])
    finally:
        server.shutdown()


def test_only_slacks_hosts_or_the_configured_api_base():
    base = "http://127.0.0.1:4567/api/"
    assert slack_hook("https://hooks.slack.com/commands/T1/1/abc", base)
    assert slack_hook("https://acme.enterprise.slack.com/x", base)
    assert slack_hook("http://127.0.0.1:4567/response/1", base)
    assert not slack_hook("http://hooks.slack.com/commands/T1/1/abc", base)  # not https
    assert not slack_hook("https://hooks.slack.com.evil.example/x", base)
    assert not slack_hook("https://evilslack.com/x", base)
    assert not slack_hook("http://127.0.0.1:9999/x", base)
    assert not slack_hook("javascript:alert(1)", base)

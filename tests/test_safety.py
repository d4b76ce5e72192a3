"""What must never happen: a ping from user text, a 500, a stack trace in Slack, silence, a forged
request accepted, one team seeing another's leads."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from store.models import Activity, Lead, Organization
from tests.slack_driver import message_text

EVIL = "<!channel> & <@U2> <https://evil.example|click>"


def everything_sent(fake) -> str:
    texts = [json.dumps(c.args) for c in fake.calls] + [json.dumps(c.args) for c in fake.responses]
    return "\n".join(texts)


def test_user_text_is_escaped_everywhere(bot, fake, db):
    bot.command(f'new "{EVIL}"')
    bot.command(f"log #1 {EVIL}")
    bot.command("followup #1 tomorrow 10am " + EVIL)
    bot.command("show #1")
    bot.command("find <!chan")
    bot.command("mine")
    sent = everything_sent(fake)
    assert "<!channel>" not in sent and "<https://evil" not in sent
    assert "&lt;!channel&gt; &amp; &lt;@U2&gt;" in sent
    # the only mentions the bot writes are its own (owner, actor), never ones typed by a person
    with db.read() as s:
        # stored as it reads: Slack's link markup becomes its label and URL, references stay inert text
        assert s.scalars(select(Lead)).one().organization.name == "<!channel> & <@U2> click (https://evil.example)"


BAD_INPUTS = [
    "new " + "x" * 5000,
    "log acme " + "y" * 5000,
    "log",
    "log acme",
    "status",
    "status acme",
    "status acme ' OR 1=1; DROP TABLE lead; --",
    "assign",
    "assign acme",
    "assign <@U2> acme",
    "assign acme <@UBOT2>",
    "followup",
    "followup acme",
    "followup acme yesterday",
    "followup acme 99:99",
    "show",
    "show #99999999999999999999",
    "show '; DROP TABLE lead; --",
    "show \x00\x01\x02",
    "find",
    "find %",
    "find _",
    "update #424242",
    'log "unterminated quote',
    "new \x00\x07",
    "mine please",
    "update \u202egnp.exe",
]


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_bad_input_gets_a_clear_answer(bot, fake, db, text):
    bot.command("new Acme Shop")
    fake.clear()
    r = bot.command(text)
    assert r.status == 200
    answers = bot.replies() + ([r.json] if r.raw else [])
    opened = fake.of("views.open")
    assert answers or opened, "the person got no answer"
    for a in answers:
        shown = message_text(a)
        assert "Traceback" not in shown and "Error" not in shown.split("\n")[0][:10]
        assert shown.strip()
    with db.read() as s:
        assert s.scalars(select(Lead)).first() is not None  # nothing dropped


def test_an_unexpected_failure_is_a_friendly_message_not_a_500(bot, fake, db, monkeypatch):
    from store.services import leads

    def boom(*a, **k):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(leads, "search", boom)
    r = bot.command("find acme")
    assert r.status == 200
    assert "something went wrong on my side" in bot.last_reply_text()
    assert "database on fire" not in everything_sent(fake)


def test_forged_and_stale_requests_are_refused(bot, fake, db):
    body = urlencode({"command": "/lead", "text": "new Acme", "team_id": "T1", "user_id": "U1", "channel_id": "C1",
                      "response_url": bot.response_url(), "trigger_id": "t"})
    forged = bot.post(body, "application/x-www-form-urlencoded",
                      {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64})
    assert forged.status == 401
    stale = bot.post(body, "application/x-www-form-urlencoded", bot.sign(body, int(time.time()) - 600))
    assert stale.status == 401
    unsigned = bot.post(body, "application/x-www-form-urlencoded", {})
    assert unsigned.status == 401
    with db.read() as s:
        assert s.scalars(select(Lead)).all() == []
    assert not fake.calls


def test_health_and_unknown_paths(bot):
    import urllib.request

    with urllib.request.urlopen(bot.bot_url + "/healthz") as r:
        assert r.status == 200 and json.loads(r.read()) == {"ok": True}
    r = bot.post("{}", "application/json", {}, path="/nope")
    assert r.status == 404


def test_teams_never_see_each_other(bot, fake, db):
    bot.command("new Acme Shop", team="T1")
    bot.command("new Acme Shop", team="T2")  # same name, other workspace: its own lead
    assert "Created" in bot.last_reply_text()
    bot.command("log acme from T2", team="T2")
    bot.command("show acme", team="T1")
    assert "from T2" not in message_text(bot.replies()[-1])
    bot.command("show #1", team="T2")
    assert "No lead matches “#1”" in bot.last_reply_text()
    r = bot.options("lead_select", "acm", team="T2")
    assert [o["value"] for o in r.json["options"]] == ["2"]
    card = fake.of("chat.postMessage")[0]  # T1's card: a T2 user clicking it gets nothing of T1
    bot.click(card, "Log activity", team="T2")
    assert "There is no lead #1 in this workspace" in bot.last_reply_text()
    with db.read() as s:
        assert [(a.team_id, a.lead_id) for a in s.scalars(select(Activity))] == [("T2", 2)]


def test_rate_limited_card_is_retried_not_lost(bot, fake, db):
    fake.fail("chat.postMessage", 429, times=1)
    bot.command("new Acme Shop")
    posted = fake.of("chat.postMessage")
    assert len(posted) == 1  # the SDK waited out Retry-After and posted once
    with db.read() as s:
        assert s.scalars(select(Lead)).one().card_ts is not None


def test_card_owed_after_a_slack_outage_is_delivered_by_the_sweep(bot, fake, db, clock):
    from scheduler.jobs import deliver_owed_posts

    fake.fail("chat.postMessage", 200, body={"ok": False, "error": "internal_error"}, times=1)
    bot.command("new Acme Shop")
    assert "I'll retry" in bot.last_reply_text()
    assert not fake.of("chat.postMessage")
    clock.advance(minutes=1)
    assert deliver_owed_posts(bot.crm) == 1
    assert deliver_owed_posts(bot.crm) == 0  # and only once
    assert len(fake.of("chat.postMessage")) == 1


def test_database_errors_never_carry_the_values_of_their_statement(db):
    """Issue 17.3: a failing INSERT's message (so every logged traceback) leaves out leads' e-mails and phones."""
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from store.models import Contact

    with pytest.raises(IntegrityError) as failed:
        with db.write_core() as conn:  # no such team or organization: a foreign-key failure, values and all
            conn.execute(insert(Contact).values(team_id="T-none", organization_id=987654, name="Jane Doe",
                                                email="jane.doe@private.example", phone="+82 10 1234 5678",
                                                created_at=datetime.now(timezone.utc)))
    said = str(failed.value)
    assert "jane.doe@private.example" not in said and "1234 5678" not in said and "Jane Doe" not in said
    assert "parameters hidden" in said


def test_names_that_only_look_the_same_are_one_name(bot, fake, db):
    """Issue 17.5: `Acme\\u200b` made a second lead beside `Acme`, and U+200B and U+202E reached posts."""
    bot.command("new Acme")
    bot.command("new Acme\u200b")
    assert "already has an open lead (#1" in bot.last_reply_text()
    bot.command("new Evil\u202eShop")
    with db.read() as s:
        names = sorted(o.name for o in s.scalars(select(Organization)))
    assert names == ["Acme", "EvilShop"]
    posted = json.dumps([c.get("blocks") or c.get("text") for c in fake.of("chat.postMessage")])
    assert "\\u202e" not in posted.lower() and "\\u200b" not in posted.lower()

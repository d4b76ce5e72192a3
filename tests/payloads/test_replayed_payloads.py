"""Payloads as Slack really sends them (fixtures shaped like those of Slack's own SDKs), replayed as signed requests
into the real bot: text Slack encoded (`&amp;`, `<url|label>`), an edited mention, a link preview, Slack Connect
members of another organization, a forwarded message, a file shared from outside, Enterprise Grid members."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, select

from bot.inbound import decode
from store.models import Activity, Comment, Lead, Organization, StatusChange
from tests.slack_driver import message_text
from tests.sweeps.helpers import Sweeper, dms

FIXTURES = Path(__file__).parent / "fixtures"
CARD_TS = "1700000000.000001"  # the first message the fake Slack posts: the card the fixtures reply to


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def replay_event(bot, name: str, *, retry: int | None = None):
    body = json.dumps(load(name))
    headers = bot.sign(body)
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return bot.post(body, "application/json", headers)


def replay_interaction(bot, name: str):
    """Slack makes a fresh response_url and trigger for each interaction: those point at the fake Slack."""
    payload = load(name)
    if "response_url" in payload:
        payload["response_url"] = bot.response_url()
    payload["trigger_id"] = bot.fake.new_trigger()
    return bot.interact(payload)


def replay_command(bot, name: str):
    form = {**load(name), "response_url": bot.response_url(), "trigger_id": bot.fake.new_trigger()}
    return bot.post(urlencode(form), "application/x-www-form-urlencoded")


def _lead(bot, db, company="Acme Shop") -> Lead:
    bot.command(f"new {company}")
    with db.read() as s:
        lead = s.scalars(select(Lead).order_by(Lead.id.desc())).first()
    assert (lead.id, lead.card_channel, lead.card_ts) == (1, "C1", CARD_TS)  # where the fixtures' replies go
    return lead


def _comments(db) -> list[Comment]:
    with db.read() as s:
        return list(s.scalars(select(Comment).order_by(Comment.ts)))


def _thread_lines(fake) -> list[dict]:
    return [m for m in fake.of("chat.postMessage") if m.get("thread_ts") == CARD_TS]


def _shown(bot) -> str:
    bot.command("show #1")
    return message_text(bot.replies()[-1])


def test_decode_reads_slack_text_once():
    assert decode("Smith &amp; Sons") == "Smith & Sons"
    assert decode("&amp;lt;b&amp;gt; is typed &lt;b&gt;") == "&lt;b&gt; is typed <b>"  # one pass, never twice
    assert decode("<https://x.kr/a?b=1&amp;c=2>") == "https://x.kr/a?b=1&c=2"
    assert decode("<http://acme.kr|acme.kr> <mailto:kim@acme.kr|kim@acme.kr>") == "acme.kr kim@acme.kr"
    assert decode("<https://acme.kr/deck|the deck &amp; prices>") == "the deck & prices (https://acme.kr/deck)"
    assert decode("<@U3> <@W1|bob> <#C1|sales> <!here> <!subteam^S1|@sales>") == (
        "<@U3> <@W1|bob> <#C1|sales> <!here> <!subteam^S1|@sales>")  # references stay resolvable
    assert decode("부산 베이커리 &amp; 카페") == "부산 베이커리 & 카페"


def test_a_command_slack_encoded_names_the_company_as_typed(bot, fake, db):
    assert replay_command(bot, "command_new_smith_and_sons").status == 200
    with db.read() as s:
        assert s.scalars(select(Organization.name)).all() == ["Smith & Sons"]
    card = message_text(fake.of("chat.postMessage")[0])
    assert "Smith &amp; Sons" in card and "&amp;amp;" not in card
    assert "Smith &amp; Sons" in _shown(bot)


def test_a_reply_is_kept_as_typed_with_its_links_and_mentions(bot, fake, db, clock):
    _lead(bot, db)
    bot.click(fake.of("chat.postMessage")[0], "Follow", user="U3")
    replay_event(bot, "message_reply_links")
    [c] = _comments(db)
    assert c.text == ("Price list <2026> & terms: https://acme.kr/prices?a=1&b=2 and the deck "
                      "(https://acme.kr/deck), write to kim@acme.kr <@U3> in <#C1|sales>")
    shown = _shown(bot)
    assert "Price list &lt;2026&gt; &amp; terms: https://acme.kr/prices?a=1&amp;b=2 and the deck" in shown
    assert "&amp;amp;" not in shown and "&amp;lt;" not in shown and "&lt;https" not in shown
    clock.advance(seconds=61)
    Sweeper(bot)()
    assert "mentioned you in a comment" in message_text(dms(fake, "U3")[-1])  # the mention stayed resolvable


def test_an_edited_mention_acts_once_and_is_not_history(bot, fake, db):
    _lead(bot, db)
    fake.clear()
    replay_event(bot, "app_mention_log")
    replay_event(bot, "app_mention_log", retry=1)  # Slack's retry: the same event id
    resent = load("app_mention_log")
    resent["event_id"] = "Ev0PAY0099"  # the same message delivered again under another id
    bot.post(json.dumps(resent), "application/json")
    replay_event(bot, "message_changed_command")  # the person edits the command…
    replay_event(bot, "app_mention_log_edited")  # …and Slack re-sends the mention (new event id, same ts)
    replay_event(bot, "app_mention_log_edited", retry=1)
    with db.read() as s:
        [activity] = s.scalars(select(Activity)).all()
    assert "sent the deck" in activity.text and "&amp;" not in activity.text and "(v2)" not in activity.text
    assert len(_thread_lines(fake)) == 1
    assert _comments(db) == []  # a command to the bot is not history, edited or not
    notes = [e for e in fake.of("chat.postEphemeral") if "editing it changed nothing" in e["text"]]
    assert len(notes) == 1 and notes[0]["user"] == "U1" and notes[0]["thread_ts"] == CARD_TS
    assert "sent the deck (v2)" not in _shown(bot)


def test_a_link_preview_is_not_an_edit(bot, fake, db):
    _lead(bot, db)
    replay_event(bot, "message_reply_url")
    replay_event(bot, "message_changed_unfurl")  # Slack adds the preview: no `edited`
    [c] = _comments(db)
    assert (c.text, c.edited, c.edit_ts) == ("See https://acme.kr/news", False, None)
    replay_event(bot, "message_changed_edited")  # a real edit
    [c] = _comments(db)
    assert (c.text, c.edited, c.edit_ts) == ("See https://acme.kr/news (their third shop)", True,
                                             "1800000040.000000")


def test_slack_connect_members_add_to_the_history_but_cannot_act(bot, fake, db):
    lead = _lead(bot, db)
    with db.read() as s:
        changes = s.scalar(select(func.count()).select_from(StatusChange))
    fake.clear()
    replay_event(bot, "slack_connect_reply")
    [c] = _comments(db)
    assert (c.text, c.external, c.author_id, c.author_name) == (
        "We'd like 40 units & a quote", True, "U0EXT01", "Minji (Acme)")
    replay_event(bot, "slack_connect_message_status")  # the message event of the mention…
    replay_event(bot, "slack_connect_mention_status")  # …and the mention itself
    with db.read() as s:
        assert s.get(Lead, lead.id).status == lead.status
        assert s.scalar(select(func.count()).select_from(StatusChange)) == changes
    assert [c.ts for c in _comments(db)] == ["1800000000.000800"]  # the command is not history
    assert _thread_lines(fake) == [] and not fake.of("chat.update")
    [refusal] = fake.of("chat.postEphemeral")
    assert refusal["user"] == "U0EXT01" and refusal["thread_ts"] == CARD_TS
    assert "Only members of the workspace that keeps this CRM can act on its leads" in refusal["text"]
    r = replay_interaction(bot, "slack_connect_block_actions")  # the card's Change status, clicked from outside
    assert r.status == 200
    assert "Only members of the workspace" in bot.last_reply_text()
    assert not fake.of("views.open")


def test_a_forwarded_message_is_kept_with_its_content(bot, fake, db):
    _lead(bot, db)
    replay_event(bot, "message_forwarded")
    [c] = _comments(db)
    assert c.text == ("Forwarded from carol: Acme's buyer wants 40 units by Friday & free shipping "
                      "https://test.slack.com/archives/CDEALS/p1799990000000100")
    shown = _shown(bot)
    assert "Forwarded from carol: Acme's buyer wants 40 units by Friday &amp; free shipping" in shown
    assert "_(empty)_" not in shown


def test_a_file_shared_from_another_organization_keeps_its_id_and_link(bot, fake, db):
    _lead(bot, db)
    replay_event(bot, "file_share_slack_connect")
    [c] = _comments(db)
    assert (c.text, c.external) == ("Signed order form", True)
    assert c.files == [
        {"id": "F0EXT001", "name": "order-form.pdf",
         "url": "https://acme-kr.slack.com/files/U0EXT01/F0EXT001/order-form.pdf",
         "url_private": "https://files.slack.com/files-pri/T0ACME-F0EXT001/order-form.pdf"},
        {"id": "F0EXT002", "name": "file"}]  # Slack gave only its id (check_file_info)
    assert "shared order-form.pdf, file" in _shown(bot)


def test_enterprise_grid_members_use_the_card_and_the_picker(bot, fake, db):
    fake.add_user("W0GRID1", tz="Asia/Seoul", name="alice-grid", team="E0GRID")
    _lead(bot, db)
    replay_interaction(bot, "grid_block_actions")  # user.team_id is the organization's E… id
    assert "Acme Shop · history" in bot.last_reply_text()
    replay_interaction(bot, "grid_block_actions_no_team")  # a payload naming no team: the installed workspace's
    answer = bot.last_reply_text()
    assert "Acme Shop · history" in answer and "There is no lead" not in answer
    r = replay_interaction(bot, "grid_block_suggestion_no_team")
    assert [o["text"]["text"] for o in r.json["options"]][:1] and "Acme Shop" in json.dumps(r.json["options"])

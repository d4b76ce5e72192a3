"""The card's thread is the lead's history: replies captured once (retries, edits and deletions in any
order), mentions that act on the lead, paged history within Block Kit's limits, followers, teams apart."""

from __future__ import annotations

import json

from sqlalchemy import select

from store.models import Activity, Comment, Lead, StatusChange
from tests.commands.test_events import event
from tests.slack_driver import message_text
from tests.sweeps.helpers import Sweeper, buttons, dms

CARD_CHANNEL = "C1"


def _lead(bot, db, name="Acme Shop"):
    bot.command(f"new {name}")
    with db.read() as s:
        lead = s.scalars(select(Lead).order_by(Lead.id.desc())).first()
    return lead


def reply(ts, text, *, thread_ts, user="U2", channel=CARD_CHANNEL, **extra):
    return {"type": "message", "user": user, "channel": channel, "text": text, "ts": ts, "thread_ts": thread_ts,
            **extra}


def _comments(db, include_deleted=False):
    with db.read() as s:
        q = select(Comment).order_by(Comment.ts)
        if not include_deleted:
            q = q.where(Comment.deleted.is_(False))
        return list(s.scalars(q))


def test_replies_are_captured_once_despite_retries(bot, fake, db):
    lead = _lead(bot, db)
    msg = reply("1800000000.000100", "They want <!channel> samples & prices", thread_ts=lead.card_ts)
    for retry in (None, 1, 2, 3):
        assert event(bot, msg, "EvA", retry).status == 200
    [c] = _comments(db)
    assert (c.lead_id, c.author_id, c.text, c.edited) == (lead.id, "U2", "They want <!channel> samples & prices", False)
    assert c.permalink == f"https://test.slack.com/archives/C1/p1800000000000100?thread_ts={lead.card_ts}&cid=C1"
    bot.command("show acme")
    shown = message_text(bot.replies()[-1])
    assert "commented: They want &lt;!channel&gt; samples &amp; prices" in shown and "<!channel>" not in shown


def test_outside_lead_threads_bots_and_other_teams_are_ignored(bot, fake, db):
    lead = _lead(bot, db)
    event(bot, reply("1800000000.000200", "top level", thread_ts=None), "EvB1")
    event(bot, reply("1800000000.000201", "other thread", thread_ts="1699999999.000001"), "EvB2")
    event(bot, reply("1800000000.000202", "a bot", thread_ts=lead.card_ts, bot_id="B1"), "EvB3")
    event(bot, reply("1800000000.000203", "<@UBOT> status qualifying", thread_ts=lead.card_ts), "EvB4")
    body = json.dumps({"type": "event_callback", "team_id": "T2", "api_app_id": "A1", "event_id": "EvB5",
                       "event": reply("1800000000.000204", "team B", thread_ts=lead.card_ts)})
    assert bot.post(body, "application/json").status == 200
    assert _comments(db) == []


def test_edits_and_deletions_in_any_order(bot, fake, db):
    lead = _lead(bot, db)
    ts = "1800000000.000300"
    edited = {"type": "message", "subtype": "message_changed", "channel": CARD_CHANNEL, "event_ts": "1800000050.1",
              "message": {**reply(ts, "call back at 3pm (corrected)", thread_ts=lead.card_ts),
                          "edited": {"user": "U2", "ts": "1800000050.000001"}}}
    event(bot, edited, "EvC1")  # the edit arrives before the original
    event(bot, reply(ts, "call back at 2pm", thread_ts=lead.card_ts), "EvC2")
    [c] = _comments(db)
    assert c.text == "call back at 3pm (corrected)" and c.edited
    older_edit = {**edited, "message": {**edited["message"], "text": "stale", "edited": {"ts": "1800000010.0"}}}
    event(bot, older_edit, "EvC3")
    assert _comments(db)[0].text == "call back at 3pm (corrected)"
    deleted = {"type": "message", "subtype": "message_deleted", "channel": CARD_CHANNEL, "deleted_ts": ts,
               "previous_message": reply(ts, "call back at 3pm (corrected)", thread_ts=lead.card_ts)}
    event(bot, deleted, "EvC4")
    assert _comments(db) == []
    # a deletion before its original: the late original does not come back
    ts2 = "1800000000.000301"
    event(bot, {**deleted, "deleted_ts": ts2, "previous_message": reply(ts2, "oops", thread_ts=lead.card_ts)}, "EvC5")
    event(bot, reply(ts2, "oops", thread_ts=lead.card_ts), "EvC6")
    assert _comments(db) == []
    bot.command("show acme")
    assert "commented" not in message_text(bot.replies()[-1])


def test_files_shared_in_the_thread_are_recorded(bot, fake, db):
    lead = _lead(bot, db)
    msg = reply("1800000000.000400", "the price list", thread_ts=lead.card_ts, subtype="file_share",
                files=[{"name": "prices <2026>.pdf", "permalink": "https://test.slack.com/files/U2/F1/prices.pdf"}])
    event(bot, msg, "EvD1")
    [c] = _comments(db)
    assert c.files == [{"name": "prices <2026>.pdf", "url": "https://test.slack.com/files/U2/F1/prices.pdf"}]
    bot.command("show acme")
    assert "shared prices &lt;2026&gt;.pdf" in message_text(bot.replies()[-1])
    deleted = {"type": "message", "subtype": "message_deleted", "channel": CARD_CHANNEL,
               "deleted_ts": "1800000000.000400", "previous_message": msg}
    event(bot, deleted, "EvD2")  # deleted means deleted: the file's name and link go with the text (issue 17.8)
    [gone] = _comments(db, include_deleted=True)
    assert (gone.deleted, gone.text, gone.files) == (True, "", None)
    bot.command("show acme")
    assert "prices" not in message_text(bot.replies()[-1])


def test_mentions_in_the_thread_act_on_the_lead(bot, fake, db, clock):
    lead = _lead(bot, db)
    mention = {"type": "app_mention", "user": "U1", "channel": CARD_CHANNEL, "thread_ts": lead.card_ts}
    for retry in (None, 1):
        event(bot, {**mention, "ts": "1800000000.000500", "text": "<@UBOT> log called, they want a demo"}, "EvE1",
              retry)
    event(bot, {**mention, "ts": "1800000000.000501", "text": "<@UBOT> status qual"}, "EvE2")
    event(bot, {**mention, "ts": "1800000000.000502", "text": "<@UBOT> followup tomorrow 10am demo"}, "EvE3")
    event(bot, {**mention, "ts": "1800000000.000503", "text": "<@UBOT> assign <@U2>"}, "EvE4")
    event(bot, {**mention, "ts": "1800000000.000504", "text": "<@UBOT> dance"}, "EvE5")
    event(bot, {**mention, "ts": "1800000000.000505", "text": "<@UBOT> status wonderful"}, "EvE6")
    event(bot, {**mention, "ts": "1800000000.000506", "text": "<@UBOT> show"}, "EvE7")
    with db.read() as s:
        assert [a.text for a in s.scalars(select(Activity))] == ["called, they want a demo"]  # once
        assert s.scalar(select(StatusChange.to_status)) == "Qualifying"
        assert s.scalar(select(Lead.owner_id)) == "U2"
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts") == lead.card_ts]
    assert len(thread) == 4 and "called, they want a demo" in message_text(thread[0])
    answers = [a for a in fake.of("chat.postEphemeral") if a.get("thread_ts") == lead.card_ts]
    assert "I don't know `dance`" in answers[0]["text"] and "is not a status" in answers[1]["text"]
    assert "Acme Shop" in message_text(answers[2])  # show: the 360 view, only for the asker
    event(bot, {"type": "app_mention", "user": "U1", "channel": "C9", "ts": "1800000000.0006",
                "text": "<@UBOT> log hello"}, "EvE8")
    assert "inside a lead card's thread" in fake.of("chat.postEphemeral")[-1]["text"]


def test_history_pages_500_entries_within_block_kit_limits(bot, fake, db):
    lead = _lead(bot, db)
    for i in range(500):
        text = f"entry {i:03d} " + ("long " * 1000 if i == 250 else "")
        event(bot, reply(f"1800000000.{i + 1:06d}", text, thread_ts=lead.card_ts), f"EvF{i}")
    card = fake.of("chat.postMessage")[0]
    bot.click(card, "History")
    page = bot.replies()[-1]
    assert "entry 499" in message_text(page) and "entry 490" in message_text(page)
    assert buttons(page) == ["Older"]
    pages = [message_text(page)]
    while "Older" in buttons(page):
        bot.click(page, "Older", ephemeral=True)
        page = bot.replies()[-1]
        pages.append(message_text(page))
    everything = "\n".join(pages)
    assert len(pages) == 51 and buttons(page) == ["Newer"]  # 500 comments and the lead's creation, 10 a page
    assert all(everything.count(f"entry {i:03d}") == 1 for i in range(500))
    assert "created the lead" in pages[-1]
    assert "read all" in next(p for p in pages if "entry 250" in p)  # the long one is cut, linked to the message
    bot.click(page, "Newer", ephemeral=True)
    assert "entry 009" in message_text(bot.replies()[-1])
    # every page went through the fake Slack, which checks Block Kit's limits (the bot fixture asserts it)


def test_followers_hear_of_changes_batched_and_not_of_their_own(bot, fake, db, clock):
    lead = _lead(bot, db)
    card = fake.of("chat.postMessage")[0]
    bot.click(card, "Follow", user="U3")
    assert "You follow *Acme Shop*" in message_text(bot.replies()[-1])
    bot.command("status acme qualifying")
    bot.command("status acme closing")
    bot.command("status acme potential", user="U3")  # U3's own change: not told to U3
    sweep = Sweeper(bot)
    sweep()
    assert dms(fake, "U3") == []  # batched: not before the minute is over
    clock.advance(seconds=61)
    sweep()
    [dm] = dms(fake, "U3")
    text = message_text(dm)
    assert "from *Unidentified* to *Qualifying*" in text and "to *Closing*" in text and "Potential" not in text
    owner_dm = [m for m in dms(fake, "U1") if "update" in m["text"]]
    assert len(owner_dm) == 1 and "Potential" in message_text(owner_dm[0])  # the owner hears of U3's change
    reply_msg = bot.replies()[-1]
    bot.click(card, "Follow", user="U3")  # toggles off
    assert "no longer follow" in message_text(bot.replies()[-1])
    del reply_msg
    event(bot, reply("1800000000.000700", "<@U3> can you call them?", thread_ts=lead.card_ts, user="U2"), "EvG1")
    event(bot, reply("1800000000.000701", "<@U1> fyi", thread_ts=lead.card_ts, user="U2"), "EvG2")
    clock.advance(seconds=61)
    sweep()
    assert len(dms(fake, "U3")) == 1  # not a follower any more
    assert "mentioned you in a comment" in message_text(dms(fake, "U1")[-1])

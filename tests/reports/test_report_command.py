"""`/lead report` through the real bot: what the asker sees, the charts uploaded in Slack's three steps and shown
by file id, uploaded once, Share to channel, the CSV by DM, and who may see what."""

from __future__ import annotations

import csv
import io
import json

from tests.reports.dataset import ALICE, BOB, build
from tests.slack_driver import message_text


def _blocks(message: dict) -> list[dict]:
    b = message.get("blocks")
    return json.loads(b) if isinstance(b, str) else (b or [])


def _report(bot) -> dict:
    return next(r for r in reversed(bot.replies()) if any(b["type"] == "header" for b in _blocks(r)))


def test_a_managers_month_report_with_charts_share_and_csv(bot, db, clock):
    build(db, clock)
    bot.fake.add_user(ALICE, tz="UTC", name="alice", is_admin=True)
    r = bot.command("report 2026-11", user=ALICE, channel="CSALES")
    assert r.status == 200
    first = bot.replies()[0]
    assert "Working on the report for 1–30 Nov 2026" in message_text(first)
    report = _report(bot)
    assert report.get("replace_original") is True
    text = message_text(report)
    assert "Team report · 1–30 Nov 2026" in text
    assert "*Potential*: 3 entered · 1 (33%) moved on · median stay 2 days · 1 still there" in text
    assert "2 created · 1 won (₩1,000,000) · 1 lost · win rate 50%" in text and "Price (1)" in text
    assert "Proposal (60%): 1 deal · ₩3,000,000 · weighted ₩1,800,000" in text
    assert (f"<@{ALICE}>: 4 calls, 1 e-mail, 1 meeting · 5 attempts: 3 connected, 1 no answer, 1 left a message"
            " · *60%* reached · on 5 days") in text
    assert "Inbound: 3 leads routed · 1 in time, 1 late, 1 not yet due · *50%* on time" in text
    assert "Inbound form: 5 leads · 1 new customer · won ₩1,000,000" in text
    assert "1 customer left" in text and "moved to a cheaper tool (1)" in text
    # three charts: each uploaded in Slack's three steps, shown by its file id, with its numbers in words
    methods = [c.method for c in bot.fake.calls if c.method.startswith("files.") or c.method == "upload"]
    assert methods == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"] * 3
    completed = [json.loads(c["files"])[0]["id"] for c in bot.fake.of("files.completeUploadExternal")]
    images = [b for b in _blocks(report) if b["type"] == "image"]
    assert sorted(b["slack_file"]["id"] for b in images) == sorted(completed)
    assert all(not bot.fake.files[i].get("channel") for i in completed)  # uploaded privately, shown by id
    assert "Potential 3 (33% moved on)" in images[0]["alt_text"]
    assert len(_blocks(report)) <= 50
    # the same report again: the same pictures, no upload
    bot.fake.clear()
    bot.command("report 2026-11", user=ALICE, channel="CSALES")
    assert not bot.fake.of("files.getUploadURLExternal")
    assert sorted(b["slack_file"]["id"] for b in _blocks(_report(bot)) if b["type"] == "image") == sorted(completed)
    # Share to channel: the same report in the channel, without buttons, saying who shared it
    bot.fake.clear()
    bot.click(report, "Share to channel", user=ALICE, channel="CSALES", ephemeral=True)
    (posted,) = bot.fake.of("chat.postMessage")
    assert posted["channel"] == "CSALES" and "shared by <@U1>" in message_text(posted)
    assert not [b for b in _blocks(posted) if b["type"] == "actions"]
    assert sorted(b["slack_file"]["id"] for b in _blocks(posted) if b["type"] == "image") == sorted(completed)
    assert "Shared *Team report · 1–30 Nov 2026* in <#CSALES>" in bot.last_reply_text()
    # the CSV goes to the DM, its rows carry every figure
    bot.fake.clear()
    bot.click(report, "Download CSV", user=ALICE, channel="CSALES", ephemeral=True)
    (opened,) = bot.fake.of("conversations.open")
    assert opened["users"] == ALICE
    (done,) = bot.fake.of("files.completeUploadExternal")
    assert done["channel_id"] == "D1"
    file_id = json.loads(done["files"])[0]["id"]
    rows = list(csv.reader(io.StringIO(bot.fake.files[file_id]["data"].decode("utf-8-sig"))))
    assert rows[0] == ["section", "name", "day", "measure", "value"]
    assert ["funnel", "Potential", "", "entered", "3"] in rows
    assert ["activity", "bob", "2026-11-04", "Call · No answer", "1"] in rows
    assert ["first touch by rep", "alice", "", "routed", "2"] in rows
    assert "I sent you the CSV" in bot.last_reply_text()


def test_reps_see_their_own_report_and_nobody_elses(bot, db, clock):
    build(db, clock)
    bot.fake.add_user(BOB, tz="UTC", name="bob")
    bot.command("report 2026-11", user=BOB)
    text = message_text(_report(bot))
    assert "Report · 1–30 Nov 2026" in text and f"<@{BOB}>'s leads, deals and work" in text
    assert f"<@{ALICE}>:" not in text
    bot.fake.clear()
    bot.command(f"report month <@{ALICE}|alice>", user=BOB)
    assert "Only managers and workspace admins can see the team's report" in bot.last_reply_text()
    bot.command("report team", user=BOB)
    assert "Only managers and workspace admins can see the team's report" in bot.last_reply_text()
    assert not bot.fake.of("files.getUploadURLExternal")


def test_bad_report_words_get_a_clear_answer(bot, db, clock):
    build(db, clock)
    bot.fake.add_user(ALICE, tz="UTC", name="alice", is_admin=True)
    for words, answer in (("report fortnight", "I can't read “fortnight” in a report"),
                          ("report 2030-01", "2030-01 has not started yet"),
                          ("report queue nowhere", "There is no queue “nowhere”. Queues: Inbound."),
                          ("report 2026-13", "“2026-13” is not a period. Use `week`, `month`")):
        bot.fake.clear()
        r = bot.command(words, user=ALICE)
        assert r.status == 200
        assert answer in bot.last_reply_text(), words

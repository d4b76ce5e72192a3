"""The weekly team report: set by a manager, posted once at its local time across two sweepers and a restart,
never by a rep's setting, stopped with `off`."""

from __future__ import annotations

from tests.reports.dataset import ALICE, BOB, at, build
from tests.slack_driver import message_text
from tests.sweeps.helpers import Sweeper


def _posted(fake, channel="CSALES"):
    return [c for c in fake.of("chat.postMessage") if c.get("channel") == channel]


def test_posted_once_at_its_time_across_replicas_and_a_restart(bot, db, clock, fake):
    build(db, clock)
    fake.add_user(ALICE, tz="Asia/Seoul", name="alice", is_admin=True)
    clock.set(at(11, 26, 12))  # Thursday
    bot.command("settings report <#CSALES|sales> fri 09:00", user=ALICE)
    answer = bot.last_reply_text()
    assert "every *Fri 09:00* (Asia/Seoul) in <#CSALES>" in answer and "next on Fri 27 Nov 09:00 KST" in answer
    one, two = Sweeper(bot), Sweeper(bot, own_database=True)
    clock.set(at(11, 26, 23, 59))  # Friday 08:59 in Seoul: not yet
    one(), two()
    assert _posted(fake) == []
    clock.set(at(11, 27, 0, 5))  # Friday 09:05 in Seoul
    one(), two()
    Sweeper(bot)()  # a restarted process
    (report,) = _posted(fake)
    text = message_text(report)
    assert "Team report · 20–26 Nov 2026" in text and "Posted every Fri at 09:00 (Asia/Seoul)" in text
    assert any(b["type"] == "image" for b in (report["blocks"] if isinstance(report["blocks"], list) else
                                              __import__("json").loads(report["blocks"])))
    clock.set(at(11, 28, 0, 5))  # Saturday
    one()
    assert len(_posted(fake)) == 1
    clock.set(at(12, 4, 0, 30))  # the next Friday
    two()
    assert len(_posted(fake)) == 2 and "Team report · 27 Nov – 3 Dec 2026" in message_text(_posted(fake)[-1])


def test_who_sets_it_and_how_it_is_read(bot, db, clock, fake):
    build(db, clock)
    fake.add_user(ALICE, tz="UTC", name="alice", is_admin=True)
    fake.add_user(BOB, tz="UTC", name="bob")
    bot.command("settings report <#CSALES|sales> mon 09:00", user=BOB)
    assert "Only managers and workspace admins can change" in bot.last_reply_text()
    for words, answer in (("settings report sales", "Name the channel"),
                          ("settings report <#CSALES|sales> someday", "“someday” is not a day of the week"),
                          ("settings report <#CSALES|sales> mon 25:00", "“25:00” is not a time of day")):
        bot.command(words, user=ALICE)
        assert answer in bot.last_reply_text(), words
    bot.command("settings report <#CSALES|sales>", user=ALICE)
    assert "every *Mon 09:00* (UTC)" in bot.last_reply_text()
    bot.command("settings", user=BOB)
    assert "*Weekly report:* every *Mon 09:00*" in bot.last_reply_text()
    bot.command("settings report off", user=ALICE)
    assert "no weekly report any more" in bot.last_reply_text()
    clock.set(at(11, 30, 9, 30))  # Monday
    Sweeper(bot)()
    assert _posted(fake) == []

"""The morning digest: 09:00 on weekdays in each member's zone, across a daylight-saving change, once a
day, nothing when there is nothing to say; `/lead digest off|on|08:30`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from store.services import leads, updates
from tests.slack_driver import message_text
from tests.sweeps.helpers import Sweeper, dms

UTC = timezone.utc


def digests(fake, user: str) -> list[dict]:
    return [m for m in dms(fake, user, digests=True) if m["text"].startswith("Good morning")]


def _follow_up(db, clock, owner: str, company: str, due: datetime, note: str = "") -> None:
    lead = leads.create_lead(db, clock, "T1", owner, leads.NewLead(company)).lead
    now = clock.now()
    clock.set(due - timedelta(hours=1))  # planned an hour before it is due
    updates.schedule_follow_up(db, clock, "T1", owner, lead.id, due, note or None)
    clock.set(now)


def test_nine_oclock_local_on_weekdays_across_the_dst_change(bot, fake, db, clock):
    # Europe/Berlin leaves summer time on Sunday 25 October 2026: 09:00 is 07:00 UTC on Friday the 23rd
    # and 08:00 UTC on Monday the 26th.
    clock.set(datetime(2026, 10, 22, 12, 0, tzinfo=UTC))
    _follow_up(db, clock, "U1", "Overdue <Bakery>", datetime(2026, 10, 22, 13, 0, tzinfo=UTC), "send <!here> prices")
    _follow_up(db, clock, "U1", "Later Cafe", datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    sweep = Sweeper(bot)
    fake.clear()

    clock.set(datetime(2026, 10, 23, 6, 59, tzinfo=UTC))
    sweep()
    assert digests(fake, "U1") == []  # 08:59 in Berlin
    clock.set(datetime(2026, 10, 23, 7, 0, tzinfo=UTC))
    sweep()
    [friday] = digests(fake, "U1")
    text = message_text(friday)
    assert "Overdue &lt;Bakery&gt;" in text and "send &lt;!here&gt; prices" in text and "<!here>" not in text
    assert "Later Cafe" not in text  # not today, not overdue
    clock.advance(minutes=30)
    sweep()
    assert len(digests(fake, "U1")) == 1  # once a day

    for saturday_or_sunday in (24, 25):
        clock.set(datetime(2026, 10, saturday_or_sunday, 8, 0, tzinfo=UTC))
        sweep()
    assert len(digests(fake, "U1")) == 1  # weekends: nothing

    clock.set(datetime(2026, 10, 26, 7, 0, tzinfo=UTC))  # 08:00 CET: not yet
    sweep()
    assert len(digests(fake, "U1")) == 1
    clock.set(datetime(2026, 10, 26, 8, 0, tzinfo=UTC))  # 09:00 CET
    sweep()
    assert len(digests(fake, "U1")) == 2


def test_each_member_in_their_own_zone_and_nothing_to_say_sends_nothing(bot, fake, db, clock):
    clock.set(datetime(2026, 11, 23, 0, 30, tzinfo=UTC))  # Monday 09:30 in Seoul, Sunday night in New York
    _follow_up(db, clock, "U3", "Seoul Shop", datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # today in Seoul
    _follow_up(db, clock, "U2", "Brooklyn Deli", datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
    _follow_up(db, clock, "U1", "Far Future", datetime(2026, 12, 20, 10, 0, tzinfo=UTC))
    sweep = Sweeper(bot)
    fake.clear()
    sweep()
    assert len(digests(fake, "U3")) == 1 and "Seoul Shop" in message_text(digests(fake, "U3")[0])
    assert digests(fake, "U2") == []
    clock.set(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))  # 09:00 in New York
    sweep()
    assert len(digests(fake, "U2")) == 1 and "Brooklyn Deli" in message_text(digests(fake, "U2")[0])
    clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))  # 09:00 in Berlin: U1 has nothing due today
    sweep()
    assert digests(fake, "U1") == []


def test_digest_off_on_and_another_hour(bot, fake, db, clock):
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    _follow_up(db, clock, "U1", "Acme", datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    bot.command("digest")
    assert "weekdays at *09:00* (Europe/Berlin)" in bot.last_reply_text()
    bot.command("digest off")
    assert "*off*" in bot.last_reply_text()
    sweep = Sweeper(bot)
    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    sweep()
    assert digests(fake, "U1") == []
    bot.command("digest 10:30")
    assert "*10:30*" in bot.last_reply_text()
    bot.command("digest 25:99")
    assert "not a time of day" in bot.last_reply_text()
    clock.set(datetime(2026, 11, 23, 9, 29, tzinfo=UTC))
    sweep()
    assert digests(fake, "U1") == []
    clock.set(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    sweep()
    assert len(digests(fake, "U1")) == 1


def test_manager_command(bot, fake, db):
    fake.users["U1"]["is_admin"] = True
    bot.command("manager", user="U2")
    assert "Nobody hears" in bot.last_reply_text()
    bot.command("manager <@U2>", user="U2")
    assert "own manager" in bot.last_reply_text()
    bot.command("manager <@UBOT2>", user="U2")
    assert "bot" in bot.last_reply_text()
    bot.command("manager <@U1> <@U3>", user="U2")
    assert "Only managers" in bot.last_reply_text()
    bot.command("manager <@U2> <@U3>", user="U1")
    assert "<@U2>'s manager is now <@U3>" in bot.last_reply_text()
    bot.command("manager", user="U2")
    assert "Your manager is <@U3>" in bot.last_reply_text()
    bot.command("manager none", user="U2")
    assert "removed" in bot.last_reply_text()

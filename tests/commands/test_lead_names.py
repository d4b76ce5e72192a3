"""Names of several words: every verb reads the longest leading run of words that names a lead before the rest
(`acme shop called them` is Acme Shop's, even beside an Acme); when that still leaves a doubt, the person picks
(and is told how quoting says where a name ends)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from store.models import Activity, FollowUp, Lead, StatusChange
from store.services import lead_refs
from tests.slack_driver import message_text
from tests.sweeps.helpers import buttons


def _activities(db):
    with db.read() as s:
        return [(a.lead_id, a.kind, a.text) for a in s.scalars(select(Activity).order_by(Activity.id))]


def test_the_longest_name_wins_for_every_verb(bot, fake, db):
    bot.command("new Acme", user="U2")  # #1, bob's, with an open follow-up
    bot.command("followup acme tomorrow 10am send the quote", user="U2")
    bot.command("new acme shop")  # #2
    bot.command("new Busan Bakery")  # #3
    bot.command("log acme shop called them, wants samples")
    assert bot.last_reply_text().startswith("*acme shop*: logged Call")
    assert _activities(db) == [(2, "Call", "called them, wants samples")]
    with db.read() as s:
        assert s.scalar(select(FollowUp.state).where(FollowUp.lead_id == 1)) == "open"  # Acme's is untouched
    bot.command("status busan bakery qualifying")
    assert "*Unidentified* → *Qualifying*" in bot.last_reply_text()
    bot.command("followup acme shop tomorrow 9am")  # U1 is in Europe/Berlin
    with db.read() as s:
        due = s.scalar(select(FollowUp.due_at).where(FollowUp.lead_id == 2))
    assert due == datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)
    bot.command("assign acme shop <@U2>")
    assert "owner is now <@U2>" in bot.last_reply_text()
    bot.command("show acme shop")
    assert "acme shop · #2" in message_text(bot.replies()[-1])
    bot.command("log acme shop, 전화 부재중")  # a comma ends the name
    bot.command("log ACME   SHOP: met the buyer")
    bot.command("log acme had a chat")  # Acme itself, by its whole name
    assert _activities(db)[1:] == [(2, "Call", "전화 부재중"), (2, "Meeting", "met the buyer"), (1, "Note", "had a chat")]
    with db.read() as s:
        assert [(c.lead_id, c.to_status) for c in s.scalars(select(StatusChange))] == [(3, "Qualifying")]


def test_korean_names_of_several_words(bot, fake, db):
    bot.command("new 부산")
    bot.command("new 부산 베이커리")
    bot.command("log 부산 베이커리 대표님과 통화함")
    bot.command("status 부산 베이커리 qualifying")
    with db.read() as s:
        assert [(a.lead_id, a.kind, a.outcome) for a in s.scalars(select(Activity))] == [(2, "Call", "Connected")]
        assert s.scalar(select(Lead.status).where(Lead.id == 2)) == "Qualifying"


def test_what_follows_the_name_settles_a_doubt(bot, fake, db):
    bot.command("new Busan")
    bot.command("new Busan Bakery Co")
    bot.command("status busan bak qualifying")  # only Busan Bakery Co leaves a status after its name
    with db.read() as s:
        assert [(c.lead_id, c.to_status) for c in s.scalars(select(StatusChange))] == [(2, "Qualifying")]
    bot.command("status busan bak wonderful")  # no reading leaves a status: say so, change nothing
    assert "is not a status" in bot.last_reply_text()


def test_a_doubt_is_asked_with_quoting_explained(bot, fake, db):
    bot.command("new Acme")
    bot.command("new Acme Calling")
    bot.command("log acme call back tomorrow")  # Acme Calling ("back tomorrow") or Acme ("call back tomorrow")?
    ask = bot.replies()[-1]
    shown = message_text(ask)
    assert "“acme” matches 2 leads. Which one?" in shown
    assert 'Or put the name in quotes: `/lead log "Acme Calling" back tomorrow`' in shown
    assert buttons(ask) == ["Acme Calling #2", "Acme #1"]
    assert _activities(db) == []  # never a guess
    bot.click(ask, "Acme #1", ephemeral=True, message_ts="1700000099.000002")
    bot.command('log "acme" call back on monday')
    assert _activities(db) == [(1, "Call", "call back tomorrow"), (1, "Call", "call back on monday")]
    bot.command("log acme calling left a voicemail")  # the whole name: no doubt
    assert _activities(db)[-1] == (2, "Call", "left a voicemail")


def test_no_name_at_all(bot, fake, db):
    bot.command("new Acme Shop")
    bot.command("log nobody here called")
    assert "No lead matches “nobody”" in bot.last_reply_text()
    bot.command("status nobody wonderful")  # the verb's own mistake first
    assert "is not a status" in bot.last_reply_text()
    bot.command("log acme shop")
    assert "What should I write down?" in bot.last_reply_text()
    assert _activities(db) == []


def test_names_are_read_within_the_workspace(bot, fake, db):
    bot.command("new Acme Shop")
    assert lead_refs.name_readings(db, "T2", "acme shop called them") == []
    [reading] = lead_refs.name_readings(db, "T1", "acme shop called them")
    assert (reading.ref, reading.rest, [lead.company for lead in reading.leads]) == (
        "acme shop", "called them", ["Acme Shop"])

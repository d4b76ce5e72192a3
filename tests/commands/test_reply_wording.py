"""Replies that read like a person wrote them: plurals, history without a count that says nothing, owners said
once, a digest answer that starts a sentence, bold titles whatever the company is called; and a card that is
not edited when nothing on it changed."""

from __future__ import annotations

from sqlalchemy import select

from bot.views.history import follow_dm
from store.models import Organization
from tests.slack_driver import message_text
from tests.sweeps.helpers import blocks_of
from tests.views.test_views import NOW, summary


def test_counts_are_plural_only_when_more_than_one(bot, fake, db, clock):
    bot.command("new Acme Shop")
    bot.command("find acme")
    assert "*1* match for “acme”" in bot.last_reply_text()
    bot.command("new Acme Tools")
    bot.command("find acme")
    assert "*2* matches for “acme”" in bot.last_reply_text()
    bot.command("followup acme shop in 1 hour")
    clock.advance(hours=2)
    bot.command("mine")
    shown = bot.last_reply_text()
    assert ":warning: 1 overdue follow-up" in shown and "(s)" not in shown and "(es)" not in shown


def test_history_says_each_thing_once(bot, fake, db, clock):
    bot.command("new Acme Shop")
    bot.command("log acme called, no answer")
    bot.command("show acme")
    shown = message_text(bot.replies()[-1])
    assert "<@U1> created the lead and owns it" in shown
    assert "in all" not in shown and "(created the lead)" not in shown  # every activity is on screen
    for i in range(9):
        bot.command(f"log acme note {i}")
    bot.command("show acme")
    assert "*Latest history* · 10 activities in all, every one under *History*" in message_text(bot.replies()[-1])
    clock.advance(minutes=1)
    bot.command("assign acme <@U2>")
    bot.command("show acme")
    assert "<@U1> gave it to <@U2>" in message_text(bot.replies()[-1])


def test_a_follower_hears_who_gave_the_lead_to_whom_once():
    _text, blocks = follow_dm(summary(), [
        {"what": "owner", "actor": "U1", "old": "U1", "new": "U2", "at": NOW.isoformat()},
        {"what": "owner", "actor": "U3", "old": "U2", "new": "U4", "at": NOW.isoformat()},
        {"what": "owner", "actor": "U5", "old": "U4", "new": "U5", "at": NOW.isoformat()},
    ], "UTC")
    shown = blocks[1].to_dict()["text"]["text"]
    assert "<@U1> gave it to <@U2> ·" in shown and "(was" not in shown
    assert "<@U3> moved it from <@U2> to <@U4>" in shown and "<@U5> took it over from <@U4>" in shown


def test_the_digest_answer_starts_with_a_capital(bot, fake):
    bot.command("digest")
    assert bot.last_reply_text().startswith("Your morning digest comes on weekdays")
    bot.command("digest off")
    assert bot.last_reply_text().startswith("Done: your morning digest is *off*")


def test_formatting_marks_in_a_company_name_keep_the_title_bold(bot, fake, db):
    bot.command("new Shop *Best* _new_ ~x~ `y`")
    card = fake.of("chat.postMessage")[0]
    title = blocks_of(card)[0]["text"]["text"]
    assert title.startswith("*Shop ∗Best∗ ˍnewˍ ∼x∼ ˋyˋ*  ·  #1")
    assert "Created *Shop ∗Best∗ ˍnewˍ ∼x∼ ˋyˋ* (#1)" in bot.last_reply_text()
    with db.read() as s:
        assert s.scalar(select(Organization.name)) == "Shop *Best* _new_ ~x~ `y`"  # stored as typed
    bot.command("find shop")
    assert "*Shop ∗Best∗ ˍnewˍ ∼x∼ ˋyˋ* #1" in bot.last_reply_text()


def test_a_card_is_edited_only_when_what_it_shows_changed(bot, fake, db):
    bot.command("new Acme Shop")
    bot.command("log acme wants samples")  # a note: the card shows nothing new
    bot.command("log acme called, no answer")
    assert fake.of("chat.update") == []
    assert len([m for m in fake.of("chat.postMessage") if m.get("thread_ts")]) == 2  # the thread lines still come
    bot.command("status acme qual")
    [edit] = fake.of("chat.update")
    assert "Qualifying" in message_text(edit)
    bot.command("log acme met the buyer")
    assert len(fake.of("chat.update")) == 1
    bot.command("followup acme tomorrow 10am")
    assert len(fake.of("chat.update")) == 2

"""Attach to lead (a message shortcut, optionally with its thread and its later replies) and customer channels
(every message of a linked channel, the customer's people marked external, one summary line a day in the card's
thread, edits and deletions followed)."""

from __future__ import annotations

from sqlalchemy import select

from scheduler import build_notifier
from store.models import Comment, Lead, Notification, WatchedThread
from tests.slack_driver import message_text


def _lead(bot, db, company="Acme Shop"):
    bot.command(f"new {company}", user="U1")
    with db.read() as s:
        return s.scalar(select(Lead).where(Lead.card_ts.is_not(None)).order_by(Lead.id.desc()))


def _comments(db):
    with db.read() as s:
        return s.scalars(select(Comment).order_by(Comment.posted_at)).all()


def _labels(view):
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]


def _message(fake, channel, user, text, *, thread_ts=None, files=None):
    return fake.post(channel, user=user, text=text, thread_ts=thread_ts, files=files)


# ------------------------------------------------------------------------------------------------ attach
def test_a_message_from_any_channel_is_attached_with_author_time_link_and_files(bot, fake, db):
    lead = _lead(bot, db)
    fake.add_channel("CDEALS", "deal-room", bot_member=False)
    msg = _message(fake, "CDEALS", "U2", "Acme wants 40 units & a <discount>",
                   files=[{"id": "F1", "name": "quote.pdf", "permalink": "https://x/files/quote.pdf"}])
    bot.message_shortcut("attach_to_lead", msg, user="U2", channel="CDEALS")
    view = bot.last_view()
    assert view["title"]["text"] == "Attach to lead" and _labels(view) == ["Lead", "Thread"]
    assert "Acme wants 40 units &amp; a &lt;discount&gt;" in message_text({"blocks": view["blocks"]})
    fake.clear()
    r = bot.submit(view, {"Lead": {"value": str(lead.id), "text": {"type": "plain_text", "text": "Acme Shop"}}},
                   user="U2")
    assert r.status == 200 and r.raw == b""
    (c,) = _comments(db)
    assert (c.lead_id, c.source, c.author_id, c.channel, c.ts) == (lead.id, "attached", "U2", "CDEALS", msg["ts"])
    assert c.text == "Acme wants 40 units & a <discount>" and c.files[0]["name"] == "quote.pdf"
    assert c.permalink and c.permalink.endswith(msg["ts"].replace(".", ""))
    line = [m for m in fake.of("chat.postMessage") if m.get("thread_ts") == lead.card_ts]
    assert len(line) == 1 and "attached" in line[0]["text"] and "<#CDEALS>" in line[0]["text"]
    assert "Attached 1 message to *Acme Shop*'s history" in message_text(bot.replies()[-1])
    bot.submit(view, {"Lead": {"value": str(lead.id), "text": {"type": "plain_text", "text": "Acme Shop"}}},
               user="U2")  # the same form twice: nothing doubles
    assert len(_comments(db)) == 1
    bot.command(f"show #{lead.id}", user="U1")
    assert "Acme wants 40 units" in bot.last_reply_text()


def test_the_whole_thread_and_its_later_replies_are_attached_and_edits_follow(bot, fake, db):
    lead = _lead(bot, db)
    fake.add_channel("CPUB", "general", bot_member=False)
    root = _message(fake, "CPUB", "U3", "Who knows Acme's buyer?")
    _message(fake, "CPUB", "U2", "Kim, she prefers calls", thread_ts=root["ts"])
    # Slack's payload for a thread's first message carries its thread_ts and reply_count
    bot.message_shortcut("attach_to_lead", {**root, "thread_ts": root["ts"], "reply_count": 1}, user="U1",
                         channel="CPUB")
    bot.submit(bot.last_view(), {"Lead": {"value": str(lead.id), "text": {"type": "plain_text", "text": "Acme"}},
                                 "Thread": ["Attach the whole thread, and its later replies"]}, user="U1")
    assert fake.of("conversations.join")  # a public channel the bot was not in: joined to read and follow it
    assert [c.text for c in _comments(db)] == ["Who knows Acme's buyer?", "Kim, she prefers calls"]
    with db.read() as s:
        assert s.scalar(select(WatchedThread.lead_id)) == lead.id
    later = {"type": "message", "channel": "CPUB", "user": "U2", "text": "She is back on Monday",
             "ts": "1700000100.000001", "thread_ts": root["ts"]}
    bot.event(later)
    bot.event(later, retry=1)  # a retry adds nothing
    assert [c.text for c in _comments(db)][-1] == "She is back on Monday" and len(_comments(db)) == 3
    bot.event({"type": "message", "subtype": "message_changed", "channel": "CPUB",
               "message": {**later, "text": "She is back on Tuesday", "edited": {"ts": "1700000200.000001"}}})
    bot.event({"type": "message", "subtype": "message_deleted", "channel": "CPUB", "deleted_ts": root["ts"],
               "previous_message": {"ts": root["ts"], "user": "U3"}})
    texts = {c.ts: (c.text, c.edited, c.deleted) for c in _comments(db)}
    assert texts[later["ts"]] == ("She is back on Tuesday", True, False)
    assert texts[root["ts"]][2] is True


def test_attach_refuses_another_teams_lead_and_a_lost_form(bot, fake, db):
    lead = _lead(bot, db)
    msg = _message(fake, "C1", "U2", "hello")
    bot.message_shortcut("attach_to_lead", msg, user="U2", channel="C1")
    view = bot.last_view()
    r = bot.submit(view, {"Lead": {"value": str(lead.id + 999), "text": {"type": "plain_text", "text": "?"}}},
                   user="U2")
    assert r.json["response_action"] == "errors" and "no lead" in r.json["errors"]["lead"]
    r = bot.submit({**view, "private_metadata": "{}"}, {"Lead": {"value": str(lead.id),
                                                            "text": {"type": "plain_text", "text": "x"}}}, user="U2")
    assert "out of date" in str(r.json)
    assert _comments(db) == []


# ------------------------------------------------------------------------------------------------ channels
def test_a_linked_channel_is_the_customers_history_with_one_line_a_day(bot, fake, db, clock):
    lead = _lead(bot, db, "Acme Shop")
    fake.add_channel("CSHARED", "acme-x-us", shared=True)
    bot.command(f"channel link #{lead.id}", user="U1", channel="CSHARED")
    assert "Linked: every message in <#CSHARED> (shared with the customer)" in bot.last_reply_text()
    notice = [m for m in fake.of("chat.postMessage") if m["channel"] == "CSHARED"]
    assert "linked to the CRM record of Acme Shop" in notice[0]["text"]  # the customer's people are told
    base = clock.now().timestamp()
    ts = [f"{base - 300:.6f}", f"{base - 200:.6f}", f"{base - 100:.6f}"]
    bot.event({"type": "message", "channel": "CSHARED", "user": "UX1", "user_team": "TACME", "text": "Hi! Order?",
               "ts": ts[0], "user_profile": {"display_name": "Kim (Acme)"}})
    bot.event({"type": "message", "channel": "CSHARED", "user": "U1", "text": "Sending it today", "ts": ts[1],
               "thread_ts": ts[0]})
    cs = _comments(db)
    assert [(c.source, c.external, c.author_name, c.lead_id, c.organization_id) for c in cs] == [
        ("channel", True, "Kim (Acme)", None, lead.organization_id),
        ("channel", False, None, None, lead.organization_id)]
    fake.clear()
    clock.advance(minutes=2)
    build_notifier(bot.crm).deliver_due()
    (line,) = [m for m in fake.of("chat.postMessage") if m.get("thread_ts") == lead.card_ts]
    assert "<#CSHARED>" in line["text"] and "2 messages from 2 people, 1 from the customer's side" in line["text"]
    bot.event({"type": "message", "channel": "CSHARED", "user": "UX1", "user_team": "TACME", "text": "Thanks",
               "ts": ts[2]})
    clock.advance(minutes=2)
    fake.clear()
    build_notifier(bot.crm).deliver_due()
    assert not [m for m in fake.of("chat.postMessage") if m.get("thread_ts") == lead.card_ts]  # not a 2nd line
    (edit,) = fake.of("chat.update")
    assert "3 messages from 2 people" in edit["text"] and "“Thanks”" in edit["text"]
    bot.command(f"show #{lead.id}", user="U1")
    assert "<#CSHARED> (Slack Connect): 3 messages" in bot.last_reply_text()
    bot.command("channel unlink", user="U1", channel="CSHARED")
    assert "no longer *Acme Shop*'s history" in bot.last_reply_text()
    bot.event({"type": "message", "channel": "CSHARED", "user": "UX1", "text": "After", "ts": "1700000600.000001"})
    assert len(_comments(db)) == 3


def test_linking_asks_for_an_invite_to_a_private_channel_and_refuses_dms(bot, fake, db):
    lead = _lead(bot, db)
    fake.add_channel("GPRIV", "secret", private=True, bot_member=False)
    bot.command(f"channel link #{lead.id}", user="U1", channel="GPRIV")
    assert "Invite me to this channel first" in bot.last_reply_text()
    bot.command(f"channel link #{lead.id}", user="U1", channel="DU1")
    assert "in the channel you share with the customer" in bot.last_reply_text()
    bot.command(f"channel link #{lead.id}", user="U2", channel="C1")  # someone else's lead: not a rep's call
    assert "Only managers and workspace admins can link or unlink" in bot.last_reply_text()
    with db.read() as s:
        assert s.scalar(select(Notification).where(Notification.kind == "channel_day")) is None


def test_the_bot_added_to_a_channel_tells_the_inviter_how_to_link_it(bot, fake, db):
    bot.event({"type": "member_joined_channel", "user": "UBOT", "channel": "C9", "inviter": "U2"})
    (e,) = fake.of("chat.postEphemeral")
    assert e["user"] == "U2" and "/lead channel link <lead>" in e["text"]

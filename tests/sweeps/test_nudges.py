"""Due follow-ups nudge their owner once; the DM's buttons work and edit the DM; repeats and escalation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from store.models import Activity, FollowUp, Notification
from tests.slack_driver import message_text
from tests.sweeps.helpers import Sweeper, blocks_of, buttons, dm_of, dms, sent, texts


def _lead_with_follow_up(bot, when: str = "in 1 hour", note: str = "send the <!channel> quote & samples"):
    bot.command("new Acme <b>Shop</b>")
    bot.command(f"followup acme {when} {note}")


def _follow_up(db) -> FollowUp:
    with db.read() as s:
        return s.scalars(select(FollowUp).order_by(FollowUp.id.desc())).first()


def test_due_follow_up_nudges_its_owner_once(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    sweep = Sweeper(bot)
    fake.clear()
    sweep()
    assert dms(fake) == []  # not due yet: nothing

    clock.advance(minutes=61)
    sweep()
    [dm] = dms(fake)
    text = message_text(dm)
    assert "Follow-up due" in text
    assert "Acme &lt;b&gt;Shop&lt;/b&gt;" in text  # the company, escaped
    assert "&lt;!channel&gt; quote &amp; samples" in text and "<!channel>" not in text
    assert "11:00 CET" in text  # due 10:00 UTC, shown in the owner's zone (Berlin)
    assert "min ago" in text or "a minute ago" in text
    assert buttons(dm) == ["Done", "Snooze", "Reschedule", "Log activity"]

    sweep()
    clock.advance(minutes=30)
    sweep()
    assert len(dms(fake)) == 1  # once, however many sweeps run before the repeat interval


def test_done_from_the_dm_edits_it_and_a_double_click_does_one_thing(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    clock.advance(hours=2)
    Sweeper(bot)()
    dm, channel, ts = dm_of(db, fake)
    assert channel == "D1"
    fake.clear()
    bot.click(dm, "Done", channel=channel, message_ts=ts)
    bot.click(dm, "Done", channel=channel, message_ts=ts)
    [edit] = [u for u in fake.of("chat.update") if u["channel"] == channel]
    assert edit["ts"] == ts and "Marked done" in message_text(edit)
    assert buttons(edit) == []
    assert _follow_up(db).state == "done" and _follow_up(db).next_nudge_at is None
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert len(thread) == 1 and "Follow-up marked done" in message_text(thread[0])
    clock.advance(days=2)
    Sweeper(bot)()
    assert len(dms(fake)) == 0  # done: never nudged again


def test_snooze_one_hour_then_nudged_again(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    clock.advance(hours=2)
    sweep = Sweeper(bot)
    sweep()
    dm, channel, ts = dm_of(db, fake)
    bot.click(dm, "Snooze", channel=channel, message_ts=ts)
    edit = [u for u in fake.of("chat.update") if u["channel"] == channel][-1]
    assert "Snoozed until" in message_text(edit) and "13:00 CET" in message_text(edit)
    f = _follow_up(db)
    assert f.due_at == clock.now() + timedelta(hours=1) and f.state == "open"
    fake.clear()
    sweep()
    assert dms(fake) == []
    clock.advance(minutes=61)
    sweep()
    assert len(dms(fake)) == 1 and "Follow-up due" in message_text(dms(fake)[0])


def test_snooze_menu_tomorrow_is_nine_in_the_owners_zone(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    clock.advance(hours=2)
    Sweeper(bot)()
    dm, channel, ts = dm_of(db, fake)
    select_el = next(e for b in blocks_of(dm) for e in b.get("elements") or [] if e.get("type") == "static_select")
    option = next(o for o in select_el["options"] if o["text"]["text"] == "Tomorrow 9:00")
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "api_app_id": "A1",
               "trigger_id": fake.new_trigger(), "channel": {"id": channel},
               "container": {"type": "message", "message_ts": ts, "channel_id": channel},
               "response_url": bot.response_url(),
               "actions": [{"type": "static_select", "action_id": select_el["action_id"], "block_id": "nudge_actions",
                            "selected_option": option, "action_ts": "1"}]}
    bot.interact(payload)
    # Monday 11:00 UTC → Tuesday 09:00 in Berlin (CET, UTC+1) = 08:00 UTC
    assert _follow_up(db).due_at == datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)


def test_reschedule_from_the_dm(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    clock.advance(hours=2)
    Sweeper(bot)()
    dm, channel, ts = dm_of(db, fake)
    bot.click(dm, "Reschedule", channel=channel, message_ts=ts)
    view = bot.last_view()
    assert view["title"]["text"] == "Reschedule follow-up"
    assert [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"] == ["Date", "Time", "Next step"]
    r = bot.submit(view, {"Date": "2026-11-20", "Time": "10:00"})
    assert r.json["response_action"] == "errors" and "already passed" in json.dumps(r.json)
    r = bot.submit(view, {"Date": "2026-11-27", "Time": "14:30", "Next step": "call the owner"})
    assert r.status == 200 and r.raw == b""
    f = _follow_up(db)
    assert f.due_at == datetime(2026, 11, 27, 13, 30, tzinfo=timezone.utc) and f.note == "call the owner"
    edit = [u for u in fake.of("chat.update") if u["channel"] == channel][-1]
    assert "Rescheduled to Fri 27 Nov 14:30 CET" in message_text(edit)
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert "Follow-up moved to" in message_text(thread[-1])


def test_log_activity_from_the_dm_marks_the_follow_up_done(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    clock.advance(hours=2)
    Sweeper(bot)()
    dm, channel, ts = dm_of(db, fake)
    bot.click(dm, "Log activity", channel=channel, message_ts=ts)
    view = bot.last_view()
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert "Open follow-up" in labels
    choice = next(b for b in view["blocks"] if b.get("block_id") == "follow_up_close")
    assert choice["element"]["initial_option"]["text"]["text"] == "Mark it done"
    r = bot.submit(view, {"Activity": "Call", "Outcome": "Connected", "Note": "they want samples"})
    assert r.status == 200
    assert _follow_up(db).state == "done"
    with db.read() as s:
        assert s.scalar(select(Activity.text)) == "they want samples"
    edit = [u for u in fake.of("chat.update") if u["channel"] == channel][-1]
    assert "Activity logged, follow-up done" in message_text(edit)


def test_log_activity_can_keep_the_follow_up(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    clock.advance(hours=2)
    Sweeper(bot)()
    dm, channel, ts = dm_of(db, fake)
    bot.click(dm, "Log activity", channel=channel, message_ts=ts)
    bot.submit(bot.last_view(), {"Activity": "Call", "Outcome": "No answer", "Open follow-up": "Keep it open"})
    assert _follow_up(db).state == "open"
    edit = [u for u in fake.of("chat.update") if u["channel"] == channel][-1]
    assert "follow-up still due" in message_text(edit)


def test_lead_log_offers_to_close_the_open_follow_up(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    bot.command("log acme called, they will order next week")
    reply = bot.replies()[-1]
    assert "still open" in message_text(reply) and buttons(reply) == ["Mark follow-up done"]
    bot.click(reply, "Mark follow-up done", ephemeral=True)
    assert _follow_up(db).state == "done"
    assert "Marked done" in message_text(bot.replies()[-1]) and bot.replies()[-1].get("replace_original") is True


def test_repeats_then_one_escalation_to_the_manager(bot, fake, db, clock):
    bot.command("manager <@U2>")
    assert "manager is now <@U2>" in bot.last_reply_text()
    _lead_with_follow_up(bot)
    bot.command("new Busan Bakery")
    bot.command('followup "busan bakery" in 2 hours')
    sweep = Sweeper(bot)
    clock.advance(hours=2, minutes=1)  # both due
    sweep()
    assert len(dms(fake, "U1")) == 2
    for _ in range(3):  # three repeats, a day apart
        clock.advance(hours=23)
        before = len(dms(fake, "U1"))
        sweep()
        assert len(dms(fake, "U1")) == before  # not before the day is over
        clock.advance(hours=1)
        sweep()
        assert len(dms(fake, "U1")) == before + 2
    assert "reminder 4 of 4" in texts(dms(fake, "U1"))[-1]
    assert "last reminder" in texts(dms(fake, "U1"))[-1]
    assert dms(fake, "U2") == []
    clock.advance(hours=24)
    sweep()
    [escalation] = dms(fake, "U2")
    text = message_text(escalation)
    assert "<@U1>" in text and "Acme &lt;b&gt;Shop&lt;/b&gt;" in text and "Busan Bakery" in text
    assert len(dms(fake, "U1")) == 8  # no fifth reminder
    clock.advance(days=3)
    sweep()
    assert len(dms(fake, "U2")) == 1 and len(dms(fake, "U1")) == 8


def test_no_manager_no_escalation_and_workspace_settings(bot, fake, db, clock):
    fake.users["U1"]["is_admin"] = True
    bot.command("settings repeat 2h")
    bot.command("settings repeats 1")
    assert "every *2 h*" in bot.last_reply_text() and "at most *1* more time" in bot.last_reply_text()
    bot.command("settings repeat soon", user="U2")
    assert "Only managers and workspace admins" in bot.last_reply_text()
    _lead_with_follow_up(bot)
    sweep = Sweeper(bot)
    clock.advance(hours=1, minutes=1)
    sweep()
    clock.advance(hours=2)
    sweep()
    clock.advance(hours=2)
    sweep()
    assert len(dms(fake, "U1")) == 2
    assert [n.kind for n in sent(db) if n.kind != "digest"] == ["nudge", "nudge"]  # nobody to escalate to
    with db.read() as s:
        assert s.scalar(select(Notification.id).where(Notification.kind == "escalation")) is None


def test_a_follow_up_closed_before_its_nudge_is_sent_is_not_nudged(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    clock.advance(hours=2)
    sweep = Sweeper(bot)
    from store.services import nudges
    nudges.plan_nudges(db, clock)
    bot.command("update acme")
    bot.submit(bot.last_view(), {"Activity": "Call", "Outcome": "Connected", "Open follow-up": "Mark it done"})
    fake.clear()
    sweep()
    assert dms(fake) == []
    with db.read() as s:
        assert s.scalar(select(Notification.state)) == "skipped"


def test_a_reassigned_follow_up_nudges_the_new_owner_not_the_old(bot, fake, db, clock):
    _lead_with_follow_up(bot)
    clock.advance(hours=2)
    from store.services import nudges
    nudges.plan_nudges(db, clock)  # owed to alice...
    bot.command("assign acme <@U2>")  # ...who hands the lead to bob before it went out
    fake.clear()
    Sweeper(bot)()
    assert dms(fake, "U1") == []
    assert len(dms(fake, "U2")) == 1 and "Follow-up due" in message_text(dms(fake, "U2")[0])

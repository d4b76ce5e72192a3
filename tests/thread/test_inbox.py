"""The inbox (issue 15): every Slack request whose effect follows its ack is stored before the ack, marked done
with its effect, replayed by the sweep when its process died, parked when it keeps failing, and never applied
twice. The crash itself is simulated here by a row the dead process stored (tests/thread/test_inbox_kill.py
kills a real `python app.py`)."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from sqlalchemy import func, select

from scheduler import jobs
from store.models import Activity, Comment, InboxEntry
from store.services import inbox
from tests.slack_driver import message_text
from tests.thread.test_thread_history import _lead, reply


def rows(bot, db) -> list[InboxEntry]:
    """The inbox once the listeners have ended and their done marks are written (bot/inbox.py: in batches)."""
    bot.executor.wait_idle()
    bot.crm.marks.flush()
    with db.read() as s:
        return list(s.scalars(select(InboxEntry).order_by(InboxEntry.id)))


def count(db, model) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def stored_by_a_dead_process(db, clock, body: str, *, key: str, kind: str, content_type="application/json"):
    """What `receive` wrote before the ack of a process that then died (its claim never finished)."""
    inbox.receive(db, clock, team_id="T1", key=key, kind=kind, content_type=content_type, body=body)


def test_every_event_is_stored_before_its_ack_and_done_with_its_effect(bot, fake, db):
    lead = _lead(bot, db)
    r = bot.event(reply("1800000000.000100", "they want 40 boxes", thread_ts=lead.card_ts), "EvIn1")
    assert r.status == 200
    [row] = [r for r in rows(bot, db) if r.key == "event:EvIn1"]
    assert row.kind == "message" and row.state == "done" and row.done_at is not None and row.team_id == "T1"
    assert json.loads(row.body)["event"]["text"] == "they want 40 boxes"  # the raw body, as signed
    for retry in (1, 2):  # Slack's retries of a processed event: answered, nothing run or stored again
        assert bot.event(reply("1800000000.000100", "they want 40 boxes", thread_ts=lead.card_ts), "EvIn1",
                         retry=retry).status == 200
    assert count(db, Comment) == 1 and len([r for r in rows(bot, db) if r.key == "event:EvIn1"]) == 1
    commands = [r for r in rows(bot, db) if r.kind == "command"]
    assert len(commands) == 1 and commands[0].state == "done"  # the `/lead new` itself


def test_an_event_its_process_never_finished_is_replayed_once(bot, fake, db, clock):
    lead = _lead(bot, db)
    body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvLost",
                       "event_time": int(time.time()),
                       "event": reply("1800000000.000200", "call back on Friday", thread_ts=lead.card_ts)})
    stored_by_a_dead_process(db, clock, body, key="event:EvLost", kind="message")
    rows(bot, db)  # the `/lead new` before it is done (its mark written)
    assert jobs.replay_inbox(bot.crm) == 0  # its claim is fresh: its process may still be at work
    clock.advance(seconds=inbox.QUEUE.lease.total_seconds() + 1)
    assert jobs.replay_inbox(bot.crm) == 1
    bot.executor.wait_idle()
    with db.read() as s:
        [comment] = s.scalars(select(Comment).where(Comment.ts == "1800000000.000200")).all()
    assert comment.text == "call back on Friday"
    assert [r.state for r in rows(bot, db) if r.key == "event:EvLost"] == ["done"]
    clock.advance(seconds=60)
    assert jobs.replay_inbox(bot.crm) == 0 and count(db, Comment) == 1


def test_a_command_whose_effect_happened_before_the_crash_is_not_applied_twice(bot, fake, db, clock):
    _lead(bot, db)
    form = {"token": "x", "team_id": "T1", "team_domain": "t", "channel_id": "C1", "channel_name": "sales",
            "user_id": "U1", "user_name": "alice", "command": "/lead", "text": "log acme called, they want samples",
            "api_app_id": "A1", "response_url": bot.response_url(), "trigger_id": fake.new_trigger()}
    raw = urlencode(form)
    headers = bot.sign(raw)
    assert bot.post(raw, "application/x-www-form-urlencoded", headers).status == 200
    [row] = [r for r in rows(bot, db) if r.kind == "command" and "log" in r.body]
    assert row.state == "done" and row.key.startswith(f"command:{headers['X-Slack-Request-Timestamp']}:")
    activities = count(db, Activity)
    with db.write() as s:  # the process died after the effect, before marking the row
        s.get(InboxEntry, row.id).state = "sending"
    clock.advance(seconds=inbox.QUEUE.lease.total_seconds() + 1)
    assert jobs.replay_inbox(bot.crm) == 1
    bot.executor.wait_idle()
    assert count(db, Activity) == activities  # keyed by the request: logged once
    assert [r.state for r in rows(bot, db) if r.id == row.id] == ["done"]


def test_a_request_that_keeps_failing_is_parked_shown_to_admins_and_retried(bot, fake, db, clock, monkeypatch):
    from bot.commands import thread

    lead = _lead(bot, db)

    def broken(*_a, **_k):
        raise RuntimeError("the database said no")

    monkeypatch.setattr(thread.comments, "capture", broken)
    bot.event(reply("1800000000.000300", "a reply that cannot be stored", thread_ts=lead.card_ts), "EvBad")
    rows(bot, db)
    for _ in range(inbox.QUEUE.max_attempts):
        clock.advance(seconds=3600)
        jobs.replay_inbox(bot.crm)
        bot.executor.wait_idle()
    [row] = [r for r in rows(bot, db) if r.key == "event:EvBad"]
    assert row.state == "failed" and "the database said no" in row.last_error
    bot.command("settings inbox", user="U2")  # not an admin
    assert "Only workspace admins" in bot.last_reply_text()
    from store.services import members

    members.save_member(db, clock, "T1", "U1", name="alice", tz="Europe/Berlin", is_admin=True)
    bot.command("settings inbox")
    text = message_text(bot.replies()[-1])
    assert "1 parked" in text and "1 × message" in text
    assert "the database said no" in text and "/lead settings inbox retry" in text
    monkeypatch.undo()
    bot.command("settings inbox retry")
    assert "Trying the parked request again" in bot.last_reply_text()
    jobs.replay_inbox(bot.crm)
    bot.executor.wait_idle()
    assert [r.state for r in rows(bot, db) if r.key == "event:EvBad"] == ["done"]
    with db.read() as s:
        assert s.scalar(select(Comment.text).where(Comment.ts == "1800000000.000300")) == "a reply that cannot be stored"


def test_done_rows_are_pruned_after_seven_days(bot, fake, db, clock):
    _lead(bot, db)
    assert rows(bot, db)
    clock.advance(days=8)
    kept = len(rows(bot, db))
    assert inbox.prune(db, clock) == kept and rows(bot, db) == []


def test_an_event_whose_row_could_not_be_written_is_answered_500_and_its_retry_is_filed_once(bot, fake, db,
                                                                                         monkeypatch):
    """The ack waits for the row (bot/inbox.py::InboxApp): a database that refuses the INSERT gets Slack a 500,
    so Slack sends the event again, and that delivery is stored and filed once."""
    lead = _lead(bot, db)
    rows(bot, db)
    real = inbox.Receiver._write

    def refuse(self, batch):
        for _v, done in batch:
            done.set_exception(RuntimeError("database is away"))

    monkeypatch.setattr(inbox.Receiver, "_write", refuse)
    event = reply("1800000000.000300", "send the price list", thread_ts=lead.card_ts)
    assert bot.event(event, "EvAway").status == 500
    assert not [r for r in rows(bot, db) if r.key == "event:EvAway"]
    monkeypatch.setattr(inbox.Receiver, "_write", real)
    assert bot.event(event, "EvAway", retry=1).status == 200
    assert [r.state for r in rows(bot, db) if r.key == "event:EvAway"] == ["done"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Comment).where(Comment.ts == "1800000000.000300")) == 1

"""A crashed deliverer's claim (issue 15.6): taken over within the lease (seconds, not minutes), and a thread
line the dead process had already posted is not posted again (it is found in the thread by its metadata)."""

from __future__ import annotations

from sqlalchemy import select

from bot.delivery import _line_key
from scheduler import jobs
from store.models import Outbox
from store.services import outbox, updates
from tests.thread.test_thread_history import _lead


def thread_lines(fake, card_ts: str) -> list[dict]:
    return [c for c in fake.of("chat.postMessage") if c.get("thread_ts") == card_ts]


def test_a_dead_deliverers_claim_is_taken_over_within_seconds_and_posts_nothing_twice(bot, fake, db, clock):
    lead = _lead(bot, db)
    fake.add_channel("C1", "sales")
    for text in ("first call, no answer", "second call, they want samples"):
        updates.log_note(bot.crm.db, clock, "T1", "U1", lead.id, text)  # queued; this process never delivers
    claimed = outbox.claim_lead(db, clock, "T1", lead.id)  # the process that then died
    assert claimed is not None
    token, _lead_now, items = claimed
    lines = [i for i in items if i.kind == "thread"]
    bot.crm.workspaces.client("T1").chat_postMessage(channel="C1", thread_ts=lead.card_ts, text="*Note*: first call, no answer",
                                metadata=_line_key(lines[0].id))  # Slack took the first line, then the crash
    before = len(thread_lines(fake, lead.card_ts))

    clock.advance(seconds=10)
    jobs.deliver_owed_posts(bot.crm)
    assert len(thread_lines(fake, lead.card_ts)) == before  # still within the lease: its holder may be alive

    clock.advance(seconds=outbox.QUEUE.lease.total_seconds())  # 40 s after the crash
    jobs.deliver_owed_posts(bot.crm)
    posted = thread_lines(fake, lead.card_ts)[before:]
    assert len(posted) == 1 and "they want samples" in posted[0]["text"]  # only the line Slack never got
    assert not [p for p in posted if "first call" in p["text"]]
    with db.read() as s:
        assert {r.state for r in s.scalars(select(Outbox).where(Outbox.lead_id == lead.id))} == {"sent"}
    jobs.deliver_owed_posts(bot.crm)
    assert len(thread_lines(fake, lead.card_ts)) == before + 1


def test_a_live_deliverer_keeps_its_claim_while_it_posts(bot, fake, db, clock):
    lead = _lead(bot, db)
    updates.log_note(bot.crm.db, clock, "T1", "U1", lead.id, "a note")
    updates.log_note(bot.crm.db, clock, "T1", "U1", lead.id, "another note")
    token, _l, items = outbox.claim_lead(db, clock, "T1", lead.id)
    clock.advance(seconds=25)
    outbox.mark_sent(db, clock, token, [items[0].id])  # it posted one: the rest of its claim is renewed
    clock.advance(seconds=25)  # 50 s after the claim, 25 s after the renewal
    assert outbox.claim_lead(db, clock, "T1", lead.id) is None

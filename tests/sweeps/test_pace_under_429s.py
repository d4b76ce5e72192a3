"""Issue 17.1 through the bot's own notifier and the fake Slack over HTTP: one 429 at the start, random 429s
with two processes on one database, and a slow batch whose claim is renewed as it is sent (so another process
never takes it over and sends it again). Before the fix the first two fell to about one DM a second and the
third sent DMs twice."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from store.models import Notification
from store.services import nudges
from tests.sweeps.helpers import FastClock, Sweeper, dms
from tests.sweeps.test_delivery import _due_follow_ups


def _states(db) -> dict[str, int]:
    with db.read() as s:
        return dict(s.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())

LIMIT = 30  # chat.postMessage per sliding second: under what the notifier sends here even beside other tests


def _rate(fake) -> float:
    """DMs Slack accepted per second, from the first attempt to the last DM it took (planning not counted).
    The benchmark holds the ≥ 90% figure (bench/nudges.py); here, beside other test workers on a busy machine,
    the bound only has to tell the pace from the 1/s it fell to."""
    calls = [c for c in fake.calls if c.method.endswith("chat.postMessage")]
    accepted = [c for c in calls if c.method == "chat.postMessage"]
    return len(accepted) / (accepted[-1].at - calls[0].at)


def _each_once(fake, n: int) -> None:
    texts = [m["text"] for m in dms(fake)]
    assert len(texts) == n and len(set(texts)) == n, "a DM lost or sent twice"


def test_one_429_at_the_start_leaves_the_sweep_near_the_limit(bot, fake, db, clock):
    _due_follow_ups(db, clock, 150)
    fake.limits["chat.postMessage"] = LIMIT
    fake.fail("chat.postMessage", 429, headers={"Retry-After": "1"})  # the audit's single early 429
    sweeper = Sweeper(bot)
    sent = sweeper()
    _each_once(fake, 150)
    assert sent == 150 and _states(db) == {"sent": 150}  # before the fix: 1/s, 63 in the sweep's 60 s
    assert _rate(fake) > 0.5 * LIMIT
    pacer = sweeper.notifier.for_team("T1").pacers["chat.postMessage"]
    assert pacer.rate is None or pacer.rate >= 0.85 * LIMIT  # unpaced (the machine was slower), or the limit


def test_two_processes_with_random_429s_send_each_dm_once_near_the_limit(bot, fake, db, clock):
    _due_follow_ups(db, clock, 200)
    nudges.plan_nudges(db, clock)
    fake.limits["chat.postMessage"] = LIMIT
    fake.flaky["chat.postMessage"] = (0.05, 1)  # 5% of calls: 429, Retry-After 1
    processes = [Sweeper(bot), Sweeper(bot, own_database=True)]
    errors: list[BaseException] = []

    def run(sweeper):
        try:
            sweeper.notifier.deliver_due(budget=60)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in processes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert not errors
    _each_once(fake, 200)
    assert _states(db) == {"sent": 200}
    assert [c for c in fake.calls if c.method == "!chat.postMessage"], "the storm happened"
    assert _rate(fake) > 0.5 * LIMIT  # before the fix: 132 of 200 in a minute


def test_a_slow_batch_keeps_its_claim_and_nothing_is_sent_twice(bot, fake, db, clock):
    _due_follow_ups(db, clock, 12)
    nudges.plan_nudges(db, clock)
    fast = FastClock(clock.now(), speed=60)  # the 2-minute lease passes in 2 s
    fake.limits["chat.postMessage"] = 3  # the batch of 12 takes about 4 s: two leases
    holder, other = Sweeper(bot, clock=fast), Sweeper(bot, own_database=True, clock=fast)
    done = threading.Event()
    errors: list[BaseException] = []

    def hold():
        try:
            holder.notifier.deliver_due(budget=30)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=hold)
    thread.start()
    while not fake.of("chat.postMessage") and not done.is_set():
        time.sleep(0.01)
    taken_over = 0
    while not done.is_set():  # another process sweeping all along: it may take only what is stale
        taken_over += other.notifier.deliver_due(budget=30)
        time.sleep(0.1)
    thread.join(30)
    assert not errors
    _each_once(fake, 12)
    assert taken_over == 0 and _states(db) == {"sent": 12}


def test_a_renewal_keeps_what_is_still_held_and_gives_up_what_was_taken_over(bot, fake, db, clock):
    _due_follow_ups(db, clock, 3)
    nudges.plan_nudges(db, clock)
    mine = nudges.claim(db, clock, limit=3)
    clock.advance(seconds=nudges.LEASE.total_seconds() + 1)  # this process stalled past its lease ...
    theirs = nudges.claim(db, clock, limit=1)  # ... and another took one over
    assert [o.id for o in theirs] == [mine[0].id]
    held = nudges.renew(db, clock, mine[0].token, [o.id for o in mine])
    assert held == {mine[1].id, mine[2].id}
    assert nudges.claim(db, clock, limit=3) == []  # the renewed two are no longer stale
    assert not nudges.mark_sent(db, clock, mine[0], None, None)  # and the lost one is not ours to mark

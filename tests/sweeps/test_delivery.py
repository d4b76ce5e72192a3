"""Exactly once, nothing lost: 429 storms, Slack errors, restarts, stale claims, two sweepers at once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from store.models import Notification
from store.services import leads, nudges, team_settings, updates
from tests.sweeps.helpers import Sweeper, dms


def _due_follow_ups(db, clock, n: int, owner: str = "U1") -> None:
    """n leads owned by `owner`, each with a follow-up due a minute from now (then the clock passes it).
    The owner's morning digest is off, so every DM here is a nudge."""
    team_settings.set_digest(db, clock, "T1", owner, enabled=False)
    for i in range(n):
        lead = leads.create_lead(db, clock, "T1", owner, leads.NewLead(f"Shop {i:03d}")).lead
        updates.schedule_follow_up(db, clock, "T1", owner, lead.id, clock.now() + timedelta(minutes=1), f"call {i}")
    clock.advance(minutes=2)


def _states(db) -> dict[str, int]:
    with db.read() as s:
        return dict(s.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())


def _nudged_follow_ups(fake, user: str = "U1") -> list[str]:
    return sorted(m["text"] for m in dms(fake, user))


def test_a_429_storm_delivers_every_nudge_exactly_once(bot, fake, db, clock):
    _due_follow_ups(db, clock, 30)
    fake.flaky["chat.postMessage"] = (0.5, 0)  # half of all posts: 429, Retry-After 0
    Sweeper(bot)()
    texts = _nudged_follow_ups(fake)
    assert len(texts) == 30 and len(set(texts)) == 30
    assert _states(db) == {"sent": 30}
    assert len([c for c in fake.calls if c.method == "!chat.postMessage"]) > 5  # the storm happened


def test_retry_after_is_waited_out_by_the_refused_dm_while_the_others_go(bot, fake, db, clock):
    _due_follow_ups(db, clock, 3)
    fake.fail("chat.postMessage", 429, headers={"Retry-After": "1"})
    sweeper = Sweeper(bot)
    sweeper()
    calls = [c for c in fake.calls if c.method.endswith("chat.postMessage")]
    refused = calls[0]
    assert refused.method == "!chat.postMessage"
    again = [c for c in calls[1:] if c.args["text"] == refused.args["text"]]
    assert len(again) == 1 and again[0].at - refused.at >= 0.95  # that DM waited its Retry-After second
    others = [c for c in calls[1:] if c.args["text"] != refused.args["text"]]
    assert len(others) == 2 and all(c.at < again[0].at for c in others)  # the others did not wait for it
    assert len(dms(fake)) == 3 and _states(db) == {"sent": 3}
    pacer = sweeper.notifier.for_team("T1").pacers["chat.postMessage"]
    assert pacer.limited == 1 and pacer.limits == 0 and pacer.rate is None  # one refusal is not the limit


def test_a_slack_error_leaves_the_nudge_for_the_next_sweep(bot, fake, db, clock):
    _due_follow_ups(db, clock, 2)
    fake.fail("chat.postMessage", 200, body={"ok": False, "error": "internal_error"}, times=2)
    sweep = Sweeper(bot)
    sweep()
    assert len(dms(fake)) == 0 and _states(db) == {"pending": 2}
    sweep()
    assert len(dms(fake)) == 0  # backing off: not retried at once
    clock.advance(seconds=20)
    sweep()
    assert len(dms(fake)) == 2 and _states(db) == {"sent": 2}


def test_a_person_who_cannot_get_dms_is_given_up_on(bot, fake, db, clock):
    _due_follow_ups(db, clock, 1)
    fake.fail("chat.postMessage", 200, body={"ok": False, "error": "account_inactive"})
    Sweeper(bot)()
    assert _states(db) == {"failed": 1}


def test_a_restart_never_resends(bot, fake, db, clock):
    _due_follow_ups(db, clock, 5)
    Sweeper(bot)()
    assert len(dms(fake)) == 5
    restarted = Sweeper(bot)  # a new process: its own notifier and pacer, the same database
    restarted()
    clock.advance(minutes=30)
    restarted()
    assert len(dms(fake)) == 5


def test_a_crash_after_the_claim_is_recovered_after_the_lease(bot, fake, db, clock):
    _due_follow_ups(db, clock, 3)
    nudges.plan_nudges(db, clock)
    claimed = nudges.claim(db, clock, limit=2)  # a process claimed two and died before sending
    assert len(claimed) == 2
    sweep = Sweeper(bot)
    sweep()
    assert len(dms(fake)) == 1  # the third; the two stay claimed while the lease runs
    clock.advance(seconds=nudges.LEASE.total_seconds() + 1)
    sweep()
    assert len(dms(fake)) == 3 and _states(db) == {"sent": 3}


def test_two_sweepers_at_once_deliver_each_nudge_once(bot, fake, db, clock):
    _due_follow_ups(db, clock, 40)
    a, b = Sweeper(bot), Sweeper(bot, own_database=True)
    errors: list[BaseException] = []

    def run(sweeper):
        try:
            for _ in range(3):
                sweeper()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    texts = _nudged_follow_ups(fake)
    assert len(texts) == 40 and len(set(texts)) == 40
    assert _states(db) == {"sent": 40}

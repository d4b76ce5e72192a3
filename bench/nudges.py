"""Nudge sweep: 200,000 follow-ups of which 10,000 are overdue.

(1) The time of one sweep's planning query (the due follow-ups, through the `next_nudge_at` index) and of
a whole planning pass. (2) End-to-end delivery of the 10,000 nudges by the bot's notifier against the
tests' fake Web API limiting `chat.postMessage` to 20 per second over a sliding second (429 with
Retry-After: 1 beyond that): achieved rate against the allowed one, and every follow-up nudged exactly
once (nothing lost, nothing doubled).

    .venv/bin/python bench/nudges.py [--follow-ups 200000] [--overdue 10000] [--rate 20] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.crm import Crm  # noqa: E402
from bot.workspaces import OneWorkspace  # noqa: E402
from bot.settings import Settings  # noqa: E402
from scheduler import build_notifier  # noqa: E402
from store.clock import FixedClock  # noqa: E402
from store.db import Database  # noqa: E402
from store.models import FollowUp, Lead, Member, Notification, Organization  # noqa: E402
from store.services import nudges, pipeline  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402

TEAM = "TBENCH"
NOW = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)  # a Tuesday afternoon: no digests due
OWNERS = [f"U{n:03d}" for n in range(16)]


def build(path: Path, total: int, overdue: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    db.migrate()
    clock = FixedClock(NOW)
    with db.write() as s:
        pipeline.ensure_team(s, TEAM, clock)
        for u in OWNERS:
            s.add(Member(team_id=TEAM, user_id=u, name=u, tz="Europe/Berlin", role="rep", fetched_at=NOW,
                         digest_enabled=False, digest_time="09:00"))
    rng = random.Random(3)
    leads_n = total // 2
    batch = 20_000
    with db.engine.begin() as c:
        for start in range(1, leads_n + 1, batch):
            ids = range(start, min(start + batch, leads_n + 1))
            c.execute(insert(Organization), [
                {"id": i, "team_id": TEAM, "name": f"Shop {i}", "name_key": f"shop {i}", "status": "Lead",
                 "tags": [], "created_at": NOW} for i in ids])
            c.execute(insert(Lead), [
                {"id": i, "team_id": TEAM, "organization_id": i, "owner_id": OWNERS[i % 16], "status": "Lead",
                 "status_since": NOW, "is_open": True, "arrived_at": NOW, "updated_at": NOW} for i in ids])
        overdue_ids = set(rng.sample(range(total), overdue))
        for start in range(0, total, batch):
            rows = []
            for k in range(start, min(start + batch, total)):
                lead_id = k % leads_n + 1
                if k in overdue_ids:  # open and past due
                    due, state = NOW - timedelta(minutes=rng.randint(1, 600)), "open"
                elif k % 3 == 0:  # open, due in the coming weeks
                    due, state = NOW + timedelta(minutes=rng.randint(10, 60 * 24 * 30)), "open"
                else:  # history: done long ago
                    due, state = NOW - timedelta(days=rng.randint(1, 700)), "done"
                rows.append({"team_id": TEAM, "lead_id": lead_id, "owner_id": OWNERS[lead_id % 16], "due_at": due,
                             "note": f"call back {k}", "state": state, "snooze_count": 0, "created_by": "U000",
                             "created_at": due - timedelta(days=1), "next_nudge_at": due if state == "open" else None,
                             "nudges_sent": 0, "closed_at": None if state == "open" else due})
            c.execute(insert(FollowUp), rows)
        c.exec_driver_sql("ANALYZE")
    db.dispose()


def _follow_up_of(post: dict) -> int:
    blocks = post.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    for block in blocks:
        for el in block.get("elements") or []:
            if el.get("action_id") == "nudge_done":
                return json.loads(el["value"])["follow_up_id"]
    raise AssertionError("a DM without a Done button")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--follow-ups", type=int, default=200_000)
    ap.add_argument("--overdue", type=int, default=10_000)
    ap.add_argument("--rate", type=int, default=20, help="chat.postMessage allowed per second")
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()

    template = ROOT / "bench" / "out" / f"nudges_{a.follow_ups}_{a.overdue}.db"
    if a.rebuild or not template.exists():
        print(f"Building {a.follow_ups:,} follow-ups ({a.overdue:,} overdue) ...", file=sys.stderr)
        build(template, a.follow_ups, a.overdue)
    work = template.with_suffix(".run.db")  # every run starts from the same state
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    work.write_bytes(template.read_bytes())
    db = Database(f"sqlite:///{work}")
    db.migrate()
    clock = FixedClock(NOW)

    # (1) the sweep's query, read-only and repeated; then the real planning passes (write + commit)
    query = (select(FollowUp.id).where(FollowUp.next_nudge_at <= NOW, FollowUp.state == "open")
             .order_by(FollowUp.next_nudge_at).limit(500))
    times = []
    for _ in range(50):
        t = time.perf_counter()
        with db.read() as s:
            s.execute(query).all()
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    passes = planned = 0
    while True:
        n = nudges.plan_nudges(db, clock, limit=500)
        planned += n
        passes += 1
        if n < 500:
            break
    plan_s = time.perf_counter() - t

    # (2) delivery through the notifier the bot runs, against a rate-limited fake Slack
    fake = FakeSlack(team_id=TEAM).start()
    for u in OWNERS:
        fake.add_user(u, tz="Europe/Berlin")
    fake.limits["chat.postMessage"] = a.rate
    settings = Settings(_env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret="s",
                        slack_api_url=fake.api_url, database_url=db.url)
    crm = Crm(db=db, clock=clock, settings=settings, workspaces=OneWorkspace(settings.slack_bot_token, settings.slack_api_url))
    notifier = build_notifier(crm)
    t = time.perf_counter()
    delivered = 0
    while True:
        got = notifier.deliver_due(budget=60)
        delivered += got
        with db.read() as s:
            left = s.scalar(select(func.count()).select_from(Notification)
                            .where(Notification.state.in_(("pending", "sending"))))
        print(f"\r  delivered {delivered:,}/{planned:,} ({delivered / (time.perf_counter() - t):.1f}/s)", end="",
              file=sys.stderr, flush=True)
        if not left:
            break
        if got == 0:  # only retries waiting for their time: let the clock catch up
            clock.advance(seconds=60)
    elapsed = time.perf_counter() - t
    print(file=sys.stderr)
    fake.stop()

    posts = [c.args for c in fake.calls if c.method == "chat.postMessage"]
    limited = sum(1 for c in fake.calls if c.method == "!chat.postMessage")
    with db.read() as s:
        states = dict(s.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())
        overdue_open = s.scalar(select(func.count()).select_from(FollowUp)
                                .where(FollowUp.state == "open", FollowUp.due_at <= NOW))
    # What Slack received: each nudge's Done button names its follow-up.
    nudged_in_slack = Counter(_follow_up_of(p) for p in posts)
    duplicated = sum(n - 1 for n in nudged_in_slack.values() if n > 1)
    lost = overdue_open - len(nudged_in_slack)
    rate = len(posts) / elapsed

    print(f"{a.follow_ups:,} follow-ups, {overdue_open:,} overdue; SQLite; chat.postMessage limited to {a.rate}/s\n")
    rows = [
        ("sweep query (500 due, via index), p50 / p99", f"{statistics.median(times):.2f} / {pct(times, 99):.2f} ms"),
        (f"planning all {planned:,} nudges ({passes} passes)", f"{plan_s:.2f} s"),
        ("delivery time", f"{elapsed:.1f} s"),
        ("DMs accepted by Slack", f"{len(posts):,}"),
        ("429s answered", f"{limited:,}"),
        ("achieved rate", f"{rate:.2f} /s"),
        ("share of the allowed rate", f"{rate / a.rate:.1%}"),
        ("lost (overdue, never nudged)", f"{lost:,}"),
        ("duplicated (same nudge twice)", f"{duplicated:,}"),
        ("notification states", ", ".join(f"{k} {v:,}" for k, v in sorted(states.items()))),
    ]
    print(f"| {'measure':<46} | {'value':>18} |")
    print(f"|{'-' * 48}|{'-' * 19}:|")
    for name, value in rows:
        print(f"| {name:<46} | {value:>18} |")
    ok = rate >= 0.9 * a.rate and lost == 0 and duplicated == 0 and len(posts) == overdue_open
    print(f"\ntarget >= 90% of the allowed rate, 0 lost, 0 duplicated: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

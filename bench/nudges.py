"""Nudge sweep: 200,000 follow-ups of which 10,000 are overdue; then delivery under 429s.

(1) The time of one sweep's planning query (the due follow-ups, through the `next_nudge_at` index) and of
a whole planning pass. (2) End-to-end delivery of the 10,000 nudges by the bot's notifier against the
tests' fake Web API limiting `chat.postMessage` to 20 per second over a sliding second (429 with
Retry-After: 1 beyond that): achieved rate against the allowed one, and every follow-up nudged exactly
once (nothing lost, nothing doubled). (3) The pacer under 429s (issue 17.1): nudges and morning digests
(`--dms`, half each) due at once, Slack allowing `--case-rate` posts per sliding second, with no other 429,
with one 429 (Retry-After: 1) at the start, and with 5% random 429s (Retry-After: 1); each on one bot process
and on two processes sharing the database (real processes: `python bench/nudges.py --worker`).

    .venv/bin/python bench/nudges.py [--follow-ups 200000] [--overdue 10000] [--rate 20] [--rebuild]
                                     [--dms 3000] [--case-rate 25] [--latency 0.08] [--cases-only | --no-cases]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
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
from tests.sweeps.helpers import FastClock  # noqa: E402

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
    ap.add_argument("--dms", type=int, default=3000, help="DMs due in each 429 case (half nudges, half digests)")
    ap.add_argument("--case-rate", type=int, default=25, help="chat.postMessage allowed per second in the cases")
    ap.add_argument("--latency", type=float, default=0.08, help="seconds each fake Web API answer takes (cases)")
    ap.add_argument("--cases-only", action="store_true", help="only (3), the 429 cases")
    ap.add_argument("--no-cases", action="store_true", help="(1) and (2) only")
    ap.add_argument("--worker", nargs=2, metavar=("DATABASE_URL", "API_URL"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        return worker(*a.worker)
    if a.cases_only:
        return 0 if cases(a.dms, a.case_rate, a.latency) else 1

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
    print()
    if a.no_cases:
        return 0 if ok else 1
    return 0 if cases(a.dms, a.case_rate, a.latency) and ok else 1


# ----------------------------------------------------------------------------------------- (3) 429 cases


def build_case(path: Path, dms: int) -> int:
    """`dms / 2` owners, each with one overdue follow-up and a morning digest due: planned, nothing sent."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    db.migrate()
    clock = FixedClock(NOW)
    owners = [f"U{n:05d}" for n in range(dms // 2)]
    with db.write() as s:
        pipeline.ensure_team(s, TEAM, clock)
    with db.engine.begin() as c:
        c.execute(insert(Member), [{"team_id": TEAM, "user_id": u, "name": u, "tz": "Europe/Berlin", "role": "rep",
                                    "fetched_at": NOW, "digest_enabled": True, "digest_time": "17:00"} for u in owners])
        c.execute(insert(Organization), [{"id": i + 1, "team_id": TEAM, "name": f"Pace Shop {i:05d}",
                                          "name_key": f"pace shop {i:05d}", "status": "Lead", "tags": [],
                                          "created_at": NOW} for i in range(len(owners))])
        c.execute(insert(Lead), [{"id": i + 1, "team_id": TEAM, "organization_id": i + 1, "owner_id": u,
                                  "status": "Lead", "status_since": NOW, "is_open": True, "arrived_at": NOW,
                                  "updated_at": NOW} for i, u in enumerate(owners)])
        due = NOW - timedelta(hours=1)
        c.execute(insert(FollowUp), [{"team_id": TEAM, "lead_id": i + 1, "owner_id": u, "due_at": due,
                                      "note": f"call back {i}", "state": "open", "snooze_count": 0, "created_by": u,
                                      "created_at": due - timedelta(days=1), "next_nudge_at": due,
                                      "nudges_sent": 0} for i, u in enumerate(owners)])
    while nudges.plan_nudges(db, clock, limit=500) == 500:
        pass
    nudges.plan_digests(db, clock)
    with db.read() as s:
        owed = s.scalar(select(func.count()).select_from(Notification))
    db.dispose()
    return owed


def worker(database_url: str, api_url: str) -> int:
    """One bot process's notifier, as `python app.py` runs it, until nothing is owed; prints its pacer's state."""
    db = Database(database_url)
    settings = Settings(_env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret="s",
                        slack_api_url=api_url, database_url=database_url)
    crm = Crm(db=db, clock=FastClock(NOW, speed=1), settings=settings,  # real time from NOW: real leases
              workspaces=OneWorkspace(settings.slack_bot_token, settings.slack_api_url))
    notifier = build_notifier(crm)
    sent = 0
    while True:
        sent += notifier.deliver_due(budget=60)
        with db.read() as s:
            left = s.scalar(select(func.count()).select_from(Notification)
                            .where(Notification.state.in_(("pending", "sending"))))
        if not left:
            break
        time.sleep(0.2)  # what is left is claimed by the other process, or waits out a back-off
    pacer = notifier.for_team(TEAM).pacers["chat.postMessage"]
    print(json.dumps({"sent": sent, "rate": pacer.rate, "good": pacer.good, "limits": pacer.limits}))
    return 0


def _dm_key(post: dict) -> tuple[str, str]:
    return post.get("channel", ""), post.get("text", "")  # a nudge names its shop; a digest is one per person


def run_case(template: Path, owed: int, rate: int | None, processes: int, trouble: str, latency: float) -> dict:
    work = template.with_suffix(f".{trouble}.{processes}.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    work.write_bytes(template.read_bytes())
    fake = FakeSlack(team_id=TEAM).start()
    fake.latency = latency
    if rate is not None:
        fake.limits["chat.postMessage"] = rate
    if trouble == "early":
        fake.fail("chat.postMessage", 429, headers={"Retry-After": "1"})
    elif trouble == "random":
        fake.flaky["chat.postMessage"] = (0.05, 1)
    url = f"sqlite:///{work}"
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", url, fake.api_url], stdout=subprocess.PIPE,
                              text=True, cwd=ROOT) for _ in range(processes)]
    outs = [json.loads(p.communicate(timeout=1800)[0].strip().splitlines()[-1]) for p in procs]
    fake.stop()
    calls = [c for c in fake.calls if c.method.endswith("chat.postMessage")]
    posts = [c for c in calls if c.method == "chat.postMessage"]
    keys = Counter(_dm_key(c.args) for c in posts)
    db = Database(url)
    with db.read() as s:
        states = dict(s.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())
    db.dispose()
    took = posts[-1].at - calls[0].at
    return {"took": took, "rate": len(posts) / took, "share": len(posts) / took / (rate or 1), "posts": len(posts),
            "limited": len(calls) - len(posts), "lost": owed - len(keys), "duplicated": len(posts) - len(keys),
            "states": states, "pacers": outs}


def cases(dms: int, rate: int, latency: float) -> bool:
    template = ROOT / "bench" / "out" / f"pace_{dms}.db"
    print(f"Building the 429 cases' database ({dms:,} DMs due) ...", file=sys.stderr)
    owed = build_case(template, dms)
    print(f"(3) {owed:,} DMs due at once (nudges and morning digests), SQLite; each Web API answer takes "
          f"{latency * 1000:.0f} ms; the bot's own ceiling first (no limit), then Slack allowing {rate} "
          "chat.postMessage per sliding second\n")
    r = run_case(template, owed, None, 1, "none", latency)
    print(f"no limit at all, 1 process: {r['rate']:.1f} DMs/s ({r['took']:.1f} s)\n")
    print("| case | processes | time | DMs/s | share of allowed | 429s | lost | duplicated | learned pace |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    ok = True
    for trouble, name in (("none", "no other 429"), ("early", "one 429 at the start"), ("random", "5% random 429s")):
        for processes in (1, 2):
            print(f"  {name}, {processes} process(es) ...", file=sys.stderr)
            r = run_case(template, owed, rate, processes, trouble, latency)
            paces = " + ".join("unpaced" if p["rate"] is None else f"{p['rate']:.1f}/s" for p in r["pacers"])
            print(f"| {name} | {processes} | {r['took']:.1f} s | {r['rate']:.1f} | {r['share']:.1%} | {r['limited']:,} "
                  f"| {r['lost']} | {r['duplicated']} | {paces} |", flush=True)
            ok &= r["share"] >= 0.9 and r["lost"] == 0 and r["duplicated"] == 0 and r["states"] == {"sent": owed}
    print(f"\ntarget in every case: >= 90% of the allowed rate, 0 lost, 0 duplicated: {'PASS' if ok else 'FAIL'}")
    return ok


if __name__ == "__main__":
    sys.exit(main())

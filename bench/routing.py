"""Routing under load: 10,000 leads created by 8 concurrent clients on PostgreSQL, each routed through
one queue of equal-weight members (the rotation lives in the database, advanced under the queue's row
lock). Prints throughput, the max-min spread of leads per member (must be <= 1), and lost / doubly
assigned leads (must be 0).

    .venv/bin/python bench/routing.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                      [--leads 10000] [--clients 8] [--members 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import multiprocessing
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from store.clock import SystemClock  # noqa: E402
from store.db import Database  # noqa: E402
from store.models import Assignment, Base, Lead  # noqa: E402
from store.services import leads, members, routing  # noqa: E402

TEAM = "TROUTE"


def client(url: str, c: int, n: int) -> tuple[list[float], list[str]]:
    """One client process: its own engine, creating `n` leads one after another."""
    db = Database(url)
    clock = SystemClock()
    latencies, errors = [], []
    for i in range(n):
        t = time.perf_counter()
        try:
            leads.create_lead(db, clock, TEAM, "intake", leads.NewLead(f"Load {c:02d}-{i:05d}"))
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc)[:200])
            continue
        latencies.append(time.perf_counter() - t)
    db.dispose()
    return latencies, errors


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--leads", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--members", type=int, default=5)
    a = ap.parse_args()

    db = Database(a.url)
    if db.dialect == "postgresql":  # a clean schema for the run
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.migrate()
    clock = SystemClock()
    members.save_member(db, clock, TEAM, "UMGR", name="manager", tz="UTC", is_admin=True)  # routing is managers' work
    reps = [f"UREP{i}" for i in range(a.members)]
    routing.save_queue(db, clock, TEAM, "UMGR", name="Inbound", channel_id="CQ", members=reps, segment=None,
                       sla_minutes=60, on_breach="notify")

    per_client = a.leads // a.clients
    ctx = multiprocessing.get_context("spawn")  # clients are processes, as replicas are: no shared GIL
    start = time.perf_counter()
    with ctx.Pool(a.clients) as pool:
        results = pool.starmap(client, [(a.url, c, per_client) for c in range(a.clients)])
    elapsed = time.perf_counter() - start
    latencies = [x for lat, _ in results for x in lat]
    errors = [e for _, errs in results for e in errs]

    with db.read() as s:
        owners = Counter(s.scalars(select(Lead.owner_id).where(Lead.team_id == TEAM)))
        total = s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == TEAM))
        routed_rows = s.execute(select(Assignment.lead_id, func.count()).where(
            Assignment.team_id == TEAM, Assignment.kind == "routed").group_by(Assignment.lead_id)).all()
    expected = per_client * a.clients
    doubled = sum(1 for _, n in routed_rows if n > 1)
    lost = expected - total + owners.get(None, 0)
    spread = max(owners[m] for m in reps) - min(owners[m] for m in reps)
    ms = [x * 1000 for x in latencies]

    print(f"{expected:,} leads, {a.clients} concurrent client processes, {a.members} equal-weight members, {db.dialect}\n")
    rows = [
        ("throughput", f"{total / elapsed:.0f} leads/s"),
        ("wall time", f"{elapsed:.1f} s"),
        ("create+route latency p50 / p99", f"{statistics.median(ms):.1f} / {pct(ms, 99):.1f} ms"),
        ("leads per member", ", ".join(str(owners[m]) for m in reps)),
        ("max - min across members", str(spread)),
        ("lost (not created or unowned)", str(lost)),
        ("doubly assigned (two routings)", str(doubled)),
        ("errors", str(len(errors))),
    ]
    print(f"| {'measure':<34} | {'value':>24} |")
    print(f"|{'-' * 36}|{'-' * 25}:|")
    for name, value in rows:
        print(f"| {name:<34} | {value:>24} |")
    for e in errors[:5]:
        print("error:", e)
    ok = spread <= 1 and lost == 0 and doubled == 0 and not errors
    print(f"\ntarget spread <= 1, 0 lost, 0 double-assigned: {'PASS' if ok else 'FAIL'}")
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""`/lead pipeline all` and `/lead list potential mine` at 100,000 organizations, 200,000 deals and
1,000,000 timeline entries: server time (service + rendering), on SQLite or PostgreSQL.

    .venv/bin/python bench/deals.py                                   # SQLite file in bench/out/
    .venv/bin/python bench/deals.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/deals.py --orgs 10000 --deals 20000 --entries 100000   # how it grows

Prints a table; exits 0 when every p95 is under 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bot.views.deals import pipeline_message  # noqa: E402
from bot.views.lists import lead_list  # noqa: E402
from store.clock import FixedClock  # noqa: E402
from store.db import Database  # noqa: E402
from store.models import Activity, Base, Deal, Lead, Organization  # noqa: E402
from store.services import deal_totals, deals, leads, pipeline  # noqa: E402

TEAM = "TDEALS"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
OWNERS = [f"U{n:04d}" for n in range(16)]
STAGES = ["Discovery", "Demo", "Proposal", "Negotiation", "Won", "Lost"]


def build(db: Database, orgs: int, n_deals: int, entries: int) -> None:
    t0 = time.perf_counter()
    if db.dialect == "postgresql":
        with db.engine.begin() as c:
            for table in reversed(Base.metadata.sorted_tables):
                c.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            c.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.migrate()
    with db.write() as s:
        pipeline.ensure_team(s, TEAM, FixedClock(NOW))
    statuses = [name for name, _m, _c in pipeline.TEMPLATES["lifecycle"]]
    rng = random.Random(11)
    batch = 20_000
    with db.engine.begin() as c:
        for start in range(1, orgs + 1, batch):
            ids = range(start, min(start + batch, orgs + 1))
            c.execute(insert(Organization), [
                {"id": i, "team_id": TEAM, "name": f"Shop {i}", "name_key": f"shop {i}", "status": "Potential",
                 "kind": ("Shop", "Agency", "Partner")[i % 3], "tags": [], "created_at": NOW} for i in ids])
            c.execute(insert(Lead), [
                {"id": i, "team_id": TEAM, "organization_id": i, "owner_id": OWNERS[i % 16],
                 "status": statuses[i % 5], "status_since": NOW - timedelta(minutes=i), "is_open": i % 9 != 0,
                 "arrived_at": NOW, "updated_at": NOW} for i in ids])
        for start in range(1, n_deals + 1, batch):
            rows = []
            for i in range(start, min(start + batch, n_deals + 1)):
                stage = rng.choices(STAGES, [25, 20, 15, 10, 15, 15])[0]
                lead_id = (i - 1) % orgs + 1
                rows.append({"id": i, "team_id": TEAM, "organization_id": lead_id, "lead_id": lead_id,
                             "name": f"Deal {i}", "kind": "new", "owner_id": OWNERS[lead_id % 16],
                             "amount_minor": rng.randrange(100_000, 50_000_000, 10_000), "currency": "KRW",
                             "recurring": i % 4 == 0, "stage": stage, "is_open": stage not in ("Won", "Lost"),
                             "expected_close": (NOW + timedelta(days=rng.randint(-60, 120))).date(),
                             "created_by": OWNERS[0], "created_at": NOW, "updated_at": NOW})
            c.execute(insert(Deal), rows)
        for start in range(0, entries, batch):
            c.execute(insert(Activity), [
                {"team_id": TEAM, "lead_id": rng.randint(1, orgs), "kind": "Call", "outcome": "No answer",
                 "text": "Called, no answer.", "occurred_at": NOW - timedelta(minutes=k), "actor_id": OWNERS[k % 16],
                 "created_at": NOW} for k in range(start, min(start + batch, entries))])
            print(f"\r  built {min(start + batch, entries):,}/{entries:,} timeline entries", end="", file=sys.stderr)
    print(file=sys.stderr)
    with db.write() as s:
        deal_totals.rebuild(s, TEAM)  # bulk-loaded deals: count them once, as a stages change does
    with db.engine.begin() as c:
        c.exec_driver_sql("ANALYZE")
    print(f"  built in {time.perf_counter() - t0:.0f} s")


def timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=None, help="database URL (default: a SQLite file in bench/out/)")
    ap.add_argument("--orgs", type=int, default=100_000)
    ap.add_argument("--deals", type=int, default=200_000)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    path = ROOT / "bench" / "out" / f"deals_{a.orgs}_{a.deals}_{a.entries}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if a.url is None and a.rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    db = Database(a.url or f"sqlite:///{path}")
    with db.engine.connect() as c:
        fresh = db.dialect == "sqlite" and path.exists() and not a.rebuild
        if fresh:
            fresh = bool(c.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name='deal'").scalar())
    if not fresh:
        print(f"Building {a.orgs:,} organizations, {a.deals:,} deals, {a.entries:,} timeline entries ({db.dialect}) ...")
        build(db, a.orgs, a.deals, a.entries)
    clock = FixedClock(NOW)
    with db.read() as s:
        counts = [s.scalar(select(func.count()).select_from(m)) for m in (Organization, Deal, Activity)]
    print(f"Data ({db.dialect}): {counts[0]:,} organizations, {counts[1]:,} deals, {counts[2]:,} timeline entries\n")

    def pipeline_all(_i: int) -> None:
        summary = deals.pipeline_summary(db, clock, TEAM, "Asia/Seoul")
        [b.to_dict() for b in pipeline_message(summary, "the team", "KRW")[1]]

    def pipeline_mine(i: int) -> None:
        summary = deals.pipeline_summary(db, clock, TEAM, "Asia/Seoul", owner_id=OWNERS[i % 16])
        [b.to_dict() for b in pipeline_message(summary, "yours", "KRW")[1]]

    def list_potential_mine(i: int) -> None:
        found, total = leads.list_leads(db, TEAM, statuses=["Potential"], owner_id=OWNERS[i % 16])
        [b.to_dict() for b in lead_list(found, total, 0, 20, "Potential", "potential mine", "Asia/Seoul", NOW)[1]]

    def list_page_10(i: int) -> None:
        found, total = leads.list_leads(db, TEAM, statuses=["Potential"], owner_id=OWNERS[i % 16], page=10)
        [b.to_dict() for b in lead_list(found, total, 10, 20, "Potential", "potential mine", "Asia/Seoul", NOW)[1]]

    def list_type_agency(_i: int) -> None:
        found, total = leads.list_leads(db, TEAM, org_type="Agency")
        [b.to_dict() for b in lead_list(found, total, 0, 20, "type Agency", "type:agency", "Asia/Seoul", NOW)[1]]

    runs = [("/lead pipeline all", pipeline_all), ("/lead pipeline (one rep)", pipeline_mine),
            ("/lead list potential mine", list_potential_mine), ("… page 11", list_page_10),
            ("/lead list type:agency", list_type_agency)]
    print("| command                     |    n |  p50 ms |  p95 ms |  p99 ms |  max ms |")
    print("|-----------------------------|-----:|--------:|--------:|--------:|--------:|")
    ok = True
    for name, fn in runs:
        fn(0)  # warm: caches, prepared statements
        t = timed(fn, a.queries)
        ok &= pct(t, 95) < 100
        print(f"| {name:<27} | {len(t):>4} | {statistics.median(t):7.2f} | {pct(t, 95):7.2f} | {pct(t, 99):7.2f} | "
              f"{max(t):7.2f} |")
    print(f"\ntarget p95 < 100 ms for every command: {'PASS' if ok else 'FAIL'}")
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Server time of `/lead find` and `/lead show` with 100,000 organizations and 1,000,000 timeline entries.

Builds (once, cached under bench/out/) a SQLite database through the real Alembic migrations, filled with
Core bulk inserts: N organizations each with a contact and a lead, and M timeline entries (activities,
status changes, follow-ups, assignments, comments) spread over the leads with a skew (a few customers
have thousands of entries, as real accounts do). Then it times what the bot does for each command after
`ack()`: resolve/search in `store/`, and render the answer with `bot/views/` (the Slack round trip is
not server time). Queries are mixed: prefixes of 1 to 6 letters, whole names, e-mails, domains, `#id`,
misses, substrings that fall back to the `%like%` scan, and Korean names (a fifth of the shops) typed with
their spaces taken out or put in.

    .venv/bin/python bench/find_show.py [--orgs 100000] [--entries 1000000] [--queries 400] [--rebuild]
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

from sqlalchemy import func, insert, select  # noqa: E402

from bot.views import lead_360, lists  # noqa: E402
from store.clock import FixedClock  # noqa: E402
from store.db import Database  # noqa: E402
from store.models import (  # noqa: E402
    Activity, Assignment, Comment, Contact, FollowUp, Lead, Organization, StatusChange,
)
from store.services import leads, pipeline  # noqa: E402
from store.text import compact_key  # noqa: E402

TEAM = "TBENCH"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
WORDS = ("acme alpha atlas aurora bakery bean berry blue bright busan café cedar city clean coast cobalt corner "
         "crown daily delta dental dream eagle east echo elite ember fern field fresh garden global gold green "
         "harbor hill home horizon iron ivy jade kim lake leaf light lotus lucky maple market metro mint moon "
         "north nova oak ocean olive orbit park peak pearl pine pixel plaza prime river rose royal sage salt "
         "seoul shop silver sky smart solar spring star stone sun swift tiger town trade urban valley vista "
         "wave west willow wood yellow zen").split()
KO_WORDS = "부산 서울 대구 광주 제주 한빛 푸른 행복 바다 하늘 베이커리 꽃집 커피 공방 상회 마켓 식품 카페".split()
KINDS = ("Call", "Email", "Meeting", "Message", "Note")
OUTCOMES = ("Connected", "No answer", "Left message", "Bounced", "Not applicable")


def company(i: int) -> str:
    r = random.Random(i)
    if i % 5 == 0:  # a Korean shop, written with or without a space (`부산 베이커리 15`, `부산베이커리 20`)
        return f"{r.choice(KO_WORDS)}{r.choice(('', ' '))}{r.choice(KO_WORDS)} {i}"
    return f"{r.choice(WORDS).title()} {r.choice(WORDS).title()} {r.choice(('Shop', 'Co', 'Studio', 'Store'))} {i}"


def build(path: Path, orgs: int, entries: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    db.migrate()
    t0 = time.perf_counter()
    statuses = [name for name, _meaning, _closed in pipeline.TEMPLATES["lifecycle"]]
    with db.write() as s:
        pipeline.ensure_team(s, TEAM, FixedClock(NOW))
    rng = random.Random(7)
    owners = [f"U{n:04d}" for n in range(16)]
    batch = 20_000
    with db.engine.begin() as c:
        for start in range(1, orgs + 1, batch):
            ids = range(start, min(start + batch, orgs + 1))
            c.execute(insert(Organization), [
                {"id": i, "team_id": TEAM, "name": company(i), "name_key": company(i).lower(),
                 "compact_key": compact_key(company(i)),
                 "domain": f"{company(i).lower().replace(' ', '')}.example", "status": "Lead",
                 "tags": [], "created_at": NOW - timedelta(days=i % 700)} for i in ids])
            c.execute(insert(Contact), [
                {"id": i, "team_id": TEAM, "organization_id": i, "name": f"Person {i}", "name_key": f"person {i}",
                 "email": f"person{i}@{company(i).lower().replace(' ', '')}.example",
                 "email_key": f"person{i}@{company(i).lower().replace(' ', '')}.example",
                 "created_at": NOW - timedelta(days=i % 700)} for i in ids])
            c.execute(insert(Lead), [
                {"id": i, "team_id": TEAM, "organization_id": i, "contact_id": i, "owner_id": owners[i % 16],
                 "status": statuses[i % 5], "status_since": NOW - timedelta(days=i % 30), "is_open": i % 9 != 0,
                 "arrived_at": NOW - timedelta(days=i % 700), "updated_at": NOW, "segment": "SMB",
                 "card_channel": "CBENCH", "card_ts": f"1700000000.{i:06d}"} for i in ids])
        # Skewed: lead ids drawn from a Pareto-ish distribution, so a few leads hold thousands of entries.
        made = 0
        tables = [(Activity, 0.6), (StatusChange, 0.1), (Comment, 0.2), (FollowUp, 0.05), (Assignment, 0.05)]
        while made < entries:
            n = min(batch, entries - made)
            rows: dict[type, list[dict]] = {t: [] for t, _ in tables}
            for k in range(n):
                lead_id = min(orgs, int(rng.paretovariate(0.6))) if rng.random() < 0.5 else rng.randint(1, orgs)
                at = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 700))
                table = rng.choices([t for t, _ in tables], [w for _, w in tables])[0]
                row = {"team_id": TEAM, "lead_id": lead_id}
                if table is Activity:
                    row |= {"kind": rng.choice(KINDS), "outcome": rng.choice(OUTCOMES), "text": "Called about the "
                            "reorder; they want samples first.", "occurred_at": at, "actor_id": owners[k % 16],
                            "created_at": at}
                elif table is StatusChange:
                    row |= {"from_status": "Lead", "to_status": "Qualifying", "actor_id": owners[k % 16],
                            "changed_at": at}
                elif table is Comment:
                    row |= {"author_id": owners[k % 16], "channel": "CBENCH", "ts": f"{made + k}.000001",
                            "text": "Spoke to the manager, call back after lunch.", "posted_at": at}
                elif table is FollowUp:
                    row |= {"owner_id": owners[k % 16], "due_at": at + timedelta(days=2), "note": "Send samples",
                            "state": "done", "created_by": owners[k % 16], "created_at": at, "closed_at": at}
                else:
                    row |= {"from_owner": owners[(k + 1) % 16], "to_owner": owners[k % 16], "reason": "rebalance",
                            "actor_id": owners[k % 16], "assigned_at": at}
                rows[table].append(row)
            for table, data in rows.items():
                if data:
                    c.execute(insert(table), data)
            made += n
            print(f"\r  built {made:,}/{entries:,} timeline entries", end="", flush=True, file=sys.stderr)
    print()
    with db.engine.begin() as c:
        c.exec_driver_sql("ANALYZE")
    print(f"  database built in {time.perf_counter() - t0:.0f} s: {path}")
    db.dispose()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


def queries(orgs: int, n: int) -> list[str]:
    rng = random.Random(11)
    out = []
    for k in range(n):
        i = rng.randint(1, orgs)
        name = company(i).lower()
        kind = k % 9
        if kind == 0:
            out.append(name[: rng.randint(1, 2)])  # very short prefixes: many matches, limit applies
        elif kind == 1:
            out.append(name[: rng.randint(3, 6)])
        elif kind == 2:
            out.append(name)
        elif kind == 3:
            out.append(f"person{i}@{name.replace(' ', '')}.example")
        elif kind == 4:
            out.append(f"{name.replace(' ', '')}.example")
        elif kind == 5:
            out.append(f"#{i}")
        elif kind == 6:
            out.append("zzqx" + str(i))  # a miss: prefix fails, then the substring scan runs
        elif kind == 7:
            out.append(name.split()[1][1:5])  # a substring from inside a name
        else:  # a Korean name typed the other way round: spaces added, or taken out
            ko = company(rng.randint(1, orgs // 5) * 5).rsplit(" ", 1)[0]
            out.append(ko.replace(" ", "") if " " in ko else f"{ko[:2]} {ko[2:]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orgs", type=int, default=100_000)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    path = ROOT / "bench" / "out" / f"find_show_v2_{a.orgs}_{a.entries}.db"  # v2: Korean names among them
    if a.rebuild or not path.exists():
        print(f"Building {a.orgs:,} organizations and {a.entries:,} timeline entries ...")
        build(path, a.orgs, a.entries)
    db = Database(f"sqlite:///{path}")
    db.migrate()  # a database cached by an older checkout gets the newest indexes
    with db.read() as s:
        counts = {t.__tablename__: s.scalar(select(func.count()).select_from(t))
                  for t in (Organization, Lead, Activity, StatusChange, Comment, FollowUp, Assignment)}
        biggest = s.execute(select(Activity.lead_id, func.count()).group_by(Activity.lead_id)
                            .order_by(func.count().desc()).limit(1)).one()
    timeline = sum(v for k, v in counts.items() if k not in ("organization", "lead"))
    print(f"Data: {counts['organization']:,} organizations, {counts['lead']:,} leads, {timeline:,} timeline "
          f"entries (busiest lead #{biggest[0]}: {biggest[1]:,} activities)")

    qs = queries(a.orgs, a.queries)
    rng = random.Random(5)
    show_ids = [biggest[0]] * 20 + [rng.randint(1, a.orgs) for _ in range(a.queries - 20)]
    for q in qs[:20]:  # warm the page cache and SQLAlchemy's statement cache, as a running bot has
        leads.search(db, TEAM, q)
    results: dict[str, list[float]] = {"find": [], "show": [], "show (busiest lead)": []}
    hits = 0
    for q in qs:
        t = time.perf_counter()
        found = leads.search(db, TEAM, q)
        lists.find_results(q, found, "Asia/Seoul", NOW)
        results["find"].append((time.perf_counter() - t) * 1000)
        hits += bool(found)
    for k, lead_id in enumerate(show_ids):
        t = time.perf_counter()
        ref = f"#{lead_id}"
        lead = leads.resolve_lead(db, TEAM, ref)[0]
        detail = leads.lead_detail(db, TEAM, lead.id)
        lead_360.lead_360(detail, "Asia/Seoul", NOW)
        results["show (busiest lead)" if k < 20 else "show"].append((time.perf_counter() - t) * 1000)

    print(f"\n{'command':<22}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, v in results.items():
        print(f"{name:<22}{len(v):>6}{statistics.median(v):>9.2f}{pct(v, 95):>9.2f}{pct(v, 99):>9.2f}"
              f"{max(v):>9.2f}")
    print(f"\nfind answered {hits}/{len(qs)} queries with at least one lead")
    ok = all(pct(v, 95) < 50 for v in results.values())
    print(f"target find/show p95 < 50 ms: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

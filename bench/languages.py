"""What speaking two languages costs: rendering the busiest views in English and in Korean, and finding a
reader's language (their member row, else the workspace's) with 10,000 and 100,000 members.

    .venv/bin/python bench/languages.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.i18n import speaking  # noqa: E402
from bot.views.lead_360 import lead_360  # noqa: E402
from bot.views.lead_card import lead_card, thread_line  # noqa: E402
from bot.views.reminder_dm import digest_message  # noqa: E402
from store.db import Database  # noqa: E402
from store.dto import (  # noqa: E402
    ChangeRecord, ContactInfo, FollowUpInfo, FollowUpItem, FollowUpList, LeadDetail, LeadSummary, TimelineEntry,
)
from store.models import Member, Team  # noqa: E402
from store.services import languages  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def summary(i: int) -> LeadSummary:
    return LeadSummary(id=i, team_id="T1", organization_id=i, company=f"부산 베이커리 {i}", domain="busan.kr",
                       status="Qualifying", status_since=NOW, is_open=True, owner_id="U1", segment="SMB",
                       source="Referral", arrived_at=NOW, first_touch_at=None,
                       contact=ContactInfo(1, "김지은", "대표", "jieun@busan.kr", "010-2345-6789"),
                       follow_up=FollowUpInfo(1, NOW + timedelta(days=1), "샘플 확인", "U1", "open"),
                       card_channel="C1", card_ts="1.2", card_permalink="https://x.slack.com/archives/C1/p12")


def views() -> dict[str, callable]:
    entries = [TimelineEntry(NOW - timedelta(hours=i), "activity", "U1", "Call", "No answer", "전화했는데 부재중")
               for i in range(50)]
    detail = LeadDetail(summary(1), [ContactInfo(1, "김지은", None, None, None)], entries, "meaning", 50)
    items = FollowUpList([FollowUpItem(FollowUpInfo(i, NOW - timedelta(hours=i), "샘플", "U1", "open"), summary(i))
                          for i in range(40)], 40)
    change = ChangeRecord(actor_id="U1", activity="Call", outcome="No answer", note="전화했는데 부재중",
                          status_from="Potential", status_to="Qualifying")
    return {"lead card": lambda: lead_card(summary(1), "Asia/Seoul"),
            "thread line": lambda: thread_line(change, "Asia/Seoul"),
            "360 view (50 entries)": lambda: lead_360(detail, "Asia/Seoul", NOW),
            "digest (80 items)": lambda: digest_message(items, items, "Asia/Seoul", NOW)}


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def members_db(n: int, folder: Path) -> Database:
    db = Database(f"sqlite:///{folder}/members-{n}.db")
    db.migrate()
    with db.write() as s:
        s.add(Team(id="T1", created_at=NOW, settings={"language": "ko"}))
        s.flush()
        s.execute(insert(Member), [{"team_id": "T1", "user_id": f"U{i:07d}", "tz": "Asia/Seoul", "fetched_at": NOW,
                                    "locale": "ko-KR" if i % 3 else ("en-US" if i % 2 else None)}
                                   for i in range(n)])
    return db


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2000)
    args = ap.parse_args()
    print(f"{'view':<24}{'en p50 µs':>11}{'en p95':>9}{'ko p50 µs':>11}{'ko p95':>9}")
    for name, fn in views().items():
        with speaking("en"):
            fn()
            en = timed(fn, args.runs)
        with speaking("ko"):
            fn()
            ko = timed(fn, args.runs)
        print(f"{name:<24}{en[0]:>11.0f}{en[1]:>9.0f}{ko[0]:>11.0f}{ko[1]:>9.0f}")
    print()
    print(f"{'members':>10}{'reader language p50 µs':>25}{'p95':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for n in (10_000, 100_000):
            db = members_db(n, Path(folder))
            ids = [f"U{i:07d}" for i in range(0, n, max(1, n // 997))]
            k = iter(range(10**9))

            def lookup():
                languages.language_of(db, "T1", ids[next(k) % len(ids)], "en")

            lookup()
            p50, p95 = timed(lookup, args.runs)
            print(f"{n:>10,}{p50:>25.0f}{p95:>8.0f}")
            db.dispose()


if __name__ == "__main__":
    main()

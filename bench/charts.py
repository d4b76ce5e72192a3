"""Every chart the bot draws, from the tests' November data set (tests/reports/dataset.py), saved into
docs/charts/ for the README, each timed.

    .venv/bin/python bench/charts.py [--runs 20]

Exits 0 when every chart is drawn in ≤ 300 ms (p95).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.views.home import home_charts  # noqa: E402
from bot.views.report import report_charts  # noqa: E402
from store.clock import FixedClock  # noqa: E402
from store.db import Database  # noqa: E402
from store.dto.reports import Scope  # noqa: E402
from store.services import home, reports  # noqa: E402
from tests.reports.dataset import ALICE, BOB, REPORT_AT, T, build  # noqa: E402

OUT = ROOT / "docs" / "charts"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/charts.db")
        db.migrate()
        clock = FixedClock(REPORT_AT)
        build(db, clock)
        data = reports.report(db, clock, T, reports.period_of("2026-11", "UTC", REPORT_AT), Scope())
        manager = home.home_data(db, clock, T, ALICE, "UTC", manager=True)
        rep = home.home_data(db, clock, T, BOB, "UTC", manager=False)
        db.dispose()
    pictures = report_charts(data) + [c for c in home_charts(manager, "KRW") if c.key != "home-stages"] + [
        c for c in home_charts(rep, "KRW") if c.key == "home-stages"]
    print("| chart                  |  n | p50 ms | p95 ms | file |\n|------------------------|---:|-------:|-------:|------|")
    ok = True
    for chart in pictures:
        times = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            png = chart.png
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        ok &= p95 <= 300
        (OUT / f"{chart.key}.png").write_bytes(png)
        print(f"| {chart.key:<22} | {len(times):>2} | {statistics.median(times):6.1f} | {p95:6.1f} | "
              f"docs/charts/{chart.key}.png |")
    print(f"\ntarget p95 ≤ 300 ms per chart: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

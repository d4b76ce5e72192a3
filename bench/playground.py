"""The playground as a newcomer meets it: from `python app.py` (no token, an empty folder) to the page answering,
then 50 `/lead` commands typed in a real browser (Debian's Chromium), each timed from Enter until its answer shows.

    .venv/bin/python bench/playground.py [--commands 50] [--pause 0.3]

Prints a table; exits 0 when start-up takes under 3 s and the answers' p95 is under 500 ms.
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

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.playground.browser import Person, launch, start  # noqa: E402

COMMANDS = ["find shop", "show seoul", "mine", "list potential", "pipeline", "show 부산", "find incheon", "help",
            "list type:agency", "digest"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commands", type=int, default=50)
    ap.add_argument("--pause", type=float, default=0.3, help="seconds between commands (a person reading)")
    a = ap.parse_args()
    starts = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(3):  # a fresh folder each time: migrations, seed, first page
            folder = Path(tmp, f"run{i}")
            folder.mkdir()
            pg = start(folder)
            starts.append(pg.started)
            if i < 2:
                pg.stop()
        answers = []
        try:
            with sync_playwright() as p:
                browser = launch(p)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                who = Person(page, pg.url)
                who.open()
                who.be("Minjun Kim")
                page.wait_for_function("document.querySelectorAll('#main-list .msg').length >= 11", timeout=20000)
                for n in range(a.commands):
                    before = page.locator("#main-list .msg.ephemeral").count()
                    page.fill("#say", f"/lead {COMMANDS[n % len(COMMANDS)]}")
                    t0 = time.perf_counter()
                    page.press("#say", "Enter")
                    page.wait_for_function(f"document.querySelectorAll('#main-list .msg.ephemeral').length > {before}",
                                           timeout=10000)
                    answers.append((time.perf_counter() - t0) * 1000)
                    time.sleep(a.pause)
                browser.close()
        finally:
            pg.stop()
    print("| measure                                   |  n |    p50 |    p95 |    max |")
    print("|-------------------------------------------|---:|-------:|-------:|-------:|")
    print(f"| `python app.py` → the page answers (s)     | {len(starts):>2} | {statistics.median(starts):6.2f} | "
          f"{pct(starts, 95):6.2f} | {max(starts):6.2f} |")
    print(f"| command typed → its answer shows (ms)      | {len(answers):>2} | {statistics.median(answers):6.0f} | "
          f"{pct(answers, 95):6.0f} | {max(answers):6.0f} |")
    ok = max(starts) < 3 and pct(answers, 95) < 500
    print(f"\ntargets (start-up < 3 s, answers p95 < 500 ms): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The reps of the ack benchmarks, in a process of their own.

A rep's clock must not share an interpreter with the fake Web API: the bot's `views.open` calls (a modal's JSON
parsed and checked against Block Kit's limits) would then hold the timing threads' interpreter lock, and their
acks would be measured late by the benchmark, not by the bot (the floor makes no Web API calls, so only the bot
paid for it). Slack's edge and its Web API are different machines; here they are two processes on the same
cores, which is still pessimistic.

`run(...)` starts `python -m bench.reps`, hands it the plan on stdin and reads back, for each command, when it
was sent (the machine's monotonic clock), how long its answer took and its status. Triggers are stamped by the
reps themselves (`trig-<monotonic ns>`); `StampedTriggers` lets the fake Web API honour them with Slack's
3-second window, each once.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sent:
    at: float  # time.monotonic() when the command left
    elapsed: float  # seconds to its answer
    status: int


class StampedTriggers(dict):
    """The fake Web API's triggers, plus those the reps' process stamped (`trig-<monotonic ns>`)."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()

    def get(self, key, default=None):
        if key in self:
            return super().get(key)
        if key in self.used or not str(key).startswith("trig-"):
            return default
        try:
            return int(key[5:]) / 1e9
        except ValueError:
            return default

    def __delitem__(self, key) -> None:
        self.used.add(key)
        self.pop(key, None)


def run(*, bot_url: str, secret: str, hooks_url: str, teams: list[str], companies: list[str], users: int,
        per_user: int, pause: float, seed: int = 7) -> list[Sent]:
    """Play `users` reps in a child process, each `/lead update <company>` by `U<team>` of a random workspace of
    `teams`, rounds `pause` seconds apart (0: no pause, no rounds)."""
    plan = dict(bot_url=bot_url, secret=secret, hooks_url=hooks_url, teams=teams, companies=companies, users=users,
                per_user=per_user, pause=pause, seed=seed)
    out = subprocess.run([sys.executable, "-m", "bench.reps"], cwd=ROOT, input=json.dumps(plan), text=True,
                         capture_output=True, check=True)
    return [Sent(*row) for row in json.loads(out.stdout)]


def _play(plan: dict) -> list[tuple]:
    sys.path.insert(0, str(ROOT))
    from tests.slack_driver import SlackDriver

    driver = SlackDriver(plan["bot_url"], plan["secret"], None, None)  # type: ignore[arg-type]
    users, per_user, pause, teams = plan["users"], plan["per_user"], plan["pause"], plan["teams"]
    companies, rnd, lock = plan["companies"], random.Random(plan["seed"]), threading.Lock()
    line = threading.Barrier(users)
    sent: list[tuple] = []
    hooks = itertools.count(1)

    def rep(_u: int) -> None:
        for _ in range(per_user):
            if pause:
                line.wait()
            with lock:
                team, company, hook = teams[rnd.randrange(len(teams))], rnd.choice(companies), next(hooks)
            body = urlencode({"command": "/lead", "text": f'update "{company}"', "team_id": team,
                              "user_id": f"U{team}", "channel_id": "C1", "trigger_id": f"trig-{time.monotonic_ns()}",
                              "response_url": f"{plan['hooks_url']}response/{hook}", "api_app_id": "A1"})
            at = time.monotonic()
            r = driver.post(body, "application/x-www-form-urlencoded", wait=False)
            with lock:
                sent.append((at, r.elapsed, r.status))
            if pause:
                time.sleep(pause)

    with ThreadPoolExecutor(users) as pool:
        list(pool.map(rep, range(users)))
    return sent


if __name__ == "__main__":
    print(json.dumps(_play(json.load(sys.stdin))))

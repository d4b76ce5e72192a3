"""Fixed background sweeps (not one job per record), run inside the bot process by APScheduler 3, and the
notifier loop beside them.

Every `CRM_SWEEP_SECONDS`: owed card posts, and follow-ups (nudges, repeats, escalations, digests); and
(at most once a minute) the workspaces: tokens about to expire are rotated, teams gone 30 days purged.
Each sweep reads the database for due work; claims in the database keep several processes apart. The
notifier loop delivers what is owed as soon as it falls due (a follower's DM, a Home refresh), woken by
the listeners that queue it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from bot.crm import Crm
from bot.notifier import NotifierLoop, Notifiers
from scheduler import jobs


def build_notifier(crm: Crm) -> Notifiers:
    return Notifiers(crm, crm.stopping)


class Sweeps:
    """What runs in the background: the scheduler's sweeps and the notifier loop (one notifier, so one
    pace per Web API method, shared by both)."""

    def __init__(self, sched: BackgroundScheduler, loop: NotifierLoop) -> None:
        self.sched, self.loop = sched, loop


def timed(job):
    """A sweep that logs how long it ran when that was long enough to notice (it shares the process with
    the listeners)."""
    import functools
    import logging
    import time

    log = logging.getLogger("scheduler")

    @functools.wraps(job)
    def run(*args):
        started = time.perf_counter()
        try:
            return job(*args)
        finally:
            took = time.perf_counter() - started
            if took > SLOW:
                log.info("sweep %s took %.0f ms", job.__name__, took * 1000)

    return run


INBOX_SECONDS = 5.0  # how often unfinished inbox rows are looked for (their lease: store/services/inbox.py)
SLOW = float(__import__("os").environ.get("CRM_SLOW_SWEEP", "0.1"))  # seconds


def start(crm: Crm) -> Sweeps:
    sched = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                              "misfire_grace_time": None})
    every = crm.settings.crm_sweep_seconds
    notifier = build_notifier(crm)
    now = datetime.now(timezone.utc)  # the first run at once: after a restart nothing owed waits a whole period
    sched.add_job(timed(jobs.deliver_owed_posts), "interval", seconds=every, args=(crm,), id="deliver_owed_posts",
                  next_run_time=now)
    sched.add_job(timed(jobs.keep_workspaces), "interval", seconds=max(every, 60), args=(crm,), id="keep_workspaces",
                  next_run_time=now)
    sched.add_job(timed(jobs.sweep_follow_ups), "interval", seconds=every, args=(crm, notifier), id="sweep_follow_ups",
                  next_run_time=now)
    # stored requests left unfinished: at once after a start (a crash's leftovers), then every few seconds
    sched.add_job(timed(jobs.replay_inbox), "interval", seconds=min(every, INBOX_SECONDS), args=(crm,),
                  id="replay_inbox", next_run_time=now)
    sched.start()
    loop = NotifierLoop(crm, notifier, idle=every)
    loop.start()
    return Sweeps(sched, loop)


def stop(crm: Crm, sweeps: Sweeps) -> None:
    """Let a sweep finish the DM it is sending (sends are claimed one by one), then stop."""
    crm.stopping.set()
    crm.wake.set()
    sweeps.sched.shutdown(wait=True)
    sweeps.loop.join(timeout=30)
    if crm.marks is not None:
        crm.marks.flush()  # the last done marks of the inbox

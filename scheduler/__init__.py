"""Fixed background sweeps (not one job per record), run inside the bot process by APScheduler 3."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.deps import Crm
from scheduler import jobs


def start(crm: Crm, client: WebClient) -> BackgroundScheduler:
    sched = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    sched.add_job(jobs.deliver_owed_posts, "interval", seconds=crm.settings.crm_sweep_seconds, args=(crm, client),
                  id="deliver_owed_posts")
    sched.start()
    return sched

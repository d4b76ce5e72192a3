"""The sweeps. Each reads the database for due work; claims in the database keep processes apart."""

from __future__ import annotations

import logging

from bot import people
from bot.delivery import deliver_lead
from bot.crm import Crm
from bot.notifier import Notifiers
from bot.workspaces import NotInstalled
from store.services import channels, inbox, nudges, outbox, routing, tenancy, weekly_report

PLAN_BATCH = 500
BREACH_BATCH = 200

log = logging.getLogger(__name__)


def deliver_owed_posts(crm: Crm, *, limit: int = 200) -> int:
    """Cards and thread lines whose first delivery failed (429, Slack error, crash): deliver them now, each
    with its workspace's token. A workspace the app has left gets nothing: its posts are dropped."""
    delivered = 0
    for team_id, lead_id in outbox.due_leads(crm.db, crm.clock, limit=limit):
        try:
            result = deliver_lead(crm.workspaces.client(team_id), crm, team_id, lead_id)
        except NotInstalled:
            tenancy.uninstalled(crm.db, crm.clock, team_id, "no installation")  # not translated: an audit reason
            continue
        except Exception:
            log.exception("sweep: delivering lead %s failed; it stays queued", lead_id)
            continue
        delivered += result.error is None
    return delivered


def sweep_follow_ups(crm: Crm, notifier: Notifiers) -> int:
    """Plan due nudges, repeats, escalations, digests, weekly reports and first-touch SLA breaches, then send what is
    owed (for at most about one
    sweep period, so planning stays fresh; what is left goes out in the next run)."""
    for team_id, user_id in nudges.owners_to_profile(crm.db, crm.clock):
        try:
            people.member(notifier.client(team_id), crm, team_id, user_id)  # their zone: their digest time
        except NotInstalled:
            continue
        except Exception:  # noqa: BLE001 - a profile we cannot read must not stop the sweep
            log.warning("sweep: no profile for %s", user_id, exc_info=True)
    refresh_availability(crm, notifier)
    while nudges.plan_nudges(crm.db, crm.clock, limit=PLAN_BATCH) == PLAN_BATCH and not crm.stopping.is_set():
        pass
    nudges.plan_digests(crm.db, crm.clock)
    weekly_report.plan(crm.db, crm.clock)
    breached = BREACH_BATCH
    while breached == BREACH_BATCH and not crm.stopping.is_set():
        breached = routing.breach_slas(crm.db, crm.clock, limit=BREACH_BATCH)
        if breached:  # the thread line, the card edit and a reassigned owner's DM go out now, not next sweep
            deliver_owed_posts(crm)
    return notifier.deliver_due(budget=max(5.0, crm.settings.crm_sweep_seconds))


def refresh_availability(crm: Crm, notifier: Notifiers) -> None:
    """Do-not-disturb of the people routing may pick, read again when older than people.DND_MAX_AGE
    (dnd_updated_user events keep it current in between; statuses come with user_change events)."""
    for team_id, user_ids in routing.queue_members(crm.db).items():
        if crm.stopping.is_set():
            return
        try:
            people.refresh_dnd(notifier.client(team_id), crm, team_id, user_ids)
        except NotInstalled:
            continue
        except Exception:  # noqa: BLE001 - availability must never stop the sweep
            log.warning("sweep: do-not-disturb of %s not read", team_id, exc_info=True)


def replay_inbox(crm: Crm, *, limit: int = 200) -> int:
    """Requests stored but not finished (the process that took them died, or their listener failed): processed
    again, oldest first, each by one replica. At start and every few seconds."""
    if crm.replay is None:
        return 0
    done = 0
    for row in inbox.claim(crm.db, crm.clock, limit=limit):
        if crm.stopping.is_set():
            break
        try:
            crm.replay(row)
            done += 1
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the others
            log.warning("inbox: replaying %s failed", row.key, exc_info=True)
            inbox.finish(crm.db, crm.clock, row.key, row.token, repr(exc)[:200])
    if done:
        log.info("inbox: processed %s stored requests again", done)
    return done


def keep_workspaces(crm: Crm) -> None:
    """OAuth mode: rotate the tokens that expire soon (ahead of any request), and purge the data of teams
    that left more than tenancy.PURGE_AFTER ago."""
    try:
        rotated = crm.workspaces.refresh_tokens()
        if rotated:
            log.info("sweep: rotated %s bot tokens", rotated)
    except Exception:  # noqa: BLE001 - the next sweep tries again; Bolt rotates on a request meanwhile
        log.exception("sweep: token rotation failed")
    channels.drop_old_drafts(crm.db, crm.clock)
    inbox.prune(crm.db, crm.clock)
    for team_id in tenancy.due_for_purge(crm.db, crm.clock):
        deleted = tenancy.purge(crm.db, crm.clock, team_id)
        log.info("sweep: purged %s rows of %s, uninstalled more than %s days ago", deleted, team_id,
                 tenancy.PURGE_AFTER.days)

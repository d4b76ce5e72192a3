"""Nudges, escalations and morning digests: planned by sweeps, delivered exactly once.

Two steps keep "nothing lost, nothing doubled" across retries, crashes and several bot processes:

1. **Plan** (one transaction): due follow-ups are locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite
   serialises writers), a `Notification` row is written under a unique key, and the follow-up's nudging
   state moves on in the same commit. Two sweepers can never plan the same nudge twice.
2. **Deliver**: a notification is claimed (state `sending`, a token) before it is sent and marked `sent`
   only when Slack said ok. A failure releases it for a later attempt. A claim older than the lease is
   taken over, which is the one window where a DM can arrive twice: a crash after Slack accepted it and
   before the commit.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto import (
    FollowUpInfo,
    FollowUpItem,
    FollowUpList,
    NudgeData,
    NudgePolicy,
    Owed,
)
from store.models import FollowUp, Lead, Member, Notification, Organization
from store.services import best_time, team_settings
from store.services.snapshots import _lead_query, summaries
from store.services.tenancy import active
from store.services.work_queue import WorkQueue

QUEUE = WorkQueue(Notification, lease=timedelta(minutes=2), max_attempts=12, backoff="exponential")
LEASE = QUEUE.lease
LIST_LIMIT = 15  # follow-ups listed in one escalation or digest; the rest are counted


# ----------------------------------------------------------------------------------------- planning


def owe(s: Session, team_id: str, kind: str, key: str, user_id: str, now: datetime, *,
         follow_up_id: int | None = None, payload: dict | None = None) -> bool:
    """Write the notification unless its key exists (a replay or another sweeper)."""
    try:
        with s.begin_nested():
            s.add(Notification(team_id=team_id, kind=kind, key=key[:200], user_id=user_id, follow_up_id=follow_up_id,
                               payload=payload or {}, state="pending", attempts=0, next_attempt_at=now,
                               created_at=now))
            s.flush()
        return True
    except IntegrityError:
        return False


def plan_nudges(db: Database, clock: Clock, *, limit: int = 500) -> int:
    """Follow-ups whose next nudge is due: owe their owner a DM (first or repeat), or, once the repeats
    are used up, owe the owner's manager one DM about them. Returns how many follow-ups were handled."""
    now = clock.now()
    with db.write() as s:
        due = s.scalars(
            select(FollowUp)
            .where(FollowUp.next_nudge_at <= now, FollowUp.state == "open", active(FollowUp.team_id))
            .order_by(FollowUp.next_nudge_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        policies: dict[str, NudgePolicy] = {}
        escalate: dict[tuple[str, str], list[int]] = defaultdict(list)
        for f in due:
            pol = policies.get(f.team_id) or policies.setdefault(f.team_id, team_settings.policy(s, f.team_id))
            if f.nudges_sent <= pol.max_repeats:
                owe(s, f.team_id, "nudge", f"nudge:{f.id}:{int(f.due_at.timestamp())}:{f.owner_id}:{f.nudges_sent}", f.owner_id,
                     now, follow_up_id=f.id, payload={"number": f.nudges_sent + 1})
                f.nudges_sent += 1
                f.next_nudge_at = now + pol.repeat
            else:
                f.next_nudge_at = None
                if pol.escalate and f.escalated_at is None:
                    f.escalated_at = now
                    escalate[(f.team_id, f.owner_id)].append(f.id)
        for (team_id, owner), ids in escalate.items():
            manager = team_settings.manager_of(s, team_id, owner, policies[team_id])
            if manager:
                owe(s, team_id, "escalation", f"escalation:{owner}:{min(ids)}:{now.isoformat()}", manager, now,
                     payload={"owner": owner, "follow_up_ids": ids})
        return len(due)


def owners_to_profile(db: Database, clock: Clock, *, limit: int = 200) -> list[tuple[str, str]]:
    """Owners of soon-due follow-ups the CRM has no time zone for yet (the Slack edge looks them up)."""
    now = clock.now()
    with db.read() as s:
        rows = s.execute(
            select(FollowUp.team_id, FollowUp.owner_id).distinct()
            .outerjoin(Member, and_(Member.team_id == FollowUp.team_id, Member.user_id == FollowUp.owner_id))
            .where(FollowUp.state == "open", FollowUp.due_at < now + timedelta(hours=40), Member.user_id.is_(None),
                   active(FollowUp.team_id))
            .limit(limit)
        ).all()
        return [(r[0], r[1]) for r in rows]


def _local_day(now: datetime, tz: str) -> tuple[datetime, datetime, datetime]:
    """(local now, start of the local day in UTC, end of it in UTC)."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    start = datetime.combine(local.date(), time(0), zone)
    end = datetime.combine(local.date() + timedelta(days=1), time(0), zone)
    return local, start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def plan_digests(db: Database, clock: Clock) -> int:
    """Owe a morning digest to each member whose digest time has come today (weekdays, their zone) and
    who has something due today or overdue. Keyed by the local date: once a day, whatever happens."""
    now = clock.now()
    planned = 0
    with db.write() as s:
        owners = s.execute(
            select(FollowUp.team_id, FollowUp.owner_id).distinct()
            .where(FollowUp.state == "open", FollowUp.due_at < now + timedelta(hours=40), active(FollowUp.team_id))
        ).all()
        policies: dict[str, NudgePolicy] = {}
        for team_id, owner in owners:
            m = s.get(Member, (team_id, owner))
            if m is None or not m.digest_enabled or m.is_bot:
                continue
            pol = policies.get(team_id) or policies.setdefault(team_id, team_settings.policy(s, team_id))
            local, _start, end = _local_day(now, m.tz or "UTC")
            hh, mm = (int(x) for x in (m.digest_time or "09:00").split(":"))
            at = local.replace(hour=hh, minute=mm, second=0, microsecond=0)
            if local.weekday() >= 5 or not at <= local < at + timedelta(hours=pol.digest_window_hours):
                continue
            has_any = s.scalar(
                select(FollowUp.id).where(FollowUp.team_id == team_id, FollowUp.owner_id == owner,
                                          FollowUp.state == "open", FollowUp.due_at < end).limit(1)
            )
            if has_any and owe(s, team_id, "digest", f"digest:{owner}:{local.date().isoformat()}", owner, now,
                                payload={"date": local.date().isoformat()}):
                planned += 1
    return planned


# ----------------------------------------------------------------------------------------- delivery


def claim(db: Database, clock: Clock, *, limit: int = 50) -> list[Owed]:
    """Take up to `limit` notifications to send: pending ones that are due, and stale claims."""
    now = clock.now()
    token = secrets.token_hex(8)
    with db.write() as s:
        rows = list(s.scalars(
            select(Notification)
            .where(QUEUE.due(now))
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ))
        if len(rows) < limit:
            rows += s.scalars(
                select(Notification)
                .where(QUEUE.stale(now))
                .order_by(Notification.id)
                .limit(limit - len(rows))
                .with_for_update(skip_locked=True)
            )
        for n in rows:
            QUEUE.take(n, token, now)
        return [Owed(n.id, n.team_id, n.kind, n.user_id, n.follow_up_id, dict(n.payload or {}), token, n.attempts)
                for n in rows]


def renew(db: Database, clock: Clock, token: str, ids: list[int]) -> set[int]:
    """Keep a claim alive while its holder is still sending it (a slow batch must not outlive the lease and be
    taken over): `claimed_at` moves to now. Returns the ids still held under `token`; one taken over
    meanwhile (its holder stalled past the lease) is not ours to send any more. Primary-key reads only."""
    if not ids:
        return set()
    held = and_(Notification.id.in_(ids), Notification.claim_token == token, Notification.state == "sending")
    with db.write() as s:
        s.execute(update(Notification).where(held).values(claimed_at=clock.now()))
        return set(s.scalars(select(Notification.id).where(held)))


def next_due(db: Database):
    """When the earliest pending notification falls due (None: nothing pending): the notifier loop sleeps
    until then. One read of `ix_notification_pending`."""
    with db.read() as s:
        return s.scalar(select(func.min(Notification.next_attempt_at)).where(Notification.state == "pending"))


def _finish(db: Database, owed: Owed, **values) -> bool:
    """One conditional UPDATE on a bare connection (once per DM sent: no ORM session needed)."""
    with db.write_core() as conn:
        done = conn.execute(
            update(Notification)
            .where(Notification.id == owed.id, Notification.claim_token == owed.token, Notification.state == "sending")
            .values(**{"claim_token": None, **values})
        )
        return done.rowcount == 1


def mark_sent(db: Database, clock: Clock, owed: Owed, channel: str | None, ts: str | None) -> bool:
    return _finish(db, owed, state="sent", channel=channel, ts=ts, sent_at=clock.now(), last_error=None)


def skip(db: Database, owed: Owed, reason: str) -> bool:
    """Nothing to say any more (the follow-up was closed, the digest is empty)."""
    return _finish(db, owed, state="skipped", last_error=reason[:200])


def unclaim(db: Database, owed: Owed) -> bool:
    """Hand a claimed notification back untried (the sweep ran out of time or the bot is stopping)."""
    return _finish(db, owed, state="pending", attempts=owed.attempts - 1)


def release(db: Database, clock: Clock, owed: Owed, error: str, *, retry_in: timedelta | None = None,
            permanent: bool = False) -> bool:
    """Sending failed: try again later (backing off), or give up after the queue's attempts / a permanent error."""
    return _finish(db, owed, **QUEUE.released(owed.attempts, error, clock.now(), permanent=permanent,
                                              retry_in=retry_in.total_seconds() if retry_in else None))


# ----------------------------------------------------------------------------------------- reading


def _items(s: Session, team_id: str, follow_ups: list[FollowUp]) -> list[FollowUpItem]:
    if not follow_ups:
        return []
    lead_ids = list({f.lead_id for f in follow_ups})
    leads = {lead.id: lead for lead in s.scalars(_lead_query(team_id).where(Lead.id.in_(lead_ids))).unique()}
    by_id = {summary.id: summary for summary in summaries(s, team_id, list(leads.values()), with_deals=False)}
    return [FollowUpItem(FollowUpInfo(f.id, f.due_at, f.note, f.owner_id, f.state), by_id[f.lead_id])
            for f in follow_ups if f.lead_id in by_id]


def follow_up_item(db: Database, team_id: str, follow_up_id: int) -> FollowUpItem | None:
    with db.read() as s:
        f = s.scalar(select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.id == follow_up_id))
        items = _items(s, team_id, [f]) if f else []
        return items[0] if items else None


def nudge_data(db: Database, owed: Owed) -> NudgeData | None:
    """What the nudge says; None when the follow-up is no longer open (nothing to nudge about)."""
    with db.read() as s:
        f = s.scalar(select(FollowUp).where(FollowUp.team_id == owed.team_id, FollowUp.id == owed.follow_up_id))
        if f is None or f.state != "open" or f.owner_id != owed.user_id:
            return None  # done meanwhile, or reassigned (the new owner is nudged on their own)
        pol = team_settings.policy(s, owed.team_id)
        item = _items(s, owed.team_id, [f])[0]
        hours = best_time.contact_hours(s.get(Organization, item.lead.organization_id))
        return NudgeData(item, int(owed.payload.get("number", 1)), pol.max_repeats, pol.repeat,
                         None if hours.empty else hours)


def _listed(s: Session, team_id: str, where: tuple, *, limit: int = LIST_LIMIT, offset: int = 0,
            count_cap: int = 10_000) -> FollowUpList:
    """Follow-ups matching `where`, soonest due first: a page of them and how many more there are."""
    rows = list(s.scalars(select(FollowUp).where(*where).order_by(FollowUp.due_at, FollowUp.id)
                          .limit(limit).offset(offset)))
    total = s.scalar(select(func.count()).select_from(select(FollowUp.id).where(*where).limit(count_cap)
                                                      .subquery())) or 0
    return FollowUpList(_items(s, team_id, rows), max(0, total - offset - len(rows)))


def overdue_of(db: Database, clock: Clock, team_id: str, owner_id: str) -> FollowUpList:
    """The owner's open follow-ups that are past due, oldest first (an escalation lists them)."""
    now = clock.now()
    with db.read() as s:
        return _listed(s, team_id, (FollowUp.team_id == team_id, FollowUp.owner_id == owner_id,
                                    FollowUp.state == "open", FollowUp.due_at < now))


def due_lists(s: Session, clock: Clock, team_id: str, user_id: str, tz: str, *, limit: int = LIST_LIMIT,
              offset: int = 0) -> tuple[FollowUpList, FollowUpList]:
    """(overdue, due later today in the member's zone), each a page and how many more."""
    now = clock.now()
    _local, _start, end = _local_day(now, tz)
    base = (FollowUp.team_id == team_id, FollowUp.owner_id == user_id, FollowUp.state == "open")
    return (_listed(s, team_id, (*base, FollowUp.due_at < now), limit=limit, offset=offset),
            _listed(s, team_id, (*base, FollowUp.due_at >= now, FollowUp.due_at < end), limit=limit, offset=offset))


def due_by_tonight(s: Session, clock: Clock, team_id: str, user_id: str, tz: str, *, limit: int = LIST_LIMIT,
                   offset: int = 0) -> FollowUpList:
    """Overdue and due later today in one list, oldest first (a page of it and how many more)."""
    _local, _start, end = _local_day(clock.now(), tz)
    return _listed(s, team_id, (FollowUp.team_id == team_id, FollowUp.owner_id == user_id, FollowUp.state == "open",
                                FollowUp.due_at < end), limit=limit, offset=offset)


def digest_data(db: Database, clock: Clock, team_id: str, user_id: str, tz: str) -> tuple[FollowUpList, FollowUpList]:
    """(overdue, due later today in the member's zone)."""
    with db.read() as s:
        return due_lists(s, clock, team_id, user_id, tz)

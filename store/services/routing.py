"""Round-robin routing: queues, who is away, the rotation, Accept / Pass, and the first-touch SLA.

The rotation is smooth weighted round robin (each pick: every available member's `current` grows by
their weight, the largest wins and gives back the total), so equal weights never differ by more than
one and weight 2 gets twice the leads. Its state is `queue_member.current` in the database, changed in
the transaction that assigns the lead, with the queue row locked (`FOR UPDATE` on PostgreSQL; SQLite
serialises writers): concurrent leads, in one process or several, never take the same slot.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto import ChangeRecord, Handled, NudgePolicy, QueueInfo, Routed
from store.errors import Invalid, NotFound
from store.models import Assignment, FollowUp, Lead, Member, QueueMember, RoutingQueue
from store.services import followers, home_refresh, outbox
from store.services.members import (
    can_manage,
    member_row,
    require_manager,
    require_person,
)
from store.services.availability import Unavailable, unavailable
from store.services.nudges import owe
from store.services.once import once
from store.services.pipeline import ensure_team
from store.services.snapshots import lead_summary, load_lead
from store.services.team_settings import manager_of, policy
from store.services.tenancy import active
from store.text import clean
from store.vocabulary import ON_BREACH  # noqa: F401 - re-exported

FOREVER = datetime(9999, 1, 1, tzinfo=timezone.utc)  # "away" with no end date


_SLA = re.compile(r"^\s*(\d{1,5})\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?)\s*$", re.I)


def parse_sla(text: str | None) -> int:
    """'45m', '1h', '2d' → minutes (1 minute to 30 days); empty → 60."""
    if not (text or "").strip():
        return 60
    m = _SLA.match(text or "")
    if not m:
        raise Invalid("sla_not_duration", field="sla", text=(text or "")[:30])
    minutes = int(m.group(1)) * {"m": 1, "h": 60, "d": 1440}[m.group(2)[0].lower()]
    if not 1 <= minutes <= 30 * 1440:
        raise Invalid("sla_range", field="sla")
    return minutes


def _info(s: Session, q: RoutingQueue) -> QueueInfo:
    members = s.execute(select(QueueMember.user_id, QueueMember.weight).where(QueueMember.queue_id == q.id)
                        .order_by(QueueMember.position)).all()
    return QueueInfo(q.id, q.name, q.channel_id, q.segment, q.sla_minutes, q.on_breach, q.is_default,
                     [(u, w) for u, w in members], q.created_by, q.routed)


def list_queues(db: Database, team_id: str, *, by: str | None = None) -> list[QueueInfo]:
    """The team's queues; `by` (a person) must be a manager."""
    if by is not None:
        require_manager(db, team_id, by, "routing")
    with db.read() as s:
        rows = s.scalars(select(RoutingQueue).where(RoutingQueue.team_id == team_id)
                         .order_by(RoutingQueue.position, RoutingQueue.id)).all()
        return [_info(s, q) for q in rows]


def get_queue(db: Database, team_id: str, queue_id: int) -> QueueInfo:
    with db.read() as s:
        q = s.scalar(select(RoutingQueue).where(RoutingQueue.team_id == team_id, RoutingQueue.id == queue_id))
        if q is None:
            raise NotFound("queue_gone")
        return _info(s, q)


def save_queue(db: Database, clock: Clock, team_id: str, actor_id: str, *, name: str, channel_id: str,
               members: list[str], segment: str | None, sla_minutes: int, on_breach: str,
               queue_id: int | None = None, is_default: bool | None = None) -> QueueInfo:
    """Create or edit a queue (managers). Members keep their weight and place in the rotation across edits."""
    require_manager(db, team_id, actor_id, "routing")
    name = clean(name, single_line=True, limit=80) or ""
    if not name:
        raise Invalid("queue_name_missing", field="name")
    if not channel_id:
        raise Invalid("queue_channel_missing", field="channel")
    if not members:
        raise Invalid("queue_members_missing", field="members")
    if on_breach not in ON_BREACH:
        raise Invalid("on_breach_missing", field="on_breach")
    now = clock.now()
    try:
        with db.write() as s:
            ensure_team(s, team_id, clock)
            existing = s.scalars(select(RoutingQueue).where(RoutingQueue.team_id == team_id)).all()
            if queue_id is None:
                q = RoutingQueue(team_id=team_id, created_by=actor_id, created_at=now, routed=0,
                                 position=len(existing), is_default=not existing)
                s.add(q)
            else:
                q = next((x for x in existing if x.id == queue_id), None)
                if q is None:
                    raise NotFound("queue_gone")
            q.name, q.channel_id, q.segment, q.sla_minutes, q.on_breach = (name, channel_id, segment or None,
                                                                         sla_minutes, on_breach)
            if is_default:
                for other in existing:
                    other.is_default = False
                q.is_default = True
            s.flush()
            old = {m.user_id: m for m in s.scalars(select(QueueMember).where(QueueMember.queue_id == q.id))}
            wanted = list(dict.fromkeys(members))
            for user_id in wanted:
                require_person(s, team_id, user_id, "members", code="bot_in_queue")
            s.execute(delete(QueueMember).where(QueueMember.queue_id == q.id,
                                                QueueMember.user_id.not_in(wanted)))
            for pos, user_id in enumerate(wanted):
                m = old.get(user_id)
                if m is None:
                    s.add(QueueMember(queue_id=q.id, user_id=user_id, team_id=team_id, weight=1, current=0,
                                      position=pos, assigned=0))
                else:
                    m.position = pos
            s.flush()
            return _info(s, q)
    except IntegrityError:
        raise Invalid("queue_name_taken", field="name", name=name) from None


def set_weights(db: Database, team_id: str, queue_id: int, weights: dict[str, int], *,
                by: str | None = None) -> QueueInfo:
    """New weights; `by` (a person, not the operator's scripts) must be a manager."""
    if by is not None:
        require_manager(db, team_id, by, "routing")
    for user_id, w in weights.items():
        if not 0 <= w <= 100:
            raise Invalid("weight_range", field=user_id)
    with db.write() as s:
        q = s.scalar(select(RoutingQueue).where(RoutingQueue.team_id == team_id, RoutingQueue.id == queue_id))
        if q is None:
            raise NotFound("queue_gone")
        for m in s.scalars(select(QueueMember).where(QueueMember.queue_id == q.id)):
            if m.user_id in weights:
                m.weight = weights[m.user_id]
        s.flush()
        return _info(s, q)


def set_away(db: Database, clock: Clock, team_id: str, user_id: str, until: datetime | None, *,
             by: str | None = None) -> None:
    """Away until `until` (None: back now). A person (`by`) sets it for others only as a manager."""
    if by is not None and by != user_id:
        require_manager(db, team_id, by, "away")
    with db.write() as s:
        member_row(s, clock, team_id, user_id).away_until = until


def _away(s: Session, team_id: str, user_ids: list[str], now: datetime) -> dict[str, datetime]:
    """Who of these is away now, and until when (one query)."""
    return dict(s.execute(select(Member.user_id, Member.away_until).where(
        Member.team_id == team_id, Member.user_id.in_(user_ids), Member.away_until > now)).all())


def queue_members(db: Database) -> dict[str, list[str]]:
    """Everyone in a routing queue, by workspace (installed ones): whose availability routing reads."""
    with db.read() as s:
        rows = s.execute(select(QueueMember.team_id, QueueMember.user_id).distinct()
                         .where(active(QueueMember.team_id))).all()
    out: dict[str, list[str]] = {}
    for team_id, user_id in rows:
        out.setdefault(team_id, []).append(user_id)
    return out


def away(db: Database, clock: Clock, team_id: str, user_ids: list[str]) -> dict[str, datetime]:
    with db.read() as s:
        return _away(s, team_id, user_ids, clock.now())


# ------------------------------------------------------------------------------------------- routing


def pick_queue(s: Session, team_id: str, segment: str | None) -> RoutingQueue | None:
    queues = s.scalars(select(RoutingQueue).where(RoutingQueue.team_id == team_id)
                       .order_by(RoutingQueue.position, RoutingQueue.id)).all()
    for q in queues:
        if q.segment and segment and q.segment.lower() == segment.lower():
            return q
    return next((q for q in queues if q.is_default), None) or next((q for q in queues if not q.segment), None)


def _name(s: Session, team_id: str, user_id: str) -> str:
    m = s.get(Member, (team_id, user_id))
    return (m.name if m and m.name else None) or user_id


def _until(dt: datetime) -> str:
    return "further notice" if dt.year >= 9000 else f"{dt:%b} {dt.day}"


def _why(u: Unavailable, now: datetime) -> str:
    """Why routing passed someone over, for the assignment notice."""
    if u.why == "crm":
        return f"away until {_until(u.until)}" if u.until else "away"
    if u.why == "status":
        return f"Slack status '{u.status}'"
    hours = max(1, round((u.until - now).total_seconds() / 3600)) if u.until else 1
    return f"do not disturb in Slack for the next {hours} h" if hours < 24 else "do not disturb in Slack"


def route(s: Session, lead: Lead, now: datetime, actor_id: str, *, kind: str = "routed",
          exclude: frozenset[str] = frozenset(), queue: RoutingQueue | None = None,
          prefix: str = "", new_lead: bool = False) -> Routed | None:
    """Give the lead to the next available member of its queue (inside the caller's transaction).

    The queue row is locked first (PostgreSQL; SQLite's writer lock is already held), then the members'
    `current` values are read and moved on with one UPDATE: the lock is held for three statements."""
    queue = queue or pick_queue(s, lead.team_id, lead.segment)
    if queue is None:
        return None
    if s.bind.dialect.name == "postgresql":
        s.execute(select(RoutingQueue.id).where(RoutingQueue.id == queue.id).with_for_update())
    rows = s.execute(select(QueueMember.user_id, QueueMember.weight, QueueMember.current, QueueMember.position)
                     .where(QueueMember.queue_id == queue.id).order_by(QueueMember.position)).all()
    ids = [r.user_id for r in rows]
    away = unavailable(s, lead.team_id, ids, now)
    eligible = [r for r in rows if r.user_id not in away and r.user_id not in exclude and r.weight > 0]
    if not eligible:
        return None
    total = sum(r.weight for r in eligible)
    best = max(eligible, key=lambda r: (r.current + r.weight, -r.position))
    picked = QueueMember.user_id == best.user_id
    s.execute(
        update(QueueMember)
        .where(QueueMember.queue_id == queue.id, QueueMember.user_id.in_([r.user_id for r in eligible]))
        .values(current=QueueMember.current + QueueMember.weight - case((picked, total), else_=0),
                assigned=QueueMember.assigned + case((picked, 1), else_=0))
        .execution_options(synchronize_session=False)
    )
    s.execute(update(RoutingQueue).where(RoutingQueue.id == queue.id).values(routed=RoutingQueue.routed + 1)
              .execution_options(synchronize_session=False))
    skipped = [f"{_name(s, lead.team_id, u)}: {_why(away[u], now)}" for u in ids if u in away]
    reason = prefix + "next in rotation" + ("; skipped " + "; ".join(skipped) if skipped else "")
    previous = lead.owner_id
    if previous:
        home_refresh.touch(s, lead.team_id, {previous}, now)  # the lead leaves the old owner's Home
    lead.owner_id, lead.queue_id, lead.routed_at = best.user_id, queue.id, now
    lead.sla_due_at = None if lead.first_touch_at else now + timedelta(minutes=queue.sla_minutes)
    lead.sla_breached_at, lead.accepted_at, lead.routing_reason = None, None, reason[:300]
    s.add(Assignment(team_id=lead.team_id, lead_id=lead.id, from_owner=previous, to_owner=best.user_id,
                     reason=reason, kind=kind, actor_id=actor_id, assigned_at=now))
    if not new_lead:  # a lead that existed may have follow-ups: they move to the new owner
        for f in s.scalars(select(FollowUp).where(FollowUp.team_id == lead.team_id, FollowUp.lead_id == lead.id,
                                                  FollowUp.state == "open")):
            f.owner_id, f.nudges_sent, f.escalated_at, f.next_nudge_at = best.user_id, 0, None, max(f.due_at, now)
    info = QueueInfo(queue.id, queue.name, queue.channel_id, queue.segment, queue.sla_minutes, queue.on_breach,
                     queue.is_default, [(r.user_id, r.weight) for r in rows], queue.created_by, 0)
    return Routed(best.user_id, info, reason)


def accept(db: Database, clock: Clock, team_id: str, actor_id: str, lead_id: int) -> Handled:
    now = clock.now()
    with db.write() as s:
        lead = load_lead(s, team_id, lead_id, for_update=True)
        if lead.owner_id != actor_id:
            raise Invalid("accept_not_owner")
        if lead.accepted_at is not None:
            return Handled(lead_summary(s, team_id, lead.id), False)
        lead.accepted_at, lead.updated_at = now, now
        outbox.enqueue(s, lead, "card", now)
        outbox.enqueue(s, lead, "thread", now, payload=ChangeRecord(actor_id=actor_id, accepted=True).to_json())
        s.flush()
        return Handled(lead_summary(s, team_id, lead.id), True)


def pass_lead(db: Database, clock: Clock, team_id: str, actor_id: str, lead_id: int, *,
              key: str | None = None) -> Handled:
    """The owner passes: the next member in rotation (never someone who already passed it) takes it."""
    now = clock.now()
    with db.write() as s:
        lead = load_lead(s, team_id, lead_id, for_update=True)
        if not once(s, team_id, key, now):
            return Handled(lead_summary(s, team_id, lead.id), False)
        if lead.owner_id != actor_id and not can_manage(s, team_id, actor_id):
            raise Invalid("pass_not_allowed")
        if lead.queue_id is None:
            raise Invalid("pass_not_routed")
        queue = s.get(RoutingQueue, lead.queue_id)
        passed = set(s.scalars(select(Assignment.from_owner).where(
            Assignment.team_id == team_id, Assignment.lead_id == lead.id, Assignment.kind == "passed")))
        exclude = frozenset({*passed, lead.owner_id or ""})
        old = lead.owner_id
        routed = route(s, lead, now, actor_id, kind="passed", exclude=exclude, queue=queue,
                       prefix=f"{_name(s, team_id, old or actor_id)} passed; ")
        if routed is None:
            raise Invalid("pass_nobody", queue=queue.name)
        lead.updated_at = now
        outbox.enqueue(s, lead, "card", now)
        change = ChangeRecord(actor_id=actor_id, owner_from=old, owner_to=routed.owner_id, reason=routed.reason)
        outbox.enqueue(s, lead, "thread", now, payload=change.to_json())
        outbox.enqueue(s, lead, "dm", now, payload={"user": routed.owner_id, "why": "passed"})
        followers.changed(s, lead, actor_id, now, "owner", old=old, new=routed.owner_id,
                          skip={routed.owner_id})  # the new owner has the assignment DM
        s.flush()
        return Handled(lead_summary(s, team_id, lead.id), True, routed.owner_id)


def breach_slas(db: Database, clock: Clock, *, limit: int = 200) -> int:
    """Leads whose first-touch SLA ran out untouched: announce once in the thread, tell the manager (or
    the queue's creator), and reassign to the next rep when the queue says so (with a fresh SLA)."""
    now = clock.now()
    with db.write() as s:
        due = s.scalars(select(Lead).where(Lead.sla_due_at <= now, active(Lead.team_id))
                        .order_by(Lead.sla_due_at).limit(limit)
                        .with_for_update(skip_locked=True)).all()
        for lead in due:
            owner, routed_at = lead.owner_id, lead.routed_at or now
            lead.sla_due_at, lead.sla_breached_at = None, now
            if lead.first_touch_at is not None or not lead.is_open:
                continue
            queue = s.get(RoutingQueue, lead.queue_id) if lead.queue_id else None
            minutes = queue.sla_minutes if queue else None
            reassigned = None
            if queue is not None and queue.on_breach == "reassign":
                routed = route(s, lead, now, "sla", kind="breach", exclude=frozenset({owner or ""}), queue=queue,
                               prefix="first-touch SLA missed; ")
                reassigned = routed.owner_id if routed else None
                if routed:
                    outbox.enqueue(s, lead, "dm", now, payload={"user": routed.owner_id, "why": "breach"})
            lead.updated_at = now
            outbox.enqueue(s, lead, "card", now)
            change = ChangeRecord(actor_id="sla", sla_missed_by=owner, sla_minutes=minutes,
                                  owner_from=owner if reassigned else None, owner_to=reassigned)
            outbox.enqueue(s, lead, "thread", now, payload=change.to_json())
            pol: NudgePolicy = policy(s, lead.team_id)
            told = (manager_of(s, lead.team_id, owner, pol) if owner else None) or (
                queue.created_by if queue else None)
            if told:
                owe(s, lead.team_id, "sla_breach", f"sla:{lead.id}:{int(routed_at.timestamp())}", told, now,
                     payload={"lead_id": lead.id, "owner": owner, "minutes": minutes, "reassigned_to": reassigned})
        return len(due)

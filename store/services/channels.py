"""Customer channels and attached messages: history that is not a lead card's thread.

- A channel linked to an organization (`/lead channel link <lead>`, usually a Slack Connect channel shared
  with the customer): every human message there, and every reply in its threads, is that organization's
  history (`comment.source = channel`, no lead), the customer's people marked external. The linked lead's card
  thread gets one line per day summarising the channel (a `channel_day` notification, re-armed by each message
  and sent at most once per `DAY_LINE_DELAY`: posted the first time, edited after).
- A message attached with "Attach to lead" (`source = attached`) is the lead's history; when its thread is
  attached too, the thread's later replies are captured like a card thread's (`watched_thread`).

Edits and deletions follow through `comments.capture` / `comments.delete`, which find these rows by message.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto import Attached, ChannelDay, LinkedChannelInfo
from store.errors import Invalid
from store.models import Comment, Draft, Lead, LinkedChannel, Notification, Organization, WatchedThread
from store.services import best_time
from store.services.audit import record
from store.services.comments import ts_time
from store.services.pipeline import ensure_team
from store.services.snapshots import load_lead
from store.text import clean

DAY_LINE_DELAY = timedelta(seconds=60)  # a busy channel's summary line is edited at most once a minute
KIND = "channel_day"
CACHE_SECONDS = 30.0  # another replica's link or unlink is seen within this

_links: dict[tuple[str, str], tuple[float, tuple[int, int | None] | None]] = {}
_INSERT = {name: fn(Comment).on_conflict_do_nothing(index_elements=["team_id", "channel", "ts"]).returning(Comment.id)
           for name, fn in (("sqlite", sqlite_insert), ("postgresql", pg_insert))}


# ------------------------------------------------------------------------------------------------ links
def link(db: Database, clock: Clock, team_id: str, actor_id: str, channel_id: str, lead_id: int, *,
         name: str | None, is_shared: bool) -> LinkedChannelInfo:
    """Link the channel to the lead's organization (the lead's card gets the daily line)."""
    now = clock.now()
    with db.write() as s:
        lead = load_lead(s, team_id, lead_id)
        existing = s.get(LinkedChannel, (team_id, channel_id))
        if existing is not None and existing.organization_id != lead.organization_id:
            other = s.get(Organization, existing.organization_id)
            raise Invalid("channel_linked_elsewhere", organization=other.name if other else "another customer")
        if existing is None:
            existing = LinkedChannel(team_id=team_id, channel_id=channel_id, organization_id=lead.organization_id,
                                     linked_by=actor_id, linked_at=now)
            s.add(existing)
        existing.lead_id, existing.name, existing.is_shared = lead.id, (name or None) and name[:120], is_shared
        record(s, team_id, now, actor_id, "channel.link", channel_id, {"organization": lead.organization.name,
                                                                       "lead_id": lead.id})
        s.flush()
        _links.pop((team_id, channel_id), None)
        return _info(s, existing)


def unlink(db: Database, clock: Clock, team_id: str, actor_id: str, channel_id: str) -> LinkedChannelInfo | None:
    """Stop capturing the channel (what was captured stays the organization's history)."""
    with db.write() as s:
        row = s.get(LinkedChannel, (team_id, channel_id))
        if row is None:
            return None
        info = _info(s, row)
        s.delete(row)
        record(s, team_id, clock.now(), actor_id, "channel.unlink", channel_id, {"organization": info.organization})
    _links.pop((team_id, channel_id), None)
    return info


def linked(db: Database, team_id: str, channel_id: str) -> tuple[int, int | None] | None:
    """(organization, lead) the channel is linked to, or None. Cached: every message in every channel the bot
    is in asks this."""
    key = (team_id, channel_id)
    hit = _links.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    with db.read() as s:
        row = s.execute(select(LinkedChannel.organization_id, LinkedChannel.lead_id).where(
            LinkedChannel.team_id == team_id, LinkedChannel.channel_id == channel_id)).first()
    value = (row[0], row[1]) if row else None
    if len(_links) > 50_000:
        _links.clear()
    _links[key] = (now, value)
    return value


def forget_cache() -> None:
    _links.clear()


def channels_of(db: Database, team_id: str, organization_id: int) -> list[LinkedChannelInfo]:
    with db.read() as s:
        return infos_of(s, team_id, organization_id)


def infos_of(s: Session, team_id: str, organization_id: int) -> list[LinkedChannelInfo]:
    rows = s.scalars(select(LinkedChannel).where(LinkedChannel.team_id == team_id,
                                                 LinkedChannel.organization_id == organization_id)
                     .order_by(LinkedChannel.linked_at)).all()
    return [_info(s, r) for r in rows]


def _info(s: Session, row: LinkedChannel) -> LinkedChannelInfo:
    org = s.get(Organization, row.organization_id)
    count, last = s.execute(select(func.count(), func.max(Comment.posted_at)).where(
        Comment.team_id == row.team_id, Comment.channel == row.channel_id, Comment.source == "channel",
        Comment.deleted.is_(False))).one()
    return LinkedChannelInfo(row.channel_id, row.name, row.organization_id, org.name if org else "?", row.lead_id,
                             row.is_shared, row.linked_by, row.linked_at, count or 0, last)


# ------------------------------------------------------------------------------------------------ capture
def capture_channel_message(db: Database, clock: Clock, team_id: str, *, channel: str, ts: str,
                            thread_ts: str | None, author_id: str, author_name: str | None, external: bool,
                            text: str | None, files: list[dict] | None, permalink: str | None = None) -> bool:
    """A human message in a linked channel: the organization's history (once, whatever the retries), and
    its card's day line owed. False when the channel is not linked or the message was there already."""
    link_ = linked(db, team_id, channel)
    if link_ is None:
        return False
    org_id, lead_id = link_
    now = clock.now()
    row = {"team_id": team_id, "lead_id": None, "organization_id": org_id, "source": "channel",
           "external": external, "author_name": (author_name or None) and author_name[:200], "thread_ts": thread_ts,
           "author_id": author_id[:32], "channel": channel, "ts": ts, "text": clean(text, limit=40_000) or "",
           "posted_at": ts_time(ts), "edited": False, "deleted": False, "edit_ts": None, "permalink": permalink,
           "files": files or None}
    with db.write() as s:
        done = s.execute(_INSERT[db.dialect], row).first()
        if done is not None and lead_id is not None:
            _arm_day(s, team_id, channel, lead_id, now, row["posted_at"])
        return done is not None


def _local_day(s: Session, team_id: str, at: datetime) -> str:
    return at.astimezone(ZoneInfo(best_time.team_zone(s, team_id))).date().isoformat()


def _arm_day(s: Session, team_id: str, channel: str, lead_id: int, now: datetime, posted_at: datetime) -> None:
    """The summary line of the message's day is owed (again) DAY_LINE_DELAY from now, unless it is owed
    already."""
    day = _local_day(s, team_id, posted_at)
    key = f"chanday:{channel}:{day}"
    armed = s.execute(update(Notification).where(Notification.team_id == team_id, Notification.key == key,
                                                 Notification.state != "pending")
                      .values(state="pending", claim_token=None, attempts=0, last_error=None,
                              next_attempt_at=now + DAY_LINE_DELAY)
                      .execution_options(synchronize_session=False)).rowcount
    if armed:
        return
    exists = s.scalar(select(Notification.id).where(Notification.team_id == team_id, Notification.key == key))
    if exists is None:
        try:
            with s.begin_nested():
                s.add(Notification(team_id=team_id, kind=KIND, key=key, user_id=channel[:32],
                                   payload={"channel": channel, "day": day, "lead_id": lead_id}, state="pending",
                                   attempts=0, next_attempt_at=now + DAY_LINE_DELAY, created_at=now))
                s.flush()
        except IntegrityError:
            pass  # another message of the same minute owed it first


def day_summary(db: Database, team_id: str, notification_id: int, channel: str, day: str) -> tuple[ChannelDay, str | None, str | None] | None:
    """The day of a customer channel, and where its line was posted before (channel, ts) if it was."""
    with db.read() as s:
        n = s.get(Notification, notification_id)
        link_ = s.get(LinkedChannel, (team_id, channel))
        if link_ is None:
            return None
        zone = ZoneInfo(best_time.team_zone(s, team_id))
        start = datetime.fromisoformat(day).replace(tzinfo=zone)
        end = start + timedelta(days=1)
        rows = s.execute(select(Comment.author_id, Comment.external, Comment.posted_at, Comment.text).where(
            Comment.team_id == team_id, Comment.channel == channel, Comment.source == "channel",
            Comment.deleted.is_(False), Comment.posted_at >= start, Comment.posted_at < end)
            .order_by(Comment.posted_at)).all()
        if not rows:
            return None
        last = rows[-1]
        summary = ChannelDay(channel, link_.name, day, len(rows), len({r.author_id for r in rows}),
                             sum(1 for r in rows if r.external), len({r.author_id for r in rows if r.external}),
                             last.posted_at, last.text)
        return summary, (n.channel if n else None), (n.ts if n else None)


def day_line_posted(db: Database, notification_id: int, channel: str, ts: str) -> None:
    """Where the day's line is (kept even when a newer message re-armed the notification meanwhile, so the
    next send edits this line instead of posting another)."""
    with db.write() as s:
        s.execute(update(Notification).where(Notification.id == notification_id).values(channel=channel, ts=ts))


def team_tz(db: Database, team_id: str) -> str:
    with db.read() as s:
        return best_time.team_zone(s, team_id)


def card_of(db: Database, team_id: str, lead_id: int) -> tuple[str | None, str | None]:
    with db.read() as s:
        row = s.execute(select(Lead.card_channel, Lead.card_ts).where(Lead.team_id == team_id,
                                                                       Lead.id == lead_id)).first()
        return (row[0], row[1]) if row else (None, None)


# ------------------------------------------------------------------------------------------------ attach
def attach(db: Database, clock: Clock, team_id: str, actor_id: str, lead_id: int, messages: list[dict], *,
           watch: tuple[str, str] | None) -> Attached:
    """Attach messages (dicts: channel, ts, thread_ts, author_id, author_name, external, text, files,
    permalink) to the lead's history; with `watch` (channel, thread_ts) the thread's later replies follow.
    A message already in a history stays where it is (retries and double clicks add nothing)."""
    now = clock.now()
    added = already = 0
    with db.write() as s:
        lead = load_lead(s, team_id, lead_id)
        for m in messages:
            row = {"team_id": team_id, "lead_id": lead.id, "organization_id": lead.organization_id,
                   "source": "attached", "external": bool(m.get("external")),
                   "author_name": (m.get("author_name") or None) and m["author_name"][:200],
                   "thread_ts": m.get("thread_ts"), "author_id": (m.get("author_id") or "")[:32],
                   "channel": m["channel"], "ts": m["ts"], "text": clean(m.get("text"), limit=40_000) or "",
                   "posted_at": ts_time(m["ts"]), "edited": bool(m.get("edited")), "deleted": False,
                   "edit_ts": None, "permalink": m.get("permalink"), "files": m.get("files") or None}
            if s.execute(_INSERT[db.dialect], row).first() is None:
                already += 1
            else:
                added += 1
        watching = False
        if watch is not None:
            w = s.get(WatchedThread, (team_id, watch[0], watch[1]))
            if w is None:
                s.add(WatchedThread(team_id=team_id, channel=watch[0], thread_ts=watch[1], lead_id=lead.id,
                                    attached_by=actor_id, created_at=now))
            watching = w is None or w.lead_id == lead.id
        if added:
            lead.updated_at = now
        return Attached(lead.id, added, already, watching)


def watched_lead(s: Session, team_id: str, channel: str, thread_ts: str) -> int | None:
    return s.scalar(select(WatchedThread.lead_id).where(WatchedThread.team_id == team_id,
                                                        WatchedThread.channel == channel,
                                                        WatchedThread.thread_ts == thread_ts))


def already_attached(db: Database, team_id: str, channel: str, ts: str) -> int | None:
    """The lead a message is in the history of already (None: none, or an organization's channel)."""
    with db.read() as s:
        return s.scalar(select(Comment.lead_id).where(Comment.team_id == team_id, Comment.channel == channel,
                                                      Comment.ts == ts))


def stop_watching(db: Database, team_id: str, lead_id: int) -> int:
    with db.write() as s:
        return s.execute(delete(WatchedThread).where(WatchedThread.team_id == team_id,
                                                     WatchedThread.lead_id == lead_id)).rowcount


# ------------------------------------------------------------------------------------------------ drafts
DRAFT_TTL = timedelta(days=1)


def save_draft(db: Database, clock: Clock, team_id: str, key: str, payload: dict) -> None:
    with db.write() as s:
        ensure_team(s, team_id, clock)
        d = s.get(Draft, (team_id, key[:200]))
        if d is None:
            s.add(Draft(team_id=team_id, key=key[:200], payload=payload, created_at=clock.now()))
        else:
            d.payload, d.created_at = payload, clock.now()


def draft(db: Database, team_id: str, key: str) -> dict | None:
    with db.read() as s:
        d = s.get(Draft, (team_id, key[:200]))
        return dict(d.payload) if d else None


def drop_old_drafts(db: Database, clock: Clock) -> int:
    with db.write() as s:
        return s.execute(delete(Draft).where(Draft.created_at < clock.now() - DRAFT_TTL)).rowcount or 0

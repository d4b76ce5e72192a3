"""Replies in a lead card's thread are the lead's comments: stored once, edited, deleted, in Slack's order.

Slack may deliver an event twice (retries with the same `event_id`) and may deliver an edit before a slow
original. Every write here is keyed by the message (`team, channel, ts`) and ordered by Slack's own
timestamps: the newest edit's text wins whatever the arrival order, a deletion is a tombstone that a late
original cannot bring back, and a repeat changes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto import Captured
from store.models import Comment, Lead, LinkedChannel, WatchedThread
from store.services import followers
from store.text import clean

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def ts_time(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return datetime.now(timezone.utc)


def lead_of_thread(s: Session, team_id: str, channel: str, thread_ts: str | None) -> Lead | None:
    if not thread_ts:
        return None
    return s.scalar(select(Lead).where(Lead.card_channel == channel, Lead.card_ts == thread_ts,
                                       Lead.team_id == team_id))


def thread_lead_id(db: Database, team_id: str, channel: str, thread_ts: str | None) -> int | None:
    with db.read() as s:
        lead = lead_of_thread(s, team_id, channel, thread_ts)
        return lead.id if lead else None


def _permalink(lead: Lead, channel: str, ts: str) -> str | None:
    return permalink_in_thread(lead.card_permalink, lead.card_ts, channel, ts)


def permalink_in_thread(card_permalink: str | None, card_ts: str | None, channel: str, ts: str) -> str | None:
    """The message's link, derived from the card's (no Web API call per message)."""
    if not card_permalink or "/p" not in card_permalink:
        return None
    base = card_permalink.split("?")[0].rsplit("/p", 1)[0]
    return f"{base}/p{ts.replace('.', '')}?thread_ts={card_ts}&cid={channel}"


def capture(db: Database, clock: Clock, team_id: str, *, channel: str, ts: str, thread_ts: str | None,
            author_id: str, text: str | None, files: list[dict] | None = None,
            edit_ts: str | None = None, external: bool = False, author_name: str | None = None) -> Captured | None:
    """Store a reply in a lead's thread (its card's, or one attached to it), or an edit of any history's
    message. None when the message is in no lead's history."""
    body = clean(text, limit=40_000) or ""
    author_name = (author_name or None) and author_name[:200]
    if edit_ts is None and "<@" not in body:
        return _insert_new(db, clock, team_id, channel, ts, thread_ts, author_id, body, files, external, author_name)
    for attempt in (1, 2):
        try:
            with db.write() as s:
                c = s.scalar(select(Comment).where(Comment.team_id == team_id, Comment.channel == channel,
                                                   Comment.ts == ts))
                if c is not None:  # an edit of any history: a card thread's, attached, a customer channel's
                    newer = edit_ts is not None and (c.edit_ts is None or float(edit_ts) > float(c.edit_ts))
                    if not c.deleted and newer:
                        c.text, c.edited, c.edit_ts, c.files = body, True, edit_ts, files or c.files
                        s.flush()
                    return Captured(c.lead_id, c.id, False)  # (else a repeat, an older text, or deleted)
                lead, watched = lead_of_thread(s, team_id, channel, thread_ts), None
                if lead is None:
                    watched = _card(db, team_id, channel, thread_ts) if thread_ts else None
                    lead = s.get(Lead, watched[0]) if watched else None
                if lead is None:
                    return None
                link = permalink_in_thread(watched[2], watched[1], channel, ts) if watched else _permalink(lead, channel, ts)
                c = Comment(team_id=team_id, lead_id=lead.id, organization_id=lead.organization_id,
                            source="attached" if watched else "thread", thread_ts=thread_ts,
                            author_id=author_id, channel=channel, ts=ts, text=body, posted_at=ts_time(ts),
                            external=external, author_name=author_name,
                            edited=edit_ts is not None, deleted=False, edit_ts=edit_ts,
                            permalink=link, files=files or None)
                s.add(c)
                s.flush()
                mentioned = set(MENTION.findall(body)) - {author_id}
                if mentioned:
                    followers.changed(s, lead, author_id, clock.now(), "mentioned you in a comment",
                                      only=mentioned)
                return Captured(lead.id, c.id, True)
        except IntegrityError:
            if attempt == 2:
                raise
    return None


# (team, channel, thread) → (lead, root ts, root permalink, organization, source): lead cards never move
_CARDS: dict[tuple[str, str, str], tuple[int, str | None, str | None, int, str]] = {}
# Built once, so SQLAlchemy compiles it once: new replies arrive by the thousand.
_INSERT = {name: fn(Comment).on_conflict_do_nothing(index_elements=["team_id", "channel", "ts"]).returning(Comment.id)
           for name, fn in (("sqlite", sqlite_insert), ("postgresql", pg_insert))}


def _card(db: Database, team_id: str, channel: str, thread_ts: str) -> tuple[int, str | None, str | None, int, str] | None:
    """(lead, thread root ts, root permalink, organization, source) of a lead card's thread (`thread`), or of a
    thread attached to a lead (`attached`)."""
    key = (team_id, channel, thread_ts)
    hit = _CARDS.get(key)
    if hit is None:
        with db.engine.connect() as conn:
            row = conn.execute(select(Lead.id, Lead.card_ts, Lead.card_permalink, Lead.organization_id,
                                      literal("thread")).where(
                Lead.card_channel == channel, Lead.card_ts == thread_ts, Lead.team_id == team_id)).first()
            if row is None:
                row = conn.execute(select(WatchedThread.lead_id, WatchedThread.thread_ts, Comment.permalink,
                                          Lead.organization_id, literal("attached"))
                                   .join(Lead, Lead.id == WatchedThread.lead_id)
                                   .outerjoin(Comment, (Comment.team_id == WatchedThread.team_id)
                                              & (Comment.channel == WatchedThread.channel)
                                              & (Comment.ts == WatchedThread.thread_ts))
                                   .where(WatchedThread.team_id == team_id, WatchedThread.channel == channel,
                                          WatchedThread.thread_ts == thread_ts)).first()
        if row is None:
            return None  # not remembered: a card posted a moment from now must still be found
        hit = _CARDS[key] = (row[0], row[1], row[2], row[3], row[4])
        if len(_CARDS) > 50_000:
            _CARDS.clear()
    return hit


def thread_home(db: Database, team_id: str, channel: str, thread_ts: str | None) -> int | None:
    """The lead whose history a thread is (its card's, or attached to it), or None."""
    card = _card(db, team_id, channel, thread_ts) if thread_ts else None
    return card[0] if card else None


def _insert_new(db: Database, clock: Clock, team_id: str, channel: str, ts: str, thread_ts: str | None,
                author_id: str, body: str, files: list[dict] | None, external: bool = False,
                author_name: str | None = None) -> Captured | None:
    """The common case, a new reply without mentions: find the card (remembered once found; reads never
    wait for the writer), then one INSERT … ON CONFLICT DO NOTHING (a retry is a no-op)."""
    card = _card(db, team_id, channel, thread_ts) if thread_ts else None
    if card is None:
        return None
    lead_id, card_ts, card_permalink, org_id, source = card
    row = {"team_id": team_id, "lead_id": lead_id, "organization_id": org_id, "source": source,
           "thread_ts": thread_ts, "external": external, "author_name": author_name,
           "author_id": author_id, "channel": channel, "ts": ts,
           "text": body, "posted_at": ts_time(ts), "edited": False, "deleted": False, "edit_ts": None,
           "permalink": permalink_in_thread(card_permalink, card_ts, channel, ts), "files": files or None}
    with db.write_core() as conn:
        done = conn.execute(_INSERT[db.dialect], row).first()
    if done is None:  # a retry, or deleted before it arrived
        return Captured(lead_id, 0, False)
    return Captured(lead_id, done[0], True)


def delete(db: Database, team_id: str, *, channel: str, ts: str, thread_ts: str | None) -> bool:
    """Remove a comment from the timeline; a deletion that arrives first leaves a tombstone."""
    for attempt in (1, 2):
        try:
            with db.write() as s:
                c = s.scalar(select(Comment).where(Comment.team_id == team_id, Comment.channel == channel,
                                                   Comment.ts == ts))
                if c is not None:
                    c.deleted, c.text, c.files = True, "", None  # its files (names, links) go with it
                    return True
                home = _card(db, team_id, channel, thread_ts) if thread_ts else None
                if home is not None:
                    s.add(Comment(team_id=team_id, lead_id=home[0], organization_id=home[3], source=home[4],
                                  author_id="", channel=channel, ts=ts, text="", posted_at=ts_time(ts),
                                  edited=False, deleted=True))
                    return True
                linked = s.get(LinkedChannel, (team_id, channel))
                if linked is None:
                    return False
                s.add(Comment(team_id=team_id, lead_id=None, organization_id=linked.organization_id,
                              source="channel", author_id="", channel=channel, ts=ts, text="", posted_at=ts_time(ts),
                              edited=False, deleted=True))
                return True
        except IntegrityError:
            if attempt == 2:
                raise
    return False


def count(db: Database, team_id: str, lead_id: int, *, include_deleted: bool = False) -> int:
    from sqlalchemy import func

    with db.read() as s:
        q = select(func.count()).select_from(Comment).where(Comment.team_id == team_id, Comment.lead_id == lead_id)
        if not include_deleted:
            q = q.where(Comment.deleted.is_(False))
        return s.scalar(q) or 0

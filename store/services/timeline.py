"""A lead's history: activities, status changes, assignments, deal changes, follow-ups and comments, newest
first."""

from __future__ import annotations

from sqlalchemy import String, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from store.dto import TimelineEntry
from store.models import (
    Activity,
    Assignment,
    Comment,
    DealChange,
    FollowUp,
    StatusChange,
    UTCDateTime,
)


def timeline_page(s: Session, team_id: str, lead_id: int, *, limit: int = 10, offset: int = 0) -> list[TimelineEntry]:
    """One query: each source contributes its newest `offset + limit` rows through its (lead_id, time) index."""
    n = offset + limit
    no_time = null().cast(UTCDateTime())

    def part(model, at, kind: str, actor, a, b, c, due=no_time, *extra):
        return select(
            select(at.label("at"), literal(kind).label("kind"), actor.label("actor"),
                   a.label("a"), b.label("b"), c.label("c"), due.label("due"))
            .where(model.team_id == team_id, model.lead_id == lead_id, *extra)
            .order_by(at.desc())
            .limit(n)
            .subquery()
        )

    u = union_all(
        part(Activity, Activity.occurred_at, "activity", Activity.actor_id, Activity.kind, Activity.outcome,
             Activity.text),
        part(StatusChange, StatusChange.changed_at, "status", StatusChange.actor_id, StatusChange.from_status,
             StatusChange.to_status, StatusChange.reason),
        part(Assignment, Assignment.assigned_at, "assignment", Assignment.actor_id, Assignment.from_owner,
             Assignment.to_owner, Assignment.reason),
        part(FollowUp, FollowUp.created_at, "followup", FollowUp.created_by, FollowUp.state, FollowUp.owner_id,
             FollowUp.note, FollowUp.due_at),
        part(DealChange, DealChange.changed_at, "deal", DealChange.actor_id, DealChange.from_stage,
             DealChange.to_stage, DealChange.summary),
        part(Comment, Comment.posted_at, "comment", Comment.author_id, Comment.permalink,
             cast(Comment.files, String()), Comment.text, no_time, Comment.deleted.is_(False)),
    ).subquery()
    rows = s.execute(select(u).order_by(u.c.at.desc()).limit(limit).offset(offset)).all()
    return [_entry(r) for r in rows]


def _entry(r) -> TimelineEntry:
    return TimelineEntry(r.at, r.kind, r.actor, r.a, r.b, r.c, r.due)

"""A lead's history: activities, status changes, assignments, deal changes, follow-ups and comments, newest
first. `history_union` is the one description of those sources: a lead's timeline and the Home's recent changes
on followed leads are both built from it."""

from __future__ import annotations

from collections.abc import Callable

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

CHANGES = ("activity", "status", "assignment", "deal")  # what people did to a lead (not plans, not comments)


def _sources() -> dict[str, tuple]:
    """kind → (model, time, actor, a, b, c, due, extra conditions); a, b, c are read by kind (see TimelineEntry)."""
    no_time = null().cast(UTCDateTime())
    return {
        "activity": (Activity, Activity.occurred_at, Activity.actor_id, Activity.kind, Activity.outcome, Activity.text,
                     no_time, ()),
        "status": (StatusChange, StatusChange.changed_at, StatusChange.actor_id, StatusChange.from_status,
                   StatusChange.to_status, StatusChange.reason, no_time, ()),
        "assignment": (Assignment, Assignment.assigned_at, Assignment.actor_id, Assignment.from_owner,
                       Assignment.to_owner, Assignment.reason, no_time, ()),
        "followup": (FollowUp, FollowUp.created_at, FollowUp.created_by, FollowUp.state, FollowUp.owner_id,
                     FollowUp.note, FollowUp.due_at, ()),
        "deal": (DealChange, DealChange.changed_at, DealChange.actor_id, DealChange.from_stage, DealChange.to_stage,
                 DealChange.summary, no_time, ()),
        "comment": (Comment, Comment.posted_at, Comment.author_id, Comment.permalink, cast(Comment.files, String()),
                    Comment.text, no_time, (Comment.deleted.is_(False),)),
    }


def history_union(kinds: tuple[str, ...], where: Callable[[type, object, object], list], per_source: int):
    """A subquery (at, lead_id, kind, actor, a, b, c, due) of these sources: each contributes its newest
    `per_source` rows matching `where(model, time, actor)`, through its `(team_id, lead_id, time)` index."""
    parts = []
    for kind in kinds:
        model, at, actor, a, b, c, due, extra = _sources()[kind]
        parts.append(select(
            select(at.label("at"), model.lead_id.label("lead_id"), literal(kind).label("kind"),
                   actor.label("actor"), a.label("a"), b.label("b"), c.label("c"), due.label("due"))
            .where(*where(model, at, actor), *extra).order_by(at.desc()).limit(per_source).subquery()))
    return union_all(*parts).subquery()


def timeline_page(s: Session, team_id: str, lead_id: int, *, limit: int = 10, offset: int = 0) -> list[TimelineEntry]:
    """One query: each source contributes its newest `offset + limit` rows through its (lead_id, time) index."""
    u = history_union(tuple(_sources()), lambda m, _at, _actor: [m.team_id == team_id, m.lead_id == lead_id],
                      offset + limit)
    rows = s.execute(select(u).order_by(u.c.at.desc()).limit(limit).offset(offset)).all()
    return [TimelineEntry(r.at, r.kind, r.actor, r.a, r.b, r.c, r.due) for r in rows]

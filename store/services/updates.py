"""Changing a lead: log an activity, change its status, plan the next follow-up, reassign it.

`update_lead` is the one use case behind the update modal and every quick command: whatever a
submission asks for happens in one transaction, is recorded in the lead's history, and owes the
card an edit plus one line in its thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from store.clock import Clock
from store.db import Database
from store.dto import ChangeRecord, LeadChanged, LeadUpdate
from store.errors import Duplicate, Invalid
from store.models import (
    Activity,
    Assignment,
    FollowUp,
    Lead,
    Member,
    Organization,
    StatusChange,
)
from store.services import best_time, followers, home_refresh, outbox, pipeline
from store.services.members import can_manage, require_person
from store.services.once import once
from store.services.snapshots import lead_summary, load_lead
from store.text import clean

NOTE_LIMIT = 10_000
PAST_GRACE = timedelta(minutes=2)
# Activities that reach the customer, or try to: the owner's first one stops the first-touch SLA clock, whatever
# its outcome (a call nobody answered is an attempt). A note is not.
TOUCHES = tuple(kind for kind in pipeline.ACTIVITY_KINDS if kind != "Note")


def update_lead(
    db: Database, clock: Clock, team_id: str, actor_id: str, upd: LeadUpdate, *, idempotency_key: str | None = None
) -> LeadChanged:
    """Apply everything in `upd` at once. Raises Invalid(field=...) for bad input, Duplicate for a replay."""
    now = clock.now()
    note = clean(upd.note, limit=NOTE_LIMIT)
    activity = pipeline.pick(pipeline.ACTIVITY_KINDS, upd.activity, "Activity")
    outcome = pipeline.pick(pipeline.OUTCOMES, upd.outcome, "Outcome")
    if outcome and not activity:
        raise Invalid("outcome_without_activity", field="activity")
    if note and not activity:
        activity = "Note"
    if activity and not outcome:
        outcome = "Not applicable"
    occurred_at = upd.occurred_at or now
    if occurred_at > now + PAST_GRACE:
        raise Invalid("activity_in_future", field="occurred_at")
    if upd.follow_up_at is not None and upd.follow_up_at < now - PAST_GRACE:
        raise Invalid("time_passed", field="follow_up")
    try:
        with db.write() as s:
            if not once(s, team_id, idempotency_key, now):
                raise Duplicate("already_saved")
            lead = load_lead(s, team_id, upd.lead_id, for_update=True)
            change = _apply(s, lead, actor_id, upd, now, activity, outcome, note, occurred_at)
            if change.empty:
                raise _nothing_to_save(lead, upd)
            lead.updated_at = now
            outbox.enqueue(s, lead, "card", now)
            outbox.enqueue(s, lead, "thread", now, payload=change.to_json())
            if change.status_to:
                followers.changed(s, lead, actor_id, now, "status", old=change.status_from, new=change.status_to)
            if change.owner_to:
                followers.changed(s, lead, actor_id, now, "owner", old=change.owner_from, new=change.owner_to)
            s.flush()
            return LeadChanged(lead_summary(s, team_id, lead.id), change)
    except IntegrityError:
        # Two deliveries of the same submission raced; the other one committed.
        raise Duplicate("already_saved") from None


def _nothing_to_save(lead: Lead, upd: LeadUpdate) -> Invalid:
    if upd.status:
        return Invalid("already_status", field="status", company=lead.organization.name, status=lead.status)
    if upd.owner_id:
        return Invalid("already_owner", company=lead.organization.name)
    return Invalid("nothing_to_save")


def _apply(s, lead: Lead, actor_id: str, upd: LeadUpdate, now, activity, outcome, note, occurred_at) -> ChangeRecord:
    team_id = lead.team_id
    rec: dict = {"actor_id": actor_id}
    if activity:
        s.add(Activity(team_id=team_id, lead_id=lead.id, kind=activity, outcome=outcome, text=note,
                       occurred_at=occurred_at, actor_id=actor_id, created_at=now))
        best_time.record(s, lead, occurred_at, outcome)  # when the customer answers: the connect rates
        if lead.first_touch_at is None and actor_id == lead.owner_id and activity in TOUCHES:
            lead.first_touch_at, lead.sla_due_at = occurred_at, None  # the first-touch SLA clock stops
        rec.update(activity=activity, outcome=outcome, note=note,
                   occurred_at=occurred_at if abs(occurred_at - now) > PAST_GRACE else None)
    if upd.status:
        status = pipeline.match_status(pipeline.statuses(s, team_id), upd.status)
        if status.name != lead.status:
            reason = clean(upd.reason, limit=2000)
            s.add(StatusChange(team_id=team_id, lead_id=lead.id, from_status=lead.status, to_status=status.name,
                               reason=reason, actor_id=actor_id, changed_at=now))
            rec.update(status_from=lead.status, status_to=status.name, reason=reason)
            lead.status, lead.status_since, lead.is_open = status.name, now, not status.is_closed
            org = s.get(Organization, lead.organization_id)
            org.status = status.name
    if upd.only_if_unowned and lead.owner_id is not None and lead.owner_id != upd.owner_id:
        taker = s.get(Member, (team_id, lead.owner_id))  # two reps clicked Take at once
        raise Invalid("already_owned", field="owner", owner=(taker.name if taker and taker.name else "Someone else"))
    if upd.owner_id and upd.owner_id != lead.owner_id:
        if lead.owner_id and lead.owner_id != actor_id and not can_manage(s, team_id, actor_id):
            raise Invalid("not_manager", field="owner", what="reassign")  # reps give away only their own
        require_person(s, team_id, upd.owner_id, "owner")
        s.add(Assignment(team_id=team_id, lead_id=lead.id, from_owner=lead.owner_id, to_owner=upd.owner_id,
                         reason=clean(upd.reason, limit=500) or "reassigned", actor_id=actor_id, assigned_at=now))
        rec.update(owner_from=lead.owner_id, owner_to=upd.owner_id)
        home_refresh.touch(s, team_id, {lead.owner_id or ""}, now)  # the lead leaves the old owner's Home
        lead.owner_id, lead.accepted_at = upd.owner_id, None
        for f in _open_follow_ups(s, lead):  # the new owner is reminded from now on, from the first nudge
            f.owner_id, f.nudges_sent, f.escalated_at = upd.owner_id, 0, None
            f.next_nudge_at = max(f.due_at, now)
    closed_now = bool(rec.get("status_to")) and not lead.is_open  # this update closed the lead
    if upd.follow_up_at is not None or (activity and (upd.close_follow_up or closed_now)):
        closing = "done" if activity or upd.close_follow_up else "cancelled"
        for f in _open_follow_ups(s, lead):
            close(f, closing, now)
            rec["follow_up_closed"] = closing
    if upd.follow_up_at is not None:
        fnote = clean(upd.follow_up_note, limit=2000)
        s.add(FollowUp(team_id=team_id, lead_id=lead.id, owner_id=lead.owner_id or actor_id, due_at=upd.follow_up_at,
                       note=fnote, state="open", snooze_count=0, created_by=actor_id, created_at=now,
                       next_nudge_at=upd.follow_up_at, nudges_sent=0))
        rec.update(follow_up_at=upd.follow_up_at, follow_up_note=fnote)
    s.flush()
    return ChangeRecord(**rec)


def close(f: FollowUp, state: str, now: datetime) -> None:
    """Done or cancelled: no more nudges."""
    f.state, f.closed_at, f.next_nudge_at = state, now, None


def _open_follow_ups(s, lead: Lead) -> list[FollowUp]:
    return list(
        s.scalars(select(FollowUp).where(FollowUp.team_id == lead.team_id, FollowUp.lead_id == lead.id,
                                         FollowUp.state == "open"))
    )


# Quick commands: thin names over update_lead, so every path records history the same way.


def log_note(db: Database, clock: Clock, team_id: str, actor_id: str, lead_id: int, text: str,
             activity: str = "Note", outcome: str | None = None, **kw) -> LeadChanged:
    """A quick log: the text, as the activity and outcome it tells of (`bot.commands.parse.read_activity`).
    It never closes a follow-up: the person is offered that separately."""
    if not clean(text):
        raise Invalid("note_missing", field="note")
    return update_lead(db, clock, team_id, actor_id,
                       LeadUpdate(lead_id, activity=activity, outcome=outcome, note=text), **kw)


def change_status(db: Database, clock: Clock, team_id: str, actor_id: str, lead_id: int, status: str,
                  reason: str | None = None, **kw) -> LeadChanged:
    return update_lead(db, clock, team_id, actor_id, LeadUpdate(lead_id, status=status, reason=reason), **kw)


def assign(db: Database, clock: Clock, team_id: str, actor_id: str, lead_id: int, owner_id: str, **kw) -> LeadChanged:
    return update_lead(db, clock, team_id, actor_id, LeadUpdate(lead_id, owner_id=owner_id), **kw)


def take(db: Database, clock: Clock, team_id: str, actor_id: str, lead_id: int, **kw) -> LeadChanged:
    """An unowned lead becomes the actor's, unless someone took it first (Invalid `already_owned`)."""
    return update_lead(db, clock, team_id, actor_id,
                       LeadUpdate(lead_id, owner_id=actor_id, reason="took it from the unowned leads",
                                  only_if_unowned=True), **kw)


def schedule_follow_up(db: Database, clock: Clock, team_id: str, actor_id: str, lead_id: int, due_at: datetime,
                       note: str | None = None, **kw) -> LeadChanged:
    return update_lead(db, clock, team_id, actor_id,
                       LeadUpdate(lead_id, follow_up_at=due_at, follow_up_note=note), **kw)

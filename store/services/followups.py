"""What the owner does with a follow-up from a nudge: mark it done, snooze it, reschedule it. Each
happens once per nudge (a double click does one thing) and edits the lead's card."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from store.clock import Clock
from store.db import Database
from store.dto import ChangeRecord, FollowUpActed, FollowUpInfo
from store.errors import Invalid, NotFound
from store.models import FollowUp, Notification
from store.services import outbox
from store.services.once import once
from store.services.snapshots import lead_summary, load_lead
from store.services.updates import PAST_GRACE, close
from store.text import clean

Verb = Literal["done", "snooze", "reschedule"]


def act(db: Database, clock: Clock, team_id: str, actor_id: str, follow_up_id: int, verb: Verb, *,
        until: datetime | None = None, note: str | None = None, notification_id: int | None = None,
        key: str | None = None) -> FollowUpActed:
    now = clock.now()
    if verb != "done":
        if until is None:
            raise Invalid("remind_when", field="due")
        if until < now - PAST_GRACE:
            raise Invalid("time_passed", field="due")
        if until > now + timedelta(days=3 * 365):
            raise Invalid("too_far", field="due")
    try:
        with db.write() as s:
            f = s.scalar(
                select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.id == follow_up_id)
                .with_for_update()
            )
            if f is None:
                raise NotFound("follow_up_gone")
            lead = load_lead(s, team_id, f.lead_id, for_update=True)
            first = once(s, team_id, key, now)
            if not first or f.state != "open":  # this nudge's button was used, or the follow-up is closed
                why = f.state if first else "used"
                return FollowUpActed(lead_summary(s, team_id, lead.id), _info(f), None, why)
            if verb == "done":
                close(f, "done", now)
                change = ChangeRecord(actor_id=actor_id, follow_up_closed="done")
            else:
                f.due_at, f.next_nudge_at, f.nudges_sent, f.escalated_at = until, until, 0, None
                f.snooze_count += 1
                if note is not None:
                    f.note = clean(note, limit=2000) or f.note
                change = ChangeRecord(actor_id=actor_id, follow_up_at=until, follow_up_note=f.note,
                                      follow_up_moved=True)
            lead.updated_at = now
            outbox.enqueue(s, lead, "card", now)
            if verb != "snooze":  # a snooze is the owner's own business; done and a new date are history
                outbox.enqueue(s, lead, "thread", now, payload=change.to_json())
            if notification_id:
                n = s.get(Notification, notification_id)
                if n is not None and n.team_id == team_id:
                    n.acted = verb
            s.flush()
            return FollowUpActed(lead_summary(s, team_id, lead.id), _info(f), verb)
    except IntegrityError:  # the same click, delivered twice at once: the other one did it
        with db.read() as s:
            f = s.scalar(select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.id == follow_up_id))
            return FollowUpActed(lead_summary(s, team_id, f.lead_id), _info(f), None, "used")


def _info(f: FollowUp) -> FollowUpInfo:
    return FollowUpInfo(f.id, f.due_at, f.note, f.owner_id, f.state)


def open_follow_up_of(db: Database, team_id: str, lead_id: int) -> FollowUpInfo | None:
    with db.read() as s:
        f = s.scalar(select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.lead_id == lead_id,
                                            FollowUp.state == "open").order_by(FollowUp.due_at).limit(1))
        return _info(f) if f else None

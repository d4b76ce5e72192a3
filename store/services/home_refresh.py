"""When a person's App Home is owed a refresh.

A refresh is a `notification` of kind `home`, one row per person (key `home:<user>`), delivered by the same
claimed, paced notifier as the DMs. Opening the Home arms it at once; a change that concerns the person (a lead
they own or follow changed, or, for managers, any lead) arms it again `DELAY` later, so ten changes in a second
are one publish and nobody's Home is published more than once per `DELAY`. Only the Homes of people who opened
theirs in the last week are kept fresh this way; everyone else gets a fresh one when they open it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.models import Lead, LeadFollower, Member, Notification
from store.services.pipeline import ensure_team

KIND = "home"
DELAY = timedelta(seconds=3)  # changes within this are one publish; no Home is published more often
KEEP_FRESH = timedelta(days=7)  # a Home opened within this is refreshed after changes


def key(user_id: str) -> str:
    return f"home:{user_id}"


# ---------------------------------------------------------------------------------------------- refreshes


def opened(db: Database, clock: Clock, team_id: str, user_id: str) -> None:
    """The person opened their Home: owe them a fresh one now (or `DELAY` after the last, if that was just
    now). Safe against a second replica doing the same at the same moment."""
    now = clock.now()
    for attempt in (1, 2):
        try:
            with db.write() as s:
                ensure_team(s, team_id, clock)
                n = s.scalar(select(Notification).where(Notification.team_id == team_id,
                                                        Notification.key == key(user_id)))
                if n is None:
                    s.add(Notification(team_id=team_id, kind=KIND, key=key(user_id), user_id=user_id, payload={},
                                       state="pending", attempts=0, next_attempt_at=now, created_at=now))
                    s.flush()
                    return
                due = now if n.sent_at is None or n.sent_at <= now - DELAY else n.sent_at + DELAY
                if n.state == "pending":
                    n.next_attempt_at = min(n.next_attempt_at, due)
                else:  # sent, skipped, failed, or being published right now (that publish may miss this)
                    n.state, n.claim_token, n.attempts, n.last_error, n.next_attempt_at = "pending", None, 0, None, due
                return
        except IntegrityError:
            if attempt == 2:
                raise


def touch(s: Session, team_id: str, user_ids: set[str], now: datetime) -> None:
    """Inside a change's transaction: the Homes of these people (those kept fresh) are owed a refresh."""
    keys = [key(u) for u in user_ids if u]
    if not keys:
        return
    s.execute(
        update(Notification)
        .where(Notification.team_id == team_id, Notification.key.in_(keys), Notification.state != "pending",
               or_(Notification.sent_at > now - KEEP_FRESH, Notification.state == "sending"))
        .values(state="pending", claim_token=None, attempts=0, last_error=None, next_attempt_at=now + DELAY)
        .execution_options(synchronize_session=False))


def lead_changed(s: Session, lead: Lead, now: datetime, *, also: set[str] | None = None) -> None:
    """A lead changed: its owner's, its followers' and the managers' Homes are owed a refresh."""
    people = {lead.owner_id or "", *(also or set())}
    people |= set(s.scalars(select(LeadFollower.user_id).where(LeadFollower.team_id == lead.team_id,
                                                               LeadFollower.lead_id == lead.id)))
    people |= managers(s, lead.team_id)
    touch(s, lead.team_id, people, now)


def managers(s: Session, team_id: str) -> set[str]:
    return set(s.scalars(select(Member.user_id).where(
        Member.team_id == team_id, or_(Member.is_admin.is_(True), Member.role == "manager"))))


def rearm(db: Database, clock: Clock, team_id: str, user_id: str) -> None:
    """The Home being published now is owed another refresh `DELAY` later (its new charts are ready then)."""
    with db.write() as s:
        touch(s, team_id, {user_id}, clock.now())

"""The customer data's way out and its way to be forgotten.

- `export_tables`: every record of the workspace as tables (organizations, contacts, leads, deals,
  activities, comments, follow-ups, status changes, assignments), each read lazily in id order so a million
  activities never sit in memory at once.
- `erase_contact`: a contact's personal data goes from everywhere the CRM keeps it: the contact row (name,
  e-mail, phone, title, notes), every text that quotes them (comments, activity notes, follow-up notes,
  status reasons, deal notes and steps), the messages they wrote in customer channels and attached threads,
  and what is still waiting to be sent. A tombstone stays ("contact erased on …") so the history still reads.
  Their leads' cards are owed an edit, so Slack shows the tombstone too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto import Erased, ExportTable
from store.errors import Invalid
from store.models import (
    Activity, Assignment, Comment, Contact, Deal, FollowUp, Lead, Notification, Organization, Outbox, StatusChange,
)
from store.services import outbox
from store.services.audit import record
from store.services.members import require_admin
from store.text import clean

ERASED = "[erased]"
_COLUMNS: dict[str, tuple[type, tuple[str, ...]]] = {
    "organizations": (Organization, ("id", "name", "domain", "segment", "kind", "decision_authority", "approver",
                                     "source", "tags", "owner_id", "status", "tz", "contact_days", "contact_from",
                                     "contact_to", "contact_note", "created_at")),
    "contacts": (Contact, ("id", "organization_id", "name", "title", "email", "phone", "notes", "created_at",
                           "erased_at")),
    "leads": (Lead, ("id", "organization_id", "contact_id", "owner_id", "status", "status_since", "is_open",
                     "source", "segment", "arrived_at", "routed_at", "first_touch_at", "external_id", "created_by",
                     "card_permalink", "updated_at")),
    "deals": (Deal, ("id", "organization_id", "lead_id", "name", "kind", "owner_id", "amount_minor", "currency",
                     "recurring", "stage", "is_open", "expected_close", "won_at", "lost_at", "lost_reason",
                     "lost_note", "next_step", "created_by", "created_at", "updated_at")),
    "activities": (Activity, ("id", "lead_id", "actor_id", "kind", "outcome", "text", "occurred_at", "created_at")),
    "comments": (Comment, ("id", "lead_id", "organization_id", "source", "author_id", "author_name", "external",
                           "channel", "ts", "thread_ts", "text", "posted_at", "edited", "deleted", "permalink",
                           "files")),
    "follow_ups": (FollowUp, ("id", "lead_id", "owner_id", "due_at", "note", "state", "snooze_count", "created_by",
                              "created_at", "closed_at")),
    "status_changes": (StatusChange, ("id", "lead_id", "actor_id", "from_status", "to_status", "reason",
                                      "changed_at")),
    "assignments": (Assignment, ("id", "lead_id", "actor_id", "from_owner", "to_owner", "reason", "kind",
                                 "assigned_at")),
}
BATCH = 2000


def export_tables(db: Database, clock: Clock, team_id: str, actor_id: str) -> list[ExportTable]:
    """The workspace's records, table by table (admins). Deals only when the team has any."""
    require_admin(db, team_id, actor_id, "export")
    with db.read() as s:
        has_deals = s.scalar(select(Deal.id).where(Deal.team_id == team_id).limit(1)) is not None
    return [ExportTable(name, list(columns), _rows(db, team_id, model, columns))
            for name, (model, columns) in _COLUMNS.items() if name != "deals" or has_deals]


def _rows(db: Database, team_id: str, model: type, columns: tuple[str, ...]) -> Iterator[list]:
    """Pages of BATCH rows by id (keyset: each page one index range, no OFFSET), each in its own short read."""
    cols = [getattr(model, c) for c in columns]
    after = 0
    while True:
        with db.read() as s:
            rows = s.execute(select(*cols).where(model.team_id == team_id, model.id > after)
                             .order_by(model.id).limit(BATCH)).all()
        for r in rows:
            yield [_cell(v) for v in r]
        if len(rows) < BATCH:
            return
        after = rows[-1][0]


def _cell(v):
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return v


def audit_export(db: Database, clock: Clock, team_id: str, actor_id: str, rows: int, tables: list[str]) -> None:
    with db.write() as s:
        record(s, team_id, clock.now(), actor_id, "export", None, {"rows": rows, "tables": tables})


# ------------------------------------------------------------------------------------------------ forget
def find_contacts(db: Database, team_id: str, text: str) -> list[tuple[int, str, str | None, str]]:
    """(id, name, e-mail, organization) of the contacts an e-mail or a name names (not erased ones)."""
    text = (clean(text, single_line=True) or "").strip().strip('"“”')
    if not text:
        return []
    with db.read() as s:
        q = select(Contact.id, Contact.name, Contact.email, Organization.name).join(
            Organization, Organization.id == Contact.organization_id).where(
            Contact.team_id == team_id, Contact.erased_at.is_(None))
        if "@" in text:
            q = q.where(Contact.email_key == text.lower())
        elif text.startswith("#") and text[1:].isdigit():
            q = q.where(Contact.id == int(text[1:]))
        else:
            q = q.where(func.lower(Contact.name) == text.lower())
        return [(r[0], r[1] or "", r[2], r[3]) for r in s.execute(q.order_by(Contact.id).limit(11)).all()]


def _needles(c: Contact) -> list[str]:
    """What quoting the contact looks like: their full name, e-mail and phone (digits), longest first."""
    out = [x for x in (c.name, c.email, c.phone) if x and len(x.strip()) >= 2]
    return sorted({x.strip() for x in out}, key=len, reverse=True)


def scrub(text: str | None, needles: list[str]) -> tuple[str | None, bool]:
    if not text:
        return text, False
    new = text
    for n in needles:
        new = re.sub(re.escape(n), ERASED, new, flags=re.IGNORECASE)
    return new, new != text


def erase_contact(db: Database, clock: Clock, team_id: str, actor_id: str, contact_id: int) -> Erased:
    """Erase one contact's personal data everywhere (admins), keep a tombstone, write the audit log."""
    require_admin(db, team_id, actor_id, "forget")
    now = clock.now()
    with db.write() as s:
        c = s.scalar(select(Contact).where(Contact.team_id == team_id, Contact.id == contact_id)
                     .with_for_update(of=Contact) if s.bind.dialect.name == "postgresql" else
                     select(Contact).where(Contact.team_id == team_id, Contact.id == contact_id))
        if c is None or c.erased_at is not None:
            raise Invalid("contact_unknown", text=f"#{contact_id}")
        org = s.get(Organization, c.organization_id)
        needles = _needles(c)
        lead_ids = list(s.scalars(select(Lead.id).where(Lead.team_id == team_id, or_(
            Lead.contact_id == c.id, Lead.organization_id == c.organization_id))))
        rewritten = _scrub_texts(s, team_id, c, needles, lead_ids)
        c.name = c.name_key = c.title = c.email = c.email_key = c.phone = None
        c.notes = f"Contact erased on {now:%Y-%m-%d}."
        c.erased_at = now
        for lead in s.scalars(select(Lead).where(Lead.team_id == team_id, Lead.contact_id == c.id)):
            lead.updated_at = now
            outbox.enqueue(s, lead, "card", now)  # the card shows the tombstone, not the name
        record(s, team_id, now, actor_id, "forget", f"contact #{c.id}",
               {"organization": org.name if org else None, "rewritten": rewritten})
        return Erased(c.id, org.name if org else "?", lead_ids, rewritten)


def _scrub_texts(s: Session, team_id: str, c: Contact, needles: list[str], lead_ids: list[int]) -> int:
    """Every text of the contact's organization (and its leads) that quotes them; their own messages."""
    n = 0
    own = []
    if c.email:  # the messages they wrote themselves (customer channels, attached threads): by their name
        own.append(func.lower(Comment.author_name) == c.email.lower())
    if c.name:
        own.append(func.lower(Comment.author_name) == c.name.lower())
    where_org = or_(Comment.organization_id == c.organization_id, Comment.lead_id.in_(lead_ids))
    if own:
        n += s.execute(update(Comment).where(Comment.team_id == team_id, where_org, or_(*own))
                       .values(text=ERASED, author_name=None, files=None, edited=True)
                       .execution_options(synchronize_session=False)).rowcount or 0
    targets = [
        (Comment, Comment.text, and_(Comment.team_id == team_id, where_org)),
        (Activity, Activity.text, and_(Activity.team_id == team_id, Activity.lead_id.in_(lead_ids))),
        (FollowUp, FollowUp.note, and_(FollowUp.team_id == team_id, FollowUp.lead_id.in_(lead_ids))),
        (StatusChange, StatusChange.reason, and_(StatusChange.team_id == team_id, StatusChange.lead_id.in_(lead_ids))),
        (Assignment, Assignment.reason, and_(Assignment.team_id == team_id, Assignment.lead_id.in_(lead_ids))),
        (Deal, Deal.lost_note, and_(Deal.team_id == team_id, Deal.organization_id == c.organization_id)),
        (Deal, Deal.next_step, and_(Deal.team_id == team_id, Deal.organization_id == c.organization_id)),
    ]
    for model, column, where in targets:
        if not needles:
            break
        hits = or_(*[func.lower(column).contains(x.lower(), autoescape=True) for x in needles])
        for row in s.scalars(select(model).where(where, hits)):
            new, changed = scrub(getattr(row, column.key), needles)
            if changed:
                setattr(row, column.key, new)
                n += 1
    # what is still waiting to be sent may quote them too: pending thread lines, DMs
    for model in (Outbox, Notification):
        for row in s.scalars(select(model).where(model.team_id == team_id, model.state == "pending")):
            payload = row.payload or {}
            text = repr(payload)
            if any(x.lower() in text.lower() for x in needles):
                row.payload = _scrub_json(payload, needles)
                n += 1
    return n


def _scrub_json(value, needles: list[str]):
    if isinstance(value, str):
        return scrub(value, needles)[0]
    if isinstance(value, list):
        return [_scrub_json(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, needles) for k, v in value.items()}
    return value

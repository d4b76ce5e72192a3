"""Writing one planned import row, in its own transaction: a new lead in the status the file gives it (arrived
at the file's create date, the move into that status in its history at that date, the first note with it),
routed like any other when it is open and has no owner; or, for a lead already there, the row's contact added
to its organization and the file's owner set when it has none. No card unless the lead was routed (then its
assignment notice is the card), so an import does not flood a channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto import StatusInfo
from store.dto.imports import ImportRow, Planned
from store.models import Activity, Assignment, Contact, Lead, Organization, StatusChange
from store.services import outbox, pipeline, routing
from store.services.import_world import DbWorld, contact_key, find
from store.text import name_key

ACTOR = "import"


@dataclass(frozen=True)
class Written:
    lead_id: int
    created: bool
    routed: bool = False
    contact_added: bool = False
    owner_set: bool = False


def write(db: Database, clock: Clock, team_id: str, planned: Planned, status: StatusInfo, first: StatusInfo) -> Written:
    """Write the row (a unique key another writer took first, such as the same external id or company a moment
    ago, is read again and joined)."""
    try:
        return _write(db, clock, team_id, planned, status, first)
    except IntegrityError:
        return _write(db, clock, team_id, planned, status, first)


def _write(db: Database, clock: Clock, team_id: str, planned: Planned, status: StatusInfo,
           first: StatusInfo) -> Written:
    now = clock.now()
    row, owner_id = planned.row, planned.owner_id
    with db.write() as s:
        pipeline.ensure_team(s, team_id, clock)
        found = find(DbWorld(s, team_id), row, owner_id)
        if found.lead is None:
            return _create(s, team_id, now, planned, status, first, found.org_id)
        lead = s.get(Lead, found.lead.id)
        if found.add_contact:
            s.add(_contact(s, team_id, lead.organization_id, row, now))
        if found.set_owner:
            lead.owner_id, lead.updated_at = owner_id, now
            org = s.get(Organization, lead.organization_id)
            org.owner_id = org.owner_id or owner_id
            s.add(Assignment(team_id=team_id, lead_id=lead.id, from_owner=None, to_owner=owner_id,
                             reason="the owner in the imported file", kind="reassigned", actor_id=ACTOR,
                             assigned_at=now))
            if lead.card_ts:  # a card people already see says who owns it now
                outbox.enqueue(s, lead, "card", now)
        return Written(lead.id, False, contact_added=found.add_contact, owner_set=found.set_owner)


def _create(s: Session, team_id: str, now: datetime, planned: Planned, status: StatusInfo, first: StatusInfo,
            org_id: int | None) -> Written:
    row, new, owner_id = planned.row, planned.row.lead, planned.owner_id
    arrived = min(planned.arrived_at, now)
    if org_id is None:
        org = Organization(team_id=team_id, name=new.company, name_key=name_key(new.company), domain=new.domain,
                           segment=new.segment, source=new.source, owner_id=owner_id, status=status.name, tags=[],
                           created_at=now)
        s.add(org)
        s.flush()
    else:
        org = s.get(Organization, org_id)
        org.status = status.name  # an organization's status is its latest lead's
    contact = _contact(s, team_id, org.id, row, now) if contact_key(row) else None
    if contact is not None:
        s.add(contact)
        s.flush()
    lead = Lead(team_id=team_id, organization_id=org.id, contact_id=contact.id if contact else None, owner_id=None,
                source=new.source, segment=new.segment, status=status.name, status_since=arrived,
                is_open=not status.is_closed, arrived_at=arrived, created_by=ACTOR, updated_at=now,
                external_id=new.external_id)
    s.add(lead)
    s.flush()
    if status.name != first.name:  # it arrived in the first status and was moved on in the other CRM
        s.add(StatusChange(team_id=team_id, lead_id=lead.id, from_status=first.name, to_status=status.name,
                           reason=f"imported: {planned.because}" if planned.because else "imported",
                           changed_at=arrived, actor_id=ACTOR))
    routed = None
    if owner_id is None and lead.is_open:
        routed = routing.route(s, lead, now, ACTOR, new_lead=True)
    if routed is not None:
        org.owner_id = routed.owner_id
        outbox.enqueue(s, lead, "dm", now, payload={"user": routed.owner_id, "why": "routed"})
        outbox.enqueue(s, lead, "card", now, channel_hint=routed.queue.channel_id)
    elif owner_id:
        lead.owner_id = owner_id
        org.owner_id = org.owner_id or owner_id
        s.add(Assignment(team_id=team_id, lead_id=lead.id, from_owner=None, to_owner=owner_id,
                         reason="the owner in the imported file", kind="created", actor_id=ACTOR, assigned_at=now))
    if new.note:
        s.add(Activity(team_id=team_id, lead_id=lead.id, kind="Note", outcome="Not applicable", text=new.note,
                       occurred_at=arrived, actor_id=ACTOR, created_at=now))
    return Written(lead.id, True, routed=routed is not None)


def _contact(s: Session, team_id: str, org_id: int, row: ImportRow, now: datetime) -> Contact:
    new = row.lead
    return Contact(team_id=team_id, organization_id=org_id, name=new.contact_name,
                   name_key=name_key(new.contact_name) if new.contact_name else None, title=row.title,
                   email=new.email, email_key=new.email.lower() if new.email else None, phone=new.phone,
                   created_at=now)

"""Snapshots of leads for rendering (shared by every service that returns a lead)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from store.dto import ContactInfo, FollowUpInfo, LeadSummary
from store.errors import NotFound
from store.models import FollowUp, Lead
from store.services.deal_stages import deals_by_lead


def summaries(s: Session, team_id: str, leads: list[Lead], *, with_deals: bool = True) -> list[LeadSummary]:
    """Snapshot leads for rendering; open follow-ups (and open deals, unless a list has no use for them)
    come in one query each for all of them."""
    ids = [lead.id for lead in leads]
    follow: dict[int, FollowUp] = {}
    if ids:
        for f in s.scalars(
            select(FollowUp)
            .where(FollowUp.team_id == team_id, FollowUp.lead_id.in_(ids), FollowUp.state == "open")
            .order_by(FollowUp.due_at.desc())
        ):
            follow[f.lead_id] = f  # earliest due wins (rows come latest first)
    deals = deals_by_lead(s, team_id, {lead.id: lead.organization.name for lead in leads}) if with_deals else {}
    out = []
    for lead in leads:
        org, c, f = lead.organization, lead.contact, follow.get(lead.id)
        out.append(
            LeadSummary(
                id=lead.id, team_id=lead.team_id, organization_id=org.id, company=org.name, domain=org.domain,
                status=lead.status, status_since=lead.status_since, is_open=lead.is_open, owner_id=lead.owner_id,
                segment=lead.segment, source=lead.source, arrived_at=lead.arrived_at,
                first_touch_at=lead.first_touch_at,
                contact=ContactInfo(c.id, c.name, c.title, c.email, c.phone) if c else None,
                follow_up=FollowUpInfo(f.id, f.due_at, f.note, f.owner_id, f.state) if f else None,
                card_channel=lead.card_channel, card_ts=lead.card_ts, card_permalink=lead.card_permalink,
                routed_at=lead.routed_at, routing_reason=lead.routing_reason, accepted_at=lead.accepted_at,
                sla_due_at=lead.sla_due_at, sla_breached_at=lead.sla_breached_at, queue_id=lead.queue_id,
                external_id=lead.external_id, deals=tuple(deals.get(lead.id, ())),
            )
        )
    return out


def _lead_query(team_id: str):
    return select(Lead).options(joinedload(Lead.organization), joinedload(Lead.contact)).where(Lead.team_id == team_id)


def load_lead(s: Session, team_id: str, lead_id: int, *, for_update: bool = False) -> Lead:
    q = _lead_query(team_id).where(Lead.id == lead_id)
    if for_update and s.bind.dialect.name == "postgresql":
        q = q.with_for_update(of=Lead)
    lead = s.scalar(q)
    if lead is None:
        raise NotFound("lead_not_found", lead_id=lead_id)
    return lead


def lead_summary(s: Session, team_id: str, lead_id: int) -> LeadSummary:
    return summaries(s, team_id, [load_lead(s, team_id, lead_id)])[0]

"""Deals (opportunities), their configurable stages, their history, and relations between organizations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import ID, Base


class DealStage(Base):
    """A workspace's deal stages, in order, each with a win probability; `outcome` marks Won and Lost."""

    __tablename__ = "deal_stage"
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    probability: Mapped[int] = mapped_column(Integer)  # percent
    position: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(8), default="open")  # open | won | lost


class Deal(Base):
    """What the team is trying to win from an organization: amount in minor units (no float money)."""

    __tablename__ = "deal"
    __table_args__ = (
        # covering: the pipeline's totals read the index alone, and each stage's deals come in close order
        Index("ix_deal_team_open_stage", "team_id", "is_open", "stage", "expected_close", "currency", "amount_minor"),
        Index("ix_deal_team_owner_open", "team_id", "owner_id", "is_open"),
        Index("ix_deal_team_lead", "team_id", "lead_id"),
        Index("ix_deal_team_org", "team_id", "organization_id"),
        Index("ix_deal_team_created", "team_id", "created_at"),
        Index("ix_deal_team_won", "team_id", "won_at"),
        Index("ix_deal_team_lost", "team_id", "lost_at"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="new")  # new | upsell | renewal
    owner_id: Mapped[str | None] = mapped_column(String(32))
    next_step: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)  # True: the amount is per month (MRR)
    stage: Mapped[str] = mapped_column(String(40))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    expected_close: Mapped[date | None] = mapped_column(Date)
    won_at: Mapped[datetime | None]
    lost_at: Mapped[datetime | None]
    lost_reason: Mapped[str | None] = mapped_column(String(40))
    lost_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DealChange(Base):
    """One change of a deal (created, stage, amount, won, lost), for its lead's history."""

    __tablename__ = "deal_change"
    __table_args__ = (Index("ix_deal_change_team_lead_time", "team_id", "lead_id", "changed_at"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"))
    actor_id: Mapped[str] = mapped_column(String(32))
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str | None] = mapped_column(Text)  # e.g. "₩1,200,000/month, closes 2026-12-15"
    changed_at: Mapped[datetime]


class OrganizationRelation(Base):
    """Agency X works for shop A; partner Y referred Z. Shown both ways in the 360 view."""

    __tablename__ = "organization_relation"
    __table_args__ = (UniqueConstraint("team_id", "from_id", "to_id", "kind", name="uq_organization_relation"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    from_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    to_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    kind: Mapped[str] = mapped_column(String(24))  # works_for | referred
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class DealTotal(Base):
    """Open deals summed by owner, stage, currency and expected-close month, kept in the transaction of every
    deal change: `/lead pipeline` reads a few hundred rows whatever the number of deals."""

    __tablename__ = "deal_total"
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" for none
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    close_month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, "" for no date
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)

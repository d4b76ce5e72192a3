"""What reports and the Home keep beside the CRM's own records: connect-rate roll-ups for the best time to
reach a customer, and the chart images already uploaded to Slack."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base


class ContactStat(Base):
    """Attempts to reach someone (calls and the like whose outcome says whether anyone answered) and how many
    connected, by the organization's local weekday (0 = Monday) and hour. `scope` says whose: `all` (the
    workspace), `org:<id>`, `type:<type>`, `segment:<segment>`. Kept in the transaction of every attempt."""

    __tablename__ = "contact_stat"
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempts: Mapped[int] = mapped_column(BigInteger, default=0)
    connects: Mapped[int] = mapped_column(BigInteger, default=0)


class ChartFile(Base):
    """A chart image uploaded to Slack, by the SHA-256 of its PNG: the same picture is uploaded once and its
    file id reused (a Home that did not change costs no upload)."""

    __tablename__ = "chart_file"
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime]

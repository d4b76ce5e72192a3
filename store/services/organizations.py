"""Organizations: what kind of customer each is (type), who can decide (authority, approver), and how
they are related (an agency works for shops, a partner referred a customer), read both ways."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database, prefix_match
from store.dto import OrgInfo
from store.dto import ContactHours
from store.errors import Invalid, NotFound
from store.models import Contact, Deal, Lead, Organization, OrganizationRelation, Team
from store.services import best_time, pipeline
from store.text import clean, name_key
from store.vocabulary import AUTHORITY, ORG_TYPES, RELATIONS


def org_types(s: Session, team_id: str) -> list[str]:
    team = s.get(Team, team_id)
    return list(((team.settings or {}).get("org_types") if team else None) or ORG_TYPES)


def org_info(s: Session, team_id: str, org_id: int, *, org: Organization | None = None) -> OrgInfo:
    """The organization with its relations both ways (`org`: the row, when the caller has it loaded)."""
    if org is None or org.id != org_id or org.team_id != team_id:
        org = s.scalar(select(Organization).where(Organization.team_id == team_id, Organization.id == org_id))
    if org is None:
        raise NotFound("organization_not_found", org_id=org_id)
    rows = s.execute(
        select(OrganizationRelation, Organization.name)
        .join(Organization, or_(
            (OrganizationRelation.from_id == org_id) & (Organization.id == OrganizationRelation.to_id),
            (OrganizationRelation.to_id == org_id) & (Organization.id == OrganizationRelation.from_id)))
        .where(OrganizationRelation.team_id == team_id,
               or_(OrganizationRelation.from_id == org_id, OrganizationRelation.to_id == org_id))
        .order_by(OrganizationRelation.id).limit(40)
    ).all()
    relations = tuple(
        (RELATIONS[r.kind][0 if r.from_id == org_id else 1], r.to_id if r.from_id == org_id else r.from_id, name)
        for r, name in rows if r.kind in RELATIONS)
    hours = best_time.contact_hours(org)
    return OrgInfo(org.id, org.name, org.domain, org.kind, org.decision_authority, org.approver, org.segment,
                   org.status, relations, None if hours.empty and not org.tz else hours)


def classify(db: Database, clock: Clock, team_id: str, org_id: int, *, kind: str | None,
             authority: str | None, approver: str | None) -> OrgInfo:
    """Set what kind of customer it is and who decides (None leaves a value as it is)."""
    with db.write() as s:
        pipeline.ensure_team(s, team_id, clock)
        org = s.scalar(select(Organization).where(Organization.team_id == team_id, Organization.id == org_id)
                       .with_for_update())
        if org is None:
            raise NotFound("organization_not_found", org_id=org_id)
        counted = best_time.scopes(org)
        if kind is not None:
            types = org_types(s, team_id)
            match = next((t for t in types if name_key(t) == name_key(kind)), None)
            if match is None:
                raise Invalid("choice_unknown", field="org_type", text=kind, what="type", options=", ".join(types))
            org.kind = match
        if authority is not None:
            if authority not in AUTHORITY:
                raise Invalid("choice_unknown", field="authority", text=authority, what="decision authority",
                              options=", ".join(AUTHORITY.values()))
            org.decision_authority = authority
        if approver is not None:
            org.approver = clean(approver, single_line=True, limit=200)
        if best_time.scopes(org) != counted:  # its attempts now count for its new type
            best_time.recount_org(s, org, old_scopes=counted, old_tz=org.tz)
        s.flush()
        return org_info(s, team_id, org.id)


def set_contact_hours(db: Database, clock: Clock, team_id: str, org_id: int, *, days: list[int] | None,
                      start: str | None, end: str | None, note: str | None, tz: str | None) -> ContactHours:
    """When the organization takes calls: weekdays (0 = Monday; None or all seven: any day), local hours (HH:MM,
    either may be open), a note ("parcels go out at 16:00"), its zone (None: the workspace's)."""
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid("tz_unknown", field="org_tz", text=tz[:60]) from None
    if start and end and start >= end:
        raise Invalid("hours_order", field="contact_to", start=start, end=end)
    if days is not None and not days:
        raise Invalid("days_none", field="contact_days")
    with db.write() as s:
        org = s.scalar(select(Organization).where(Organization.team_id == team_id, Organization.id == org_id)
                       .with_for_update())
        if org is None:
            raise NotFound("organization_not_found", org_id=org_id)
        old_tz, counted = org.tz, best_time.scopes(org)
        org.contact_days = None if days is None or len(set(days)) == 7 else "".join(
            "1" if i in days else "0" for i in range(7))
        org.contact_from, org.contact_to = start or None, end or None
        org.contact_note = clean(note, single_line=True, limit=300)
        org.tz = tz or None
        if org.tz != old_tz:  # its attempts are counted again in its own local hours
            best_time.recount_org(s, org, old_scopes=counted, old_tz=old_tz)
        s.flush()
        return best_time.contact_hours(org)


def relate(db: Database, clock: Clock, team_id: str, actor_id: str, from_id: int, to_id: int, kind: str, *,
           note: str | None = None) -> OrgInfo:
    """`from_id` works for / referred `to_id`. Relating an organization to itself is refused; the same
    relation twice is one."""
    if kind not in RELATIONS:
        raise Invalid("choice_unknown", field="relation", text=kind, what="relation",
                      options=", ".join(v[0] for v in RELATIONS.values()))
    if from_id == to_id:
        raise Invalid("relation_self", field="related")
    try:
        with db.write() as s:
            found = s.scalars(select(Organization.id).where(Organization.team_id == team_id,
                                                            Organization.id.in_([from_id, to_id]))).all()
            if len(set(found)) != 2:
                raise NotFound("organization_not_found", org_id=to_id)
            exists = s.scalar(select(OrganizationRelation.id).where(
                OrganizationRelation.team_id == team_id, OrganizationRelation.from_id == from_id,
                OrganizationRelation.to_id == to_id, OrganizationRelation.kind == kind))
            if exists is None:
                s.add(OrganizationRelation(team_id=team_id, from_id=from_id, to_id=to_id, kind=kind,
                                           note=clean(note, limit=500), created_by=actor_id, created_at=clock.now()))
                s.flush()
            return org_info(s, team_id, from_id)
    except IntegrityError:  # the same relation, saved twice at once
        with db.read() as s:
            return org_info(s, team_id, from_id)


def suggest(db: Database, team_id: str, query: str, *, limit: int = 25) -> list[tuple[int, str]]:
    """Organizations whose name starts with the query (type-ahead); (id, name)."""
    key = name_key(query)
    with db.read() as s:
        q = select(Organization.id, Organization.name).where(Organization.team_id == team_id)
        if key:
            q = q.where(prefix_match(Organization.name_key, key, s.bind.dialect.name))
        return [(i, n) for i, n in s.execute(q.order_by(Organization.name_key).limit(limit))]


def look_alikes(s: Session, team_id: str, org_id: int, *, limit: int = 10) -> list[tuple[int, str, str]]:
    """Other organizations that may be the same customer: the same e-mail domain or website, or a name
    that starts like this one's first word (`Acme` and `Acme Shop`). (id, name, why)."""
    org = s.scalar(select(Organization).where(Organization.team_id == team_id, Organization.id == org_id))
    if org is None:
        return []
    found: dict[int, tuple[int, str, str]] = {}
    if org.domain:
        for i, n in s.execute(select(Organization.id, Organization.name).where(
                Organization.team_id == team_id, Organization.domain == org.domain, Organization.id != org_id)
                .limit(limit)):
            found[i] = (i, n, f"same domain {org.domain}")
    first = (org.name_key or "").split(" ")[0]
    if len(first) >= 3:  # `acme` or `acme …`: one index range, the rest filtered here
        rows = s.execute(select(Organization.id, Organization.name, Organization.name_key).where(
            Organization.team_id == team_id, Organization.id != org_id,
            prefix_match(Organization.name_key, first, s.bind.dialect.name)).limit(50))
        for i, n, key in rows:
            if key == first or key.startswith(first + " "):
                found.setdefault(i, (i, n, "similar name"))
    return list(found.values())[:limit]


def merge(s: Session, team_id: str, duplicate_id: int, into_id: int) -> None:
    """Inside the caller's transaction: everything of `duplicate_id` (leads, contacts, deals, relations)
    moves to `into_id`, and the duplicate is removed."""
    if duplicate_id == into_id:
        raise Invalid("merge_same", field="merge_into")
    ids = set(s.scalars(select(Organization.id).where(Organization.team_id == team_id,
                                                      Organization.id.in_([duplicate_id, into_id]))))
    if ids != {duplicate_id, into_id}:
        raise NotFound("organization_not_found", org_id=into_id)
    best_time.merging(s, s.get(Organization, duplicate_id), s.get(Organization, into_id))
    for model in (Lead, Contact, Deal):
        s.execute(update(model).where(model.team_id == team_id, model.organization_id == duplicate_id)
                  .values(organization_id=into_id).execution_options(synchronize_session=False))
    for column, other in ((OrganizationRelation.from_id, OrganizationRelation.to_id),
                          (OrganizationRelation.to_id, OrganizationRelation.from_id)):
        rows = s.scalars(select(OrganizationRelation).where(OrganizationRelation.team_id == team_id,
                                                            column == duplicate_id)).all()
        for r in rows:
            ends = {column.key: into_id, other.key: getattr(r, other.key)}
            twin = s.scalar(select(OrganizationRelation.id).where(
                OrganizationRelation.team_id == team_id, OrganizationRelation.kind == r.kind,
                OrganizationRelation.from_id == ends["from_id"], OrganizationRelation.to_id == ends["to_id"]))
            if getattr(r, other.key) == into_id or twin is not None:
                s.delete(r)  # it would relate the organization to itself, or repeat a relation it has
            else:
                setattr(r, column.key, into_id)
        s.flush()
    s.flush()
    s.execute(delete(Organization).where(Organization.team_id == team_id, Organization.id == duplicate_id))
    s.expire_all()

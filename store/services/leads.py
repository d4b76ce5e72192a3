"""Creating, finding and reading leads."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from store.clock import Clock
from store.db import Database, prefix_match
from store.dto import (
    ContactInfo,
    LeadCreated,
    LeadDetail,
    LeadSummary,
    NewLead,
    SearchHit,
)
from store.errors import Invalid
from store.models import Activity, Assignment, Contact, FollowUp, Lead, Organization
from store.services import outbox, pipeline, routing
from store.services.deal_stages import deals_by_lead
from store.services.organizations import org_info
from store.services.channels import infos_of as channel_infos
from store.services import lead_refs
from store.services.lead_refs import one_per_org
from store.services.snapshots import _lead_query, load_lead, summaries
from store.services.timeline import timeline_page
from store.text import EMAIL, HANGUL, clean, compact_key, domain_of, like_escape, name_key
from store.vocabulary import canonical_source


def validate_new_lead(new: NewLead) -> NewLead:
    """Clean every field and raise `Invalid(field=...)` for the first that is wrong."""
    company = clean(new.company, single_line=True)
    if not company:
        raise Invalid("company_missing", field="company")
    if len(company) > 200:
        raise Invalid("company_too_long", field="company")
    email = clean(new.email, single_line=True)
    if email and (len(email) > 320 or not EMAIL.match(email)):
        raise Invalid("email_invalid", field="email", email=email[:80])
    phone = clean(new.phone, single_line=True)
    if phone and (len(phone) > 40 or not any(c.isdigit() for c in phone)):
        raise Invalid("phone_invalid", field="phone")
    contact_name = clean(new.contact_name, single_line=True)
    if contact_name and len(contact_name) > 200:
        raise Invalid("contact_name_too_long", field="contact_name")
    return NewLead(
        company=company,
        contact_name=contact_name,
        email=email,
        phone=phone,
        segment=pipeline.pick(pipeline.SEGMENTS, clean(new.segment), "Segment"),
        source=canonical_source(new.source),  # free text: known names in their spelling, others as given
        note=clean(new.note, limit=10_000),
        owner_id=new.owner_id,
        domain=domain_of(new.domain) or (email.split("@", 1)[1].lower() if email else None),
        external_id=clean(new.external_id, single_line=True, limit=200),
    )


SYSTEM_ACTORS = ("intake", "import", "sla")  # not people: they never own what they create


def create_lead(
    db: Database, clock: Clock, team_id: str, actor_id: str, new: NewLead, *, channel_hint: str | None = None,
    route: bool = True, quiet: bool = False,
) -> LeadCreated:
    """One organization (reused by name), an optional contact, the lead, and its card owed to Slack.
    A lead without an owner is routed (when the workspace has queues), else owned by its creator.
    `quiet` (imports): no card unless the lead was routed (then its assignment notice is the card)."""
    new = validate_new_lead(new)
    try:
        return _create(db, clock, team_id, actor_id, new, channel_hint, route, quiet)
    except IntegrityError:
        # Another request created the same organization (or external id) a moment ago: take that one.
        return _create(db, clock, team_id, actor_id, new, channel_hint, route, quiet)


def _create(db: Database, clock: Clock, team_id: str, actor_id: str, new: NewLead, channel_hint: str | None,
            route: bool, quiet: bool = False):
    now = clock.now()
    with db.write() as s:
        pipeline.ensure_team(s, team_id, clock)
        if new.external_id:
            same = s.scalar(_lead_query(team_id).where(Lead.external_id == new.external_id))
            if same is not None:
                return LeadCreated(summaries(s, team_id, [same])[0], existed=True)
        key = name_key(new.company)
        org = s.scalar(select(Organization).where(Organization.team_id == team_id, Organization.name_key == key))
        if org is None:  # the same name written without (or with) its spaces: `부산 베이커리` is 부산베이커리
            org = s.scalar(select(Organization).where(Organization.team_id == team_id,
                                                      Organization.compact_key == compact_key(key))
                           .order_by(Organization.id).limit(1))
        if org is not None:
            open_lead = s.scalar(
                select(Lead)
                .where(Lead.team_id == team_id, Lead.organization_id == org.id, Lead.is_open.is_(True))
                .order_by(Lead.id.desc())
                .limit(1)
            )
            if open_lead is not None:
                return LeadCreated(summaries(s, team_id, [open_lead])[0], existed=True)
        first = pipeline.statuses(s, team_id)[0]
        owner = new.owner_id or (None if actor_id in SYSTEM_ACTORS else actor_id)
        if org is None:
            org = Organization(
                team_id=team_id, name=new.company, name_key=key, domain=new.domain, segment=new.segment,
                source=new.source, owner_id=owner, status=first.name, tags=[], created_at=now,
            )
            s.add(org)
            s.flush()
        contact = None
        if new.contact_name or new.email or new.phone:
            contact = Contact(
                team_id=team_id, organization_id=org.id, name=new.contact_name,
                name_key=name_key(new.contact_name) if new.contact_name else None, email=new.email,
                email_key=new.email.lower() if new.email else None, phone=new.phone, created_at=now,
            )
            s.add(contact)
            s.flush()
        lead = Lead(
            team_id=team_id, organization_id=org.id, contact_id=contact.id if contact else None, owner_id=owner,
            source=new.source, segment=new.segment, status=first.name, status_since=now, is_open=True,
            arrived_at=now, created_by=actor_id, updated_at=now, external_id=new.external_id,
        )
        s.add(lead)
        s.flush()
        routed = None
        if route and not new.owner_id:
            lead.owner_id = None
            routed = routing.route(s, lead, now, actor_id, new_lead=True)
        if routed is not None:
            org.owner_id, channel_hint = routed.owner_id, routed.queue.channel_id
            outbox.enqueue(s, lead, "dm", now, payload={"user": routed.owner_id, "why": "routed"})
        elif owner:
            lead.owner_id = owner
            reason = "created the lead" if owner == actor_id else "chosen when the lead was created"
            s.add(Assignment(team_id=team_id, lead_id=lead.id, from_owner=None, to_owner=owner, reason=reason,
                             kind="created", actor_id=actor_id, assigned_at=now))
        if new.note:
            s.add(Activity(team_id=team_id, lead_id=lead.id, kind="Note", outcome="Not applicable", text=new.note,
                           occurred_at=now, actor_id=actor_id, created_at=now))
        if routed is not None or not quiet:
            outbox.enqueue(s, lead, "card", now, channel_hint=channel_hint)
        return LeadCreated(summaries(s, team_id, [lead])[0], existed=False)


# ---------------------------------------------------------------- reading

resolve_lead = lead_refs.resolve_lead  # a lead by `#id`, e-mail or name; with the other look-ups in `lead_refs`


def get_lead(db: Database, team_id: str, lead_id: int) -> LeadSummary:
    with db.read() as s:
        return summaries(s, team_id, [load_lead(s, team_id, lead_id)])[0]


def _long_enough_to_scan(compact: str) -> bool:
    """Whether a compact key is worth a scan for names containing it: three letters, or two Hangul syllables
    (a syllable is a whole sound: `베이` already says much)."""
    return len(compact) >= (2 if HANGUL.search(compact) else 3)


def search(db: Database, team_id: str, text: str, *, limit: int = 20) -> list[SearchHit]:
    """Organizations by name (prefix, then anywhere), contacts by name or e-mail, and domains."""
    q = clean(text, single_line=True)
    if not q:
        raise Invalid("find_empty")
    key = name_key(q)[:200]
    compact = compact_key(key)  # names match with or without their spaces
    with db.read() as s:
        dialect = s.bind.dialect.name
        found: dict[int, str] = {}

        def add(org_ids, why: str) -> None:
            for oid in s.scalars(org_ids):
                if len(found) >= limit:
                    return
                found.setdefault(oid, why)

        base = select(Organization.id).where(Organization.team_id == team_id)
        if q.startswith("#") and q[1:].isdigit():
            add(select(Lead.organization_id).where(Lead.team_id == team_id, Lead.id == int(q[1:])), "id")
        add(base.where(prefix_match(Organization.compact_key, compact, dialect))
            .order_by(Organization.name_key).limit(limit), "company")
        add(base.where(prefix_match(Organization.domain, domain_of(key) or key, dialect)).limit(limit), "domain")
        contacts = select(Contact.organization_id).where(Contact.team_id == team_id)
        add(contacts.where(prefix_match(Contact.email_key, key, dialect)).limit(limit), "email")
        add(contacts.where(prefix_match(Contact.name_key, key, dialect)).limit(limit), "contact")
        exact_kind = "@" in q or (q.startswith("#") and q[1:].isdigit())  # e-mails and ids are never inside names
        if len(found) < limit and _long_enough_to_scan(compact) and not exact_kind:
            pattern = "%" + like_escape(compact) + "%"  # a scan, bounded by the limit: names containing it
            add(base.where(Organization.compact_key.like(pattern, escape="\\")).limit(limit), "company")
        if not found:
            return []
        leads = s.scalars(
            _lead_query(team_id)
            .where(Lead.organization_id.in_(list(found)))
            .order_by(Lead.is_open.desc(), Lead.id.desc())
        ).unique().all()
        order = {oid: i for i, oid in enumerate(found)}
        picked = sorted(one_per_org(leads), key=lambda lead: order[lead.organization_id])[:limit]
        return [SearchHit(summary, found[summary.organization_id])
                for summary in summaries(s, team_id, picked, with_deals=False)]


def my_leads(db: Database, clock: Clock, team_id: str, user_id: str, *, limit: int = 25) -> tuple[list[LeadSummary], int]:
    """Open leads owned by the user: overdue follow-ups first, then the soonest due, then the rest."""
    now = clock.now()
    with db.read() as s:
        next_due = (
            select(FollowUp.lead_id, func.min(FollowUp.due_at).label("due"))
            .where(FollowUp.team_id == team_id, FollowUp.owner_id == user_id, FollowUp.state == "open")
            .group_by(FollowUp.lead_id)
            .subquery()
        )
        where = (Lead.team_id == team_id, Lead.owner_id == user_id, Lead.is_open.is_(True))
        total = s.scalar(select(func.count()).select_from(Lead).where(*where)) or 0
        leads = s.scalars(
            _lead_query(team_id)
            .where(*where[1:])
            .outerjoin(next_due, next_due.c.lead_id == Lead.id)
            .order_by(
                case((next_due.c.due < now, 0), (next_due.c.due.is_not(None), 1), else_=2),
                next_due.c.due,
                Lead.updated_at.desc(),
            )
            .limit(limit)
        ).unique().all()
        return summaries(s, team_id, list(leads), with_deals=False), total


def lead_detail(db: Database, team_id: str, lead_id: int, *, entries: int = 8) -> LeadDetail:
    with db.read() as s:
        lead = load_lead(s, team_id, lead_id)
        every = deals_by_lead(s, team_id, {lead.id: lead.organization.name}, open_only=False).get(lead.id, [])
        summary = replace(summaries(s, team_id, [lead], with_deals=False)[0],
                          deals=tuple(d for d in every if d.is_open))
        contacts = [
            ContactInfo(c.id, c.name, c.title, c.email, c.phone)
            for c in s.scalars(
                select(Contact)
                .where(Contact.team_id == team_id, Contact.organization_id == lead.organization_id,
                       Contact.erased_at.is_(None))
                .order_by(Contact.id)
                .limit(10)
            )
        ]
        meaning = next((st.meaning for st in pipeline.statuses(s, team_id) if st.name == lead.status), None)
        count = s.scalar(
            select(func.count()).select_from(Activity).where(Activity.team_id == team_id, Activity.lead_id == lead_id)
        ) or 0
        linked = tuple(channel_infos(s, team_id, lead.organization_id))
        return LeadDetail(summary, contacts, timeline_page(s, team_id, lead_id, limit=entries), meaning, count,
                          tuple(d for d in every if not d.is_open), org_info(s, team_id, lead.organization_id,
                                                                              org=lead.organization), linked)


def suggest(db: Database, team_id: str, query: str, *, limit: int = 25) -> list[LeadSummary]:
    """Type-ahead for the Lead picker: open leads whose company starts with (then contains) the query."""
    key = name_key(clean(query, single_line=True) or "")[:200]
    compact = compact_key(key)
    with db.read() as s:
        dialect = s.bind.dialect.name
        cond = (prefix_match(Organization.compact_key, compact, dialect) if key
                else Organization.name_key.is_not(None))
        org_ids = list(
            s.scalars(
                select(Organization.id).where(Organization.team_id == team_id, cond)
                .order_by(Organization.name_key).limit(limit)
            )
        )
        if len(org_ids) < limit and _long_enough_to_scan(compact):
            pattern = "%" + like_escape(compact) + "%"
            org_ids += [
                oid for oid in s.scalars(
                    select(Organization.id)
                    .where(Organization.team_id == team_id, Organization.compact_key.like(pattern, escape="\\"))
                    .limit(limit)
                )
                if oid not in org_ids
            ][: limit - len(org_ids)]
        if not org_ids:
            return []
        leads = s.scalars(
            _lead_query(team_id).where(Lead.organization_id.in_(org_ids)).order_by(Lead.is_open.desc(), Lead.id.desc())
        ).unique().all()
        order = {oid: i for i, oid in enumerate(org_ids)}
        return summaries(s, team_id, sorted(one_per_org(leads), key=lambda l: order[l.organization_id])[:limit],
                         with_deals=False)



def history(db: Database, team_id: str, lead_id: int, *, page: int = 0, per_page: int = 10):
    """One page of the timeline, newest first: (lead, entries, whether older entries exist). One query."""
    page = max(0, page)
    with db.read() as s:
        lead = summaries(s, team_id, [load_lead(s, team_id, lead_id)])[0]
        rows = timeline_page(s, team_id, lead_id, limit=per_page + 1, offset=page * per_page)
        return lead, rows[:per_page], len(rows) > per_page


LIST_COUNT_CAP = 1000


def list_leads(db: Database, team_id: str, *, statuses: list[str] | None = None, owner_id: str | None = None,
               org_type: str | None = None, segment: str | None = None, authority: str | None = None,
               include_closed: bool = False, unowned: bool = False, page: int = 0,
               per_page: int = 20) -> tuple[list[LeadSummary], int]:
    """`/lead list`: leads by status, owner (or nobody: `unowned`), organization type, segment and decision
    authority, a page at a time (newest status change first) and how many match (LIST_COUNT_CAP + 1 meaning
    "more than the cap")."""
    where = [Lead.team_id == team_id]
    if not include_closed and not statuses:
        where.append(Lead.is_open.is_(True))
    if statuses:
        where.append(Lead.status.in_(statuses))
    if owner_id:
        where.append(Lead.owner_id == owner_id)
    elif unowned:
        where.append(Lead.owner_id.is_(None))  # ix_lead_team_owner_open
    if segment:
        where.append(func.lower(Lead.segment) == segment.lower())
    org_where = []
    if org_type:
        org_where.append(func.lower(Organization.kind) == org_type.lower())
    if authority:
        org_where.append(Organization.decision_authority == authority)
    with db.read() as s:
        matching = select(Lead.id).where(*where)
        rows = _lead_query(team_id).where(*where[1:])
        if org_where:
            matching = matching.join(Organization, Organization.id == Lead.organization_id).where(*org_where)
            rows = rows.where(Lead.organization.has(and_(*org_where)))  # probed per lead, newest first
        # counted up to the cap: "more than 1,000" is all a page needs, and the count stays cheap at any size
        total = s.scalar(select(func.count()).select_from(matching.limit(LIST_COUNT_CAP + 1).subquery())) or 0
        found = s.scalars(rows.order_by(Lead.status_since.desc(), Lead.id.desc())
                          .limit(per_page).offset(page * per_page)).unique().all()
        return summaries(s, team_id, list(found), with_deals=False), total

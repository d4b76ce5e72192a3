"""What an import finds in the database for a row, decided in one place for the dry run and the real run:
the lead the row is (same external id, else the organization's open lead, else its newest), whether the row's
contact is new to that organization, and whether the lead still needs the owner the file names. The dry run
asks a `PlannedWorld` (the database plus what earlier rows of the file will create); the real run asks the
database inside each row's own transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.dto.imports import ImportRow
from store.models import Contact, Lead, Organization
from store.text import name_key


@dataclass
class LeadRef:
    id: int | None  # None: created by an earlier row of the file
    owner_id: str | None
    org_id: int | None
    company: str


@dataclass
class Found:
    lead: LeadRef | None  # None: the row makes a new lead
    org_id: int | None  # the organization it joins (None: a new one)
    add_contact: bool
    set_owner: bool


def contact_key(row: ImportRow) -> tuple[str | None, str | None, str | None] | None:
    """(e-mail, name, phone) of the row's contact, compared without case; None when the row has none."""
    lead = row.lead
    if not (lead.email or lead.contact_name or lead.phone):
        return None
    return (lead.email.lower() if lead.email else None, name_key(lead.contact_name) if lead.contact_name else None,
            lead.phone)


def known(contacts: list[tuple[str | None, str | None, str | None]], key) -> bool:
    """Whether the organization has this contact already: the same e-mail, or the same name (one person with a
    work and a home address is one contact), or, for a row with only a phone, the same phone."""
    email, name, phone = key
    for e, n, p in contacts:
        if (email and e == email) or (name and n == name):
            return True
        if not email and not name and phone and p and p.split(",")[0].strip() == phone.split(",")[0].strip():
            return True
    return False


class DbWorld:
    def __init__(self, s: Session, team_id: str) -> None:
        self.s, self.team_id = s, team_id

    def lead_by_external(self, external_id: str) -> LeadRef | None:
        lead = self.s.scalar(select(Lead).where(Lead.team_id == self.team_id, Lead.external_id == external_id))
        return self._ref(lead)

    def org(self, company: str) -> int | None:
        return self.s.scalar(select(Organization.id).where(Organization.team_id == self.team_id,
                                                           Organization.name_key == name_key(company)))

    def lead_of(self, org_id: int) -> LeadRef | None:
        """The organization's open lead (the newest), else its newest closed one."""
        lead = self.s.scalar(select(Lead).where(Lead.team_id == self.team_id, Lead.organization_id == org_id)
                             .order_by(Lead.is_open.desc(), Lead.id.desc()).limit(1))
        return self._ref(lead)

    def contacts(self, org_id: int | None) -> list[tuple[str | None, str | None, str | None]]:
        if org_id is None:
            return []
        return [(e, n, p) for e, n, p in self.s.execute(
            select(Contact.email_key, Contact.name_key, Contact.phone)
            .where(Contact.team_id == self.team_id, Contact.organization_id == org_id))]

    def _ref(self, lead: Lead | None) -> LeadRef | None:
        if lead is None:
            return None
        return LeadRef(lead.id, lead.owner_id, lead.organization_id, lead.organization.name)


class PlannedWorld(DbWorld):
    """The database as it will be once the earlier rows of the file are written."""

    def __init__(self, s: Session, team_id: str) -> None:
        super().__init__(s, team_id)
        self.by_external: dict[str, LeadRef] = {}
        self.by_company: dict[str, LeadRef] = {}
        self.added: dict[object, list] = {}  # organization (id, or company key for new ones) → contacts
        self.refs: dict[int, LeadRef] = {}  # leads of the database, once read (an owner set stays set)

    def lead_by_external(self, external_id: str) -> LeadRef | None:
        return self.by_external.get(external_id) or super().lead_by_external(external_id)

    def _ref(self, lead: Lead | None) -> LeadRef | None:
        if lead is None:
            return None
        if lead.id not in self.refs:
            self.refs[lead.id] = super()._ref(lead)
        return self.refs[lead.id]

    def org_lead(self, company: str) -> LeadRef | None:
        return self.by_company.get(name_key(company))

    def contacts_of(self, ref: LeadRef | None, org_id: int | None, company: str) -> list:
        where = org_id if org_id is not None else (ref.org_id if ref and ref.org_id else None)
        slot = where if where is not None else name_key(ref.company if ref else company)
        return self.contacts(where) + self.added.get(slot, [])

    def record(self, row: ImportRow, found: Found, owner_id: str | None) -> None:
        """What writing this row will have changed, for the rows after it."""
        lead = found.lead
        if lead is None:
            lead = LeadRef(None, owner_id, found.org_id, row.lead.company)
            self.by_company[name_key(row.lead.company)] = lead
        elif found.set_owner:
            lead.owner_id = owner_id
        if row.lead.external_id:
            self.by_external.setdefault(row.lead.external_id, lead)
        key = contact_key(row)
        if key is not None:
            slot = lead.org_id if lead.org_id is not None else name_key(lead.company)
            self.added.setdefault(slot, []).append(key)


def find(world: DbWorld, row: ImportRow, owner_id: str | None) -> Found:
    """What the row is in this world: a lead already there (with a contact to add, an owner to set) or a new one."""
    lead = world.lead_by_external(row.lead.external_id) if row.lead.external_id else None
    planned = isinstance(world, PlannedWorld)
    if lead is None and planned:
        lead = world.org_lead(row.lead.company)
    org_id = lead.org_id if lead else world.org(row.lead.company)
    if lead is None and org_id is not None:
        lead = world.lead_of(org_id)
    if lead is None:
        return Found(None, org_id, False, False)
    key = contact_key(row)
    contacts = (world.contacts_of(lead, org_id, row.lead.company) if planned else world.contacts(lead.org_id))
    return Found(lead, lead.org_id, key is not None and not known(contacts, key),
                 owner_id is not None and lead.owner_id is None)

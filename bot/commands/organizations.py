"""`/lead org <lead>`: what kind of customer, who decides, and how it is related to other organizations."""

from __future__ import annotations

from slack_bolt import Ack

from bot.context import Req
from bot.errors import Listeners
from bot.forms import Form, submitted, values
from bot.i18n import _
from bot.ids import Action, Callback
from bot.metadata import ModalContext, PendingAction
from bot.views.organization import org_line, org_option, organization_modal
from bot.views.text import esc_cut
from bot.wording import Refusal
from store.dto import LeadSummary, OrgInfo
from store.services import leads, organizations

listeners = Listeners()
register = listeners.register
# The relation as seen from the lead's organization → (from is this one?, the store's kind).
RECORDED = {"works_for": (True, "works_for"), "agency": (False, "works_for"), "referred": (True, "referred"),
            "referred_by": (False, "referred")}


class OrganizationForm(Form):
    org_type: str | None = None
    authority: str | None = None
    approver: str | None = None
    related: int | None = None
    relation: str | None = None
    contact_days: list[int] = []
    contact_from: str | None = None
    contact_to: str | None = None
    contact_note: str | None = None
    org_tz: str | None = None


def prepare_org(_req: Req, _ref: str, _rest: str) -> PendingAction:
    return PendingAction(verb="org")


def org(req: Req, lead: LeadSummary, _pending: PendingAction, _rest: str) -> None:
    with req.db.read() as s:
        info, types = organizations.org_info(s, req.team_id, lead.organization_id), organizations.org_types(s, req.team_id)
    ctx = req.modal_context(lead.id)
    req.open_view(organization_modal(info, types, ctx))


@listeners.options(Action.ORG_SELECT)
def org_options(ack: Ack, req: Req, payload: dict) -> None:
    found = organizations.suggest(req.db, req.team_id, payload.get("value") or "")
    ack(options=[org_option(i, n).to_dict() for i, n in found])


@listeners.view(Callback.ORGANIZATION)
def submit_org(ack: Ack, req: Req, view: dict) -> None:
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    form = OrganizationForm.model_validate(values(view))

    def save() -> OrgInfo:
        lead = leads.get_lead(req.db, req.team_id, ctx.lead_id or 0)
        if bool(form.related) != bool(form.relation):
            raise Refusal(_("Choose both the related organization and how they are related."),
                          field="relation" if form.related else "related")
        organizations.set_contact_hours(req.db, req.clock, req.team_id, lead.organization_id,  # validates first
                                        days=form.contact_days or None, start=form.contact_from, end=form.contact_to,
                                        note=form.contact_note, tz=(form.org_tz or "").strip() or None)
        organizations.classify(req.db, req.clock, req.team_id, lead.organization_id, kind=form.org_type,
                               authority=form.authority, approver=form.approver or "")
        if not (form.related and form.relation in RECORDED):
            with req.db.read() as s:
                return organizations.org_info(s, req.team_id, lead.organization_id)
        this_first, kind = RECORDED[form.relation]
        a, b = (lead.organization_id, form.related) if this_first else (form.related, lead.organization_id)
        organizations.relate(req.db, req.clock, req.team_id, req.user_id, a, b, kind)
        with req.db.read() as s:
            return organizations.org_info(s, req.team_id, lead.organization_id)

    info = submitted(ack, view, "org_type", save)
    if info is None:
        return
    ack()
    details = org_line(info) or _("nothing set")
    req.tell(_("Saved *{name}*: {details}.").format(name=esc_cut(info.name, 200), details=details),
             channel_id=ctx.channel_id, response_url=ctx.response_url)

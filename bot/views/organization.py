"""What people see of an organization: who it is (type, who decides), its relations both ways, its form."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block, CheckboxesElement, ExternalDataSelectElement, MarkdownTextObject, Option, SectionBlock, TimePickerElement,
)
from slack_sdk.models.views import View

from bot.i18n import N_, _
from bot.ids import Action, Callback, Field
from bot.labels import label
from bot.metadata import ModalContext
from bot.views.lead_modals import labelled, select_input, text_input
from bot.views.best_time import DAYS, hours_text
from bot.views.text import esc, esc_cut, plain
from store.dto import OrgInfo
from store.vocabulary import AUTHORITY

# The relation as seen from this organization → how the store records it (from, to, kind).
RELATION_CHOICES = {
    "works_for": N_("It works for the one below (it is their agency)"),
    "agency": N_("The one below is its agency"),
    "referred": N_("It referred the one below"),
    "referred_by": N_("The one below referred it"),
}


def org_line(org: OrgInfo) -> str | None:
    """`Shop · needs internal approval (the owner's wife) · works for: Busan Bakery · agency: Pixel Lab`."""
    bits = []
    if org.kind:
        bits.append(esc(label(org.kind)))
    if org.authority:
        who = f" ({esc_cut(org.approver, 120)})" if org.approver and org.authority != "alone" else ""
        bits.append(label(AUTHORITY.get(org.authority, org.authority)).lower() + who)
    grouped: dict[str, list[str]] = {}
    for how, _other_id, name in org.relations:
        grouped.setdefault(how, []).append(esc_cut(name, 80))
    bits += [f"{label(how)}: {', '.join(names[:5])}" + (f" +{len(names) - 5}" if len(names) > 5 else "")
             for how, names in grouped.items()]
    if hours_text(org.hours):
        bits.append(hours_text(org.hours))
    return " · ".join(bits) or None


def contact_inputs(org: OrgInfo) -> list[Block]:
    """When they take calls: the days, the hours (in their zone), what a rep should know, their zone."""
    h = org.hours
    days = [Option(value=str(i), label=_(d)) for i, d in enumerate(DAYS)]
    picked = [days[i] for i in (h.days if h and h.days is not None else ())]
    return [
        labelled(Field.CONTACT_DAYS, _("Takes calls on"), CheckboxesElement(
            action_id=Field.CONTACT_DAYS, options=days, initial_options=picked or None),
            hint=_("Leave all unticked for any day. Busy shops often don't answer on Mondays.")),
        labelled(Field.CONTACT_FROM, _("Not before"), TimePickerElement(
            action_id=Field.CONTACT_FROM, placeholder=_("e.g. 15:00"), initial_time=h.start if h else None),
            hint=_("Their local time. Suggested call times respect it, and reminders mention it.")),
        labelled(Field.CONTACT_TO, _("Not after"), TimePickerElement(
            action_id=Field.CONTACT_TO, placeholder=_("e.g. 18:00"), initial_time=h.end if h else None)),
        text_input(Field.CONTACT_NOTE, _("Contact hours note"), max_length=300, initial=h.note if h else None,
                   placeholder=_("e.g. parcels go out at 16:00, call after")),
        text_input(Field.ORG_TZ, _("Time zone"), max_length=64, initial=h.tz if h else None,
                   placeholder=_("e.g. Asia/Seoul"), hint=_("Leave empty when they are in the workspace's zone.")),
    ]


def org_option(org_id: int, name: str) -> Option:
    return Option(value=str(org_id), label=plain(name, 75))


def organization_modal(org: OrgInfo, types: list[str], ctx: ModalContext) -> View:
    type_opts = [Option(value=t, label=plain(label(t), 75)) for t in types]
    auth_opts = [Option(value=k, label=label(v)) for k, v in AUTHORITY.items()]
    rel_opts = [Option(value=k, label=plain(_(v), 75)) for k, v in RELATION_CHOICES.items()]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{esc_cut(org.name, 200)}*" + (
            f"\n{org_line(org)}" if org_line(org) else ""))),
        select_input(Field.ORG_TYPE, _("Type"), type_opts,
                     initial=next((o for o in type_opts if o.value == org.kind), None),
                     hint=_("What kind of customer: they buy differently.")),
        select_input(Field.AUTHORITY, _("Decision authority"), auth_opts,
                     initial=next((o for o in auth_opts if o.value == org.authority), None),
                     hint=_("Who can say yes. Talking at length to someone who can't decide goes nowhere.")),
        text_input(Field.APPROVER, _("Who approves"), max_length=200, initial=org.approver,
                   hint=_("When someone else must approve: who (e.g. the owner, head office, the agency).")),
        labelled(Field.RELATED, _("Related organization"), ExternalDataSelectElement(
            action_id=Action.ORG_SELECT, placeholder=_("Search organizations…"), min_query_length=1),
            hint=_("An agency that works for it, a shop it works for, a partner who referred it.")),
        select_input(Field.RELATION, _("Relation"), rel_opts),
        *contact_inputs(org),
    ]
    return View(type="modal", callback_id=Callback.ORGANIZATION, title=_("Organization"),
                submit=_("Save"), close=_("Cancel"), private_metadata=ctx.dump(), blocks=blocks)

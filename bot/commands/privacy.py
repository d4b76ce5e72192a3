"""`/lead export` and `/lead forget` (workspace admins): the customer data's way out, and a contact's way to be
forgotten."""

from __future__ import annotations

import logging
import tempfile

from slack_bolt import Ack
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject, MarkdownTextObject, SectionBlock

from bot.context import Req
from bot.delivery import deliver_lead
from bot.errors import Listeners
from bot.i18n import _, ngettext
from bot.ids import Action
from bot.metadata import ForgetRef
from bot.views.csv_files import write_zip
from bot.views.text import esc, num
from bot.wording import Refusal
from store.errors import Invalid
from store.services import members, privacy

log = logging.getLogger(__name__)
listeners = Listeners()
register = listeners.register


def export_command(req: Req, args: str) -> None:
    req.me()
    tables = privacy.export_tables(req.db, req.clock, req.team_id, req.user_id)  # refuses non-admins
    req.reply(_("Working on the export: a ZIP of CSV files arrives in your DM with me in a moment."))
    now = req.clock.now()
    with tempfile.TemporaryFile() as out:
        counts = write_zip(tables, out, title=req.team_id, when=f"{now:%Y-%m-%d %H:%M}")
        size = out.tell()
        out.seek(0)
        data = out.read()
    total = sum(counts.values())
    channel = req.client.conversations_open(users=req.user_id)["channel"]["id"]
    name = f"crm-export-{now:%Y-%m-%d}.zip"
    req.client.files_upload_v2(content=data, filename=name, title=name, channel=channel, initial_comment=(
        _("The CRM's data, {rows} in {files} CSV files ({tables}). {size} MB.").format(
            rows=ngettext("{n} row", "{n} rows", total).format(n=num(total)), files=num(len(counts)),
            tables=", ".join(f"{k} {num(v)}" for k, v in counts.items()), size=f"{size / 1_048_576:.1f}")))
    privacy.audit_export(req.db, req.clock, req.team_id, req.user_id, total, list(counts))


def forget_command(req: Req, args: str) -> None:
    req.me()
    members.require_admin(req.db, req.team_id, req.user_id, "forget")
    text = args.strip()
    if not text:
        raise Refusal(_("Whose data? `/lead forget kim@acme.kr` (or the contact's full name)."))
    found = privacy.find_contacts(req.db, req.team_id, _plain_email(text))
    if not found:
        raise Invalid("contact_unknown", text=text[:80])
    if len(found) > 1:
        no_email = _("no e-mail")
        names = ", ".join(f"{n or '?'} ({e or no_email}, {o})" for _id, n, e, o in found[:5])
        raise Invalid("contact_ambiguous", text=text[:80], count=len(found), names=names)
    contact_id, name, email, org = found[0]
    nobody = _("this contact")
    person = f"*{esc(name or email or nobody)}*" + (f" ({esc(email)})" if email and name else "")
    who = _("{person} of {organization}").format(person=person, organization=esc(org))
    ref = ForgetRef(contact_id=contact_id).dump()
    req.reply(_("Erase {name}'s personal data?").format(name=name or email), [
        SectionBlock(text=MarkdownTextObject(text=_(
            "Erase {who}? Their name, e-mail, phone, title and notes go, and so does every comment, note or "
            "message in the CRM that quotes them or that they wrote. What stays is a line saying the contact "
            "was erased, and the history of the deal itself. This cannot be undone.").format(who=who))),
        ActionsBlock(elements=[
            ButtonElement(text=_("Erase their data"), action_id=Action.FORGET_CONFIRM, value=ref, style="danger",
                          confirm=ConfirmObject(title=_("Erase for good?"), text=_("This cannot be undone."),
                                                confirm=_("Erase"), deny=_("Keep"))),
            ButtonElement(text=_("Cancel"), action_id=Action.FORGET_CANCEL, value=ref),
        ]),
    ])


def _plain_email(text: str) -> str:
    """Slack sends a typed e-mail as `<mailto:a@b.c|a@b.c>`."""
    if text.startswith("<mailto:") and text.endswith(">"):
        return text[8:-1].split("|", 1)[0]
    return text


@listeners.action(Action.FORGET_CONFIRM)
def forget_confirmed(ack: Ack, req: Req) -> None:
    ack()
    ref = req.button(ForgetRef)
    req.me()
    erased = privacy.erase_contact(req.db, req.clock, req.team_id, req.user_id, ref.contact_id)
    for lead_id in erased.leads:  # the cards show the tombstone now
        try:
            deliver_lead(req.client, req.crm, req.team_id, lead_id)
        except Exception:  # noqa: BLE001 - the outbox keeps the edit for the sweep
            log.warning("forget: card of lead %s not edited yet", lead_id, exc_info=True)
    texts = ngettext("{n} text", "{n} texts", erased.rewritten).format(n=num(erased.rewritten))
    req.reply(_("Done: the contact of {organization} is erased ({texts} rewritten). It is in the audit log. "
                "Messages people posted in Slack itself are Slack's: a workspace admin removes those in Slack."
                ).format(organization=esc(erased.organization), texts=texts), replace_original=True)


@listeners.action(Action.FORGET_CANCEL)
def forget_cancelled(ack: Ack, req: Req) -> None:
    ack()
    req.reply(_("Cancelled: nothing was erased."), replace_original=True)

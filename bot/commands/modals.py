"""Modal submissions: the update modal, new lead, change status, reassign.

Validation and the write happen before the ack, so a problem comes back as a field error in the
modal; the card edit and the confirmation happen after the ack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import people
from bot.commands import nudges as nudge_buttons
from bot.delivery import deliver_lead
from bot.deps import Crm, team_of
from bot.errors import guarded
from bot.forms import NewLeadForm, StatusForm, UpdateForm, field_errors, local_to_utc, values
from bot.ids import Callback
from bot.metadata import ModalContext
from bot.views import replies
from store.dto import LeadChanged
from store.errors import Duplicate, Invalid
from store.services import leads, updates

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.view(Callback.UPDATE_LEAD)(guarded(submit_update))
    app.view(Callback.NEW_LEAD)(guarded(submit_new_lead))
    app.view(Callback.CHANGE_STATUS)(guarded(submit_status))
    app.view(Callback.REASSIGN)(guarded(submit_reassign))


def _save(ack: Ack, view: dict, client: WebClient, context: BoltContext, field: str,
          build: Callable[[Crm, str, str, ModalContext], updates.LeadUpdate]) -> LeadChanged | None:
    """Shared by the lead-changing modals: build the update (may raise Invalid for a field), apply it
    once per view, answer with field errors or close the modal, then edit the card and confirm."""
    crm: Crm = context["crm"]
    team, user = team_of(context), context.user_id
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    try:
        upd = build(crm, team, user, ctx)
        result = updates.update_lead(crm.db, crm.clock, team, user, upd, idempotency_key=f"view:{view['id']}")
    except Duplicate:
        ack()
        return None
    except Invalid as exc:
        ack(field_errors(view, exc.field or field, exc.message))
        return None
    ack()
    delivered = deliver_lead(client, crm, team, result.lead.id)
    lead = leads.get_lead(crm.db, team, result.lead.id)
    if ctx.nudge is None:  # from a nudge, the edited DM is the confirmation
        notify(client, ctx, user, replies.changed(lead, result.change, people.tz_of(crm, team, user), delivered.error))
    return result


def submit_update(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    def build(crm: Crm, team: str, user: str, ctx: ModalContext) -> updates.LeadUpdate:
        form = UpdateForm.model_validate(values(view))
        lead_id = ctx.lead_id or form.lead
        if lead_id is None:
            raise Invalid("Choose the lead this is about.", field="lead")
        if form.follow_up_time and not form.follow_up_date:
            raise Invalid("Pick the day of the follow-up too.", field="follow_up")
        due = None
        if form.follow_up_date:
            due = local_to_utc(form.follow_up_date, form.follow_up_time, people.member(client, crm, team, user).tz)
        status = None if ctx.status and form.status == ctx.status else form.status  # untouched: no change
        return updates.LeadUpdate(lead_id=lead_id, status=status, activity=form.activity, outcome=form.outcome,
                                  note=form.note, follow_up_at=due, follow_up_note=form.follow_up_note,
                                  close_follow_up=form.follow_up_close == "done")

    result = _save(ack, view, client, context, "note", build)
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    if result is not None and ctx.nudge is not None:
        crm: Crm = context["crm"]
        nudge_buttons.after_update(client, crm, team_of(context), context.user_id, ctx,
                                   closed=bool(result.change.follow_up_closed))


def submit_status(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    def build(crm: Crm, team: str, user: str, ctx: ModalContext) -> updates.LeadUpdate:
        form = StatusForm.model_validate(values(view))
        if not form.status:
            raise Invalid("Choose the new status.", field="status")
        return updates.LeadUpdate(ctx.lead_id or 0, status=form.status, reason=form.reason)

    _save(ack, view, client, context, "status", build)


def submit_reassign(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    def build(crm: Crm, team: str, user: str, ctx: ModalContext) -> updates.LeadUpdate:
        form = StatusForm.model_validate(values(view))
        if not form.owner:
            raise Invalid("Choose the new owner.", field="owner")
        if people.member(client, crm, team, form.owner, must_exist=True).is_bot:
            raise Invalid("A bot can't own a lead. Choose a person.", field="owner")
        return updates.LeadUpdate(ctx.lead_id or 0, owner_id=form.owner, reason=form.reason)

    _save(ack, view, client, context, "owner", build)


def submit_new_lead(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    crm: Crm = context["crm"]
    team, user = team_of(context), context.user_id
    ctx = ModalContext.load(view.get("private_metadata")) or ModalContext()
    form = NewLeadForm.model_validate(values(view))
    try:
        if form.owner and people.member(client, crm, team, form.owner, must_exist=True).is_bot:
            raise Invalid("A bot can't own a lead. Choose a person or leave it empty.", field="owner")
        result = leads.create_lead(
            crm.db, crm.clock, team, user,
            leads.NewLead(company=form.company or "", contact_name=form.contact_name, email=form.email,
                          phone=form.phone, segment=form.segment, source=form.source, note=form.note,
                          owner_id=form.owner),
            channel_hint=ctx.channel_id,
        )
    except Invalid as exc:
        return ack(field_errors(view, exc.field or "company", exc.message))
    if result.existed:
        return ack(field_errors(view, "company", f"{result.lead.company} already has an open lead (#{result.lead.id}). "
                                                 f"Use /lead update #{result.lead.id} instead."))
    ack()
    delivered = deliver_lead(client, crm, team, result.lead.id)
    lead = leads.get_lead(crm.db, team, result.lead.id)
    notify(client, ctx, user, replies.created(lead, user, delivered.error))


def notify(client: WebClient, ctx: ModalContext, user_id: str, text: str) -> None:
    """Tell the person what happened where they started: the command's response_url, else ephemeral, else DM."""
    if ctx.response_url:
        try:
            resp = WebhookClient(ctx.response_url).send(text=text, response_type="ephemeral")
            if resp.status_code == 200:
                return
        except Exception as exc:  # an expired or unreachable response_url: fall through to the Web API
            log.info("response_url failed: %s", exc)
    try:
        if ctx.channel_id and not ctx.channel_id.startswith("D"):
            client.chat_postEphemeral(channel=ctx.channel_id, user=user_id, text=text)
            return
    except SlackApiError as exc:
        log.info("postEphemeral failed: %s", exc.response.get("error"))
    client.chat_postMessage(channel=user_id, text=text)


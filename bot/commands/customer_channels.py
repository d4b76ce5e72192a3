"""`/lead channel link <lead>` / `unlink` / `channel`: a channel (typically Slack Connect, shared with the
customer) whose every human message, and every reply in its threads, is the organization's history."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot import languages
from bot.context import Req
from bot.i18n import _, speaking
from bot.metadata import PendingAction
from bot.views import channels as views
from bot.views.text import esc
from bot.wording import Refusal
from store.dto import LeadSummary
from store.errors import Invalid
from store.services import channels, leads
from store.services.members import can_manage

USAGE = "channel link <lead> | channel unlink | channel"  # not translated: command syntax


def channel_command(req: Req, args: str) -> None:
    """`/lead channel [unlink]` (`link <lead>` is the verb `channel-link`: bot/commands/verbs.py sends it there)."""
    word = args.strip().partition(" ")[0].lower()
    in_a_channel(req)
    if word == "unlink":
        info = next((i for i in _linked_here(req)), None)
        if info is not None:
            _may_change(req, info.lead_id, info.linked_by)
        req.reply(views.unlinked_text(channels.unlink(req.db, req.clock, req.team_id, req.user_id, req.channel_id),
                                      req.channel_id))  # type: ignore[arg-type]
        return
    if word:
        raise Refusal(_("Usage: `/lead {usage}`.").format(usage=USAGE))
    req.reply(views.channel_state(next((i for i in _linked_here(req)), None), req.channel_id))  # type: ignore[arg-type]


def prepare_link(req: Req, _ref: str, _rest: str) -> PendingAction:
    return PendingAction(verb="channel-link", channel_id=req.channel_id)


def link(req: Req, lead: LeadSummary, pending: PendingAction, _rest: str) -> None:
    req.channel_id = pending.channel_id or req.channel_id
    in_a_channel(req)
    _may_change(req, lead.id, None)
    info = _channel_info(req)
    if not info.get("is_member", True):
        if info.get("is_private"):
            raise Refusal(_("Invite me to this channel first (`/invite @CRM`), then link it again."))
        req.client.conversations_join(channel=req.channel_id)
    linked = channels.link(req.db, req.clock, req.team_id, req.user_id, req.channel_id, lead.id,  # type: ignore[arg-type]
                           name=info.get("name"), is_shared=bool(info.get("is_ext_shared") or info.get("is_shared")))
    req.reply(views.linked_text(linked))
    try:  # everyone in the channel, the customer's people included, should know their messages are kept
        with speaking(languages.of_workspace(req.crm, req.team_id)):  # a channel post: the workspace's language
            notice = _("This channel is now linked to the CRM record of {organization}: its messages are kept "
                       "as the customer's history. Anyone in our team can stop it with `/lead channel unlink`."
                       ).format(organization=esc(linked.organization))
        req.client.chat_postMessage(channel=req.channel_id, text=notice)
    except SlackApiError:
        pass


def in_a_channel(req: Req) -> None:
    if not req.channel_id or req.channel_id.startswith("D"):
        raise Refusal(_("Run `/lead channel link <lead>` in the channel you share with the customer."))


def _channel_info(req: Req) -> dict:
    try:
        return req.client.conversations_info(channel=req.channel_id).get("channel") or {}
    except SlackApiError as exc:
        if exc.response.get("error") in ("channel_not_found", "not_in_channel"):
            raise Refusal(_("I can't see this channel. Invite me (`/invite @CRM`), then link it again.")) from None
        raise


def _linked_here(req: Req):
    here = channels.linked(req.db, req.team_id, req.channel_id)  # type: ignore[arg-type]
    if here is None:
        return []
    return [i for i in channels.channels_of(req.db, req.team_id, here[0]) if i.channel_id == req.channel_id]


def _may_change(req: Req, lead_id: int | None, linked_by: str | None) -> None:
    """The lead's owner, whoever linked the channel, or a manager."""
    req.me()
    owner = leads.get_lead(req.db, req.team_id, lead_id).owner_id if lead_id else None
    with req.db.read() as s:
        if req.user_id in (owner, linked_by) or owner is None or can_manage(s, req.team_id, req.user_id):
            return
    raise Invalid("not_manager", what="channel_link")

"""The workspace itself: installs leaving (`app_uninstalled`, `tokens_revoked`), profiles and availability
changing (`user_change`, `dnd_updated_user`), the bot joining a channel; and what admins set: roles
(`/lead settings roles`), the audit log (`/lead audit`), the intake token, the fallback channel, and which
Slack statuses mean away."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext

from bot import people
from bot.commands.parse import CHANNEL_MENTION, USER_MENTION
from bot.context import Req
from bot.errors import Listeners
from bot.forms import Form, values
from bot.i18n import _
from bot.ids import Action, Callback
from bot.metadata import AuditPage
from bot.views import workspace as views
from bot.wording import Refusal
from store.services import audit, availability, inbox, intake_tokens, members, roles, team_settings, tenancy

log = logging.getLogger(__name__)
listeners = Listeners()
register = listeners.register


# ------------------------------------------------------------------------------------------ events
@listeners.event("app_uninstalled")
def app_uninstalled(req: Req, context: BoltContext) -> None:
    """Stop all work for the team at once; its data is kept tenancy.PURGE_AFTER, then purged."""
    revocations = req.crm.workspaces.revocations()
    if revocations is not None:
        revocations.handle_app_uninstalled_events(context)  # Bolt's: the installations go
    dropped = tenancy.uninstalled(req.db, req.clock, req.team_id, "app_uninstalled")
    log.info("%s uninstalled the app: %s pending sends dropped", req.team_id, dropped)


@listeners.event("tokens_revoked")
def tokens_revoked(req: Req, context: BoltContext) -> None:
    event = req.body.get("event") or {}
    revocations = req.crm.workspaces.revocations()
    if revocations is not None:
        revocations.handle_tokens_revoked_events(event, context)
    if (event.get("tokens") or {}).get("bot"):  # without its bot token the CRM can do nothing there
        dropped = tenancy.uninstalled(req.db, req.clock, req.team_id, "tokens_revoked")
        log.info("%s revoked the bot token: %s pending sends dropped", req.team_id, dropped)


@listeners.event("user_change")
def user_change(req: Req, context: BoltContext) -> None:
    """A profile changed (name, zone, admin, status): the cache follows, so routing never asks Slack."""
    user = (req.body.get("event") or {}).get("user") or {}
    if not user.get("id") or (user.get("team_id") and user["team_id"] != req.team_id
                              and not (user.get("enterprise_user") or {}).get("enterprise_id")):
        return  # someone of another organization (Slack Connect): not a member of this CRM
    if members.get_member(req.db, req.team_id, user["id"]) is None and not user.get("is_admin"):
        return  # not someone the CRM knows: their profile is read when they first use it
    people.save_profile(req.crm, req.team_id, user)


@listeners.event("dnd_updated_user")
def dnd_updated(req: Req, context: BoltContext) -> None:
    event = req.body.get("event") or {}
    if event.get("user") and members.get_member(req.db, req.team_id, event["user"]) is not None:
        people.save_dnd(req.crm, req.team_id, event["user"], event.get("dnd_status") or {})


@listeners.event("member_joined_channel")
def member_joined(req: Req, context: BoltContext) -> None:
    """The bot was added to a channel: tell whoever added it how to make it a customer's channel."""
    event = req.body.get("event") or {}
    if not context.bot_user_id or event.get("user") != context.bot_user_id or not event.get("inviter"):
        return
    req.user_id, req.channel_id, req.respond = event["inviter"], event.get("channel") or "", None
    req.reply(_("Thanks for adding me. Is this channel where you talk with a customer (a Slack Connect channel, "
                "say)? Run `/lead channel link <lead>` here and its messages become that customer's history; "
                "`/lead channel unlink` stops it."))


# ------------------------------------------------------------------------------------------ settings
def settings(req: Req, key: str, value: str) -> bool:
    """`/lead settings roles|intake|channel|away-status …`; False when `key` is none of them."""
    if key in ("roles", "role", "managers"):
        _roles(req, value)
    elif key in ("intake", "intake-token", "token"):
        _intake(req, value)
    elif key in ("channel", "cards", "fallback-channel"):
        _channel(req, value)
    elif key in ("away-status", "away-statuses", "away", "statuses-away"):
        _away_statuses(req, value)
    elif key == "inbox":
        _inbox(req, value)
    else:
        return False
    return True


def _roles(req: Req, value: str) -> None:
    me = req.me()  # fresh from Slack: admin rights come from the profile
    named, word = USER_MENTION.findall(value), (value.split() or [""])[-1].lower()
    if named:
        if len(named) != 1 or word not in ("manager", "rep"):
            raise Refusal(_("Usage: `/lead settings roles @someone manager` (or `rep`), or `/lead settings roles` "
                            "for the form."))
        req.person(named[0])
        change = roles.set_role(req.db, req.clock, req.team_id, req.user_id, named[0], word)
        req.reply(views.roles_saved([change] if change.changed else []))
        return
    if value.strip() and value.strip().lower() not in ("show", "list"):
        raise Refusal(_("Usage: `/lead settings roles`, or `/lead settings roles @someone manager` (or `rep`)."))
    if value.strip() or not me.is_admin:  # anyone may see who the managers are; admins change them
        req.reply(views.roles_text(roles.roles(req.db, req.team_id)))
        return
    req.open_view(views.roles_modal(roles.roles(req.db, req.team_id), req.modal_context()))


class RolesForm(Form):
    managers: list[str] = []


@listeners.view(Callback.ROLES)
def roles_submitted(ack: Ack, req: Req, view: dict) -> None:
    form = RolesForm.model_validate(values(view))
    for person in form.managers:
        if req.person(person).is_bot:
            raise Refusal(_("A bot can't be a manager. Choose people."), field="managers")
    changes = roles.set_managers(req.db, req.clock, req.team_id, req.user_id, form.managers)
    ack()
    req.tell(views.roles_saved(changes))


def _intake(req: Req, value: str) -> None:
    req.me()
    word = value.strip().lower()
    if word in ("new", "rotate", "create", "reset"):
        replaced = intake_tokens.has_token(req.db, req.team_id)
        token = intake_tokens.rotate(req.db, req.clock, req.team_id, req.user_id)
        req.reply(views.intake_token_text(token, replaced))  # ephemeral: only the admin sees it, once
        return
    if word in ("off", "revoke", "none"):
        done = intake_tokens.revoke(req.db, req.clock, req.team_id, req.user_id)
        req.reply(_("Done: the web form's intake token no longer works.") if done else _("There was no intake token."))
        return
    members.require_admin(req.db, req.team_id, req.user_id, "intake")
    req.reply(views.intake_state(intake_tokens.has_token(req.db, req.team_id)))


def _channel(req: Req, value: str) -> None:
    req.me()
    word = value.strip()
    if not word:
        req.reply(views.channel_state(team_settings.fallback_channel(req.db, req.team_id),
                                      req.crm.settings.crm_channel))
        return
    if word.lower() in ("none", "default", "off"):
        team_settings.set_fallback_channel(req.db, req.clock, req.team_id, req.user_id, None)
    else:
        m = CHANNEL_MENTION.match(word)
        if m is None:
            raise Refusal(_("Name the channel: `/lead settings channel #sales` (or `none`)."))
        team_settings.set_fallback_channel(req.db, req.clock, req.team_id, req.user_id, m.group(1))
    req.reply(_("Saved. {state}").format(state=views.channel_state(
        team_settings.fallback_channel(req.db, req.team_id), req.crm.settings.crm_channel)))


def _away_statuses(req: Req, value: str) -> None:
    req.me()
    word = value.strip()
    if not word:
        req.reply(views.away_statuses_state(availability.read_away_statuses(req.db, req.team_id)))
        return
    patterns = None if word.lower() == "default" else [] if word.lower() == "none" else \
        [p.strip() for p in (word.split(",") if "," in word else word.split())]
    saved = availability.set_away_statuses(req.db, req.clock, req.team_id, req.user_id, patterns)
    req.reply(_("Saved. {state}").format(state=views.away_statuses_state(saved)))


def _inbox(req: Req, value: str) -> None:
    """Admins: how Slack's stored requests stand, what is parked and why; `retry` tries the parked again."""
    req.me()
    members.require_admin(req.db, req.team_id, req.user_id, "inbox")
    if value.strip().lower() in ("retry", "again", "replay"):
        n = inbox.retry_parked(req.db, req.clock, req.team_id)
        req.crm.wake.set()
        req.reply(views.inbox_retried(n))
        return
    if value.strip():
        raise Refusal(_("Usage: `/lead settings inbox` (what is stored and parked), `/lead settings inbox retry`."))
    req.reply(*views.inbox_state(inbox.counts(req.db, req.team_id), inbox.parked(req.db, req.team_id)))


# ------------------------------------------------------------------------------------------ the audit log
def audit_command(req: Req, args: str) -> None:
    me = req.me()
    members.require_admin(req.db, req.team_id, req.user_id, "audit")
    about = USER_MENTION.search(args)
    if args.strip() and about is None:
        raise Refusal(_("Usage: `/lead audit`, or `/lead audit @someone` for one person's entries."))
    lines, older = audit.entries(req.db, req.team_id, actor_id=about.group(1) if about else None)
    req.reply(*views.audit_message(lines, me.tz, older, about.group(1) if about else None))


@listeners.action(Action.AUDIT_PAGE)
def audit_page(ack: Ack, req: Req) -> None:
    ack()
    page = req.button(AuditPage)
    me = req.me()
    members.require_admin(req.db, req.team_id, req.user_id, "audit")
    lines, older = audit.entries(req.db, req.team_id, before_id=page.before_id, actor_id=page.user_id)
    text, blocks = views.audit_message(lines, me.tz, older, page.user_id)
    req.reply(text, blocks, replace_original=True)

"""What every listener works with, built once per request by one middleware: the `Req`.

`Crm` (bot/crm.py) is the bot's long-lived services (database, clock, settings). A `Req` adds who asked, where, and
the tools to answer them; listeners take it as their `req` argument (see `bot.errors.guarded`).
"""

from __future__ import annotations

import logging
from urllib.parse import urlparse
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import inbound, inbox, people, reply_urls
from bot.ack_first import AckFirst
from bot.crm import Crm
from bot.delivery import deliver_lead
from bot.i18n import N_, _
from bot.metadata import LeadRef, Meta, ModalContext
from bot.wording import Refusal
from store.clock import Clock
from store.db import Database
from store.dto import LeadSummary, MemberInfo
from store.services import leads

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Meta)
STALE = N_("That button is out of date. Use `/lead show <lead>` for a fresh card.")
NO_WORKSPACE = N_("I can't tell which Slack workspace this came from, so nothing was done. Use the CRM from a "
                   "channel or DM of the workspace it is installed in.")
EXTERNAL = N_("Only members of the workspace that keeps this CRM can act on its leads, so nothing was changed. "
               "What you write in a lead's thread is still kept in its history.")


class AboutALead(Protocol):
    """Any service result that changed a lead (LeadChanged, LeadCreated, Handled, FollowUpActed)."""

    @property
    def lead(self) -> LeadSummary: ...


@dataclass(frozen=True)
class Shown:
    """A change delivered to Slack: the lead as it is now (with its card link) and what Slack refused."""

    lead: LeadSummary
    error: str | None = None


@dataclass
class Req:
    """One request: the services, who asked, where, and how to answer them."""

    crm: Crm
    client: WebClient
    team_id: str
    user_id: str
    channel_id: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    respond: Respond | None = None
    body: dict = field(default_factory=dict)
    thread_ts: str | None = None  # a mention in a lead's thread: answers go there
    key: str | None = None  # the idempotency key of the change this request makes (replays, mentions)
    request_key: str | None = None  # the request's own inbox key (bot/inbox.py): its effect happens once by it
    external: bool = False  # the person belongs to another organization (Slack Connect): they can't act on leads

    @property
    def effect_key(self) -> str | None:
        """The key the request's one change is saved under: a replayed pick's or a mention's, else the request's
        own, so a request processed again from the inbox (after a crash) changes nothing twice."""
        return self.key or (f"{self.request_key}:change" if self.request_key else None)

    @property
    def db(self) -> Database:
        return self.crm.db

    @property
    def clock(self) -> Clock:
        return self.crm.clock

    @property
    def in_thread(self) -> bool:
        return self.thread_ts is not None

    @property
    def action(self) -> dict:
        """The clicked button or chosen menu item."""
        return (self.body.get("actions") or [{}])[0]

    def button(self, model: type[M], stale: str = STALE) -> M:
        """What the clicked button carries, or a clear answer when it is from an older version of a message."""
        ref = model.load(self.action.get("value"))
        if ref is None:
            raise Refusal(_(stale))
        return ref

    def clicked_lead(self) -> LeadSummary:
        """The lead a card (or 360 view) button is about."""
        return leads.get_lead(self.db, self.team_id, self.button(LeadRef).lead_id)

    def me(self) -> MemberInfo:
        """The asker's profile, refreshed from Slack when stale (their zone, whether they are an admin)."""
        return people.member(self.client, self.crm, self.team_id, self.user_id)

    def person(self, user_id: str) -> MemberInfo:
        """Someone the asker named: refreshed from Slack, refused when Slack doesn't know them."""
        return people.member(self.client, self.crm, self.team_id, user_id, must_exist=True)

    def person_name(self, user_id: str) -> str | None:
        """A cached display name (no Web API call)."""
        return people.name_of(self.crm, self.team_id, user_id)

    def tz(self) -> str:
        return self.me().tz

    def cached_tz(self, user_id: str | None = None) -> str:
        """A zone from the database only (no Web API call): for rendering right after an ack."""
        return people.tz_of(self.crm, self.team_id, user_id or self.user_id)

    @property
    def surface(self) -> str | None:
        """Where a click happened: `home` (the App Home), `modal`, or None (a message)."""
        return ((self.body.get("view") or {}).get("type") if (self.body.get("container") or {}).get("type") == "view"
                else None)

    def reply_key(self) -> str | None:
        """Where a modal opened now answers once submitted: this request's own response_url, if it is Slack's,
        kept in the process under a key (bot/reply_urls.py); the modal carries only the key."""
        if self.response_url and slack_hook(self.response_url, self.client.base_url):
            return reply_urls.remember(self.response_url)
        return None

    def modal_context(self, lead_id: int | None = None) -> ModalContext:
        return ModalContext(lead_id=lead_id, channel_id=self.channel_id, reply=self.reply_key(),
                            home=True if self.surface == "home" else None)

    def open_view(self, view) -> None:
        """Open a modal for the person who clicked or typed: stacked on the one they are in (`views.push`),
        else a new one (`views.open`). Within the 3 seconds of the trigger."""
        if self.surface == "modal":
            self.client.views_push(trigger_id=self.trigger_id, view=view)
        else:
            self.client.views_open(trigger_id=self.trigger_id, view=view)

    def deliver(self, result: AboutALead) -> Shown:
        """After a change: edit the card, post its thread line and DMs; the lead as delivered. The Homes the
        change armed are published by the notifier, woken here."""
        delivered = deliver_lead(self.client, self.crm, self.team_id, result.lead.id)
        lead = delivered.lead or leads.get_lead(self.db, self.team_id, result.lead.id)
        self.crm.wake.set()
        return Shown(lead, delivered.error)

    def reply(self, text: str, blocks: list | None = None, **extra) -> None:
        """An answer only the asker sees: the command's response_url, else an ephemeral where they are."""
        rendered = [b if isinstance(b, dict) else b.to_dict() for b in blocks] if blocks is not None else None
        if self.respond is not None and not self.in_thread:
            if rendered is None:
                self.respond(text=text, **extra)
            else:
                self.respond(text=text, blocks=rendered, **extra)
            return
        try:
            self.client.chat_postEphemeral(channel=self.channel_id or self.user_id, user=self.user_id,
                                           thread_ts=self.thread_ts, text=text, blocks=rendered)
        except SlackApiError as exc:
            log.info("ephemeral answer failed: %s", exc.response.get("error"))

    def tell(self, text: str, *, channel_id: str | None = None, response_url: str | None = None) -> None:
        """After a modal or a failure: tell the person where they started (see `tell`)."""
        tell(self.client, self.user_id, text, response_url=response_url, channel_id=channel_id)


def tell(client: WebClient, user_id: str, text: str, *, response_url: str | None = None,
         channel_id: str | None = None) -> None:
    """The command's response_url if there is one, else an ephemeral in the channel, else a DM. A response_url
    is only followed to Slack's own hosts (or the Web API base the bot was given, in tests)."""
    if response_url and not slack_hook(response_url, client.base_url):
        log.warning("ignored a response_url outside Slack")
        response_url = None
    if response_url:
        try:
            resp = WebhookClient(response_url).send(text=text, response_type="ephemeral", replace_original=False)
            if resp.status_code == 200:
                return
        except Exception as exc:  # noqa: BLE001 - an expired or unreachable response_url: use the Web API
            log.info("response_url failed: %s", exc)
    try:
        if channel_id and not channel_id.startswith("D"):
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
            return
    except SlackApiError as exc:
        log.info("postEphemeral failed: %s", exc.response.get("error"))
    client.chat_postMessage(channel=user_id, text=text)


def slack_hook(url: str, api_base: str) -> bool:
    """Whether `url` is an https URL on Slack's hosts, or on the configured Web API base's host."""
    parts, base = urlparse(url), urlparse(api_base)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == "slack.com" or host.endswith((".slack.com", ".slack-gov.com"))):
        return True
    return bool(host) and (parts.scheme, parts.netloc) == (base.scheme, base.netloc)


def team_of(context, body: dict | None = None) -> str:
    """The workspace a request belongs to: the payload's team (or its authorizations), else the authorized
    install's; never the acting person's `user.team_id` (an `E…` organization id for some Grid members)."""
    result = context.authorize_result
    return inbound.workspace_of(body or {}, result.team_id if result is not None else None)


def external_actor(context, body: dict, team_id: str) -> bool:
    """Whether the person acting belongs to another organization (a Slack Connect channel's other side)."""
    result = context.authorize_result
    authorized = (result.team_id, result.enterprise_id) if result is not None else (None, None)
    return inbound.is_external(inbound.actor_team(body), inbound.home_ids(body, team_id, authorized), body)


ACTS = {"block_actions", "block_suggestion", "view_submission", "shortcut", "message_action"}


def channel_of(body: dict) -> str | None:
    """The channel an interaction happened in (a message's container when there is no channel)."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def request_context(crm: Crm, gate: AckFirst):
    """The Bolt middleware that puts a `Req` (and the ack-first gate) in every request's context."""

    def build_req(context: BoltContext, body: dict, next) -> None:  # noqa: A002 - Bolt's name
        context["ack_gate"] = gate
        if body.get("command") and isinstance(body.get("text"), str):
            body["text"] = inbound.decode(body["text"])  # Slack's `&amp;` etc.: plain text before any parsing
        team_id = team_of(context, body)
        if not team_id:  # an org-wide payload with no workspace in it: never filed under the organization
            log.info("refused a %s naming no workspace (enterprise %s)", body.get("type") or body.get("command"),
                     context.enterprise_id)
            raise Refusal(_(NO_WORKSPACE))
        external = external_actor(context, body, team_id)
        context["req"] = Req(
            crm=crm, client=context.client, team_id=team_id, user_id=context.user_id or "",
            channel_id=context.channel_id or channel_of(body), trigger_id=body.get("trigger_id"),
            response_url=body.get("response_url"), respond=context.respond, body=body, external=external,
            request_key=inbox.request_key(context))
        if external and (body.get("type") in ACTS or body.get("command")):
            raise Refusal(_(EXTERNAL))  # answered by bot.errors.on_error: the ack, else their response_url
        next()

    return build_req

"""`/lead <subcommand>`: parse, call a store service, answer with a view.

Every subcommand acks at once; work happens after the ack. Answers are ephemeral (response_url);
the shared lead card and its thread are edited by `bot.delivery`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import people
from bot.delivery import deliver_lead
from bot.deps import Crm, team_of
from bot.errors import guarded
from bot.metadata import ModalContext, PendingAction
from bot.commands.parse import mentioned_user, parse_command, parse_when, split_ref
from bot.views import lists, replies
from bot.views.help import help_message
from bot.views.lead_360 import lead_360
from bot.views.modals import follow_up_default, new_lead_modal, update_modal_payload
from store.dto import LeadChanged, LeadSummary
from store.errors import Invalid
from store.services import leads, pipeline, updates


@dataclass
class Asker:
    """Who typed the command, where, and the tools to answer them."""

    crm: Crm
    client: WebClient
    respond: Respond
    team_id: str
    user_id: str
    channel_id: str | None
    trigger_id: str | None
    response_url: str | None = None

    def tz(self) -> str:
        return people.member(self.client, self.crm, self.team_id, self.user_id).tz

    def modal_context(self, lead_id: int | None = None) -> ModalContext:
        return ModalContext(lead_id=lead_id, channel_id=self.channel_id, response_url=self.response_url)


def register(app: App) -> None:
    app.command("/lead")(guarded(lead_command))


def lead_command(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
    cmd = parse_command(body.get("text"))
    if cmd.verb == "help":
        text, blocks = help_message(cmd.unknown)
        ack(text=text, blocks=blocks)
        return
    ack()
    asker = Asker(context["crm"], client, respond, team_of(context), context.user_id,
                  context.channel_id, body.get("trigger_id"), body.get("response_url"))
    VERBS[cmd.verb](asker, cmd.args)


def resolve_one(asker: Asker, ref: str, pending: PendingAction, usage: str) -> LeadSummary | None:
    """The one lead a reference names, or an answer explaining why there is none (never a guess)."""
    if not ref:
        raise Invalid(f"Which lead? Usage: `/lead {usage}`.")
    matches = leads.resolve_lead(asker.crm.db, asker.team_id, ref)
    if not matches:
        asker.respond(text=lists.no_match(ref))
        return None
    if len(matches) > 1:
        if len(pending.dump()) > 1900:
            raise Invalid(f"“{ref[:60]}” matches several leads. Name it with `#id` (see `/lead find {ref[:60]}`).")
        text, blocks = lists.pick_lead(ref, matches, pending)
        asker.respond(text=text, blocks=blocks)
        return None
    return matches[0]


# ------------------------------------------------------------------ subcommands


def new(asker: Asker, args: str) -> None:
    if not args:
        asker.client.views_open(trigger_id=asker.trigger_id, view=new_lead_modal(asker.modal_context()))
        return
    result = leads.create_lead(asker.crm.db, asker.crm.clock, asker.team_id, asker.user_id,
                               leads.NewLead(company=args.strip('"“”')), channel_hint=asker.channel_id)
    if result.existed:
        asker.respond(text=replies.existed(result.lead))
        return
    delivered = deliver_lead(asker.client, asker.crm, asker.team_id, result.lead.id)
    lead = leads.get_lead(asker.crm.db, asker.team_id, result.lead.id)
    asker.respond(text=replies.created(lead, asker.user_id, delivered.error))


def update(asker: Asker, args: str) -> None:
    lead = None
    if args:
        ref, _ = split_ref(args)
        lead = resolve_one(asker, ref, PendingAction(verb="update", channel_id=asker.channel_id), "update <lead>")
        if lead is None:
            return
    open_update_modal(asker.client, asker.crm, asker.team_id, asker.user_id, asker.trigger_id,
                      asker.modal_context(lead.id if lead else None), lead)


def open_update_modal(client: WebClient, crm: Crm, team_id: str, user_id: str, trigger_id: str | None,
                      ctx: ModalContext, lead: LeadSummary | None, *, close_default: str | None = None) -> None:
    """Open first (the trigger expires in 3 s): only cached data is used to build the modal."""
    with crm.db.read() as s:
        statuses = pipeline.statuses(s, team_id)
    tz = people.tz_of(crm, team_id, user_id)
    if lead is not None:
        ctx = ctx.model_copy(update={"status": lead.status})
    if not (close_default and lead and lead.follow_up):
        close_default = follow_up_default(lead, crm.clock.now())
    client.views_open(trigger_id=trigger_id, view=update_modal_payload(statuses, ctx, lead=lead, tz=tz,
                                                                       close_default=close_default))
    people.member(client, crm, team_id, user_id)  # warm the zone cache for the submission


def log(asker: Asker, args: str) -> None:
    ref, text = split_ref(args)
    if ref and not text:
        raise Invalid("What should I write down? Usage: `/lead log <lead> <text>`, e.g. `/lead log acme called, no answer`.")
    lead = resolve_one(asker, ref, PendingAction(verb="log", arg=text), "log <lead> <text>")
    if lead:
        answer_change(asker, updates.log_note(asker.crm.db, asker.crm.clock, asker.team_id, asker.user_id,
                                              lead.id, text))


def answer_change(asker: Asker, result: LeadChanged) -> None:
    """Confirm a change; when an activity was logged and a follow-up is still open, offer to close it."""
    delivered = deliver_lead(asker.client, asker.crm, asker.team_id, result.lead.id)
    lead = leads.get_lead(asker.crm.db, asker.team_id, result.lead.id)
    text = replies.changed(lead, result.change, asker.tz(), delivered.error)
    if result.change.activity and lead.follow_up and not result.change.follow_up_at:
        blocks = replies.follow_up_still_open(text, lead, asker.tz(), asker.crm.clock.now())
        asker.respond(text=text, blocks=[b.to_dict() for b in blocks])
        return
    asker.respond(text=text)


def status(asker: Asker, args: str) -> None:
    ref, wanted = split_ref(args)
    with asker.crm.db.read() as s:
        options = pipeline.statuses(s, asker.team_id)
    if ref and not wanted:
        raise Invalid("Which status? Choose one of: " + ", ".join(o.name for o in options) + ".")
    target = pipeline.match_status(options, wanted) if wanted else None
    lead = resolve_one(asker, ref, PendingAction(verb="status", arg=wanted), "status <lead> <status>")
    if lead and target:
        answer_change(asker, updates.change_status(asker.crm.db, asker.crm.clock, asker.team_id, asker.user_id,
                                                   lead.id, target.name))


def assign(asker: Asker, args: str) -> None:
    ref, rest = split_ref(args)
    if ref.startswith("<@"):
        raise Invalid("Name the lead first, then the person: `/lead assign acme @alice`.")
    owner = mentioned_user(rest) if ref else None
    if owner and people.member(asker.client, asker.crm, asker.team_id, owner, must_exist=True).is_bot:
        raise Invalid("A bot can't own a lead. Mention a person.")
    lead = resolve_one(asker, ref, PendingAction(verb="assign", arg=owner), "assign <lead> <@person>")
    if lead and owner:
        answer_change(asker, updates.assign(asker.crm.db, asker.crm.clock, asker.team_id, asker.user_id, lead.id,
                                            owner))


def followup(asker: Asker, args: str) -> None:
    ref, rest = split_ref(args)
    if ref and not rest:
        raise Invalid("When? Usage: `/lead followup <lead> <when> [note]`, e.g. `/lead followup acme tomorrow 10am send the quote`.")
    due, note = (parse_when(rest, asker.tz(), asker.crm.clock.now()) if ref else (None, ""))
    pending = PendingAction(verb="followup", arg=note or None, due=due.isoformat() if due else None)
    lead = resolve_one(asker, ref, pending, "followup <lead> <when> [note]")
    if lead and due and lead.owner_id and lead.owner_id != asker.user_id:
        # "tomorrow" without a time is 09:00 of the owner's tomorrow (they are the one reminded)
        due, note = parse_when(rest, asker.tz(), asker.crm.clock.now(),
                               day_tz=people.member(asker.client, asker.crm, asker.team_id, lead.owner_id).tz)
    if lead and due:
        answer_change(asker, updates.schedule_follow_up(asker.crm.db, asker.crm.clock, asker.team_id, asker.user_id,
                                                        lead.id, due, note or None))


def show(asker: Asker, args: str) -> None:
    ref, _ = split_ref(args)
    lead = resolve_one(asker, ref, PendingAction(verb="show"), "show <lead>")
    if lead:
        show_lead(asker, lead.id)


def show_lead(asker: Asker, lead_id: int) -> None:
    detail = leads.lead_detail(asker.crm.db, asker.team_id, lead_id)
    text, blocks = lead_360(detail, asker.tz(), asker.crm.clock.now())
    asker.respond(text=text, blocks=blocks)


def find(asker: Asker, args: str) -> None:
    hits = leads.search(asker.crm.db, asker.team_id, args)
    text, blocks = lists.find_results(args, hits, asker.tz(), asker.crm.clock.now())
    asker.respond(text=text, blocks=blocks)


def mine(asker: Asker, _args: str) -> None:
    found, total = leads.my_leads(asker.crm.db, asker.crm.clock, asker.team_id, asker.user_id)
    text, blocks = lists.my_leads(found, total, asker.tz(), asker.crm.clock.now())
    asker.respond(text=text, blocks=blocks)


VERBS: dict[str, Callable[[Asker, str], None]] = {
    "new": new, "update": update, "log": log, "status": status, "assign": assign, "followup": followup,
    "show": show, "find": find, "mine": mine,
}

"""The `/lead` verbs, each declared once: its words, its usage and help line, its handler, and whether
it can be replayed after a pick-one choice or used by mentioning the bot in a lead's thread.

Parsing (`lookup`), `/lead help`, the pick-one replay and thread mentions are all derived from `VERBS`.
A new verb is one entry here plus its handler in its feature's module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Ack

from bot import inbound
from bot.commands import (
    customer_channels, deals, lead, listing, organizations, prefs, privacy, queues, report, workspace,
)
from bot.commands.parse import fixed_ref, split_ref, unwrap_links
from bot.context import Req
from bot.errors import Listeners
from bot.i18n import N_, _
from bot.ids import Action
from bot.metadata import PendingAction
from bot.views import lists
from bot.views.help import help_message, usage_text
from bot.wording import Refusal
from store.dto import LeadSummary
from store.errors import CrmError, Duplicate
from store.services import lead_refs, leads
from store.text import clean

Run = Callable[[Req, str], None]
Prepare = Callable[[Req, str, str], PendingAction]
Act = Callable[[Req, LeadSummary | None, PendingAction, str], None]


@dataclass(frozen=True)
class Verb:
    name: str
    usage: str  # after `/lead ` (an English msgid when it has arguments: `usage_text` shows it)
    summary: str  # the help line (an English msgid, shown through `_()`)
    aliases: tuple[str, ...] = ()
    run: Run | None = None  # a verb about no single lead: (req, the words after the verb)
    prepare: Prepare | None = None  # a verb about one lead: (req, the reference, the rest) → what to do
    act: Act | None = None  # … and doing it: (req, the lead, what to do, the rest as typed)
    lead_optional: bool = False  # `update` with no lead opens the modal with a Lead picker
    replay: bool = False  # may be replayed once the person picks one of several matching leads
    in_thread: bool = False  # may be used by mentioning the bot in a lead card's thread
    in_help: bool = True  # a line of its own in `/lead help`

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


VERBS: tuple[Verb, ...] = (
    Verb("new", N_("new [company]"),
         N_("Create a lead. With no company, a form opens (contact, email, segment, source, owner)."),
         ("create", "add"), run=lead.new),
    Verb("update", N_("update [lead]"),
         N_("Log a call or e-mail, change the status and plan the next follow-up in one form."),
         prepare=lead.prepare_update, act=lead.update, lead_optional=True, replay=True),
    Verb("log", N_("log <lead> <text>"),
         N_("Write down what happened: `called, no answer` is a call nobody answered, `미팅` a meeting, else a note."),
         ("note",),
         prepare=lead.prepare_log, act=lead.log, replay=True, in_thread=True),
    Verb("status", N_("status <lead> <status>"), N_("Change the status, e.g. `/lead status acme qualifying`."),
         prepare=lead.prepare_status, act=lead.status, replay=True, in_thread=True),
    Verb("assign", N_("assign <lead> <@person>"), N_("Give the lead to someone else."),
         prepare=lead.prepare_assign, act=lead.assign, replay=True, in_thread=True),
    Verb("followup", N_("followup <lead> <when> [note]"),
         N_("Plan the next step: `tomorrow 10am`, `in 3 days`, `next friday`, `2026-12-01 14:30`."),
         ("follow-up", "fu"), prepare=lead.prepare_followup, act=lead.followup, replay=True, in_thread=True),
    Verb("show", N_("show <lead>"),
         N_("Everything about the customer: status, owner, contacts, follow-up, latest history."),
         ("view", "history"), prepare=lead.prepare_show, act=lead.show, replay=True, in_thread=True),
    Verb("deal", N_("deal <lead> [new]"),
         N_("The lead's deal: amount, stage, expected close, next step (`new` starts another)."),
         ("deals", "opportunity"), prepare=deals.prepare_deal, act=deals.deal, replay=True),
    Verb("won", N_("won <lead>"), N_("Its deal is won: the organization becomes a customer."), ("win",),
         prepare=deals.prepare_won, act=deals.won, replay=True, in_thread=True),
    Verb("lost", N_("lost <lead> [reason]"), N_("Its deal is lost; say why (Price, Timing, Competitor, No decision…)."),
         ("lose",), prepare=deals.prepare_lost, act=deals.lost, replay=True, in_thread=True),
    Verb("churned", N_("churned <lead> <why>"),
         N_("A customer left: the status says so, with the reason, for the next rep."),
         ("churn",), prepare=deals.prepare_churned, act=deals.churned, replay=True, in_thread=True),
    Verb("pipeline", N_("pipeline [mine|@rep|all]"),
         N_("Open deals by stage: counts, amounts, weighted amounts, what closes this month."), run=deals.pipeline),
    Verb("org", N_("org <lead>"),
         N_("The organization: type (shop, agency, partner), who decides, related organizations."),
         ("organization", "company", "account"), prepare=organizations.prepare_org, act=organizations.org, replay=True),
    Verb("find", N_("find <text>"), N_("Search companies, contact names, e-mails and domains."), ("search",),
         run=lead.find),
    Verb("mine", "mine", N_("Your open leads, overdue follow-ups first."), ("my",), run=lead.mine),
    Verb("list", N_("list [status] [mine|@rep] [type:agency] [segment:smb] [authority:alone]"),
         N_("Leads by status, owner, type, segment and who decides, a page at a time."), ("ls",),
         run=listing.list_command),
    Verb("report", report.USAGE,
         N_("The funnel, deals, calls (and the ones nobody answered), first touch, sources and churn, with charts."),
         ("reports", "stats"), run=report.report_command),
    Verb("routing", "routing",
         N_("Routing queues for leads without an owner: channel, members, segment, first-touch SLA (managers)."),
         ("queues", "queue"), run=queues.routing_command),
    Verb("away", N_("away [until <when>] | back"),
         N_("Leave the rotation (until a date, or until you're back); managers can add @someone."), run=queues.away),
    Verb("back", "back", N_("Back in the rotation."), run=queues.back, in_help=False),  # listed with `away`
    Verb("digest", N_("digest [on|off|08:30]"),
         N_("Your weekday morning DM of today's and overdue follow-ups: turn it off, on, or move it."),
         run=prefs.digest),
    Verb("manager", N_("manager [@boss | @rep @boss | none]"),
         N_("Who hears about your follow-ups that stay overdue after reminders."), run=prefs.manager),
    Verb("settings", N_("settings [repeat 12h | repeats 3 | escalate on|off | manager @boss | currency KRW | types … | "
                        "timezone Asia/Seoul | report #channel mon 09:00 | statuses | channel #sales | "
                        "away-status 🌴 OOO | roles | intake]"),
         N_("Workspace rules: reminders, currency, types, time zone, the weekly report, statuses and deal stages, "
            "the channel for cards, which Slack statuses mean away (managers); roles and the intake token (admins)."),
         ("setting",), run=prefs.settings),
    Verb("channel", customer_channels.USAGE,
         N_("In a channel shared with a customer: its messages become that customer's history (`link <lead>`)."),
         run=lambda req, args: _channel(req, args)),
    Verb("channel-link", N_("channel link <lead>"), N_("Link this channel to the lead's organization."),
         prepare=customer_channels.prepare_link, act=customer_channels.link, replay=True, in_help=False),
    Verb("audit", N_("audit [@person]"), N_("Who changed roles, who was refused what, exports and erasures (admins)."),
         run=workspace.audit_command),
    Verb("export", "export", N_("Everything in the CRM as a ZIP of CSV files, sent to your DM (admins)."),
         run=privacy.export_command),
    Verb("forget", N_("forget <e-mail or name>"),
         N_("Erase a contact's personal data everywhere, once you confirm (admins)."), ("erase",),
         run=privacy.forget_command),
    Verb("help", "help", N_("This list.")),
)
_BY_WORD = {word: verb for verb in VERBS for word in verb.words}
HELP_LINES = [(v.usage, v.summary) for v in VERBS if v.in_help]
HELP_NAMES = [v.name for v in VERBS]
THREAD_USAGES = [v.usage for v in VERBS if v.in_thread]


def lookup(word: str, *, in_thread: bool = False) -> Verb | None:
    verb = _BY_WORD.get(word.lower())
    if verb is None or (in_thread and not verb.in_thread):
        return None
    return verb


listeners = Listeners()
register = listeners.register


def _channel(req: Req, args: str) -> None:
    """`/lead channel link <lead>` names a lead: the replayable verb `channel-link` (a pick-one can follow)."""
    word, _sep, rest = args.strip().partition(" ")
    if word.lower() == "link":
        customer_channels.in_a_channel(req)
        run(req, lookup("channel-link"), rest.strip())  # type: ignore[arg-type]
        return
    customer_channels.channel_command(req, args)


def _split(text: str | None) -> tuple[str, Verb | None, str]:
    """`/lead`'s text as (its first word, the verb it names, the rest)."""
    word, _sep, args = (clean(text, limit=12_000) or "").partition(" ")
    return word, lookup(word) if word else None, args


def answered_after_ack(text: str) -> bool:
    """Whether `/lead <text>` is acked empty and answered after (not help, nor an unknown word: those answer in
    the ack). `text` as Slack sends it (bot/edge.py asks before Bolt has decoded it)."""
    verb = _split(inbound.decode(text))[1]
    return verb is not None and verb.name != "help"


@listeners.command("/lead")
def lead_command(ack: Ack, req: Req) -> None:
    word, verb, args = _split(req.body.get("text"))
    if verb is None or verb.name == "help":
        text, blocks = help_message(word if word and verb is None else None, HELP_LINES, HELP_NAMES)
        ack(text=text, blocks=blocks)
        return
    ack()
    run(req, verb, args.strip())


def run(req: Req, verb: Verb, args: str) -> None:
    """Do what the verb says: directly, or on the one lead its reference names."""
    if verb.run is not None:
        verb.run(req, args)
        return
    if verb.act is None or verb.prepare is None:
        raise TypeError(f"verb {verb.name} has neither `run` nor `prepare` and `act`")  # not translated: a bug
    args = unwrap_links(args).strip()
    if not args and verb.lead_optional:
        verb.act(req, None, verb.prepare(req, "", ""), "")
        return
    if not args:
        raise Refusal(_("Which lead? Usage: `/lead {usage}`.").format(usage=usage_text(verb.usage)))
    choices = _choices(req, verb, args)
    if len(choices) == 1:
        verb.act(req, choices[0].lead, choices[0].pending, choices[0].rest)
    elif choices:
        _ask(req, verb, choices)


@dataclass(frozen=True)
class Choice:
    lead: LeadSummary
    pending: PendingAction  # what to do to it
    ref: str  # the words read as its name
    rest: str  # the words after them


def _choices(req: Req, verb: Verb, args: str) -> list[Choice]:
    """The leads the words may mean, each with what to do: the longest leading run of words that names a
    lead is the name (`acme shop called them` is Acme Shop's, even beside an Acme). When a longer run only
    begins a name and a shorter one is a whole name, what follows decides when it can (`busan bak
    qualifying`: only one reading leaves a status), else the person chooses. [] once answered (no match)."""
    fixed = fixed_ref(args)
    if fixed is not None and not fixed[0]:
        raise Refusal(_("Which lead? Usage: `/lead {usage}`.").format(usage=usage_text(verb.usage)))
    if fixed is not None:
        readings = [lead_refs.NameReading(*fixed, leads.resolve_lead(req.db, req.team_id, fixed[0]))]
    else:
        readings = lead_refs.name_readings(req.db, req.team_id, args)
    if not readings:  # no words name a lead: its own mistakes first (not a status), then "no lead matches"
        ref, rest = split_ref(args)
        verb.prepare(req, ref, rest)
        req.reply(lists.no_match(ref))
        return []
    choices: list[Choice] = []
    refused: CrmError | None = None
    for reading in readings:
        try:
            pending = verb.prepare(req, reading.ref, reading.rest)
        except CrmError as exc:
            refused = refused or exc
            continue
        if not reading.leads:
            req.reply(lists.no_match(reading.ref))
            return []
        choices += [Choice(lead, pending, reading.ref, reading.rest) for lead in reading.leads
                    if all(lead.id != c.lead.id for c in choices)]
    if not choices and refused is not None:
        raise refused
    return choices


def _ask(req: Req, verb: Verb, choices: list[Choice]) -> None:
    """Several leads: one button each, never a guess; quoting the name says exactly where it ends."""
    ref = min((c.ref for c in choices), key=len)  # every lead offered starts with it
    if any(len(c.pending.dump()) > 1900 for c in choices):
        raise Refusal(_("“{name}” matches several leads. Name it with `#id` (see `/lead find {name}`).").format(
            name=ref[:60]))
    first = choices[0]
    typed = verb.usage.split(" <")[0].split(" [")[0]  # `log`, `channel link`
    example = f'/lead {typed} "{first.lead.company}"' + (f" {first.rest}" if first.rest else "")
    text, blocks = lists.pick_lead(ref, [c.lead for c in choices], {c.lead.id: c.pending for c in choices},
                                   example=example)
    req.reply(text, blocks)


@listeners.action(re.compile(f"^{Action.PICK_LEAD}:"))
def pick_lead(ack: Ack, req: Req) -> None:
    """Replay the command that named several leads, now with the one the person picked (once)."""
    ack()
    pending = PendingAction.load(req.action.get("value"))
    verb = lookup(pending.verb) if pending else None
    if pending is None or pending.lead_id is None or verb is None or not verb.replay or verb.act is None:
        raise Refusal(_("That choice is out of date. Run the command again."))
    lead = leads.get_lead(req.db, req.team_id, pending.lead_id)
    req.key = f"pick:{(req.body.get('container') or {}).get('message_ts') or req.action.get('action_ts')}"
    answer, deleted = req.respond, []

    def respond(**kwargs) -> None:  # the pick list goes first, then the answer follows
        if answer is None:
            return
        if not deleted:
            answer(delete_original=True)
            deleted.append(True)
        if kwargs:
            answer(**kwargs)

    req.respond = respond  # type: ignore[assignment]
    try:
        verb.act(req, lead, pending, "")
    except Duplicate:
        return  # the same click twice: the first one answered
    respond()

"""What the store's error codes say to a person. The store names the problem; this is its wording.

`say(error)` is the one place a `CrmError` becomes text (unescaped: the caller escapes for mrkdwn).
Errors the bot raises itself (`Refusal`) already carry their sentence (translated where it is raised).
The tables hold English message ids (`N_()`); `say` translates them in the reader's language.
"""

from __future__ import annotations

from bot.i18n import N_, _, ngettext
from bot.labels import label
from bot.views.text import num
from store.errors import CrmError

MESSAGES: dict[str, str] = {
    # leads
    "company_missing": N_("Give the company a name."),
    "company_too_long": N_("Company names are limited to 200 characters."),
    "email_invalid": N_("“{email}” is not an e-mail address."),
    "phone_invalid": N_("That does not look like a phone number."),
    "contact_name_too_long": N_("Contact names are limited to 200 characters."),
    "find_empty": N_("What should I look for? Try `/lead find acme` or `/lead find jane@acme.com`."),
    "lead_not_found": N_("There is no lead #{lead_id} in this workspace."),
    # changes
    "outcome_without_activity": N_("Which kind of activity had this outcome?"),
    "activity_in_future": N_("An activity cannot have happened in the future."),
    "time_passed": N_("That time has already passed. Pick a time in the future."),
    "already_saved": N_("Already saved."),
    "already_status": N_("{company} is already {status}."),
    "already_owner": N_("{company} is already owned by that person."),
    "nothing_to_save": N_("Nothing to save: choose a status, log an activity or set a follow-up."),
    "note_missing": N_("What should I write down? Try `/lead log acme called, no answer`."),
    "status_missing": N_("Which status? Choose one of: {names}."),
    "status_ambiguous": N_("“{text}” could be {hits}. Say which."),
    "status_unknown": N_("“{text}” is not a status here. Choose one of: {names}."),
    "choice_unknown": N_("“{text}” is not a {what}. Choose one of: {options}."),
    # money
    "amount_missing": N_("Give the amount, e.g. 1,200,000, 1.2m or 120만."),
    "amount_negative": N_("An amount can't be negative."),
    "amount_invalid": N_("“{text}” is not an amount. Try 1,200,000, ₩1,200,000, 1.2m or 120만."),
    "amount_too_large": N_("That amount is too large."),
    "amount_whole": N_("{currency} amounts are whole numbers."),
    "amount_precision": N_("{currency} amounts have at most {digits} decimal places."),
    "currency_unknown": N_("“{text}” is not a currency. Use a three-letter code such as KRW, USD or EUR."),
    # deals
    "close_date_past": N_("The expected close date has passed. Pick a date still to come."),
    "deal_not_found": N_("That deal no longer exists (#{deal_id})."),
    "lost_reason_missing": N_("Why was it lost? Choose a reason."),
    "no_open_deal": N_("This lead has no open deal. Create one with /lead deal."),
    "several_open_deals": N_("This lead has {count} open deals: choose which one."),
    "no_stage_for": N_("The deal pipeline has no {outcome} stage. An admin can add one with /lead settings stages."),
    "stage_missing": N_("Which stage? Choose one of: {names}."),
    "stage_unknown": N_("“{text}” is not a deal stage here. Choose one of: {names}."),
    # pipelines
    "pipeline_name_long": N_("“{name}…” is too long: names have at most 40 characters."),
    "pipeline_name_twice": N_("“{name}” is listed twice."),
    "pipeline_size": N_("Give between 2 and {most} entries, one per line."),
    "pipeline_rename_unknown": N_("There is no “{name}” to rename."),
    # with a count (as the store gives it), worded by _retired below
    "pipeline_retired_target": N_("What you removed ({retired}) is still in use: say where to move it."),
    "pipeline_all_closed": N_("At least one status must be open (not marked closed)."),
    "stages_outcomes": N_("Deal stages need at least one open stage, exactly one marked won and one marked lost."),
    "stages_probability": N_("Probabilities are whole percentages from 0 to 100."),
    # organizations
    "organization_not_found": N_("That organization no longer exists."),
    "org_types_count": N_("Give between 1 and 50 types, separated by commas."),
    "merge_same": N_("That is this lead's own organization. Choose another one, or keep it."),
    "relation_self": N_("An organization can't be related to itself. Choose another one."),
    "tz_unknown": N_("“{text}” is not a time zone. Use a name such as Asia/Seoul or America/New_York."),
    "hours_order": N_("“Not after” ({end}) must be later than “Not before” ({start})."),
    "days_none": N_("Choose at least one day, or none to mean any day."),
    # people
    "bot_owner": N_("A bot can't own a lead. {hint}"),
    "bot_in_queue": N_("Bots can't take leads. Choose people."),
    "bot_manager": N_("A bot can't be a manager or have one. Mention a person."),
    "own_manager": N_("Nobody can be their own manager. Mention someone else."),
    "not_manager": N_("Only managers and workspace admins can {what}."),
    "already_owned": N_("{owner} took this lead first: it is theirs now."),
    "not_admin": N_("Only workspace admins and owners can {what}."),
    "channel_linked_elsewhere": N_("This channel is already {organization}'s history. Unlink it first "
                                  "(`/lead channel unlink`), then link it again."),
    "away_statuses_count": N_("Give at most 30 statuses."),
    "contact_unknown": N_("No contact matches “{text}”. Give their e-mail, or the name as `/lead show` writes it."),
    "contact_ambiguous": N_("“{text}” names {count} contacts: {names}. Give the e-mail."),
    "user_invalid": N_("That is not a person in this workspace. Mention them with @."),
    "role_unknown": N_("“{text}” is not a role. A person is a `manager` or a `rep`."),
    # follow-ups
    "remind_when": N_("When should I remind you?"),
    "too_far": N_("That is more than three years away. Pick a nearer time."),
    "follow_up_gone": N_("That follow-up no longer exists."),
    # settings
    "duration_invalid": N_("“{text}” is not a duration. Use minutes, hours or days, such as `45m`, `12h` or `2d`."),
    "duration_range": N_("Choose between 5 minutes and 30 days."),
    "hhmm_invalid": N_("“{text}” is not a time of day. Use 24-hour HH:MM, such as `08:30`."),
    "language_unknown": N_("“{text}” is not a language the CRM speaks. Choose one of: {names}."),
    # routing
    "sla_not_duration": N_("“{text}” is not a duration. Use `45m`, `1h` or `2d`."),
    "sla_range": N_("The first-touch SLA must be between 1 minute and 30 days."),
    "queue_gone": N_("That queue no longer exists. See `/lead routing`."),
    "queue_name_missing": N_("Give the queue a name, e.g. Inbound."),
    "queue_channel_missing": N_("Choose the channel where assignment notices go."),
    "queue_members_missing": N_("Choose at least one member."),
    "on_breach_missing": N_("Choose what happens when the SLA is missed."),
    "queue_name_taken": N_("There is already a queue called {name}."),
    "weight_range": N_("Weights are whole numbers from 0 (skip) to 100."),
    "accept_not_owner": N_("Only the lead's owner can accept it. Ask them, or use Reassign."),
    "pass_not_allowed": N_("Only the lead's owner (or a manager) can pass it."),
    "pass_not_routed": N_("This lead was not routed through a queue: use Reassign to give it to someone."),
    # reports
    "period_unknown": N_("“{text}” is not a period. Use `week`, `month`, `quarter` or a month such as `2026-11`."),
    "period_future": N_("{text} has not started yet. Choose a month that has."),
    "queue_unknown": N_("There is no queue “{text}”. Queues: {names}."),
    "weekday_unknown": N_("“{text}” is not a day of the week. Use mon, tue, wed, thu, fri, sat or sun."),
    # CSV import (the report is read in a terminal)
    "csv_empty": N_("the file is empty: the first line must name the columns"),
    "csv_no_company": N_("no company column: name it `company` (HubSpot: Company name; Pipedrive: Organization - Name; "
                         "Salesforce: Company / Account; Zoho: Company)"),
    "csv_encoding": N_("the file is not UTF-8 text (nor Korean Excel's CP949): in Excel, save it as "
                       "“CSV UTF-8 (Comma delimited)” and import that file"),
    "date_invalid": N_("“{text}” is not a date (write it like 2024-03-14 or 2024-03-14 15:30)"),
    "owner_unknown": N_("nobody in this Slack workspace has {email}"),
    "owner_name_unknown": N_("nobody in this Slack workspace is called {name} (give the owner's e-mail instead)"),
    "owner_ambiguous": N_("{count} people in this Slack workspace are called {name} (give the owner's e-mail instead)"),
    "map_invalid": N_("--map “{text}”: write it as value=Status, e.g. --map \"opportunity=Closing\""),
    "map_column_unknown": N_("--map: “{text}” is not a status column; use one of: {names}"),
    "pass_nobody": N_("Nobody else in {queue} can take it (everyone passed or is away): it stays with its owner."),
}

# What a person without the manager role was trying to do (`not_manager`'s `what`). Translators: each phrase
# completes "Only managers and workspace admins can …".
MANAGER_ONLY = {
    "routing": N_("configure routing. A workspace admin can make you a manager (`/lead settings roles`), or ask a "
                  "manager to set up the queue"),
    "manager": N_("set someone else's manager"),
    "settings": N_("change the workspace's reminder rules"),
    "language": N_("change the workspace's language"),
    "away": N_("set someone else away or back"),
    "reports": N_("see the team's report or another rep's. `/lead report` shows yours"),
    "lists": N_("see the team's lists"),
    "reassign": N_("give someone else's lead to another person"),
    "channel": N_("set the workspace's fallback channel"),
    "channel_link": N_("link or unlink the channel of someone else's lead"),
}
# What a person who is not a workspace admin or owner was trying to do (`not_admin`'s `what`). Translators:
# each phrase completes "Only workspace admins and owners can …".
ADMIN_ONLY = {
    "roles": N_("grant or revoke the manager role"),
    "audit": N_("read the audit log"),
    "export": N_("export the CRM's data"),
    "forget": N_("erase a contact's personal data"),
    "intake": N_("see or rotate the web form's intake token"),
    "inbox": N_("see or retry the stored Slack requests"),
}
# What they were trying to do when the store names nothing known.
DO_THAT = N_("do that")
# How to put right a bot chosen as owner, by where it was chosen.
BOT_OWNER_HINT = {None: N_("Mention a person."), "owner": N_("Choose a person.")}


class Refusal(CrmError):
    """An answer the bot words itself (a usage hint, a stale button): `message` is the sentence."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__("refusal", field=field)
        self.message = message


# What `choice_unknown` says was not one of the choices (`what`, as the store names it).
CHOICE_KINDS = {
    "type": N_("type"), "decision authority": N_("decision authority"), "relation": N_("relation"),
    "template": N_("template"), "deal type": N_("deal type"), "lost reason": N_("lost reason"),
    "Segment": N_("Segment"), "Activity": N_("Activity"), "Outcome": N_("Outcome"),
}
# The closed stage `no_stage_for` did not find (`outcome`).
OUTCOMES = {"won": N_("won"), "lost": N_("lost")}
# Parameters that list the CRM's words (statuses, stages, choices), joined with ", ": each shown as a label.
LISTS = {"status_missing": "names", "status_unknown": "names", "status_ambiguous": "hits", "stage_missing": "names",
         "stage_unknown": "names", "choice_unknown": "options", "pipeline_retired_target": "retired"}


def _labels(joined: object) -> str:
    return ", ".join(label(word) for word in str(joined).split(", ")) if joined else ""


def _retired(count: int, deals: bool, retired: str) -> str:
    if deals:
        text = ngettext("{n} deal is in {retired}, which you removed: say where to move it.",
                        "{n} deals are in {retired}, which you removed: say where to move them.", count)
    else:
        text = ngettext("{n} lead is in {retired}, which you removed: say where to move it.",
                        "{n} leads are in {retired}, which you removed: say where to move them.", count)
    return text.format(n=num(count), retired=retired)


def say(error: CrmError) -> str:
    """The sentence for a person (not escaped), in the reader's language."""
    if isinstance(error, Refusal):
        return error.message
    params = dict(error.params)
    if error.code in LISTS and LISTS[error.code] in params:
        params[LISTS[error.code]] = _labels(params[LISTS[error.code]])
    if error.code == "not_manager":
        params["what"] = _(MANAGER_ONLY.get(str(params.get("what")), DO_THAT))
    if error.code == "not_admin":
        params["what"] = _(ADMIN_ONLY.get(str(params.get("what")), DO_THAT))
    if error.code == "choice_unknown" and params.get("what") in CHOICE_KINDS:
        params["what"] = _(CHOICE_KINDS[params["what"]])
    if error.code == "no_stage_for" and params.get("outcome") in OUTCOMES:
        params["outcome"] = _(OUTCOMES[params["outcome"]])
    if error.code == "already_status" and "status" in params:
        params["status"] = label(params["status"])
    if error.code == "pipeline_retired_target" and "count" in params:
        return _retired(int(params["count"] or 0), error.field == "move_deals_to", params.get("retired", ""))
    if error.code == "bot_owner":
        params["hint"] = _(BOT_OWNER_HINT.get(error.field, BOT_OWNER_HINT["owner"]))
    template = MESSAGES.get(error.code)
    if template is None:
        return _("That didn't work: {problem}.").format(problem=error.code.replace("_", " "))
    try:
        return _(template).format(**params)
    except (KeyError, IndexError):
        return _(template)

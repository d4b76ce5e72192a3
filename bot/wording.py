"""What the store's error codes say to a person. The store names the problem; this is its wording.

`say(error)` is the one place a `CrmError` becomes text (unescaped: the caller escapes for mrkdwn).
Errors the bot raises itself (`Refusal`) already carry their sentence.
"""

from __future__ import annotations

from store.errors import CrmError

MESSAGES: dict[str, str] = {
    # leads
    "company_missing": "Give the company a name.",
    "company_too_long": "Company names are limited to 200 characters.",
    "email_invalid": "“{email}” is not an e-mail address.",
    "phone_invalid": "That does not look like a phone number.",
    "contact_name_too_long": "Contact names are limited to 200 characters.",
    "find_empty": "What should I look for? Try `/lead find acme` or `/lead find jane@acme.com`.",
    "lead_not_found": "There is no lead #{lead_id} in this workspace.",
    # changes
    "outcome_without_activity": "Which kind of activity had this outcome?",
    "activity_in_future": "An activity cannot have happened in the future.",
    "time_passed": "That time has already passed. Pick a time in the future.",
    "already_saved": "Already saved.",
    "already_status": "{company} is already {status}.",
    "already_owner": "{company} is already owned by that person.",
    "nothing_to_save": "Nothing to save: choose a status, log an activity or set a follow-up.",
    "note_missing": "What should I write down? Try `/lead log acme called, no answer`.",
    "status_missing": "Which status? Choose one of: {names}.",
    "status_ambiguous": "“{text}” could be {hits}. Say which.",
    "status_unknown": "“{text}” is not a status here. Choose one of: {names}.",
    "choice_unknown": "“{text}” is not a {what}. Choose one of: {options}.",
    # money
    "amount_missing": "Give the amount, e.g. 1,200,000, 1.2m or 120만.",
    "amount_negative": "An amount can't be negative.",
    "amount_invalid": "“{text}” is not an amount. Try 1,200,000, ₩1,200,000, 1.2m or 120만.",
    "amount_too_large": "That amount is too large.",
    "amount_whole": "{currency} amounts are whole numbers.",
    "amount_precision": "{currency} amounts have at most {digits} decimal places.",
    "currency_unknown": "“{text}” is not a currency. Use a three-letter code such as KRW, USD or EUR.",
    # deals
    "close_date_past": "The expected close date has passed. Pick a date still to come.",
    "deal_not_found": "That deal no longer exists (#{deal_id}).",
    "lost_reason_missing": "Why was it lost? Choose a reason.",
    "no_open_deal": "This lead has no open deal. Create one with /lead deal.",
    "several_open_deals": "This lead has {count} open deals: choose which one.",
    "no_stage_for": "The deal pipeline has no {outcome} stage. An admin can add one with /lead settings stages.",
    "stage_missing": "Which stage? Choose one of: {names}.",
    "stage_unknown": "“{text}” is not a deal stage here. Choose one of: {names}.",
    # pipelines
    "pipeline_name_long": "“{name}…” is too long: names have at most 40 characters.",
    "pipeline_name_twice": "“{name}” is listed twice.",
    "pipeline_size": "Give between 2 and {most} entries, one per line.",
    "pipeline_rename_unknown": "There is no “{name}” to rename.",
    "pipeline_retired_target": "{those} in {retired}, which you removed: say where to move {them}.",
    "pipeline_all_closed": "At least one status must be open (not marked closed).",
    "stages_outcomes": "Deal stages need at least one open stage, exactly one marked won and one marked lost.",
    "stages_probability": "Probabilities are whole percentages from 0 to 100.",
    # organizations
    "organization_not_found": "That organization no longer exists.",
    "org_types_count": "Give between 1 and 50 types, separated by commas.",
    "merge_same": "That is this lead's own organization. Choose another one, or keep it.",
    "relation_self": "An organization can't be related to itself. Choose another one.",
    "tz_unknown": "“{text}” is not a time zone. Use a name such as Asia/Seoul or America/New_York.",
    "hours_order": "“Not after” ({end}) must be later than “Not before” ({start}).",
    "days_none": "Choose at least one day, or none to mean any day.",
    # people
    "bot_owner": "A bot can't own a lead. {hint}",
    "bot_in_queue": "Bots can't take leads. Choose people.",
    "bot_manager": "A bot can't be a manager or have one. Mention a person.",
    "own_manager": "Nobody can be their own manager. Mention someone else.",
    "not_manager": "Only managers and workspace admins can {what}.",
    "already_owned": "{owner} took this lead first: it is theirs now.",
    "not_admin": "Only workspace admins and owners can {what}.",
    "channel_linked_elsewhere": "This channel is already {organization}'s history. Unlink it first "
                               "(`/lead channel unlink`), then link it again.",
    "away_statuses_count": "Give at most 30 statuses.",
    "contact_unknown": "No contact matches “{text}”. Give their e-mail, or the name as `/lead show` writes it.",
    "contact_ambiguous": "“{text}” names {count} contacts: {names}. Give the e-mail.",
    "role_unknown": "“{text}” is not a role. A person is a `manager` or a `rep`.",
    # follow-ups
    "remind_when": "When should I remind you?",
    "too_far": "That is more than three years away. Pick a nearer time.",
    "follow_up_gone": "That follow-up no longer exists.",
    # settings
    "duration_invalid": "“{text}” is not a duration. Use minutes, hours or days, such as `45m`, `12h` or `2d`.",
    "duration_range": "Choose between 5 minutes and 30 days.",
    "hhmm_invalid": "“{text}” is not a time of day. Use 24-hour HH:MM, such as `08:30`.",
    # routing
    "sla_not_duration": "“{text}” is not a duration. Use `45m`, `1h` or `2d`.",
    "sla_range": "The first-touch SLA must be between 1 minute and 30 days.",
    "queue_gone": "That queue no longer exists. See `/lead routing`.",
    "queue_name_missing": "Give the queue a name, e.g. Inbound.",
    "queue_channel_missing": "Choose the channel where assignment notices go.",
    "queue_members_missing": "Choose at least one member.",
    "on_breach_missing": "Choose what happens when the SLA is missed.",
    "queue_name_taken": "There is already a queue called {name}.",
    "weight_range": "Weights are whole numbers from 0 (skip) to 100.",
    "accept_not_owner": "Only the lead's owner can accept it. Ask them, or use Reassign.",
    "pass_not_allowed": "Only the lead's owner (or a manager) can pass it.",
    "pass_not_routed": "This lead was not routed through a queue: use Reassign to give it to someone.",
    # reports
    "period_unknown": "“{text}” is not a period. Use `week`, `month`, `quarter` or a month such as `2026-11`.",
    "period_future": "{text} has not started yet. Choose a month that has.",
    "queue_unknown": "There is no queue “{text}”. Queues: {names}.",
    "weekday_unknown": "“{text}” is not a day of the week. Use mon, tue, wed, thu, fri, sat or sun.",
    # CSV import (the report is read in a terminal)
    "csv_empty": "the file is empty: the first line must name the columns",
    "csv_no_company": "no company column: name it `company` (HubSpot: Company name; Pipedrive: Organization - Name; "
                      "Salesforce: Company / Account; Zoho: Company)",
    "csv_encoding": "the file is not UTF-8 text (nor Korean Excel's CP949): in Excel, save it as "
                    "“CSV UTF-8 (Comma delimited)” and import that file",
    "date_invalid": "“{text}” is not a date (write it like 2024-03-14 or 2024-03-14 15:30)",
    "owner_unknown": "nobody in this Slack workspace has {email}",
    "owner_name_unknown": "nobody in this Slack workspace is called {name} (give the owner's e-mail instead)",
    "owner_ambiguous": "{count} people in this Slack workspace are called {name} (give the owner's e-mail instead)",
    "map_invalid": "--map “{text}”: write it as value=Status, e.g. --map \"opportunity=Closing\"",
    "map_column_unknown": "--map: “{text}” is not a status column; use one of: {names}",
    "pass_nobody": "Nobody else in {queue} can take it (everyone passed or is away): it stays with its owner.",
}

# What a person without the manager role was trying to do (`not_manager`'s `what`).
MANAGER_ONLY = {
    "routing": "configure routing. A workspace admin can make you a manager (`/lead settings roles`), or ask a "
               "manager to set up the queue",
    "manager": "set someone else's manager",
    "settings": "change the workspace's reminder rules",
    "away": "set someone else away or back",
    "reports": "see the team's report or another rep's. `/lead report` shows yours",
    "lists": "see the team's lists",
    "reassign": "give someone else's lead to another person",
    "channel": "set the workspace's fallback channel",
    "channel_link": "link or unlink the channel of someone else's lead",
}
# What a person who is not a workspace admin or owner was trying to do (`not_admin`'s `what`).
ADMIN_ONLY = {
    "roles": "grant or revoke the manager role",
    "audit": "read the audit log",
    "export": "export the CRM's data",
    "forget": "erase a contact's personal data",
    "intake": "see or rotate the web form's intake token",
    "inbox": "see or retry the stored Slack requests",
}
# How to put right a bot chosen as owner, by where it was chosen.
BOT_OWNER_HINT = {None: "Mention a person.", "owner": "Choose a person."}


class Refusal(CrmError):
    """An answer the bot words itself (a usage hint, a stale button): `message` is the sentence."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__("refusal", field=field)
        self.message = message


def say(error: CrmError) -> str:
    """The sentence for a person (not escaped)."""
    if isinstance(error, Refusal):
        return error.message
    params = dict(error.params)
    if error.code == "not_manager":
        params["what"] = MANAGER_ONLY.get(str(params.get("what")), "do that")
    if error.code == "not_admin":
        params["what"] = ADMIN_ONLY.get(str(params.get("what")), "do that")
    if error.code == "pipeline_retired_target":
        count, noun = int(params.get("count") or 0), "deal" if error.field == "move_deals_to" else "lead"
        params["those"] = f"1 {noun} is" if count == 1 else f"{count:,} {noun}s are"
        params["them"] = "it" if count == 1 else "them"
    if error.code == "bot_owner":
        params["hint"] = BOT_OWNER_HINT.get(error.field, BOT_OWNER_HINT["owner"])
    template = MESSAGES.get(error.code)
    if template is None:
        return "That didn't work: " + error.code.replace("_", " ") + "."
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template

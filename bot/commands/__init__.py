"""Listeners, one module per feature, each with `register(app)`:

- `thread`: a lead card's thread is its history (replies, edits, deletions, mentions of the bot);
- `home`: the App Home (opening it, Refresh, its lists);
- `verbs`: the `/lead` command and its verb table (handlers in `lead`, `queues`, `prefs`), pick-one replays;
- `card`: the lead card's buttons, its modals and `/lead new`'s form, the Lead picker's type-ahead;
- `deals`: deal verbs (handlers in the verb table), the card's Deal button, the deal and lost forms;
- `organizations`: the organization form (type, who decides, relations) and its type-ahead;
- `listing`: `/lead list`'s filters and its Previous / Next;
- `pipelines`: the form where managers edit the statuses and the deal stages;
- `reminders`: the nudge DM's buttons and the reschedule form;
- `queues`: routing queues' buttons and forms;
- `report`: `/lead report`'s Share to channel and Download CSV;
- `workspace`: installs leaving, profiles and availability changing, roles, the audit log, admin settings;
- `attach`: the Attach to lead message shortcut and its form;
- `privacy`: `/lead export` and `/lead forget`'s confirmation;
- `customer_channels`: `/lead channel` (the verbs' handlers; no listeners of its own).
"""

from __future__ import annotations

from slack_bolt import App

from bot.commands import (
    attach, card, deals, home, listing, organizations, pipelines, privacy, queues, reminders, report, thread, verbs,
    workspace,
)


def register(app: App) -> None:
    # Bolt tries listeners in registration order and stops at the first match, and each listener it tries costs
    # about 30 µs before the ack. Thread replies arrive by the thousand, so `thread` (message, app_mention) goes
    # first; then `/lead` (a person waits for its answer: it had sat behind 13 listeners), then the other events,
    # the buttons and the modals.
    for feature in (thread, verbs, workspace, home, card, deals, organizations, listing, pipelines, reminders,
                    queues, report, attach, privacy):
        feature.register(app)

"""Listeners, one module per Slack surface. `register(app)` wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.commands import buttons, events, lead, modals, nudges, options, prefs, routing_cmd


def register(app: App) -> None:
    # Bolt tries listeners in registration order and stops at the first match: thread replies arrive by
    # the thousand, so events go first (a reply then skips the ~40 command, button and modal matchers).
    for module in (events, lead, prefs, routing_cmd, modals, buttons, nudges, options):
        module.register(app)

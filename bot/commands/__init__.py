"""Listeners, one module per Slack surface. `register(app)` wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.commands import buttons, events, lead, modals, nudges, options, prefs, routing_cmd


def register(app: App) -> None:
    for module in (lead, prefs, routing_cmd, modals, buttons, nudges, options, events):
        module.register(app)

"""Listeners, one module per Slack surface. `register(app)` wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.commands import buttons, events, lead, modals, options


def register(app: App) -> None:
    for module in (lead, modals, buttons, options, events):
        module.register(app)

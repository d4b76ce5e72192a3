"""The options endpoint: type-ahead for the Lead picker (works with 100,000 leads)."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext

from bot.deps import team_of
from bot.errors import guarded
from bot.ids import Action
from bot.views.modals import lead_option
from store.services import leads


def register(app: App) -> None:
    app.options(Action.LEAD_SELECT)(guarded(lead_options))


def lead_options(ack: Ack, payload: dict, context: BoltContext) -> None:
    found = leads.suggest(context["crm"].db, team_of(context), payload.get("value") or "")
    ack(options=[lead_option(lead).to_dict() for lead in found])

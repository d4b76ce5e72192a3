"""Tenancy edges (issue 17.7): a request whose workspace can't be told is refused, never filed under its
Enterprise Grid organization; one that names its workspace goes on as before."""

from __future__ import annotations

import pytest
from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult

from bot.ack_first import AckFirst
from bot.context import request_context
from bot.wording import Refusal


def _context(team_id: str | None) -> BoltContext:
    context = BoltContext()
    context["authorize_result"] = AuthorizeResult(enterprise_id="E1", team_id=team_id, bot_token="xoxb-org",
                                                  bot_user_id="UBOT")
    context["enterprise_id"], context["user_id"] = "E1", "U1"
    return context


def test_a_command_naming_only_its_organization_is_refused(bot):
    middleware = request_context(bot.crm, AckFirst())
    went_on = []
    body = {"command": "/lead", "text": "new Grid Secret Shop", "enterprise_id": "E1", "user_id": "U1"}
    with pytest.raises(Refusal) as refused:
        middleware(_context(None), body, lambda: went_on.append(True))
    assert "can't tell which Slack workspace" in refused.value.message and not went_on


def test_a_command_of_a_grid_workspace_is_that_workspaces(bot):
    middleware = request_context(bot.crm, AckFirst())
    context, went_on = _context(None), []
    middleware(context, {"command": "/lead", "text": "find x", "team_id": "T1", "enterprise_id": "E1",
                         "user_id": "U1"}, lambda: went_on.append(True))
    assert went_on and context["req"].team_id == "T1"

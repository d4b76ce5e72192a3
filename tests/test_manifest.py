"""manifest.yml validates against Slack's official schema and declares what the bot uses."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
# Slack's official schema (MIT): the shared copy beside the repository when present, else ours.
SCHEMA = next(p for p in (ROOT.parent / "shared" / "slack-manifest-schema" / "manifest.schema.1.0.0.json",
                          ROOT / "tests" / "slack_manifest_schema" / "manifest.schema.1.0.0.json") if p.exists())


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_matches_slacks_schema():
    schema = json.loads(SCHEMA.read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(manifest()), key=str)
    assert not errors, [e.message for e in errors]


def test_manifest_declares_what_the_bot_needs():
    m = manifest()
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "chat:write.public", "users:read", "im:write"} <= scopes
    (command,) = m["features"]["slash_commands"]
    assert command["command"] == "/lead" and command["should_escape"] is True
    assert command["url"].endswith("/slack/events")
    settings = m["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["message_menu_options_url"].endswith("/slack/events")  # the Lead picker


def test_manifest_has_the_home_tab_and_file_uploads():
    m = manifest()
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in m["settings"]["event_subscriptions"]["bot_events"]
    assert "files:write" in m["oauth_config"]["scopes"]["bot"]  # charts and CSVs
    assert len(m["display_information"]["long_description"]) <= 4000
    assert len(m["features"]["slash_commands"][0]["description"]) <= 100


def test_manifest_has_what_many_workspaces_need():
    """OAuth: the redirect URL, the scopes the install asks for (the same list the bot passes to Bolt), the
    shortcut and the events that keep installs, profiles and availability current."""
    from bot.ids import Callback
    from bot.oauth import BOT_SCOPES, REDIRECT_PATH

    m = manifest()
    assert [u for u in m["oauth_config"]["redirect_urls"] if u.endswith(REDIRECT_PATH)]
    assert set(m["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    assert {"dnd:read", "users.profile:read", "files:write", "channels:read", "groups:read"} <= set(BOT_SCOPES)
    (shortcut,) = m["features"]["shortcuts"]
    assert shortcut["type"] == "message" and shortcut["callback_id"] == Callback.ATTACH
    assert shortcut["name"] == "Attach to lead"
    events = set(m["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_uninstalled", "tokens_revoked", "user_change", "member_joined_channel"} <= events
    assert "dnd_updated_user" in events

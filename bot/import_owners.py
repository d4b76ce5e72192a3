"""The importer's owners, found in Slack: an e-mail among the members the CRM knows, else with
`users.lookupByEmail`; a name (Pipedrive's `Owner: Bob`, Salesforce's and Zoho's `Lead Owner`) as one member's
real or display name, case-insensitive, read once from `users.list`. Bots, deleted accounts and people of
other workspaces own nothing."""

from __future__ import annotations

from collections import defaultdict

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from store.db import Database
from store.errors import CrmError, Invalid
from store.services import members
from store.services.imports import owner_key
from store.text import name_key


def find_owners(client: WebClient, db: Database, team_id: str,
                owners: list[str]) -> tuple[dict[str, str], dict[str, CrmError]]:
    """(owner key → Slack user id, owner key → why nobody matches). Slack errors other than "not found"
    are raised (the caller says in one line what it could not reach)."""
    keys = {owner_key(o): o for o in owners if o and o.strip()}
    emails = sorted(k for k in keys if "@" in k)
    names = sorted(k for k in keys if "@" not in k)
    found = members.by_emails(db, team_id, emails)
    missing: dict[str, CrmError] = {}
    for email in emails:
        if email in found:
            continue
        try:
            user = client.users_lookupByEmail(email=email).get("user") or {}
        except SlackApiError as exc:
            if exc.response.get("error") != "users_not_found":
                raise
            user = {}
        if _person(user, team_id):
            found[email] = user["id"]
        else:
            missing[email] = Invalid("owner_unknown", field="owner", email=email)
    if names:
        by_name = _names(client, team_id)
        for key in names:
            ids = by_name.get(key, set())
            if len(ids) == 1:
                found[key] = next(iter(ids))
            elif ids:
                missing[key] = Invalid("owner_ambiguous", field="owner", name=keys[key], count=len(ids))
            else:
                missing[key] = Invalid("owner_name_unknown", field="owner", name=keys[key])
    return found, missing


def _person(user: dict, team_id: str) -> bool:
    return bool(user.get("id")) and not user.get("is_bot") and not user.get("deleted") \
        and user.get("id") != "USLACKBOT" and user.get("team_id", team_id) == team_id


def _names(client: WebClient, team_id: str) -> dict[str, set[str]]:
    """name key → the members it names: each one's real name and display name (both, from the profile too)."""
    out: dict[str, set[str]] = defaultdict(set)
    for page in client.users_list(limit=200):
        for user in page.get("members") or []:
            if not _person(user, team_id):
                continue
            profile = user.get("profile") or {}
            for name in {user.get("real_name"), profile.get("real_name"), profile.get("display_name"),
                         profile.get("real_name_normalized"), profile.get("display_name_normalized")}:
                if name and name.strip():
                    out[name_key(name)].add(user["id"])
    return out

"""Two installed workspaces in one database: team B's requests carrying team A's lead ids, channel ids and
private_metadata neither see nor change anything of A; intake finds the team from its token; sweeps and DMs
use each team's own token."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.metadata import LeadRef, ModalContext
from scheduler import jobs
from store.models import Activity, AuditEntry, Comment, Lead, LinkedChannel
from tests.slack_driver import message_text


def _two_teams(oauth, fake):
    fake.add_user("UB1", name="beta-rep", team="TB")
    for user in ("U1", "U2", "U3"):  # team A's people, as users.info tells them
        fake.users[user]["team_id"] = "TA"
    fake.users["U1"]["is_admin"] = True
    fake.users["UB1"]["is_admin"] = True
    oauth.install("TA", "U1")
    oauth.install("TB", "UB1")
    return oauth.for_team("TA"), oauth.for_team("TB")


def _lead_of(db, team):
    with db.read() as s:
        return s.scalar(select(Lead).where(Lead.team_id == team))


def test_team_b_cannot_reach_team_as_leads_by_id_button_or_form(oauth, fake, db):
    a, b = _two_teams(oauth, fake)
    a.command("new Alpha Secret Customer", user="U1")
    lead = _lead_of(db, "TA")
    fake.clear()
    b.command(f"show #{lead.id}", user="UB1")
    assert "Alpha Secret" not in b.last_reply_text() and "No lead matches" in b.last_reply_text()
    b.command(f"log #{lead.id} called them", user="UB1")
    b.command(f"status #{lead.id} closing", user="UB1")
    b.command(f"channel link #{lead.id}", user="UB1", channel=lead.card_channel)
    # a button of A's card, clicked as B
    card = {"blocks": [{"type": "actions", "block_id": "card_actions", "elements": [
        {"type": "button", "action_id": "card_history", "text": {"type": "plain_text", "text": "History"},
         "value": LeadRef(lead_id=lead.id).dump()}]}]}
    b.click(card, "History", user="UB1", channel=lead.card_channel)
    # a modal submission carrying A's lead in its private_metadata
    view = {"type": "modal", "callback_id": "lead_update", "private_metadata": ModalContext(lead_id=lead.id).dump(),
            "blocks": [{"type": "input", "block_id": "note", "label": {"type": "plain_text", "text": "Note"},
                        "element": {"type": "plain_text_input", "action_id": "note"}}]}
    b.submit(view, {"Note": "hijack"}, user="UB1")
    # the lead picker's type-ahead
    r = b.options("lead_select", "Alpha", user="UB1")
    assert r.json == {"options": []}
    shown = " ".join(message_text(x) for x in b.replies()) + json.dumps(fake.of("chat.postEphemeral"))
    assert "Alpha Secret" not in shown
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Activity)) == 0
        assert s.get(Lead, lead.id).status == lead.status
        assert s.scalar(select(func.count()).select_from(LinkedChannel)) == 0
    assert all(c.token is None or "-TB-" in c.token for c in fake.calls)  # B's requests spoke with B's token


def test_team_b_events_in_team_as_card_thread_are_not_captured(oauth, fake, db):
    a, b = _two_teams(oauth, fake)
    a.command("new Alpha Shop", user="U1")
    lead = _lead_of(db, "TA")
    b.event({"type": "message", "channel": lead.card_channel, "user": "UB1", "text": "mine now",
             "ts": "1800000000.000001", "thread_ts": lead.card_ts})
    b.event({"type": "message", "subtype": "message_deleted", "channel": lead.card_channel, "deleted_ts": lead.card_ts,
             "previous_message": {"ts": lead.card_ts, "user": "U1"}})
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Comment).where(Comment.lead_id == lead.id)) == 0
    b.event({"type": "app_uninstalled"})  # B leaving changes nothing of A
    assert oauth.crm.workspaces.installed("TA") and not oauth.crm.workspaces.installed("TB")


def test_audit_and_roles_are_per_workspace(oauth, fake, db):
    a, b = _two_teams(oauth, fake)
    a.command("settings roles <@U2> manager", user="U1")
    b.command("audit", user="UB1")
    assert "<@U2>" not in b.last_reply_text()
    with db.read() as s:
        teams = set(s.scalars(select(AuditEntry.team_id).where(AuditEntry.action == "role.grant")))
    assert teams == {"TA"}


def test_intake_finds_the_workspace_from_its_own_token(oauth, fake, db):
    a, b = _two_teams(oauth, fake)
    a.command("settings intake new", user="U1")
    token_a = a.last_reply_text().split("```")[1]
    b.command("settings intake new", user="UB1")
    token_b = b.last_reply_text().split("```")[1]
    assert token_a != token_b and token_a.startswith("crmi_")
    b.command("settings intake", user="UB1")
    assert token_b not in b.last_reply_text()  # shown once only
    for token, company in ((token_a, "Web Lead A"), (token_b, "Web Lead B")):
        r = a.post(json.dumps({"company": company}), "application/json", {"Authorization": f"Bearer {token}"},
                   path="/intake/leads")
        assert r.status == 201, r.raw
    with db.read() as s:
        rows = s.execute(select(Lead.team_id, Lead.id).order_by(Lead.id)).all()
    assert [t for t, _ in rows] == ["TA", "TB"]
    jobs.deliver_owed_posts(oauth.crm)  # each card posted with its own team's token
    a.command("settings intake new", user="U1")  # rotated: the old one stops at once
    r = a.post(json.dumps({"company": "Late"}), "application/json", {"Authorization": f"Bearer {token_a}"},
               path="/intake/leads")
    assert r.status == 401
    b.event({"type": "app_uninstalled"})
    r = a.post(json.dumps({"company": "Gone"}), "application/json", {"Authorization": f"Bearer {token_b}"},
               path="/intake/leads")
    assert r.status == 410

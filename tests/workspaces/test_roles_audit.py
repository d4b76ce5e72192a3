"""Roles: Slack's admins grant and revoke manager (a form, or a line); managers configure routing and reassign
anyone's leads, reps only their own; every role change and every refusal is in the audit log, which admins
read with /lead audit (and page back through)."""

from __future__ import annotations

from sqlalchemy import select

from store.models import AuditEntry, Lead, Member
from tests.slack_driver import message_text


def _labels(view):
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]


def _audit(db) -> list[tuple[str, str, str | None]]:
    with db.read() as s:
        return [(a, b, c) for a, b, c in s.execute(select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.target)
                                                   .order_by(AuditEntry.id)).all()]


def test_an_admin_names_managers_in_the_roles_form_and_it_is_audited(bot, fake, db):
    fake.users["U1"]["is_admin"] = True
    bot.command("settings roles", user="U1")
    view = bot.last_view()
    assert view["title"]["text"] == "Roles" and _labels(view) == ["Managers"]
    assert "Slack's workspace admins and owners" in message_text({"blocks": view["blocks"]})
    r = bot.submit(view, {"Managers": ["U2"]}, user="U1")
    assert r.status == 200 and r.raw == b""
    with db.read() as s:
        assert s.get(Member, ("T1", "U2")).role == "manager"
    assert ("U1", "role.grant", "U2") in _audit(db)
    # a manager now: routing is theirs to configure
    bot.command("routing", user="U2")
    assert bot.last_view()["title"]["text"] == "New routing queue"
    # and revoked again, by the line form
    bot.command("settings roles <@U2> rep", user="U1")
    assert "is a rep again" in bot.last_reply_text()
    bot.command("routing", user="U2")
    assert "Only managers and workspace admins" in bot.last_reply_text()
    assert [a for a in _audit(db) if a[1].startswith("role.")] == [("U1", "role.grant", "U2"),
                                                                   ("U1", "role.revoke", "U2")]


def test_a_rep_cannot_change_roles_and_the_refusals_are_logged(bot, fake, db):
    bot.command("settings roles <@U3> manager", user="U2")
    assert "Only workspace admins and owners can grant or revoke the manager role" in bot.last_reply_text()
    bot.command("audit", user="U2")
    assert "Only workspace admins and owners can read the audit log" in bot.last_reply_text()
    with db.read() as s:
        assert s.get(Member, ("T1", "U3")) is None or s.get(Member, ("T1", "U3")).role == "rep"
    refusals = [a for a in _audit(db) if a[1] == "refused"]
    assert refusals == [("U2", "refused", "roles"), ("U2", "refused", "audit")]
    bot.command("settings roles", user="U2")  # seeing who the managers are is fine, and no refusal
    assert "*Managers*: none" in bot.last_reply_text()
    assert len([a for a in _audit(db) if a[1] == "refused"]) == 2


def test_the_routing_answer_for_reps_now_names_the_way_to_become_a_manager(bot, fake, db):
    bot.command("routing", user="U2")
    assert "`/lead settings roles`" in bot.last_reply_text()


def test_reps_give_away_only_their_own_leads_managers_anyones(bot, fake, db):
    bot.command("new Acme Shop", user="U1")
    with db.read() as s:
        lead = s.scalar(select(Lead))
    assert lead.owner_id == "U1"
    bot.command(f"assign #{lead.id} <@U3>", user="U2")
    assert "Only managers and workspace admins can give someone else's lead" in bot.last_reply_text()
    with db.read() as s:
        assert s.get(Lead, lead.id).owner_id == "U1"
    assert ("U2", "refused", "reassign") in _audit(db)
    bot.command(f"assign #{lead.id} <@U2>", user="U1")  # the owner may
    with db.read() as s:
        assert s.get(Lead, lead.id).owner_id == "U2"
    fake.users["U1"]["is_admin"] = True  # made a workspace admin in Slack: Slack tells the bot
    bot.event({"type": "user_change", "user": fake.users["U1"]})
    bot.command("settings roles <@U3> manager", user="U1")
    bot.command(f"assign #{lead.id} <@U1>", user="U3")  # a manager may move anyone's
    with db.read() as s:
        assert s.get(Lead, lead.id).owner_id == "U1"


def test_admins_read_the_audit_log_newest_first_and_page_back(bot, fake, db):
    fake.users["U1"]["is_admin"] = True
    for _ in range(12):
        bot.command("settings roles <@U2> manager", user="U1")
        bot.command("settings roles <@U2> rep", user="U1")
    bot.command("audit", user="U1")
    reply = bot.replies()[-1]
    text = message_text(reply)
    assert "Audit log" in text and text.count("made <@U2>") == 20
    assert text.index("a rep again") < text.index("a manager")  # newest first
    bot.click(reply, "Older", user="U1", ephemeral=True)
    older = bot.replies()[-1]
    assert older.get("replace_original") and message_text(older).count("made <@U2>") == 4
    assert "Older" not in str(older.get("blocks"))
    bot.command("audit <@U3>", user="U1")
    assert "nothing recorded yet" in bot.last_reply_text()


def test_an_admin_demoted_in_slack_loses_the_crm_powers_it_gave(bot, fake, db, clock):
    """Issue 17.2: the role Slack gives (admin) is re-read with the profile, and a demotion takes it away; the
    role the CRM grants (manager) is the CRM's own and stays until an admin changes it."""
    fake.users["U1"]["is_admin"] = True
    bot.command("settings inbox")
    assert "Only workspace admins" not in bot.last_reply_text()
    bot.command("away <@U2> until tomorrow")
    assert "Only" not in bot.last_reply_text()
    fake.users["U1"]["is_admin"] = False  # demoted in Slack
    clock.advance(hours=13)  # the profile the CRM keeps is stale: re-read before the next check
    bot.command("settings inbox")
    assert "Only workspace admins" in bot.last_reply_text()
    bot.command("away <@U2> until friday")
    assert "Only managers" in bot.last_reply_text() or "only managers" in bot.last_reply_text().lower()
    fake.users["U1"]["is_admin"] = True  # an admin again
    clock.advance(hours=13)
    bot.command("settings inbox")
    assert "Only workspace admins" not in bot.last_reply_text()


def test_a_user_change_event_demotes_at_once(bot, fake, db, clock):
    fake.users["U1"]["is_admin"] = True
    bot.command("settings inbox")
    assert "Only workspace admins" not in bot.last_reply_text()
    fake.users["U1"]["is_admin"] = False
    bot.event({"type": "user_change", "user": {**fake.users["U1"], "is_admin": False}}, "EvDemote")
    bot.command("settings inbox")  # no waiting for the profile to go stale
    assert "Only workspace admins" in bot.last_reply_text()

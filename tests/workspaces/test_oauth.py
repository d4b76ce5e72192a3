"""OAuth for many workspaces: the install page, the redirect (forged states and replayed codes refused), each
request and each DM with its workspace's token from a cache, token rotation, and uninstalls that stop work."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import func, select

from bot.oauth import BOT_SCOPES
from scheduler import build_notifier, jobs
from store.models import AuditEntry, FollowUp, Lead, Notification, Team
from store.models.installations import slack_bots, slack_oauth_states
from store.services import leads, nudges
from store.dto import NewLead


def _bots(db) -> list:
    with db.read() as s:
        return s.execute(select(slack_bots.c.team_id, slack_bots.c.bot_token, slack_bots.c.bot_refresh_token)
                         .order_by(slack_bots.c.id)).all()


def test_the_install_page_offers_add_to_slack_with_a_state_kept_in_the_database(oauth, db):
    page, url, cookie = oauth.install_page()
    assert "Add to Slack" in page and "The CRM that lives in Slack" in page
    q = parse_qs(urlparse(url).query)
    assert q["client_id"] == [oauth.fake.client_id]
    assert set(q["scope"][0].split(",")) == set(BOT_SCOPES)
    assert cookie.startswith("slack-app-oauth-state=") and cookie.split("=", 1)[1] == q["state"][0]
    with db.read() as s:  # the state lives in the CRM's database (any replica can complete the install)
        assert s.scalar(select(func.count()).select_from(slack_oauth_states)) == 1


def test_installing_stores_the_workspace_and_speaks_for_it_with_its_own_token(oauth, db, fake):
    r = oauth.install("TA", "U1")
    assert r.status == 200 and "Installed in Alpha Shop" in r.text
    exchanges = [c for c in fake.calls if c.method == "oauth.v2.access"]
    assert len(exchanges) == 1  # through SLACK_API_URL, the fake
    ((team, token, refresh),) = _bots(db)
    assert team == "TA" and token.startswith("xoxb-TA-") and refresh is None
    with db.read() as s:
        t = s.get(Team, "TA")
        assert t.installed_at is not None and t.uninstalled_at is None and t.name == "Alpha Shop"
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.team_id == "TA")) == "install"
    fake.clear()
    a = oauth.for_team("TA")
    a.command("find nothing-here")
    assert {c.token for c in fake.calls} == {token}
    assert "Nothing matches" in a.last_reply_text()


def test_a_forged_state_and_a_replayed_code_are_refused(oauth, db, fake):
    code = fake.issue_code("TA", "U1")
    forged = oauth.for_team("TA").get(f"/slack/oauth_redirect?code={code}&state=made-up",
                                      {"Cookie": "slack-app-oauth-state=made-up"})
    assert forged.status in (400, 401) and "Not installed" in forged.text
    no_cookie_page, url, _cookie = oauth.install_page()
    state = parse_qs(urlparse(url).query)["state"][0]
    other_browser = oauth.for_team("TA").get(f"/slack/oauth_redirect?code={code}&state={state}")
    assert other_browser.status == 400 and "another browser" in other_browser.text
    assert not [c for c in fake.calls if c.method == "oauth.v2.access"]  # refused before any exchange
    assert _bots(db) == []
    first = oauth.install("TA", "U1", code=code)
    assert first.status == 200
    replayed = oauth.install("TA", "U1", code=code)  # a fresh, valid state; a code Slack already took
    assert replayed.status == 401 and "already used" in replayed.text
    assert len(_bots(db)) == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "install")) == 1


def test_requests_are_authorized_from_a_cache_not_the_database(oauth, fake):
    oauth.install("TA", "U1")
    oauth.install("TB", "U1")
    store = oauth.built.installations
    a, b = oauth.for_team("TA"), oauth.for_team("TB")
    a.command("find x")  # the first request of each team reads its installation once
    b.command("find x")
    reads = store.reads
    tests = len(fake.of("auth.test"))
    for _ in range(10):
        a.command("find x")
        b.command("find x")
    assert store.reads == reads  # no installation read per request
    assert len(fake.of("auth.test")) == tests  # and no auth.test per request (Bolt's cache_enabled)


def test_a_rotating_token_is_refreshed_ahead_of_its_expiry_through_slack_api_url(oauth, db, fake):
    fake.token_ttl = 3600  # expires in an hour: inside the sweep's three hours
    oauth.install("TA", "U1", rotate=True)
    ((_team, old_token, old_refresh),) = _bots(db)
    assert old_refresh.startswith("xoxe-")
    fake.token_ttl = 43_200  # the refreshed token lasts twelve hours
    jobs.keep_workspaces(oauth.crm)
    ((_team, new_token, new_refresh),) = _bots(db)
    assert new_token != old_token and new_refresh != old_refresh
    grants = [c for c in fake.calls if c.method == "oauth.v2.access"]
    assert [g.args.get("grant_type") for g in grants][-1] == "refresh_token"
    assert old_refresh not in fake.refresh  # spent: Slack would refuse it again
    jobs.keep_workspaces(oauth.crm)  # fresh for twelve hours now: nothing to do
    assert _bots(db)[0][1] == new_token
    fake.clear()
    oauth.for_team("TA").command("find x")
    assert {c.token for c in fake.calls} == {new_token}
    assert oauth.crm.workspaces.token("TA") == new_token  # background work (DMs, sweeps) too


def _owe_a_nudge(db, clock, team: str, owner: str) -> int:
    created = leads.create_lead(db, clock, team, owner, NewLead(company=f"Shop of {team}"))
    with db.write() as s:
        f = FollowUp(team_id=team, lead_id=created.lead.id, owner_id=owner, due_at=clock.now() - timedelta(hours=1),
                     state="open", snooze_count=0, created_by=owner, created_at=clock.now(),
                     next_nudge_at=clock.now() - timedelta(hours=1), nudges_sent=0)
        s.add(f)
        s.flush()
        return f.id


def test_uninstalling_stops_all_work_for_that_team_at_once(oauth, db, fake, clock):
    oauth.install("TA", "U1")
    oauth.install("TB", "U2")
    _owe_a_nudge(db, clock, "TA", "U1")
    _owe_a_nudge(db, clock, "TB", "U2")
    nudges.plan_nudges(db, clock)  # both teams owe a DM now
    fake.clear()
    r = oauth.for_team("TA").event({"type": "app_uninstalled"})
    assert r.status == 200
    assert [t for t, _tok, _r in _bots(db)] == ["TB"]  # Bolt's listener removed TA's installation
    with db.read() as s:
        assert s.get(Team, "TA").uninstalled_at is not None
        states = dict(s.execute(select(Notification.team_id, Notification.state)).all())
    assert states == {"TA": "skipped", "TB": "pending"}  # TA's pending DM dropped at once
    clock.advance(days=1)  # a day of sweeps: nothing planned or sent for TA
    notifier = build_notifier(oauth.crm)
    jobs.sweep_follow_ups(oauth.crm, notifier)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.team_id == "TA", Notification.state == "pending")) == 0
    assert {c.token.split("-")[1] for c in fake.calls if c.token} == {"TB"}
    assert oauth.crm.workspaces.installed("TA") is False


def test_a_pending_dm_of_a_team_that_left_is_dropped_not_retried(oauth, db, fake, clock):
    oauth.install("TA", "U1")
    _owe_a_nudge(db, clock, "TA", "U1")
    nudges.plan_nudges(db, clock)
    with db.write() as s:  # the installation vanished without its event (deleted by hand, say)
        s.execute(slack_bots.delete())
    oauth.built.installations.forget(None, "TA")
    notifier = build_notifier(oauth.crm)
    assert notifier.deliver_due() == 0
    with db.read() as s:
        n = s.scalar(select(Notification))
        assert n.state == "failed" and n.last_error == "app not installed" and n.attempts == 1
    clock.advance(hours=2)
    assert notifier.deliver_due() == 0  # not retried
    assert not fake.of("chat.postMessage")


def test_revoked_bot_tokens_stop_work_and_a_reinstall_resumes_it(oauth, db, fake, clock):
    oauth.install("TA", "U1")
    oauth.for_team("TA").event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}})
    assert _bots(db) == []
    with db.read() as s:
        assert s.get(Team, "TA").uninstalled_at is not None
    oauth.install("TA", "U1")
    with db.read() as s:
        assert s.get(Team, "TA").uninstalled_at is None
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.team_id == "TA")
                                 .order_by(AuditEntry.id)))
    assert actions == ["install", "uninstall", "install"]


def test_a_team_gone_thirty_days_is_purged_and_no_other(oauth, db, fake, clock):
    oauth.install("TA", "U1")
    oauth.install("TB", "U2")
    leads.create_lead(db, clock, "TA", "U1", NewLead(company="Alpha's customer"))
    leads.create_lead(db, clock, "TB", "U2", NewLead(company="Beta's customer"))
    oauth.for_team("TA").event({"type": "app_uninstalled"})
    clock.advance(days=29)
    jobs.keep_workspaces(oauth.crm)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == "TA")) == 1  # kept 30 days
    clock.advance(days=2)
    jobs.keep_workspaces(oauth.crm)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == "TA")) == 0
        assert s.get(Team, "TA") is None
        assert s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == "TB")) == 1
        assert s.get(Team, "TB") is not None

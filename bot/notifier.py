"""Sends what is owed to people: the DMs the sweeps and changes planned (nudges, escalations, digests, SLA
breaches, follower updates), each claimed, paced and marked sent once.

Every kind has a sender (`SENDERS`): it renders from the current data and makes its Web API call through
`Notifier.call`, which paces each method separately (`bot/sending.py`) and waits out 429s, so a sweep of
thousands of DMs runs near the limit instead of bouncing off it. `NotifierLoop` runs the queue in the
background: it sleeps until the earliest owed item falls due, or until a listener wakes it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import channel_day, home_tab, languages, nowhere, people, weekly_report
from bot.crm import Crm
from bot.delivery_pass import DeliveryPass
from bot.i18n import speaking
from bot.sending import Deferred, PacedRateLimitHandler, Pacers, RateLimited, Sent, paced
from bot.workspaces import NotInstalled, make_client
from bot.views import assignment_dm, history, reminder_dm
from store.dto import Owed
from store.services import leads, nudges

T = TypeVar("T")

log = logging.getLogger(__name__)

# Slack errors that no retry will fix: the person cannot receive the DM, or the workspace is gone.
PERMANENT = {"user_not_found", "account_inactive", "cannot_dm_bot", "user_disabled", "channel_not_found",
             "not_allowed_token_type", "invalid_auth", "missing_scope", "is_archived", "token_revoked",
             "token_expired", "not_authed", "team_not_found", "team_access_not_granted", "no_permission"}


Sender = Callable[["Notifier", Owed], "Sent | None"]

_delivery = threading.local()  # may_defer: the delivery in this thread has made no Slack call yet


class Notifier:
    """Sends to one workspace: its token's client, and one pacer per Web API method (Slack limits each
    method per workspace)."""

    def __init__(self, crm: Crm, client: WebClient, pacers: Pacers, stop: threading.Event | None = None) -> None:
        self.crm, self.client, self.pacers = crm, client, pacers
        self.stop = stop or threading.Event()

    def call(self, method: str, fn: Callable[[], T]) -> T:
        """One Web API call at `method`'s pace (429s waited out; `RateLimited` when Slack never relents). The
        delivery's first call may be set aside on its own 429 (`Deferred`); a later one waits, since setting
        it aside would repeat the calls before it."""
        defer = getattr(_delivery, "may_defer", False)
        _delivery.may_defer = False
        return paced(self.pacers, method, fn, self.stop, defer=defer)

    def dm(self, owed: Owed, message: tuple | None) -> Sent | None:
        """A rendered DM (text, blocks) to the notification's person; None: nothing to say any more."""
        if message is None:
            return None
        text, blocks = message
        resp = self.call("chat.postMessage", lambda: self.client.chat_postMessage(
            channel=owed.user_id, text=text, blocks=[b.to_dict() for b in blocks], unfurl_links=False))
        return Sent(resp.get("channel"), resp.get("ts"))


class Notifiers:
    """Claims what is owed in every workspace and hands each item to that workspace's `Notifier` (made on
    first use, made again when the workspace's token rotates; its pacers survive the rotation)."""

    def __init__(self, crm: Crm, stop: threading.Event | None = None) -> None:
        self.crm = crm
        self.stop = stop or threading.Event()
        self._teams: dict[str, Notifier] = {}
        self._lock = threading.Lock()

    def _language(self, owed: Owed):
        """A channel post speaks the workspace's language; a DM or a Home its recipient's (read when first
        needed, after the sender has refreshed their profile)."""
        if owed.kind in SHARED:
            return lambda: languages.of_workspace(self.crm, owed.team_id)
        return lambda: languages.of_person(self.crm, owed.team_id, owed.user_id)

    def for_team(self, team_id: str) -> Notifier:
        """Raises `NotInstalled` when the app has left the workspace."""
        token = self.crm.workspaces.token(team_id)
        with self._lock:
            current = self._teams.get(team_id)
            if current is None or current.client.token != token:
                pacers = current.pacers if current is not None else Pacers()
                client = make_client(token, self.crm.settings.slack_api_url, retry_handlers=[
                    PacedRateLimitHandler(pacers, max_retry_count=3, stop=self.stop)])
                current = self._teams[team_id] = Notifier(self.crm, client, pacers, self.stop)
            return current

    def client(self, team_id: str) -> WebClient:
        return self.for_team(team_id).client

    def deliver_due(self, *, batch: int = 50, budget: float | None = None) -> int:
        """Send what is owed until nothing is due, the budget (seconds) is spent or the bot stops, with
        `CRM_SENDERS` threads (`bot/delivery_pass.py`: claims renewed as they go, a DM refused on its own set
        aside for its Retry-After). Returns how many DMs Slack accepted."""
        run = DeliveryPass(self.crm, self.deliver, self.stop, batch=batch, budget=budget)
        return run.run(self.crm.settings.crm_senders)

    def deliver(self, owed: Owed, *, defer: bool = False) -> bool:
        """Render and send one claimed notification, then mark it. `defer`: its first Slack call may raise
        `Deferred` (refused on its own; the caller keeps the claim and tries again later)."""
        crm = self.crm
        try:
            sender = SENDERS.get(owed.kind)
            if sender is None:
                raise ValueError(f"unknown notification kind {owed.kind}")
            _delivery.may_defer = defer
            try:
                with speaking(self._language(owed)):
                    sent = sender(self.for_team(owed.team_id), owed)
            finally:
                _delivery.may_defer = False
            if sent is None:
                nudges.skip(crm.db, owed, "nothing to say any more")  # not translated: a reason kept for operators
                return False
        except NotInstalled:  # uninstalled or revoked: nothing can reach that workspace, now or later
            reason = "app not installed"  # not translated: for operators
            nudges.release(crm.db, crm.clock, owed, reason, permanent=True)
            return False
        except Deferred:
            raise
        except RateLimited:
            nudges.release(crm.db, crm.clock, owed, "rate limited",  # not translated: for operators
                           retry_in=timedelta(seconds=30))
            return False
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            log.warning("%s %s to %s failed: %s", owed.kind, owed.id, owed.user_id, error)
            nudges.release(crm.db, crm.clock, owed, error, permanent=error in PERMANENT)
            return False
        except Exception as exc:  # noqa: BLE001 - a network error or a bug: keep it for the next sweep
            log.exception("%s %s failed", owed.kind, owed.id)
            nudges.release(crm.db, crm.clock, owed, type(exc).__name__)
            return False
        if not nudges.mark_sent(crm.db, crm.clock, owed, sent.channel, sent.ts) and owed.kind not in REARMED:
            log.warning("%s %s was sent but its claim had been taken over (slow send)", owed.kind, owed.id)
        return True


def _tz(n: Notifier, owed: Owed) -> str:
    return people.member(n.client, n.crm, owed.team_id, owed.user_id).tz


def _nudge(n: Notifier, owed: Owed) -> Sent | None:
    data = nudges.nudge_data(n.crm.db, owed)
    return n.dm(owed, reminder_dm.nudge_message(data, owed.id, _tz(n, owed), n.crm.clock.now()) if data else None)


def _escalation(n: Notifier, owed: Owed) -> Sent | None:
    crm = n.crm
    overdue = nudges.overdue_of(crm.db, crm.clock, owed.team_id, owed.payload.get("owner", ""))
    if not overdue.items:
        return None
    return n.dm(owed, reminder_dm.escalation_message(owed.payload["owner"], overdue, _tz(n, owed), crm.clock.now()))


def _digest(n: Notifier, owed: Owed) -> Sent | None:
    crm, tz = n.crm, _tz(n, owed)
    overdue, today = nudges.digest_data(crm.db, crm.clock, owed.team_id, owed.user_id, tz)
    if not (overdue.items or today.items):
        return None
    return n.dm(owed, reminder_dm.digest_message(overdue, today, tz, crm.clock.now()))


def _sla_breach(n: Notifier, owed: Owed) -> Sent | None:
    p = owed.payload
    lead = leads.get_lead(n.crm.db, owed.team_id, int(p["lead_id"]))
    return n.dm(owed, assignment_dm.breach_dm(lead, p.get("owner"), p.get("minutes"), p.get("reassigned_to"),
                                              _tz(n, owed)))


def _follow(n: Notifier, owed: Owed) -> Sent | None:
    lead = leads.get_lead(n.crm.db, owed.team_id, int(owed.payload["lead_id"]))
    return n.dm(owed, history.follow_dm(lead, owed.payload.get("changes") or [], _tz(n, owed)))


SENDERS: dict[str, Sender] = {"nudge": _nudge, "escalation": _escalation, "digest": _digest,
                              "sla_breach": _sla_breach, "follow": _follow, "home": home_tab.publish,
                              "report": weekly_report.post, "channel_day": channel_day.post,
                              "nowhere": nowhere.find_admins, "nowhere_dm": nowhere.tell_admin}
# Kinds whose one row per person is armed again by every change that concerns them (a Home view): a send
# that loses its claim to a newer change is expected, and the newer state follows.
REARMED: set[str] = {"home", "channel_day"}
# Kinds posted in a channel, for everyone there: written in the workspace's language (the rest: the recipient's).
SHARED: set[str] = {"report", "channel_day"}


class NotifierLoop(threading.Thread):
    """Runs the notifier in the background: it delivers what is due, then sleeps until the earliest owed
    item falls due (read from the database, so work another replica queued is found too), at most `idle`
    seconds, or until `crm.wake` is set by a listener that has just queued something."""

    def __init__(self, crm: Crm, notifier: Notifiers, *, idle: float) -> None:
        super().__init__(name="notifier", daemon=True)
        self.crm, self.notifier, self.idle = crm, notifier, idle

    def run(self) -> None:
        crm = self.crm
        while not crm.stopping.is_set():
            crm.wake.clear()  # before delivering: a wake during the pass makes the next wait return at once
            try:
                self.notifier.deliver_due(budget=self.idle)
                due = nudges.next_due(crm.db)
            except Exception:  # noqa: BLE001 - the database may be away for a moment: try again later
                log.exception("notifier pass failed")
                due = None
            wait = self.idle if due is None else (due - crm.clock.now()).total_seconds()
            crm.wake.wait(min(self.idle, max(0.05, wait)))

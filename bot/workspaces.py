"""Which token speaks for which workspace, for the work no request carries a token for: sweeps, DMs, the
notifier, intake and the importer. (A request's own listeners use Bolt's `context.client`, authorized per
request by Bolt.)

- `OneWorkspace`: `SLACK_BOT_TOKEN`, as before OAuth: every team id gets that token.
- `Installed`: OAuth mode. Each workspace's bot token comes from the installation store (cached, see
  `bot/installations.py`); tokens that rotate are refreshed ahead of their expiry by `refresh_tokens`, under a
  database lock so that two replicas never spend the same refresh token; a workspace without an
  installation (uninstalled, revoked) raises `NotInstalled`, and its work is dropped, not retried.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_bolt.listener.builtins import TokenRevocationListeners
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.installations import CachedInstallationStore
from store.db import Database
from store.services import tenancy

log = logging.getLogger(__name__)

REFRESH_WITHIN_MINUTES = 180  # the sweep rotates a token this long before it expires (Bolt's own: 120)


class NotInstalled(Exception):
    """The app is not (or no longer) installed in this workspace: nothing can be sent there."""

    def __init__(self, team_id: str) -> None:
        super().__init__(f"not installed in {team_id}")  # not translated: for operators
        self.team_id = team_id


def make_client(token: str | None, base_url: str, *, retry_handlers: list | None = None) -> WebClient:
    client = WebClient(token=token, base_url=base_url, timeout=15)
    for handler in retry_handlers if retry_handlers is not None else [RateLimitErrorRetryHandler(max_retry_count=3)]:
        client.retry_handlers.append(handler)
    return client


class Workspaces:
    """The token of a workspace, and a Web API client with it (`SLACK_API_URL`, 429s retried)."""

    base_url: str

    def token(self, team_id: str) -> str:
        raise NotImplementedError

    def client(self, team_id: str) -> WebClient:
        return self._client(team_id, self.token(team_id))

    def installed(self, team_id: str) -> bool:
        try:
            self.token(team_id)
        except NotInstalled:
            return False
        return True

    def refresh_tokens(self) -> int:
        """Rotate the tokens about to expire; how many were rotated."""
        return 0

    def revocations(self) -> TokenRevocationListeners | None:
        """Bolt's handlers for `app_uninstalled` and `tokens_revoked` on this mode's installation store
        (None: one workspace, whose token is the operator's to replace)."""
        return None

    def _client(self, team_id: str, token: str) -> WebClient:
        with self._clients_lock:
            cached = self._clients.get(team_id)
            if cached is None or cached.token != token:
                cached = self._clients[team_id] = make_client(token, self.base_url)
            return cached

    def __init__(self) -> None:
        self._clients: dict[str, WebClient] = {}
        self._clients_lock = threading.Lock()


class OneWorkspace(Workspaces):
    def __init__(self, token: str, base_url: str) -> None:
        super().__init__()
        self._token, self.base_url = token, base_url

    def token(self, team_id: str) -> str:
        return self._token


class Installed(Workspaces):
    def __init__(self, db: Database, store: CachedInstallationStore, base_url: str, *, client_id: str,
                 client_secret: str, rotator_client: WebClient,
                 wall: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.db, self.store, self.base_url, self.wall = db, store, base_url, wall
        self.rotator = TokenRotator(client_id=client_id, client_secret=client_secret, client=rotator_client)

    def token(self, team_id: str) -> str:
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(team_id)
        if bot.bot_refresh_token and (bot.bot_token_expires_at or 0) - self.wall() < 120 * 60:
            bot = self._rotate(team_id) or bot  # the sweep is late: rotate now, as Bolt would
        return bot.bot_token  # type: ignore[return-value]

    def revocations(self) -> TokenRevocationListeners | None:
        return TokenRevocationListeners(self.store)

    def refresh_tokens(self) -> int:
        due = tenancy.tokens_expiring(self.db, within_seconds=REFRESH_WITHIN_MINUTES * 60, now=self.wall())
        return sum(1 for team_id in due if self._rotate(team_id, minutes=REFRESH_WITHIN_MINUTES) is not None)

    def _rotate(self, team_id: str, *, minutes: int = 120):
        """Rotate one workspace's bot token if it still needs it once this process holds the team's lock
        (another replica may have just done it: the row is read again under the lock)."""
        with self.db.advisory_lock(f"token:{team_id}"):
            self.store.forget(None, team_id)
            bot = self.store.underlying.find_bot(enterprise_id=None, team_id=team_id)
            if bot is None or not bot.bot_refresh_token:
                return None
            try:
                rotated = self.rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=minutes)
            except Exception as exc:  # noqa: BLE001 - a revoked refresh token: the next request will say so
                log.warning("rotating the token of %s failed: %s", team_id, exc)
                return None
            if rotated is None:
                return None
            self.store.save_bot(rotated)
            log.info("rotated the bot token of %s", team_id)
            return rotated

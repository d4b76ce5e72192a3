"""The bot in OAuth mode (many workspaces), installed the way a browser does it: the install page, Slack's
authorize page (the fake hands out a one-time code), the redirect back with the state cookie."""

from __future__ import annotations

import html
import re
import threading
from urllib.parse import parse_qs, urlencode, urlparse

from slack_sdk import WebClient

from bot.app_factory import build_bot
from bot.server import make_server
from bot.settings import Settings
from tests.conftest import SECRET
from tests.slack_driver import SlackDriver, TrackingExecutor


def oauth_settings(fake, db, **extra) -> Settings:
    return Settings(_env_file=None, slack_client_id=fake.client_id, slack_client_secret=fake.client_secret,
                    slack_signing_secret=SECRET, slack_api_url=fake.api_url, database_url=db.url, **extra)


class OAuthBot:
    """A served bot in OAuth mode and a driver per workspace (`for_team`)."""

    def __init__(self, fake, db, clock, **extra) -> None:
        self.fake, self.db = fake, db
        self.settings = oauth_settings(fake, db, **extra)
        self.executor = TrackingExecutor()
        self.built = build_bot(self.settings, db, clock, client=WebClient(base_url=fake.api_url),
                               executor=self.executor)
        self.server = make_server(self.built, host="127.0.0.1", port=0, threads=16)
        threading.Thread(target=self._serve, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.crm, self.app = self.built.crm, self.built.app

    def _serve(self) -> None:
        try:
            self.server.run()
        except OSError:
            pass

    def for_team(self, team: str) -> SlackDriver:
        d = SlackDriver(self.url, SECRET, self.fake, self.executor, team=team)
        d.app, d.crm = self.app, self.crm
        return d

    def install_page(self) -> tuple[str, str, str]:
        """GET /slack/install: (the page, the authorize URL, the state cookie)."""
        page = self.for_team("-").get("/slack/install")
        assert page.status == 200, page.text
        url = html.unescape(re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', page.text).group(1))
        cookie = page.headers.get("Set-Cookie", "").split(";", 1)[0]
        return page.text, url, cookie

    def install(self, team: str, user: str = "U1", *, rotate: bool = False, code: str | None = None):
        """The whole install; returns the redirect's response."""
        _page, url, cookie = self.install_page()
        state = parse_qs(urlparse(url).query)["state"][0]
        code = code or self.fake.issue_code(team, user, rotate=rotate)
        return self.for_team(team).get("/slack/oauth_redirect?" + urlencode({"code": code, "state": state}),
                                       {"Cookie": cookie})

    def close(self) -> None:
        self.executor.wait_idle()
        self.server.close()
        self.executor.shutdown(wait=True)
        assert not [c for c in self.fake.calls if c.method == "!invalid_blocks"], "the bot sent invalid blocks"

"""OAuth mode: "Add to Slack" for many workspaces, with Bolt's own flow (`OAuthFlow`, `OAuthSettings`,
`InstallationStoreAuthorize`) on slack_sdk's SQLAlchemy stores (`bot/installations.py`).

- `GET /slack/install` shows the install page (Bolt's flow issues the `state`, kept in the database and
  tied to the browser by a cookie); `GET /slack/oauth_redirect` completes the install: Bolt checks the
  state (forged or replayed: refused), exchanges the code with `oauth.v2.access` through `SLACK_API_URL`
  (a replayed code: Slack refuses it) and saves the installation.
- Requests are authorized from the installation store's cache (`bot_only`, `cache_enabled`: neither a
  database read nor an `auth.test` per request).
- Tokens that rotate are refreshed by Bolt on a request that finds one close to its expiry, and ahead of
  time by the sweep (`bot/workspaces.py`).
"""

from __future__ import annotations

import html
import logging

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from bot.installations import CachedInstallationStore, state_store
from bot.settings import Settings
from store.db import Database

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# What the bot asks each workspace for (manifest.yml's bot scopes: a test keeps the two equal).
BOT_SCOPES = [
    "commands", "chat:write", "chat:write.public", "users:read", "users:read.email", "users.profile:read",
    "im:write", "channels:history", "groups:history", "channels:read", "groups:read", "channels:join",
    "app_mentions:read", "files:write", "dnd:read",
]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 -apple-system, "Segoe UI", "Noto Sans KR", sans-serif; color: #1d1c1d; margin: 0;
       background: #f8f8f8; }}
main {{ max-width: 560px; margin: 64px auto; background: #fff; border-radius: 12px; padding: 40px;
       box-shadow: 0 1px 3px rgba(0,0,0,.12); }}
h1 {{ font-size: 26px; margin: 0 0 8px; }} p {{ margin: 0 0 16px; }} ul {{ padding-left: 20px; }}
.button {{ display: inline-block; background: #4a154b; color: #fff; text-decoration: none; font-weight: 700;
          padding: 12px 22px; border-radius: 8px; }}
.small {{ color: #616061; font-size: 14px; }}
</style></head>
<body><main>{body}</main></body></html>"""


def page(title: str, body: str) -> str:
    return _PAGE.format(title=html.escape(title), body=body)


class CrmOAuthFlow(OAuthFlow):
    """Bolt's flow with the CRM's own install page."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return page("Add the CRM to Slack", f"""
<h1>The CRM that lives in Slack</h1>
<p>Leads, calls and follow-ups, right where your team talks: <code>/lead new</code> posts a lead's card,
<code>/lead update</code> logs a call and plans the next step, new leads are handed out in turn, and every
lead's thread keeps the customer's history.</p>
<ul>
<li>It reads messages only in the threads of its lead cards, in channels you link to a customer, and in
threads you attach to a lead.</li>
<li>It reads profiles for names, time zones and whether someone is away (status, do not disturb).</li>
<li>Your data stays in your workspace's account: an admin can export it, or erase a contact's data.</li>
</ul>
<p><a class="button" href="{html.escape(url, quote=True)}">Add to Slack</a></p>
<p class="small">You will choose the workspace on Slack's page. Installing needs permission to add apps.</p>""")


def _success(args: SuccessArgs) -> BoltResponse:
    i = args.installation
    team = html.escape(i.team_name or i.team_id or "your workspace")
    return BoltResponse(status=200, headers={"Content-Type": "text/html; charset=utf-8",
                                             "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion()},
                        body=page("Installed", f"""
<h1>Installed in {team}</h1>
<p>Open Slack and type <code>/lead help</code>. An admin's next steps: <code>/lead routing</code> to hand new
leads out in turn, <code>/lead settings channel #sales</code> for lead cards, <code>/lead settings roles</code>
to name managers, <code>/lead settings intake</code> for the web form's token.</p>
<p><a class="button" href="slack://app?team={html.escape(i.team_id or '', quote=True)}&amp;id={html.escape(i.app_id or '', quote=True)}">Open Slack</a></p>"""))


FAILURES = {
    "access_denied": "The install was cancelled on Slack's page. Nothing was installed.",
    "invalid_browser": "This link was opened in another browser than the one that started the install. "
                       "Start again from the install page.",
    "invalid_state": "This install link has expired or was already used. Start again from the install page.",
    "invalid_code": "Slack did not accept this install (the code has expired or was already used). "
                    "Start again from the install page.",
    "missing_code": "Slack did not send an install code. Start again from the install page.",
    "storage_error": "The install could not be saved. Try again in a moment.",
}


def _failure(args: FailureArgs) -> BoltResponse:
    log.info("OAuth install refused: %s", args.reason)
    text = FAILURES.get(args.reason, "The install did not complete. Start again from the install page.")
    return BoltResponse(status=args.suggested_status_code,
                        headers={"Content-Type": "text/html; charset=utf-8",
                                 "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion()},
                        body=page("Not installed", f"""
<h1>Not installed</h1><p>{html.escape(text)}</p>
<p><a class="button" href="{INSTALL_PATH}">Back to the install page</a></p>"""))


def oauth_pieces(settings: Settings, db: Database, store: CachedInstallationStore,
                 client: WebClient) -> tuple[CrmOAuthFlow, InstallationStoreAuthorize]:
    """The flow and the authorize step Bolt's App takes, both speaking to Slack through `client` (whose base
    URL is SLACK_API_URL): the code exchange and every token rotation included."""
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id, client_secret=settings.slack_client_secret, scopes=BOT_SCOPES,
        user_scopes=[], redirect_uri=settings.slack_redirect_uri, install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH, installation_store=store, installation_store_bot_only=True,
        state_store=state_store(db), callback_options=CallbackOptions(success=_success, failure=_failure),
        token_rotation_expiration_minutes=120,
    )
    authorize = InstallationStoreAuthorize(
        logger=log, installation_store=store, client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret, token_rotation_expiration_minutes=120, bot_only=True,
        cache_enabled=True, client=client,
    )
    return CrmOAuthFlow(client=client, settings=oauth_settings), authorize

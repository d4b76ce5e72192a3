"""The HTTP side: a WSGI app served by waitress, multi-threaded. Slack at POST /slack/events (HTTP mode; a
`/lead <verb>` command is acked here once stored, and dispatched just after: bot/edge.py),
GET /healthz, POST /intake/leads (and its CORS pre-flight), and in OAuth mode the install pages (GET /slack/install,
/slack/oauth_redirect), handled by Bolt's own OAuth flow."""

from __future__ import annotations

import io
import json
import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text

from bot.app_factory import Bot
from bot.edge import command_of
from bot.intake import Intake
from bot.oauth import INSTALL_PATH, REDIRECT_PATH

log = logging.getLogger(__name__)
MAX_SLACK_BODY = 4 * 1024 * 1024  # bytes: Slack's largest payloads (a modal's submission) are far smaller


class WsgiApp:
    def __init__(self, bot: Bot) -> None:
        self.slack = SlackRequestHandler(bot.app, path="/slack/events")
        self.gate, self.edge = bot.gate, bot.edge
        self.db = bot.crm.db
        self.intake = Intake(bot, ThreadPoolExecutor(4, thread_name_prefix="intake"))
        self.oauth = bot.app.oauth_flow is not None
        self.verifier = SignatureVerifier(bot.crm.settings.slack_signing_secret)

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" and method == "POST":
            refused = self._unsigned(environ)
            if refused is not None:
                return _reply(start_response, *refused)
            token = self.gate.arrived()
            try:
                form = command_of(environ.get("CONTENT_TYPE") or "", environ["crm.body"])
                if form is not None:  # `/lead <verb>`: acked here once stored, dispatched just after
                    if not self.edge.take(form, environ["crm.body"], WsgiHttpRequest(environ).get_headers()):
                        return _reply(start_response, "500 Internal Server Error", None)
                    return _reply(start_response, "200 OK", None)
                return self.slack(environ, start_response)
            except Exception as exc:  # a signed body Bolt could not read: one line, never a stack trace
                log.warning("slack: could not read a signed request (%s bytes): %r",
                            environ.get("CONTENT_LENGTH"), exc)
                return _reply(start_response, "400 Bad Request", {"ok": False, "error": "unreadable body"})
            finally:
                self.gate.answered(token)
        if path in (INSTALL_PATH, REDIRECT_PATH) and self.oauth:
            if method != "GET":
                return _reply(start_response, "405 Method Not Allowed", {"ok": False, "error": "GET only"})
            return self.slack(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self._health(start_response)
        if path == "/intake/leads":
            if method == "OPTIONS":  # a browser's CORS pre-flight, for the origins of CRM_INTAKE_ORIGINS
                status, data, headers = self.intake.preflight(environ)
                return _reply(start_response, status, data, headers)
            if method != "POST":
                return _reply(start_response, "405 Method Not Allowed", {"ok": False, "error": "POST only"},
                              [("Allow", "POST, OPTIONS")])
            try:
                status, data, headers = self.intake.handle(environ)
            except Exception:  # never a stack trace to the caller
                log.exception("intake failed")
                status, data = "500 Internal Server Error", {"ok": False, "error": "internal error; try again"}
                headers = self.intake.cors(environ)
            return _reply(start_response, status, data, headers)
        if path == "/slack/events":
            return _reply(start_response, "405 Method Not Allowed", {"ok": False, "error": "POST only"})
        return _reply(start_response, "404 Not Found", {"ok": False, "error": "not found"})

    def _unsigned(self, environ) -> tuple[str, dict] | None:
        """Slack's request checked before anything reads it as data: its size (413), its encoding (400), its
        signature (401; Bolt's own check comes after parsing, where a hostile body could fail first). The body
        is then handed on as read."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_SLACK_BODY:
            log.info("slack: refused a body of %s bytes", environ.get("CONTENT_LENGTH"))
            return "413 Payload Too Large", {"ok": False, "error": f"the body is limited to {MAX_SLACK_BODY} bytes"}
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            text = raw.decode("utf-8")  # Slack sends UTF-8: anything else is no Slack request, signed or not
        except UnicodeDecodeError:
            log.info("slack: refused a body that is not UTF-8 (%s bytes)", length)
            return "400 Bad Request", {"ok": False, "error": "the body is not UTF-8"}
        stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        if not stamp.isdigit() or not self.verifier.is_valid(body=text, timestamp=stamp,
                                                              signature=environ.get("HTTP_X_SLACK_SIGNATURE", "")):
            log.info("slack: refused an unsigned or stale request (%s bytes)", length)
            return "401 Unauthorized", {"ok": False, "error": "invalid signature"}
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(raw), str(len(raw))
        environ["crm.body"] = text
        return None

    def _health(self, start_response):
        try:
            with self.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health check: database unreachable: %s", exc)
            return _reply(start_response, "503 Service Unavailable", {"ok": False, "database": "unreachable"})
        return _reply(start_response, "200 OK", {"ok": True})


def _reply(start_response, status: str, data: dict | None, headers: list[tuple[str, str]] = ()):
    body = json.dumps(data).encode() if data is not None else b""
    kind = [("Content-Type", "application/json")] if data is not None else []
    start_response(status, [*kind, ("Content-Length", str(len(body))), *headers])
    return [body]


def make_server(bot: Bot, *, host: str = "0.0.0.0", port: int = 3000, threads: int = 32):
    """A waitress server (not Bolt's single-threaded dev server); `.run()` serves, `.close()` stops."""
    from waitress.server import create_server

    return create_server(WsgiApp(bot), host=host, port=port, threads=threads, ident="crm-bot",
                         channel_timeout=30, clear_untrusted_proxy_headers=True,
                         max_request_body_size=MAX_SLACK_BODY)  # a longer (or chunked) body: 413 before it is read

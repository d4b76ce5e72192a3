"""HTTP mode: a WSGI app (Slack at POST /slack/events, GET /healthz) served by waitress, multi-threaded."""

from __future__ import annotations

import json
import logging

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from concurrent.futures import ThreadPoolExecutor

from bot.ack_first import AckFirst
from bot.intake import Intake
from store.db import Database

log = logging.getLogger(__name__)


class WsgiApp:
    def __init__(self, app: App, db: Database) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.gate: AckFirst | None = getattr(app, "ack_gate", None)
        self.db = db
        self.intake = Intake(app, ThreadPoolExecutor(4, thread_name_prefix="intake")) if hasattr(app, "crm") else None

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" and method == "POST":
            if self.gate is None:
                return self.slack(environ, start_response)
            token = self.gate.arrived()
            try:
                return self.slack(environ, start_response)
            finally:
                self.gate.answered(token)
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self._health(start_response)
        if path == "/intake/leads" and self.intake is not None:
            if method != "POST":
                return _reply(start_response, "405 Method Not Allowed", {"ok": False, "error": "POST only"})
            try:
                status, data = self.intake.handle(environ)
            except Exception:  # never a stack trace to the caller
                log.exception("intake failed")
                status, data = "500 Internal Server Error", {"ok": False, "error": "internal error; try again"}
            return _reply(start_response, status, data)
        if path == "/slack/events":
            return _reply(start_response, "405 Method Not Allowed", {"ok": False, "error": "POST only"})
        return _reply(start_response, "404 Not Found", {"ok": False, "error": "not found"})

    def _health(self, start_response):
        try:
            with self.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health check: database unreachable: %s", exc)
            return _reply(start_response, "503 Service Unavailable", {"ok": False, "database": "unreachable"})
        return _reply(start_response, "200 OK", {"ok": True})


def _reply(start_response, status: str, data: dict):
    body = json.dumps(data).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def make_server(app: App, db: Database, *, host: str = "0.0.0.0", port: int = 3000, threads: int = 32):
    """A waitress server (not Bolt's single-threaded dev server); `.run()` serves, `.close()` stops."""
    from waitress.server import create_server

    return create_server(WsgiApp(app, db), host=host, port=port, threads=threads, ident="crm-bot",
                         channel_timeout=30, clear_untrusted_proxy_headers=True)

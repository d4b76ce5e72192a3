"""`POST /intake/leads`: a web form's lead, as JSON, authenticated by `Authorization: Bearer <token>`.

The token names the workspace: each workspace's own (made by an admin with `/lead settings intake`), or
`CRM_INTAKE_TOKEN`, the single-workspace default (its team: `CRM_TEAM_ID`, else the bot token's).
401 for a missing or wrong token, 410 when the app has left that workspace, 422 with field errors for a bad body, 201 for a new lead (routed like
any other), 200 with `existed: true` when the same `external_id` (or an open lead of the same company)
arrived before. The card, the assignment notice and the owner's DM are delivered after the answer.
"""

from __future__ import annotations

import hmac
import json
import logging
from concurrent.futures import Executor

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.app_factory import Bot
from bot.delivery import deliver_lead
from bot.wording import say
from store.errors import CrmError, Invalid
from store.services import intake_tokens, leads, tenancy

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


class IntakeLead(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    company: str = Field(min_length=1, max_length=200)
    contact_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    segment: str | None = Field(default=None, max_length=40)
    source: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=10_000)
    external_id: str | None = Field(default=None, max_length=200)


class Intake:
    def __init__(self, bot: Bot, executor: Executor) -> None:
        self.bot, self.executor = bot, executor
        self.crm = bot.crm
        self._team: str | None = self.crm.settings.crm_team_id

    def default_team(self) -> str | None:
        """CRM_INTAKE_TOKEN's workspace: CRM_TEAM_ID, else (one workspace) the bot token's."""
        if self._team is None and not self.crm.settings.oauth:
            self._team = self.bot.client.auth_test()["team_id"]
        return self._team

    def team_for(self, token: str) -> str | None:
        team = intake_tokens.team_of(self.crm.db, token)
        if team is not None:
            return team
        expected = self.crm.settings.crm_intake_token
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return self.default_team()
        return None

    def handle(self, environ) -> tuple[str, dict]:
        given = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = given.partition(" ")
        team = self.team_for(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if team is None:
            return "401 Unauthorized", {"ok": False, "error": "a valid `Authorization: Bearer <token>` is required "
                                        "(a workspace admin makes one with `/lead settings intake`; one workspace "
                                        "may also use CRM_INTAKE_TOKEN)"}
        if not tenancy.is_active(self.crm.db, team):
            return "410 Gone", {"ok": False, "error": "the CRM is no longer installed in that Slack workspace"}
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return "413 Payload Too Large", {"ok": False, "error": f"the body is limited to {MAX_BODY} bytes"}
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            data = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            return _unprocessable({"body": "is not valid JSON"})
        if not isinstance(data, dict):
            return _unprocessable({"body": "must be a JSON object with at least `company`"})
        try:
            form = IntakeLead.model_validate(data)
        except ValidationError as exc:
            return _unprocessable({".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in exc.errors()})
        try:
            result = leads.create_lead(
                self.crm.db, self.crm.clock, team, "intake",
                leads.NewLead(company=form.company, contact_name=form.contact_name, email=form.email,
                              phone=form.phone, segment=form.segment, source=form.source or "Inbound form",
                              note=form.note, external_id=form.external_id))
        except Invalid as exc:
            return _unprocessable({exc.field or "body": say(exc)})
        except CrmError as exc:
            return "409 Conflict", {"ok": False, "error": say(exc)}
        lead = result.lead
        answer = {"ok": True, "lead_id": lead.id, "company": lead.company, "owner": lead.owner_id,
                  "existed": result.existed, "external_id": lead.external_id}
        if result.existed:
            return "200 OK", {**answer, "message": f"this lead already exists (#{lead.id})"}
        self.executor.submit(self._deliver, team, lead.id)
        return "201 Created", {**answer, "message": f"created lead #{lead.id}"}

    def _deliver(self, team: str, lead_id: int) -> None:
        try:
            deliver_lead(self.crm.workspaces.client(team), self.crm, team, lead_id)
        except Exception:  # noqa: BLE001 - the outbox keeps it for the sweep
            log.warning("intake: delivering lead %s failed; the sweep retries", lead_id, exc_info=True)


def _unprocessable(errors: dict) -> tuple[str, dict]:
    return "422 Unprocessable Entity", {"ok": False, "errors": errors}

"""`POST /intake/leads`: a web form's lead, as JSON or as a plain HTML form posts it (form-encoded or
multipart), authenticated by `Authorization: Bearer <token>` (a plain form, which can't set headers, sends a
`token` field or `?token=`).

The token names the workspace: each workspace's own (made by an admin with `/lead settings intake`), or
`CRM_INTAKE_TOKEN`, the single-workspace default (its team: `CRM_TEAM_ID`, else the bot token's). 401 for a
missing or wrong token, 410 when the app has left that workspace, 422 with every invalid field at once, 201
for a new lead (routed like any other), 200 with `existed: true` when the same `external_id` (or an open lead
of the same company) arrived before. Fields are read under the names form builders use (`company_name`,
`name`, `message`, `utm_source` …); any other field (`utm_campaign`, `page`) is kept in the lead's first note.
Browsers' CORS pre-flight is answered for the origins of `CRM_INTAKE_ORIGINS`; a `redirect` field to one of
them answers a plain form with 303 to that page. The card, the assignment notice and the owner's DM are
delivered after the answer.
"""

from __future__ import annotations

import hmac
import json
import logging
from concurrent.futures import Executor
from dataclasses import replace
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, urlsplit

from bot.app_factory import Bot
from bot.delivery import deliver_lead
from bot.wording import say
from store.errors import CrmError, Invalid
from store.services import intake_tokens, leads, tenancy
from store.services.import_columns import normalise
from store.vocabulary import SOURCE_MAX

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
BODY_KINDS = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
DEFAULT_SOURCE = "Inbound form"
EXTRA_MAX = 50  # unknown fields kept in the note, each value cut to 500 characters

# a form's field (normalised) → the lead's; the first name listed for a field wins over the others
FIELDS: dict[str, tuple[str, ...]] = {
    "company": ("company", "companyname", "organization", "organisation", "organizationname", "business",
                "businessname", "account"),
    "contact_name": ("contactname", "name", "fullname", "yourname"),
    "first_name": ("firstname", "givenname"),
    "last_name": ("lastname", "familyname", "surname"),
    "email": ("email", "emailaddress", "mail", "youremail"),
    "phone": ("phone", "phonenumber", "tel", "telephone", "mobile", "mobilephone", "cellphone"),
    "segment": ("segment",),
    "source": ("source", "leadsource", "utmsource"),
    "note": ("note", "notes", "message", "comment", "comments", "description", "yourmessage", "inquiry"),
    "external_id": ("externalid", "submissionid", "responseid", "entryid"),
    "domain": ("website", "websiteurl", "domain", "url"),
}
LIMITS = {"company": 200, "contact_name": 200, "first_name": 100, "last_name": 100, "email": 320, "phone": 40,
          "segment": 40, "source": 2000, "note": 10_000, "external_id": 200, "domain": 255}
CREDENTIALS = {"token", "intaketoken"}  # the plain form's token: never kept
NOISE = {"gotcha", "honeypot", "grecaptcharesponse", "hcaptcharesponse", "cfturnstileresponse", "submit",
         "redirect", "next"}
CORS_HEADERS = "Authorization, Content-Type, Accept, X-Requested-With"


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

    # ------------------------------------------------------------------ CORS
    def allowed_origin(self, environ) -> str | None:
        origin = (environ.get("HTTP_ORIGIN") or "").strip().rstrip("/")
        allowed = self.crm.settings.intake_origins
        if origin and (origin in allowed or "*" in allowed):
            return origin
        return None

    def cors(self, environ) -> list[tuple[str, str]]:
        """The headers that let a listed page's script read the answer."""
        origin = self.allowed_origin(environ)
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")] if origin else [("Vary", "Origin")]

    def preflight(self, environ) -> tuple[str, dict | None, list[tuple[str, str]]]:
        """A browser asking whether a page of another site may post here."""
        if not environ.get("HTTP_ORIGIN"):
            return "204 No Content", None, [("Allow", "POST, OPTIONS")]
        if self.allowed_origin(environ) is None:
            refused = {"ok": False, "error": "this web site may not post leads from a browser: add its origin "
                       "(e.g. https://www.example.com) to CRM_INTAKE_ORIGINS"}
            return "403 Forbidden", refused, [("Vary", "Origin")]
        return "204 No Content", None, [*self.cors(environ), ("Access-Control-Allow-Methods", "POST, OPTIONS"),
                                        ("Access-Control-Allow-Headers", CORS_HEADERS),
                                        ("Access-Control-Max-Age", "86400")]

    # ------------------------------------------------------------------ the lead
    def handle(self, environ) -> tuple[str, dict, list[tuple[str, str]]]:
        status, data, headers = self._handle(environ)
        return status, data, [*self.cors(environ), *headers]

    def _handle(self, environ) -> tuple[str, dict, list[tuple[str, str]]]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return "413 Payload Too Large", {"ok": False, "error": f"the body is limited to {MAX_BODY} bytes"}, []
        kind = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if kind not in BODY_KINDS and not kind.endswith("+json"):
            return ("415 Unsupported Media Type",
                    {"ok": False, "error": "send JSON (application/json), a form (application/x-www-form-urlencoded) "
                                           "or multipart/form-data"}, [])
        raw = environ["wsgi.input"].read(length) if length else b""
        body, problem = _body(environ.get("CONTENT_TYPE") or "", raw)
        query = dict(parse_qsl(environ.get("QUERY_STRING") or ""))
        given = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = given.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        if not token:
            token = str(next((v for k, v in (body or {}).items() if normalise(k) in CREDENTIALS), "")
                        or query.get("token") or "").strip()
        team = self.team_for(token) if token else None
        if team is None:
            return "401 Unauthorized", {"ok": False, "error": "a valid `Authorization: Bearer <token>` is required "
                                        "(a workspace admin makes one with `/lead settings intake`; one workspace "
                                        "may also use CRM_INTAKE_TOKEN)"}, []
        if not tenancy.is_active(self.crm.db, team):
            return "410 Gone", {"ok": False, "error": "the CRM is no longer installed in that Slack workspace"}, []
        if problem:  # not a body at all (undecodable, not an object): 400, with the same `errors` shape
            log.info("intake: refused a body that %s (%s bytes)", problem, len(raw))
            return "400 Bad Request", {"ok": False, "errors": {"body": problem}}, []
        new, errors = self._lead(body)
        if errors:
            return _unprocessable(errors)
        try:
            result = leads.create_lead(self.crm.db, self.crm.clock, team, "intake", new)
        except Invalid as exc:
            return _unprocessable({exc.field or "body": say(exc)})
        except CrmError as exc:
            return "409 Conflict", {"ok": False, "error": say(exc)}, []
        lead = result.lead
        answer = {"ok": True, "lead_id": lead.id, "company": lead.company, "owner": lead.owner_id,
                  "existed": result.existed, "external_id": lead.external_id}
        back = self._redirect(body)
        if result.existed:
            answer = {**answer, "message": f"this lead already exists (#{lead.id})"}
            return ("303 See Other", answer, [("Location", back)]) if back else ("200 OK", answer, [])
        self.executor.submit(self._deliver, team, lead.id)
        answer = {**answer, "message": f"created lead #{lead.id}"}
        return ("303 See Other", answer, [("Location", back)]) if back else ("201 Created", answer, [])

    def _lead(self, body: dict) -> tuple[leads.NewLead, dict[str, str]]:
        """The lead the body describes, and every invalid field (by the name the form sent) at once."""
        ranks = {alias: (name, i) for name, aliases in FIELDS.items() for i, alias in enumerate(aliases)}
        known: dict[str, tuple[str, str, int]] = {}  # lead field → (the form's name, value, rank of that name)
        extra: list[tuple[str, str]] = []  # fields the lead has no place for: kept in its note
        errors: dict[str, str] = {}
        bad: set[str] = set()
        for key, value in body.items():
            norm, text = normalise(key), _text(value)
            if norm in CREDENTIALS or norm in NOISE or text is None or not text.strip():
                continue
            if norm not in ranks:
                if len(extra) < EXTRA_MAX:
                    extra.append((key[:60], text[:500]))
                continue
            name, rank = ranks[norm]
            if isinstance(value, (dict, list)):
                errors[key], bad = "must be text", bad | {name}
            elif len(text.strip()) > LIMITS[name]:
                errors[key], bad = f"is limited to {LIMITS[name]:,} characters", bad | {name}
            elif name in known and known[name][2] <= rank:
                extra.append((key[:60], text[:500]))  # a second message, phone…: kept in the note
            else:
                if name in known:
                    extra.append(known[name][:2])
                known[name] = (key, text, rank)
        value = {name: v for name, (_k, v, _r) in known.items() if name not in bad}
        if len(value.get("source", "").strip()) > SOURCE_MAX:  # the lead keeps its start; the note all of it
            extra.append(known["source"][:2])
        names = {name: k for name, (k, _v, _r) in known.items()}
        person = " ".join(x for x in (value.get("first_name"), value.get("last_name")) if x)
        note = "\n\n".join(x for x in (value.get("note"), "\n".join(f"{k}: {v}" for k, v in extra)) if x) or None
        new = leads.NewLead(company=value.get("company") or ("-" if "company" in bad else ""),
                            contact_name=value.get("contact_name") or person or None, email=value.get("email"),
                            phone=value.get("phone"), segment=value.get("segment"),
                            source=value.get("source") or DEFAULT_SOURCE, note=note,
                            external_id=value.get("external_id"), domain=value.get("domain"))
        for _ in range(len(FIELDS)):  # the service checks one field at a time: blank each wrong one, check again
            try:
                leads.validate_new_lead(new)
                break
            except Invalid as exc:
                field = exc.field or "company"
                errors.setdefault(names.get(field, field), say(exc))
                new = replace(new, **{field: "-" if field == "company" else None})
        return new, errors

    def _redirect(self, body: dict) -> str | None:
        """A plain form's thank-you page, when it is on a listed origin (never an open redirect)."""
        target = next((str(v) for k, v in body.items() if normalise(k) in ("redirect", "next")), "").strip()
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        allowed = self.crm.settings.intake_origins
        return target if f"{parts.scheme}://{parts.netloc}" in allowed or "*" in allowed else None

    def _deliver(self, team: str, lead_id: int) -> None:
        try:
            deliver_lead(self.crm.workspaces.client(team), self.crm, team, lead_id)
        except Exception:  # noqa: BLE001 - the outbox keeps it for the sweep
            log.warning("intake: delivering lead %s failed; the sweep retries", lead_id, exc_info=True)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    return json.dumps(value, ensure_ascii=False)


def _body(content_type: str, raw: bytes) -> tuple[dict, str | None]:
    """(the fields, what is wrong with the body). JSON, form-encoded or multipart; repeated fields are joined."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind == "application/x-www-form-urlencoded":
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
        elif kind == "multipart/form-data":
            message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
            if not message.is_multipart():
                return {}, "is not valid multipart/form-data"
            pairs = [(part.get_param("name", header="content-disposition"), part.get_content())
                     for part in message.iter_parts()
                     if part.get_param("name", header="content-disposition") and not part.get_filename()]
            pairs = [(k, v if isinstance(v, str) else v.decode("utf-8")) for k, v in pairs]
        else:  # UTF-8 only (json.loads would also take UTF-16 and UTF-32 bytes); nesting past Python's limit: refused
            data = json.loads(raw.decode("utf-8") or "null")
            if not isinstance(data, dict):
                return {}, "must be a JSON object with at least `company` (or a form with a `company` field)"
            return data, None
    except (ValueError, UnicodeDecodeError, LookupError, RecursionError):
        return {}, "is not valid JSON" if kind not in ("application/x-www-form-urlencoded", "multipart/form-data") \
            else f"is not valid {kind}"
    fields: dict[str, str] = {}
    for k, v in pairs:  # a group of checkboxes: one field, its values joined
        fields[k] = (f"{fields[k]}, {v}" if fields[k] and v else fields[k] or v) if k in fields else v
    return fields, None


def _unprocessable(errors: dict) -> tuple[str, dict, list]:
    return "422 Unprocessable Entity", {"ok": False, "errors": errors}, []

"""Runtime settings: environment variables (and `.env`), validated by pydantic-settings."""

from __future__ import annotations

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///crm.db"
INTAKE_TOKEN_MIN = 16  # characters of CRM_INTAKE_TOKEN


class Settings(BaseSettings):
    """Everything the bot reads from its environment. Names are the variables' names."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False)

    slack_bot_token: str | None = None  # one workspace; not needed in OAuth mode
    slack_signing_secret: str = Field(min_length=1)
    slack_app_token: str | None = None
    # OAuth mode (many workspaces, "Add to Slack"): Bolt's own variable names.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_redirect_uri: str | None = None  # default: Slack uses the app's only redirect URL
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = DEFAULT_DATABASE_URL
    port: int = Field(default=3000, ge=1, le=65535)
    crm_channel: str | None = None
    crm_sweep_seconds: float = Field(default=60, gt=0, le=86400)
    crm_senders: int = Field(default=8, ge=1, le=32)  # threads sending owed DMs at once (one pace per method)
    http_threads: int = Field(default=32, ge=1, le=512)  # most of a request's time is waiting (its inbox row)
    listener_threads: int = Field(default=16, ge=1, le=512)  # work after the ack (Bolt's listener pool)
    event_threads: int = Field(default=4, ge=1, le=512)  # Events API listeners (thread replies), their own pool
    crm_intake_token: str | None = None  # Bearer token of POST /intake/leads (empty: intake off)
    crm_intake_origins: str | None = None  # web pages allowed to post to the intake from a browser (CORS)
    crm_team_id: str | None = None  # the workspace intake and import write to (default: the bot token's)
    # The language of a workspace that has not chosen one (`/lead settings language`), and of anyone whose
    # Slack locale is neither English nor Korean: `en` or `ko`.
    crm_language: str = Field(default="en", pattern=r"^(en|ko)$")

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("xox"):
            raise ValueError("must be a bot token starting with xoxb-")
        return v

    @model_validator(mode="after")
    def _one_mode(self) -> "Settings":
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            missing = "SLACK_CLIENT_SECRET" if self.slack_client_id else "SLACK_CLIENT_ID"
            raise ValueError(f"OAuth needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET ({missing} is not set)")
        if not self.slack_bot_token and not self.oauth:
            raise ValueError("SLACK_BOT_TOKEN is not set (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to "
                             "install the app in many workspaces)")
        return self

    @property
    def oauth(self) -> bool:
        """Many workspaces, each installed with "Add to Slack" (tokens in the database)."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @field_validator("slack_bot_token", "slack_app_token", "crm_channel", "slack_client_id", "slack_client_secret",
                     "slack_redirect_uri", "crm_intake_token", "crm_intake_origins", mode="before")
    @classmethod
    def _empty_is_unset(cls, v: object) -> object:
        return None if v in (None, "") or (isinstance(v, str) and not v.strip()) else v

    @field_validator("crm_intake_token")
    @classmethod
    def _intake_token(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.strip()
        if len(v) < INTAKE_TOKEN_MIN or any(c.isspace() for c in v):
            raise ValueError(
                f"is too short ({len(v)} characters): anyone could guess it and post leads into the CRM. Use at "
                f"least {INTAKE_TOKEN_MIN} random characters (python -c \"import secrets; "
                "print(secrets.token_urlsafe(24))\" prints one), or leave it empty to turn the web-form intake off"
                if len(v) < INTAKE_TOKEN_MIN else "must not contain spaces")
        return v

    @field_validator("crm_intake_origins")
    @classmethod
    def _origins(cls, v: str | None) -> str | None:
        if v is None:
            return None
        origins = [o.strip().rstrip("/") for o in v.replace(" ", ",").split(",") if o.strip()]
        for o in origins:
            scheme, _, host = o.partition("://")
            if o != "*" and (scheme not in ("http", "https") or not host or "/" in host):
                raise ValueError(f"“{o}” is not an origin: list web sites as https://www.example.com "
                                 "(scheme and host, no path), separated by commas")
        return ",".join(origins) or None

    @property
    def intake_origins(self) -> tuple[str, ...]:
        """The origins whose pages may post to /intake/leads from a browser (`*`: any)."""
        return tuple(self.crm_intake_origins.split(",")) if self.crm_intake_origins else ()

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return v

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return v if v.endswith("/") else v + "/"

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, v: str) -> str:
        if "://" not in v:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///crm.db or postgresql+psycopg://user@host/db")
        if v.startswith("postgres://") or v.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; accept the common short forms.
            v = "postgresql+psycopg://" + v.split("://", 1)[1]
        return v

    @field_validator("crm_channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.strip()
        if not v[0] in "CGD" or not v.isalnum():
            raise ValueError("must be a channel ID such as C0123456789 (right-click the channel > Copy link)")
        return v


class _Given(BaseSettings):
    """Only whether Slack is configured (the environment or `.env`): a bot token, or OAuth's client id and
    secret. Without either, the playground."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False)
    slack_bot_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None


def slack_token_given() -> bool:
    given = _Given()
    return any((v or "").strip() for v in (given.slack_bot_token, given.slack_client_id, given.slack_client_secret))


class SettingsError(SystemExit):
    """Raised at start-up with one readable line naming the variable at fault."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if not err["loc"]:  # a rule across settings: its message names them
                lines.append(msg)
                continue
            if err["type"] == "missing":
                msg = "is not set"
            lines.append(f"{str(err['loc'][0]).upper()} {msg}")
        missing = any(e["type"] == "missing" or "is not set" in e["msg"] for e in exc.errors())
        hint = (" — every setting is listed in .env.example (copy it to .env); with no Slack token at all, "
                "`python app.py` opens the local playground instead") if missing else ""
        raise SettingsError("Configuration error: " + "; ".join(lines) + hint) from None

"""Every setting of the running service, read from environment variables in this one place."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from casefile.references import DEFAULT_CASE_REFERENCE_PATTERN

if TYPE_CHECKING:
    from bot.learning_progress import LearningProgress
    from casefile import CaseFile

ROOT = Path(__file__).resolve().parent.parent
# The header by which a channel bridge shows the REST channel its own secret.
CHANNEL_TOKEN_HEADER = "X-FA-Channel-Token"
# The Bot Framework's public endpoints, as its SDK's AuthenticationConstants names them (a test holds them
# equal); copied so that reading the settings does not import the SDK into every process.
BOT_FRAMEWORK_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_TOKEN_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
BOT_FRAMEWORK_TENANT = "botframework.com"
_TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def sql_url(url: str) -> str:
    """A database URL as SQLAlchemy names it: the `postgres://` that some hosts hand out becomes `postgresql://`."""
    return "postgresql://" + url[len("postgres://") :] if url.startswith("postgres://") else url


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram bridge: TELEGRAM_* variables, and the REST channel it talks to."""

    token: str  # TELEGRAM_BOT_TOKEN
    mode: str  # TELEGRAM_MODE: "polling" or "webhook"
    webhook_url: str  # TELEGRAM_WEBHOOK_URL
    webhook_secret: str  # TELEGRAM_WEBHOOK_SECRET
    listen: str  # TELEGRAM_WEBHOOK_LISTEN
    port: int  # TELEGRAM_WEBHOOK_PORT
    api_base_url: str  # TELEGRAM_API_BASE_URL
    rest_url: str  # the Rasa REST channel (FA_RASA_HOST, FA_RASA_PORT)
    channel_token: str  # FA_TELEGRAM_BRIDGE_TOKEN: the bridge's own secret, vouching for telegram: ids
    allow_unregistered: bool  # FA_ALLOW_UNREGISTERED_GUIDANCE
    problems: tuple[str, ...] = field(default=(), repr=False)  # what is missing or bad, found when read

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url).path or "/"

    def check(self) -> TelegramSettings:
        """These settings if the bridge can run with them; a clear ValueError naming every missing or bad one."""
        if self.problems:
            raise ValueError("Telegram is not configured: " + "; ".join(self.problems) + ".")
        return self


@dataclass(frozen=True)
class TeamsSettings:
    """The Teams channel and its app package: TEAMS_* variables."""

    app_id: str  # TEAMS_APP_ID; empty: the channel is listed but not configured
    app_password: str  # TEAMS_APP_PASSWORD
    tenant_id: str  # TEAMS_TENANT_ID; empty for a multi-tenant app registration
    openid_metadata_url: str  # TEAMS_OPENID_METADATA_URL
    token_url: str  # TEAMS_TOKEN_URL
    allowed_issuers: tuple[str, ...]  # TEAMS_ALLOWED_ISSUERS
    database_url: str  # where conversation references are kept: DATABASE_URL, else var/channels.db
    allow_unregistered: bool  # FA_ALLOW_UNREGISTERED_GUIDANCE
    max_message_chars: int  # FA_MAX_MESSAGE_CHARS
    manifest_id: str = ""  # TEAMS_MANIFEST_ID, else the app id
    app_version: str = "1.0.0"  # TEAMS_APP_VERSION
    website_url: str = "https://www.cafcass.gov.uk"  # TEAMS_WEBSITE_URL

    @property
    def configured(self) -> bool:
        return bool(self.app_id)

    def check(self) -> TeamsSettings:
        """These settings if the channel can run with them; a clear ValueError otherwise."""
        if self.app_id and not self.app_password:
            raise ValueError(
                "TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is not: set the client secret of the bot's "
                "app registration, or unset TEAMS_APP_ID to leave Teams off."
            )
        return self


@dataclass(frozen=True)
class Settings:
    """The service's settings, read once by load_settings and passed down; each channel has its own part."""

    var_dir: Path
    models_dir: Path
    database_url: str  # the tracker store
    casefile_database_url: str  # the case file: CASEFILE_DATABASE_URL, else DATABASE_URL, else var/casefile.db
    case_reference_pattern: str
    rasa_host: str
    rasa_port: int
    action_host: str
    action_port: int
    max_message_chars: int
    telegram: TelegramSettings
    teams: TeamsSettings
    reminder_lead_minutes: int = (
        120  # FA_REMINDER_LEAD_MINUTES: how long before a follow-up is due its owner is reminded
    )
    digest_weekday: int | None = 0  # FA_DIGEST_WEEKDAY: managers' weekly digest day, 0 = Monday; "off": no digest
    digest_hour: int = 8  # FA_DIGEST_HOUR: from which hour (UK time) that day the digest is sent
    allow_unregistered_guidance: bool = False  # FA_ALLOW_UNREGISTERED_GUIDANCE
    redis_url: str | None = None  # REDIS_URL: the conversation lock store's Redis; None: in memory
    # Who may call what, and what Telegram may carry (README "Security").
    action_token: str = ""  # FA_ACTION_TOKEN: the secret the Rasa server sends on every action call
    telegram_bridge_token: str = ""  # FA_TELEGRAM_BRIDGE_TOKEN: lets the Telegram bridge speak for telegram: ids only
    terminal_token: str = ""  # FA_TERMINAL_TOKEN: lets the terminal chat speak for terminal: ids only
    anonymous_messages_per_minute: int = 20  # FA_ANONYMOUS_MESSAGES_PER_MINUTE: per tokenless sender and address
    telegram_case_content: str = "reference"  # FA_TELEGRAM_CASE_CONTENT: "reference" (and status) or "none"
    # Learning the Framework (README "Learning the Framework"): progress kept apart from the case file.
    learning_database_url: str = ""  # FA_LEARNING_DATABASE_URL, else var/learning.db
    allow_unregistered_learners: bool = False  # FA_ALLOW_UNREGISTERED_LEARNERS
    tracker_retention_days: int = 30  # FA_TRACKER_RETENTION_DAYS: conversations' events older are purged
    # FA_CASEFILE_SERVICE_URL: set for the Rasa server, which then reaches the case file through the action server at
    # this address (bot/casefile_client.py) and never through a database; empty: this process opens the database.
    casefile_service_url: str = ""

    @property
    def action_url(self) -> str:
        return f"http://{self.action_host}:{self.action_port}/webhook"

    @property
    def rest_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}/webhooks/rest/webhook"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment, with embedded defaults that need no server or token."""
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("FA_VAR_DIR", ROOT / "var")).resolve()
    database_url = sql_url(env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'tracker.db'}")
    casefile_url = env.get("CASEFILE_DATABASE_URL") or env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'casefile.db'}"
    rasa_host, rasa_port = env.get("FA_RASA_HOST", "127.0.0.1"), int(env.get("FA_RASA_PORT", "5005"))
    max_message_chars = int(env.get("FA_MAX_MESSAGE_CHARS", "4000"))
    telegram_bridge_token = env.get("FA_TELEGRAM_BRIDGE_TOKEN", "")
    allow_unregistered = env.get("FA_ALLOW_UNREGISTERED_GUIDANCE", "").strip().lower() in ("1", "true", "yes", "on")
    return Settings(
        var_dir=var_dir,
        models_dir=Path(env.get("FA_MODELS_DIR", ROOT / "models")).resolve(),
        database_url=database_url,
        casefile_database_url=sql_url(casefile_url),
        case_reference_pattern=env.get("FA_CASE_REFERENCE_PATTERN") or DEFAULT_CASE_REFERENCE_PATTERN,
        rasa_host=rasa_host,
        rasa_port=rasa_port,
        action_host=env.get("FA_ACTION_HOST", "127.0.0.1"),
        action_port=int(env.get("FA_ACTION_PORT", "5055")),
        max_message_chars=max_message_chars,
        reminder_lead_minutes=_bounded(env, "FA_REMINDER_LEAD_MINUTES", "120", 0, 7 * 24 * 60),
        digest_weekday=None
        if env.get("FA_DIGEST_WEEKDAY", "0").strip().lower() == "off"
        else _bounded(env, "FA_DIGEST_WEEKDAY", "0", 0, 6),
        digest_hour=_bounded(env, "FA_DIGEST_HOUR", "8", 0, 23),
        allow_unregistered_guidance=allow_unregistered,
        redis_url=env.get("REDIS_URL") or None,
        telegram=_telegram(
            env, f"http://{rasa_host}:{rasa_port}/webhooks/rest/webhook", telegram_bridge_token, allow_unregistered
        ),
        teams=_teams(
            env,
            env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'channels.db'}",
            allow_unregistered,
            max_message_chars,
        ),
        action_token=env.get("FA_ACTION_TOKEN", ""),
        telegram_bridge_token=telegram_bridge_token,
        terminal_token=env.get("FA_TERMINAL_TOKEN", ""),
        anonymous_messages_per_minute=_bounded(env, "FA_ANONYMOUS_MESSAGES_PER_MINUTE", "20", 1, 6000),
        telegram_case_content=_one_of(env, "FA_TELEGRAM_CASE_CONTENT", "reference", ("reference", "none")),
        learning_database_url=sql_url(env.get("FA_LEARNING_DATABASE_URL") or f"sqlite:///{var_dir / 'learning.db'}"),
        allow_unregistered_learners=_switch(env, "FA_ALLOW_UNREGISTERED_LEARNERS"),
        tracker_retention_days=_bounded(env, "FA_TRACKER_RETENTION_DAYS", "30", 1, 3650),
        casefile_service_url=env.get("FA_CASEFILE_SERVICE_URL", "").strip(),
    )


def _telegram(env: Mapping[str, str], rest_url: str, channel_token: str, allow_unregistered: bool) -> TelegramSettings:
    """The Telegram bridge's settings, with every missing or bad variable noted (TelegramSettings.check says them)."""
    problems = []
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        problems.append("TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather and use the token it gives)")
    mode = env.get("TELEGRAM_MODE", "polling").strip().lower()
    if mode not in ("polling", "webhook"):
        problems.append(f"TELEGRAM_MODE must be polling or webhook, not {mode!r}")
    webhook_url = env.get("TELEGRAM_WEBHOOK_URL", "").strip()
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if mode == "webhook":
        if not webhook_url.startswith("https://"):
            problems.append("TELEGRAM_WEBHOOK_URL must be the public https:// address Telegram posts updates to")
        if not _TELEGRAM_SECRET.fullmatch(secret):
            problems.append("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters from A-Z, a-z, 0-9, _ and -")
    port = env.get("TELEGRAM_WEBHOOK_PORT", "8081").strip()
    if not port.isdigit():
        problems.append(f"TELEGRAM_WEBHOOK_PORT must be a port number, not {port!r}")
    return TelegramSettings(
        token=token,
        mode=mode,
        webhook_url=webhook_url,
        webhook_secret=secret,
        listen=env.get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1").strip(),
        port=int(port) if port.isdigit() else 0,
        api_base_url=env.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org").strip().rstrip("/"),
        rest_url=rest_url,
        channel_token=channel_token,
        allow_unregistered=allow_unregistered,
        problems=tuple(problems),
    )


def _teams(
    env: Mapping[str, str], database_url: str, allow_unregistered: bool, max_message_chars: int
) -> TeamsSettings:
    """The Teams channel's settings; without TEAMS_APP_ID the channel is listed but not configured."""
    app_id = env.get("TEAMS_APP_ID", "").strip()
    tenant_id = env.get("TEAMS_TENANT_ID", "").strip()
    issuers = env.get("TEAMS_ALLOWED_ISSUERS", BOT_FRAMEWORK_TOKEN_ISSUER)
    return TeamsSettings(
        app_id=app_id,
        app_password=env.get("TEAMS_APP_PASSWORD", "").strip(),
        tenant_id=tenant_id,
        openid_metadata_url=env.get("TEAMS_OPENID_METADATA_URL", "").strip() or BOT_FRAMEWORK_OPENID_METADATA_URL,
        token_url=env.get("TEAMS_TOKEN_URL", "").strip()
        or BOT_FRAMEWORK_TOKEN_URL.format(tenant=tenant_id or BOT_FRAMEWORK_TENANT),
        allowed_issuers=tuple(i.strip() for i in issuers.split(",") if i.strip()),
        database_url=sql_url(database_url),
        allow_unregistered=allow_unregistered,
        max_message_chars=max_message_chars,
        manifest_id=env.get("TEAMS_MANIFEST_ID", "").strip() or app_id,
        app_version=env.get("TEAMS_APP_VERSION", "1.0.0").strip(),
        website_url=env.get("TEAMS_WEBSITE_URL", "https://www.cafcass.gov.uk").strip(),
    )


def _bounded(env, name: str, default: str, low: int, high: int) -> int:
    """A whole number setting within its bounds; ValueError naming the variable otherwise."""
    raw = env.get(name, default).strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {raw!r}.")
    return int(raw)


def _switch(env, name: str) -> bool:
    """An on/off setting, off unless set to 1, true, yes or on."""
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _one_of(env, name: str, default: str, allowed: tuple[str, ...]) -> str:
    """A setting naming one of a few choices; ValueError naming the variable otherwise."""
    raw = (env.get(name) or default).strip().lower()
    if raw not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}.")
    return raw


@lru_cache(maxsize=1)
def case_file() -> CaseFile:
    """The case file of this process, built from the settings on first use (its database opens on first use too); in
    the Rasa server, the few calls its channels make, through the action server."""
    from datetime import timedelta

    from casefile import CaseFile

    settings = load_settings()
    if settings.casefile_service_url:
        from bot.casefile_client import RemoteCaseFile

        return RemoteCaseFile(settings.casefile_service_url, settings.action_token)  # type: ignore[return-value]
    return CaseFile(
        settings.casefile_database_url,
        case_reference_pattern=settings.case_reference_pattern,
        reminder_lead=timedelta(minutes=settings.reminder_lead_minutes),
    )


@lru_cache(maxsize=1)
def learning_progress() -> LearningProgress:
    """The learning progress store of this process, built from the settings on first use (its tables made then too)."""
    from bot.learning_progress import LearningProgress

    return LearningProgress(load_settings().learning_database_url)

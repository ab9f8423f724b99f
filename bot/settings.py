"""Every setting of the running service, read from environment variables in this one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from casefile.references import DEFAULT_CASE_REFERENCE_PATTERN

if TYPE_CHECKING:
    from casefile import CaseFile

ROOT = Path(__file__).resolve().parent.parent


def sql_url(url: str) -> str:
    """A database URL as SQLAlchemy names it: the `postgres://` that some hosts hand out becomes `postgresql://`."""
    return "postgresql://" + url[len("postgres://") :] if url.startswith("postgres://") else url


@dataclass(frozen=True)
class Settings:
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
    reminder_lead_minutes: int = (
        120  # FA_REMINDER_LEAD_MINUTES: how long before a follow-up is due its owner is reminded
    )
    digest_weekday: int | None = 0  # FA_DIGEST_WEEKDAY: managers' weekly digest day, 0 = Monday; "off": no digest
    digest_hour: int = 8  # FA_DIGEST_HOUR: from which hour (UK time) that day the digest is sent
    # Who may call what, and what Telegram may carry (README "Security").
    action_token: str = ""  # FA_ACTION_TOKEN: the secret the Rasa server sends on every action call
    telegram_bridge_token: str = ""  # FA_TELEGRAM_BRIDGE_TOKEN: lets the Telegram bridge speak for telegram: ids only
    terminal_token: str = ""  # FA_TERMINAL_TOKEN: lets the terminal chat speak for terminal: ids only
    anonymous_messages_per_minute: int = 20  # FA_ANONYMOUS_MESSAGES_PER_MINUTE: per tokenless sender and address
    telegram_case_content: str = "reference"  # FA_TELEGRAM_CASE_CONTENT: "reference" (and status) or "none"

    @property
    def action_url(self) -> str:
        return f"http://{self.action_host}:{self.action_port}/webhook"

    @property
    def rest_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}/webhooks/rest/webhook"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from the environment, with embedded defaults that need no server or token."""
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("FA_VAR_DIR", ROOT / "var")).resolve()
    database_url = sql_url(env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'tracker.db'}")
    casefile_url = env.get("CASEFILE_DATABASE_URL") or env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'casefile.db'}"
    return Settings(
        var_dir=var_dir,
        models_dir=Path(env.get("FA_MODELS_DIR", ROOT / "models")).resolve(),
        database_url=database_url,
        casefile_database_url=sql_url(casefile_url),
        case_reference_pattern=env.get("FA_CASE_REFERENCE_PATTERN") or DEFAULT_CASE_REFERENCE_PATTERN,
        rasa_host=env.get("FA_RASA_HOST", "127.0.0.1"),
        rasa_port=int(env.get("FA_RASA_PORT", "5005")),
        action_host=env.get("FA_ACTION_HOST", "127.0.0.1"),
        action_port=int(env.get("FA_ACTION_PORT", "5055")),
        max_message_chars=int(env.get("FA_MAX_MESSAGE_CHARS", "4000")),
        reminder_lead_minutes=_bounded(env, "FA_REMINDER_LEAD_MINUTES", "120", 0, 7 * 24 * 60),
        digest_weekday=None
        if env.get("FA_DIGEST_WEEKDAY", "0").strip().lower() == "off"
        else _bounded(env, "FA_DIGEST_WEEKDAY", "0", 0, 6),
        digest_hour=_bounded(env, "FA_DIGEST_HOUR", "8", 0, 23),
        action_token=env.get("FA_ACTION_TOKEN", ""),
        telegram_bridge_token=env.get("FA_TELEGRAM_BRIDGE_TOKEN", ""),
        terminal_token=env.get("FA_TERMINAL_TOKEN", ""),
        anonymous_messages_per_minute=_bounded(env, "FA_ANONYMOUS_MESSAGES_PER_MINUTE", "20", 1, 6000),
        telegram_case_content=_one_of(env, "FA_TELEGRAM_CASE_CONTENT", "reference", ("reference", "none")),
    )


def _bounded(env, name: str, default: str, low: int, high: int) -> int:
    """A whole number setting within its bounds; ValueError naming the variable otherwise."""
    raw = env.get(name, default).strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {raw!r}.")
    return int(raw)


def _one_of(env, name: str, default: str, allowed: tuple[str, ...]) -> str:
    """A setting naming one of a few choices; ValueError naming the variable otherwise."""
    raw = (env.get(name) or default).strip().lower()
    if raw not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}.")
    return raw


@lru_cache(maxsize=1)
def case_file() -> CaseFile:
    """The case file of this process, built from the settings on first use (its database opens on first use too)."""
    from datetime import timedelta

    from casefile import CaseFile

    settings = load_settings()
    return CaseFile(
        settings.casefile_database_url,
        case_reference_pattern=settings.case_reference_pattern,
        reminder_lead=timedelta(minutes=settings.reminder_lead_minutes),
    )

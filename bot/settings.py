"""Every setting of the running service, read from environment variables in this one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    models_dir: Path
    database_url: str  # the tracker store; the case file uses the same server
    rasa_host: str
    rasa_port: int
    action_host: str
    action_port: int
    max_message_chars: int

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
    return Settings(
        var_dir=var_dir,
        models_dir=Path(env.get("FA_MODELS_DIR", ROOT / "models")).resolve(),
        database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'tracker.db'}",
        rasa_host=env.get("FA_RASA_HOST", "127.0.0.1"),
        rasa_port=int(env.get("FA_RASA_PORT", "5005")),
        action_host=env.get("FA_ACTION_HOST", "127.0.0.1"),
        action_port=int(env.get("FA_ACTION_PORT", "5055")),
        max_message_chars=int(env.get("FA_MAX_MESSAGE_CHARS", "4000")),
    )

"""Rasa's SQL tracker store on the database named by DATABASE_URL (a SQLite file under var/ by default)."""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url

from bot.settings import load_settings


def normalised_url(database_url: str) -> str:
    """SQLAlchemy 1.4 names PostgreSQL "postgresql"; hosting platforms often say "postgres"."""
    if database_url.startswith("postgres://"):
        return "postgresql://" + database_url[len("postgres://"):]
    return database_url


class DatabaseTrackerStore(SQLTrackerStore):
    """Conversation state kept where DATABASE_URL points, so a restarted server resumes it."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        settings = load_settings()
        url = make_url(normalised_url(settings.database_url))
        if url.get_backend_name() == "sqlite":
            settings.var_dir.mkdir(parents=True, exist_ok=True)
        for key in ("dialect", "host", "db", "username", "password", "port", "url"):
            kwargs.pop(key, None)
        super().__init__(
            domain=domain,
            dialect=url.get_backend_name(),
            host=url.render_as_string(hide_password=False),
            event_broker=event_broker,
            **kwargs,
        )

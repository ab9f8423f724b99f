"""The case file's database: an engine built on first use, migrated to the newest schema, and sessions for one unit of
work."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# Alembic runs a migration through its process-wide `context` proxy, so two threads migrating at once trip over each
# other (KeyError 'script'): one migration at a time per process. Separate processes are kept apart by the database.
_MIGRATING = threading.Lock()


def make_engine(url: str) -> Engine:
    """A 2.0-style engine; SQLite gets foreign keys enforced and transactions that take the write lock at BEGIN."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, future=True, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, future=True, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # pysqlite would otherwise begin transactions late, letting a check and the write it guards interleave.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade(engine_or_url: Engine | str) -> None:
    """Run the case file's migrations up to the newest one."""
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    alembic_config = Config()
    alembic_config.set_main_option("script_location", str(MIGRATIONS))
    with _MIGRATING, engine.begin() as connection:
        alembic_config.attributes["connection"] = connection
        command.upgrade(alembic_config, "head")
    if isinstance(engine_or_url, str):
        engine.dispose()


class Database:
    """The engine, built and migrated on first use (never at import or construction)."""

    def __init__(self, url: str):
        self._url = url
        self._engine: Engine | None = None
        self._sessions: sessionmaker | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self._url

    def _sessionmaker(self) -> sessionmaker:
        with self._lock:
            if self._sessions is None:
                engine = make_engine(self.url)
                upgrade(engine)
                self._engine = engine
                self._sessions = sessionmaker(engine, future=True, expire_on_commit=False)
            return self._sessions

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one unit of work: committed if the block ends normally, rolled back if it raises."""
        with self._sessionmaker()() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close the engine's connections; the next use builds it again."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
                self._sessions = None

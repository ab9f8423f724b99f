"""Rasa's SQL tracker store on the database named by DATABASE_URL (a SQLite file under var/ by default).

Rasa reads and featurises every event of the current session on every message, so a
conversation kept open all day gets slower turn by turn. This store starts a new session
segment (carrying every slot over) once a segment holds SEGMENT_EVENTS events and the
conversation is between turns with no form active, so each message reads a bounded tracker.
The full history stays in the database.

On SQLite (the embedded default) the store keeps its connections open and writes ahead to a
log that is synced at checkpoints rather than at every commit: a crash of the server loses
nothing, a power cut can lose the last turns of conversations (never the case file, which has
its own database and syncs every commit). Production runs on PostgreSQL.

Rasa wraps every tracker store in a FailSafeTrackerStore that, when the database cannot be
reached, starts a fresh conversation and keeps it in the server's memory: a form in progress
restarts, what the person says next is lost at restart, and each server's copy diverges. For
this store the wrapper's error hooks raise ConversationStoreUnreachable instead, so the turn
fails before anything is answered or kept, and the channel tells the person their message was
not read and to try again.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import Index, create_engine, event, func, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.settings import load_settings


class ConversationStoreUnreachable(RuntimeError):
    """The conversation store (DATABASE_URL) could not be read or written; the message was not handled."""


class DatabaseTrackerStore(SQLTrackerStore):
    """Conversation state kept where DATABASE_URL points, so a restarted server resumes it."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        settings = load_settings()
        url = make_url(settings.database_url)  # already as SQLAlchemy names it (sql_url)
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
        # Rasa builds the engine itself: its statements' parameters (event JSON) are kept out of error messages.
        self.engine.hide_parameters = True
        if url.get_backend_name() == "sqlite":
            self._write_ahead()
        self._index_segments()

    def _event_query(self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        """Rasa's query for a conversation's events since its latest SessionStarted, as two indexed look-ups.

        Rasa writes it as one query with `timestamp >= start OR start IS NULL`; the OR keeps the database
        from using an index on the timestamp, so every turn scanned the sender's whole history.
        """
        query = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            start = (
                session.query(func.max(self.SQLEvent.timestamp))
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == SessionStarted.type_name)
                .scalar()
            )
            if start is not None:
                query = query.filter(self.SQLEvent.timestamp >= start)
        return query.order_by(self.SQLEvent.id)

    def _index_segments(self) -> None:
        """Create SEGMENT_INDEXES unless they exist; another server starting at once may create them first."""
        for index in SEGMENT_INDEXES:
            try:
                index.create(self.engine, checkfirst=True)
            except DBAPIError:
                names = {found["name"] for found in inspect(self.engine).get_indexes("events")}
                if index.name not in names:
                    raise

    def _write_ahead(self) -> None:
        """Pooled SQLite connections in write-ahead-log mode, synced at checkpoints (see above)."""
        database_url = self.engine.url
        self.engine.dispose()
        self.engine = create_engine(
            database_url,
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=4,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
        )
        event.listen(self.engine, "connect", _write_ahead_pragmas)
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if needs_new_segment(tracker):
            for event in segment_start(tracker):
                tracker.update(event)
        await super().save(tracker)


# The current segment is found by its latest SessionStarted and read from its timestamp on
# (_event_query); with only the sender indexed, both look-ups would scan the sender's whole
# history, so a conversation kept open all day would still slow down turn by turn.
SEGMENT_INDEXES = [
    Index(
        "ix_events_sender_type_time",
        SQLTrackerStore.SQLEvent.sender_id,
        SQLTrackerStore.SQLEvent.type_name,
        SQLTrackerStore.SQLEvent.timestamp,
    ),
    Index("ix_events_sender_time", SQLTrackerStore.SQLEvent.sender_id, SQLTrackerStore.SQLEvent.timestamp),
]


def _write_ahead_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA journal_mode = WAL")
    dbapi_connection.execute("PRAGMA synchronous = NORMAL")


SEGMENT_EVENTS = 40


def needs_new_segment(tracker: DialogueStateTracker, limit: int = SEGMENT_EVENTS) -> bool:
    """Whether the current segment is long and the conversation is waiting for the user with no form active."""
    since_start = 0
    for past in reversed(tracker.events):
        if isinstance(past, SessionStarted):
            break
        since_start += 1
    last = tracker.events[-1] if tracker.events else None
    return (
        since_start >= limit
        and isinstance(last, ActionExecuted)
        and last.action_name == ACTION_LISTEN_NAME
        and not tracker.active_loop_name
    )


def segment_start(tracker: DialogueStateTracker) -> list[Any]:
    """The events that open a new segment: a session start, every slot carried over, then listening.

    Made in that order, because a segment is read back from its SessionStarted's timestamp on.
    """
    start = SessionStarted()
    slots = [
        SlotSet(name, slot.value)
        for name, slot in tracker.slots.items()
        if slot.value is not None and name != REQUESTED_SLOT and slot.value != slot.initial_value
    ]
    return [start, *slots, ActionExecuted(ACTION_LISTEN_NAME)]


def _fail_loudly(fall_back: Any) -> Any:
    """FailSafeTrackerStore's error hook, raising for this store instead of falling back to memory."""

    def on_error(wrapper: FailSafeTrackerStore, error: Exception) -> None:
        if isinstance(wrapper._tracker_store, DatabaseTrackerStore):
            raise ConversationStoreUnreachable(
                "Can't reach the conversation store; the message was not handled. Try again."
            ) from error
        fall_back(wrapper, error)

    on_error.fails_loudly = True  # type: ignore[attr-defined]
    return on_error


# Rasa calls these hooks inside its `except` blocks, before it turns to its in-memory fallback,
# so an error raised here ends the turn there. Set once, however often this module is loaded.
for _hook in ("on_tracker_store_error", "on_tracker_store_retrieve_error"):
    if not getattr(getattr(FailSafeTrackerStore, _hook), "fails_loudly", False):
        setattr(FailSafeTrackerStore, _hook, _fail_loudly(getattr(FailSafeTrackerStore, _hook)))

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

Segments are located by the events table's id, not by timestamps. Rasa reads a segment back from the
latest SessionStarted's timestamp on, and counts the stored events the same way to know which of a
tracker's events are new; timestamps come from each server's clock, so with two servers ~2 s apart a
segment started by the faster one hid what the slower one wrote next, and an active form was lost.
The id is assigned by the database in the order rows are written (and one conversation is written
by one server at a time, under the lock store), so it orders events whatever the clocks say.

The store keeps no case content (README "Security"). It serialises a redacted copy of each event and
never changes the tracker itself, which the channels and the rest of the turn still use whole:
- a bot message marked as case content (bot/case_content.py marks every message of an action outside
  the guidance modules, e.g. {"case_content": "record:12"}) keeps only the reference's words
  ("[record 12 shown]"); its buttons, attachments and custom payload (the Word export's bytes) go;
- a person's message while a case-file form is active (their answers) keeps its intent and message id,
  not its words or entities. One message waits: the latest, when the form offers to use it as the
  answer after it was taken for urgent danger; the next save of the conversation removes its words.
Redacting when the copy is serialised, rather than in each action or channel, means an action added
later cannot forget to, and the NLU's parse of an answer (its entities) goes with its words. Slot
values are stored as they are set: keeping answers out of slots is the case-file form's part. No
event broker may be configured: it would receive every event unredacted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import Index, create_engine, delete, distinct, event, func, inspect, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from actions.casefile_tasks import FORM, USE_URGENT_MESSAGE
from bot.case_content import CASE_CONTENT, stored_text
from bot.settings import load_settings

# The forms whose answers are case content: while one is active, what the person says is not kept.
CASE_FILE_FORMS = frozenset({FORM})
# What the store keeps of a person's answer in a case-file form.
ANSWER_NOT_KEPT = "[answer in a case-file task, not kept]"
# Marks, in a stored message's metadata, the one answer kept for a turn (see above), so the next save removes it.
HELD = "fa_redact_next_save"


class ConversationStoreUnreachable(RuntimeError):
    """The conversation store (DATABASE_URL) could not be read or written; the message was not handled."""


class DatabaseTrackerStore(SQLTrackerStore):
    """Conversation state kept where DATABASE_URL points, so a restarted server resumes it."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        if event_broker is not None:
            raise ValueError("No event broker may be configured: it would receive case content the store never keeps.")
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
        """A conversation's events from its latest SessionStarted on, located by id (see above), in id order.

        Rasa writes it as one query with `timestamp >= start OR start IS NULL`, by the clocks of whichever servers
        wrote the events; the OR also kept the database from using an index.
        """
        query = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            start = (
                session.query(func.max(self.SQLEvent.id))
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == SessionStarted.type_name)
                .scalar()
            )
            if start is not None:
                query = query.filter(self.SQLEvent.id >= start)
        return query.order_by(self.SQLEvent.id)

    def _index_segments(self) -> None:
        """Create SEGMENT_INDEXES and drop FORMER_INDEXES; another server starting at once may do it first."""
        for index in SEGMENT_INDEXES:
            try:
                index.create(self.engine, checkfirst=True)
            except DBAPIError:
                names = {found["name"] for found in inspect(self.engine).get_indexes("events")}
                if index.name not in names:
                    raise
        for index in FORMER_INDEXES:
            try:
                index.drop(self.engine, checkfirst=True)
            except DBAPIError:
                names = {found["name"] for found in inspect(self.engine).get_indexes("events")}
                if index.name in names:
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
        """The tracker's new events, each as stored_events makes it; an answer held for a turn loses its words."""
        if needs_new_segment(tracker):
            for event in segment_start(tracker):
                tracker.update(event)
        stored = stored_events(list(tracker.events))
        with self.session_scope() as session:
            rows = self._event_query(session, tracker.sender_id, False).with_entities(self.SQLEvent.id)
            segment = [row_id for (row_id,) in rows]
            held = {
                row_id
                for (row_id,) in rows.filter(
                    self.SQLEvent.type_name == UserUttered.type_name, self.SQLEvent.data.contains(f'"{HELD}"')
                )
            }
            for row_id, data in zip(segment, stored):
                if row_id in held and HELD not in data.get("metadata", {}):
                    session.query(self.SQLEvent).filter(self.SQLEvent.id == row_id).update(
                        {"data": json.dumps(data)}, synchronize_session=False
                    )
            for data in stored[len(segment) :]:
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=data["event"],
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()


def stored_events(events: list[Event]) -> list[dict[str, Any]]:
    """Each event as the store keeps it (see above): case content replaced by a reference, answers without words."""
    answers = _answers_in_case_file_forms(events)
    latest_user = max((i for i, e in enumerate(events) if isinstance(e, UserUttered)), default=None)
    stored = []
    for index, past in enumerate(events):
        data = past.as_dict()
        if isinstance(past, BotUttered) and CASE_CONTENT in (past.metadata or {}):
            data = _bot_reference(data)
        elif index in answers:
            data = _answer_without_words(data, held=index == latest_user and _offers_to_use(events[index + 1 :]))
        stored.append(data)
    return stored


def _answers_in_case_file_forms(events: list[Event]) -> set[int]:
    """The positions of the person's messages sent while a case-file form was active."""
    active, answers = None, set()
    for index, past in enumerate(events):
        if isinstance(past, ActiveLoop):
            active = past.name
        elif isinstance(past, (SessionStarted, Restarted)):
            active = None
        elif isinstance(past, UserUttered) and active in CASE_FILE_FORMS:
            answers.add(index)
    return answers


def _offers_to_use(after: list[Event]) -> bool:
    """Whether the bot, after a message, offered to use it as the form's answer (it was taken for urgent danger)."""
    for later in after:
        if isinstance(later, UserUttered):
            return False
        buttons = (later.data or {}).get("buttons") if isinstance(later, BotUttered) else None
        if any(isinstance(b, dict) and b.get("payload") == USE_URGENT_MESSAGE for b in buttons or []):
            return True
    return False


def _bot_reference(data: dict[str, Any]) -> dict[str, Any]:
    """A bot message as its reference's words, with no buttons, attachment or custom payload."""
    metadata = data.get("metadata") or {}
    return {
        **data,
        "text": stored_text(metadata.get(CASE_CONTENT)),
        "data": {},
        "metadata": {CASE_CONTENT: metadata.get(CASE_CONTENT)},
    }


def _answer_without_words(data: dict[str, Any], held: bool) -> dict[str, Any]:
    """A person's answer in a case-file form: its intent and message id, its words and entities gone (unless held)."""
    metadata = {k: v for k, v in (data.get("metadata") or {}).items() if k != HELD}
    if held:
        return {**data, "metadata": {**metadata, HELD: True}}
    parse_data = data.get("parse_data") or {}
    return {
        **data,
        "text": ANSWER_NOT_KEPT,
        "parse_data": {
            "intent": parse_data.get("intent"),
            "entities": [],
            "text": ANSWER_NOT_KEPT,
            "message_id": parse_data.get("message_id", data.get("message_id")),
        },
        "metadata": metadata,
    }


# The current segment is found by its latest SessionStarted's id and read from that id on (_event_query); with
# only the sender indexed, both look-ups would scan the sender's whole history on PostgreSQL (SQLite's rowid is the
# id, so there the sender's index is already in id order). The purge finds idle conversations by their newest event.
SEGMENT_INDEXES = [
    Index(
        "ix_events_sender_type_event_id",
        SQLTrackerStore.SQLEvent.sender_id,
        SQLTrackerStore.SQLEvent.type_name,
        SQLTrackerStore.SQLEvent.id,
    ),
    Index("ix_events_sender_event_id", SQLTrackerStore.SQLEvent.sender_id, SQLTrackerStore.SQLEvent.id),
    Index("ix_events_sender_time", SQLTrackerStore.SQLEvent.sender_id, SQLTrackerStore.SQLEvent.timestamp),
]
# Segments were once found by timestamp; the index that served it only slows every write now.
FORMER_INDEXES = [
    Index(
        "ix_events_sender_type_time",
        SQLTrackerStore.SQLEvent.sender_id,
        SQLTrackerStore.SQLEvent.type_name,
        SQLTrackerStore.SQLEvent.timestamp,
    )
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

    Made in that order, because a segment is read back from its SessionStarted's id on.
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


# -- retention and erasure (`python -m bot conversations purge|erase`) ------------------------------------------------


@dataclass(frozen=True)
class Removed:
    """What a purge or an erasure removed: events, and conversations left with none."""

    events: int
    conversations: int


def purge_events(connection: Connection, cutoff: float) -> Removed:
    """Remove every event older than `cutoff` (a Unix time), except a conversation's current segment when the
    conversation has anything newer: a conversation in progress is never cut, and with sessions ending after 8
    idle hours (domain.yml) its current segment is hardly ever older than the retention."""
    events = SQLTrackerStore.SQLEvent.__table__
    if not inspect(connection).has_table(events.name):
        return Removed(0, 0)
    before = _conversations(connection)
    idle = select(events.c.sender_id).group_by(events.c.sender_id).having(func.max(events.c.timestamp) < cutoff)
    removed = connection.execute(delete(events).where(events.c.sender_id.in_(idle))).rowcount
    starts = events.alias("starts")
    current_segment = (
        select(func.max(starts.c.id))
        .where(starts.c.sender_id == events.c.sender_id, starts.c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    removed += connection.execute(
        delete(events).where(events.c.timestamp < cutoff, events.c.id < current_segment)
    ).rowcount
    return Removed(removed, before - _conversations(connection))


def erase_conversations(connection: Connection, sender_id: str) -> Removed:
    """Remove every event of the conversations with this sender id (each person has one per channel identity)."""
    events = SQLTrackerStore.SQLEvent.__table__
    if not inspect(connection).has_table(events.name):
        return Removed(0, 0)
    removed = connection.execute(delete(events).where(events.c.sender_id == sender_id)).rowcount
    return Removed(removed, 1 if removed else 0)


def _conversations(connection: Connection) -> int:
    events = SQLTrackerStore.SQLEvent.__table__
    return connection.execute(select(func.count(distinct(events.c.sender_id)))).scalar_one()

"""Where each registered person's channel conversation is, so the assistant can write to them first (say, a manager
asked to agree a record)."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, create_engine, insert, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError

from bot.settings import sql_url

metadata = MetaData()

conversation_references = Table(
    "channel_conversation_references",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("external_id", String(128), primary_key=True),
    Column("reference", Text, nullable=False),  # the channel's own JSON for "this conversation"
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class ConversationReferences:
    """The latest conversation reference per person and channel, in the database at `database_url`.

    The engine is made, and the table created if missing, on first use.
    """

    def __init__(self, database_url: str) -> None:
        self.database_url = sql_url(database_url)
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def _connect(self) -> Engine:
        with self._lock:
            if self._engine is None:
                url = make_url(self.database_url)
                if url.get_backend_name() == "sqlite" and url.database:
                    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, future=True, hide_parameters=True)
                metadata.create_all(engine)
                self._engine = engine
            return self._engine

    def save(self, channel: str, external_id: str, reference: dict[str, Any]) -> None:
        try:
            self._write(channel, external_id, reference)
        except IntegrityError:
            # another request inserted this person's row between our update and insert: update it now
            self._write(channel, external_id, reference)

    def _write(self, channel: str, external_id: str, reference: dict[str, Any]) -> None:
        values = {"reference": json.dumps(reference), "updated_at": datetime.now(timezone.utc)}
        key = (conversation_references.c.channel == channel) & (conversation_references.c.external_id == external_id)
        with self._connect().begin() as connection:
            if not connection.execute(update(conversation_references).where(key).values(**values)).rowcount:
                connection.execute(
                    insert(conversation_references).values(channel=channel, external_id=external_id, **values)
                )

    def find(self, channel: str, external_id: str) -> dict[str, Any] | None:
        query = select(conversation_references.c.reference).where(
            conversation_references.c.channel == channel, conversation_references.c.external_id == external_id
        )
        with self._connect().connect() as connection:
            stored = connection.execute(query).scalar_one_or_none()
        return json.loads(stored) if stored else None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

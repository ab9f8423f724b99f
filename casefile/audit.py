"""Runs each case-file operation in one transaction together with its audit entry, audits every refusal on its own,
and keeps the audit log a hash chain that shows any entry changed or removed afterwards."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from casefile.database import Database
from casefile.errors import CaseFileError
from casefile.models import AuditEntry
from casefile.views import Identity

T = TypeVar("T")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


@dataclass
class AuditNote:
    """What an operation tells the audit log about itself, filled in as it goes."""

    action: str
    staff_id: int | None = None
    case_reference: str | None = None
    record_ids: list[int] = field(default_factory=list)
    reason: str = ""


def _clip(text: str, limit: int) -> str:
    return _UNPRINTABLE.sub("?", text)[:limit]


def _entries(identity: Identity, note: AuditNote, allowed: bool, now: datetime) -> list[AuditEntry]:
    return [
        AuditEntry(
            occurred_at=now,
            staff_id=note.staff_id,
            channel=_clip(str(identity.channel), 20),
            external_id=_clip(str(identity.external_id), 200),
            action=note.action,
            case_reference=note.case_reference,
            record_id=record_id,
            allowed=allowed,
            reason=note.reason[:4000],
        )
        for record_id in (note.record_ids or [None])
    ]


def audited(
    database: Database,
    identity: Identity,
    action: str,
    clock: Callable[[], datetime],
    work: Callable[[Session, AuditNote], T],
) -> T:
    """work(session, note) in one transaction with its audit entries; on a refusal, roll back and audit only that."""
    note = AuditNote(action)
    try:
        with database.session() as session:
            result = work(session, note)
            session.add_all(_entries(identity, note, True, clock()))
        return result
    except CaseFileError as refusal:
        note.reason = str(refusal)
        with database.session() as session:
            session.add_all(_entries(identity, note, False, clock()))
        raise


# The chain's first entry follows this; every later one follows the entry before it (in id order).
GENESIS = "0" * 64
# What each entry's hash covers, in this order.
CHAINED_FIELDS = (
    "id",
    "occurred_at",
    "staff_id",
    "channel",
    "external_id",
    "action",
    "case_reference",
    "record_id",
    "allowed",
    "reason",
)
# Held by whoever is appending to the audit log on PostgreSQL, until their transaction ends.
_APPEND_LOCK = 0x6361_7365_6175_6474


def chain_hash(previous: str, content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the previous entry's hash and this entry's content, in one canonical form on every database."""
    occurred_at: datetime = content["occurred_at"]
    occurred_at = occurred_at.replace(tzinfo=timezone.utc) if occurred_at.tzinfo is None else occurred_at
    values = {name: content[name] for name in CHAINED_FIELDS}
    values["occurred_at"] = occurred_at.astimezone(timezone.utc).isoformat(timespec="microseconds")
    values["allowed"] = bool(values["allowed"])
    canonical = json.dumps([previous, [values[name] for name in CHAINED_FIELDS]], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _last_link(connection: Connection) -> tuple[int, str]:
    """The newest entry's id and hash, after making every other appender wait until this transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
    # SQLite needs no lock here: every case-file transaction begins with BEGIN IMMEDIATE, one writer at a time.
    last = connection.execute(text("SELECT id, chain_hash FROM audit_log ORDER BY id DESC LIMIT 1")).first()
    return (0, GENESIS) if last is None else (last[0], last[1])


def _next_id(connection: Connection, previous_id: int) -> int:
    if connection.dialect.name != "postgresql":
        return previous_id + 1
    sequence = "pg_get_serial_sequence('audit_log', 'id')"
    next_id = connection.execute(text(f"SELECT nextval({sequence})")).scalar_one()
    if next_id <= previous_id:  # rows written with their ids given left the sequence behind: the chain must go forward
        next_id = connection.execute(text(f"SELECT setval({sequence}, :id)"), {"id": previous_id + 1}).scalar_one()
    return next_id


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _flush_context, _instances) -> None:
    """Every audit entry about to be written gets its id and its link in the chain, in the order it was added."""
    new = [instance for instance in session.new if isinstance(instance, AuditEntry)]
    if not new:
        return
    connection = session.connection()
    previous_id, previous = _last_link(connection)
    for entry in new:
        entry.id = _next_id(connection, previous_id)
        entry.chain_hash = chain_hash(previous, {name: getattr(entry, name) for name in CHAINED_FIELDS})
        previous_id, previous = entry.id, entry.chain_hash


@dataclass(frozen=True)
class ChainCheck:
    """How many audit entries were checked, and the first whose hash does not follow from the entries before it."""

    entries: int
    first_broken_id: int | None


def verify_chain(database: Database) -> ChainCheck:
    """Recompute the whole chain in id order: an entry changed, or one removed before another, breaks it there."""
    previous, entries = GENESIS, 0
    with database.session() as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)).scalars()
        for entry in rows:
            entries += 1
            expected = chain_hash(previous, {name: getattr(entry, name) for name in CHAINED_FIELDS})
            if entry.chain_hash != expected:
                return ChainCheck(entries, entry.id)
            previous = entry.chain_hash
    return ChainCheck(entries, None)

"""Runs each case-file operation in one transaction together with its audit entry, and audits every refusal on its
own."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

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

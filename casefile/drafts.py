"""Drafts: the answers of a case-file task under way, kept in the case file so that the conversation store holds only
the draft's id; each draft is readable only by its owner, deleted when its task is saved or stopped, and purged when
left longer than the retention period."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from casefile.audit import AuditNote, audited
from casefile.errors import InvalidEntry, NotFound
from casefile.models import Draft, Staff
from casefile.staff import as_identity, resolve_actor
from casefile.views import Identity

if TYPE_CHECKING:
    from casefile.store import CaseFile

MAX_ANSWER_KEY_CHARS = 40
MAX_ANSWER_CHARS = 20_000
MAX_DRAFT_CHARS = 200_000
DEFAULT_DRAFT_RETENTION = timedelta(days=30)
Answer = str | int | float | bool | None


@dataclass(frozen=True)
class DraftView:
    """One's own draft: its task, its answers, and the record it was saved as (its answers then gone)."""

    id: str
    task: str
    answers: dict[str, Answer]
    saved_record_id: int | None = None


NO_DRAFT = "There is no draft of yours with that id: its task may have ended. Start it again."


class Drafts:
    """Start, read, change and discard one's own drafts; purge old ones. A draft that is not the actor's own looks
    the same as one that does not exist, and the refusal is audited."""

    def __init__(self, casefile: CaseFile):
        self._casefile = casefile

    @property
    def _now(self) -> Callable[[], datetime]:
        return self._casefile._now

    def start(self, actor: Identity, task: str, answers: Mapping[str, Answer] | None = None) -> str:
        """A new draft of `task` owned by the actor, with any answers already given; returns its id."""
        draft_id = secrets.token_hex(16)
        checked = _encoded(_answers(answers or {}))
        with self._casefile.database.session() as session:
            staff = resolve_actor(session, as_identity(actor))
            now = self._now()
            session.add(
                Draft(
                    id=draft_id,
                    staff_id=staff.id,
                    task=_task(task),
                    answers=checked,
                    created_at=now,
                    updated_at=now,
                )
            )
        return draft_id

    def read(self, actor: Identity, draft_id: str) -> DraftView:
        """The actor's own draft."""
        with self._refusals_audited(actor, "read_draft"), self._casefile.database.session() as session:
            draft = self._own(session, actor, draft_id)
            return DraftView(draft.id, draft.task, json.loads(draft.answers), draft.saved_record_id)

    def update(self, actor: Identity, draft_id: str, changes: Mapping[str, Answer]) -> dict[str, Answer]:
        """Set answers of the actor's own draft (None forgets one); returns all its answers."""
        updates = _answers(changes)
        with self._refusals_audited(actor, "update_draft"), self._casefile.database.session() as session:
            draft = self._own(session, actor, draft_id, for_update=True)
            if draft.saved_record_id is not None:
                raise InvalidEntry(f"That draft was saved as record {draft.saved_record_id}: start a new task.")
            answers = {**json.loads(draft.answers), **updates}
            answers = {key: value for key, value in answers.items() if value is not None}
            draft.answers = _encoded(answers)
            draft.updated_at = self._now()
            return answers

    def discard(self, actor: Identity, draft_id: str, keep_saved: bool = False) -> bool:
        """Delete the actor's own draft (its task was stopped or has ended); a missing one is already gone. With
        `keep_saved`, a draft already saved as a record (which holds no answers) is left for a second confirmation
        to find. Returns whether a draft was deleted."""
        with self._refusals_audited(actor, "discard_draft"), self._casefile.database.session() as session:
            try:
                draft = self._own(session, actor, draft_id, for_update=True)
            except _SomeoneElses:
                raise
            except NotFound:
                return False
            if keep_saved and draft.saved_record_id is not None:
                return False
            session.delete(draft)
            return True

    def purge(self, operator: Identity, older_than: timedelta = DEFAULT_DRAFT_RETENTION) -> int:
        """Delete every draft not changed for longer than `older_than`; returns how many. Audited in the operator's
        name."""
        if older_than <= timedelta(0):
            raise InvalidEntry("Drafts are purged after a positive number of days.")

        def work(session: Session, note: AuditNote) -> int:
            cutoff = self._now() - older_than
            deleted = session.execute(delete(Draft).where(Draft.updated_at < cutoff)).rowcount
            note.reason = f"purged {deleted} draft(s) not changed for {older_than.days} day(s) or more"
            return deleted

        return audited(self._casefile.database, as_identity(operator), "purge_drafts", self._now, work)

    @contextmanager
    def _refusals_audited(self, actor: Identity, action: str) -> Iterator[None]:
        """Someone else's draft asked for: audited as refused (after the session that found it has ended)."""
        try:
            yield
        except _SomeoneElses as refusal:
            identity, staff_id = as_identity(actor), refusal.staff_id

            def refuse(_session: Session, note: AuditNote) -> None:
                note.staff_id = staff_id
                raise NotFound(NO_DRAFT)

            audited(self._casefile.database, identity, action, self._now, refuse)

    @staticmethod
    def _own(session: Session, actor: Identity, draft_id: object, for_update: bool = False) -> Draft:
        staff: Staff = resolve_actor(session, as_identity(actor))
        draft = None
        if isinstance(draft_id, str) and 0 < len(draft_id) <= 32:
            draft = session.get(Draft, draft_id, with_for_update=for_update)
        if draft is not None and draft.staff_id == staff.id:
            return draft
        if draft is not None:
            raise _SomeoneElses(staff.id)
        raise NotFound(NO_DRAFT)


class _SomeoneElses(NotFound):
    """A draft that exists but is not the actor's: refused exactly as a missing one."""

    def __init__(self, staff_id: int):
        super().__init__(NO_DRAFT)
        self.staff_id = staff_id


def _task(task: object) -> str:
    if not isinstance(task, str) or not 0 < len(task) <= 20:
        raise InvalidEntry("A draft is of one case-file task.")
    return task


def _answers(answers: object) -> dict[str, Answer]:
    if not isinstance(answers, Mapping):
        raise InvalidEntry("A draft's answers are a set of questions and answers.")
    checked: dict[str, Answer] = {}
    for key, value in answers.items():
        if not isinstance(key, str) or not 0 < len(key) <= MAX_ANSWER_KEY_CHARS:
            raise InvalidEntry("A draft's question is named by a short word.")
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise InvalidEntry("A draft's answer is words or a number.")
        if isinstance(value, str) and len(value) > MAX_ANSWER_CHARS:
            raise InvalidEntry(f"An answer is longer than {MAX_ANSWER_CHARS} characters.")
        checked[key] = value
    return checked


def _encoded(answers: dict[str, Any]) -> str:
    encoded = json.dumps(answers, ensure_ascii=False, sort_keys=True)
    if len(encoded) > MAX_DRAFT_CHARS:
        raise InvalidEntry("The draft is too long to keep; shorten the answers.")
    return encoded

"""Each learner's progress in learning the Framework: their answers, what comes up again and when, a scorecard, an
export for supervision and the managers they share it with, in tables of their own apart from the case file."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from casefile.database import make_engine
from casefile.models import UTCDateTime
from knowledge.moments import london

# A wrong answer comes back after the first interval; each right answer when it is due moves it to the next; a right
# answer at the last one takes it out of the queue.
INTERVALS = (timedelta(days=1), timedelta(days=3), timedelta(days=7))
# "staff:<number>" for registered staff, else "channel:id" (the case file keeps a channel id in at most 200 characters)
MAX_LEARNER_CHARS = 220
MAX_ITEM_CHARS = 120
CREATE_ATTEMPTS = 3
MAX_AREA_CHARS = 80

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)
# Every answer a learner gave: a path step's key or a practice case's id, never anything about a real case.
attempts = Table(
    "learning_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner", String(MAX_LEARNER_CHARS), nullable=False, index=True),
    Column("item", String(MAX_ITEM_CHARS), nullable=False),
    Column("area", String(MAX_AREA_CHARS), nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
)
# What comes up again, and when: one row per learner and item while it is in the queue.
reviews = Table(
    "learning_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner", String(MAX_LEARNER_CHARS), nullable=False, index=True),
    Column("item", String(MAX_ITEM_CHARS), nullable=False),
    Column("area", String(MAX_AREA_CHARS), nullable=False),
    Column("stage", Integer, nullable=False),  # the index into INTERVALS of the wait that led to due_at
    Column("due_at", UTCDateTime, nullable=False),
    UniqueConstraint("learner", "item", name="learner_item"),
)
# The managers a learner has chosen to show their progress to (by staff number in the case file's directory).
shares = Table(
    "learning_shares",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner", String(MAX_LEARNER_CHARS), nullable=False, index=True),
    Column("manager_id", Integer, nullable=False, index=True),
    Column("shared_at", UTCDateTime, nullable=False),
    UniqueConstraint("learner", "manager_id", name="learner_manager"),
)


class LearningInputError(ValueError):
    """Input the progress store will not keep (an empty or over-long learner, item or area); nothing was saved."""


@dataclass(frozen=True)
class Attempt:
    item: str
    area: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class Review:
    """An item in the learner's queue: asked again from due_at."""

    item: str
    area: str
    stage: int
    due_at: datetime


@dataclass(frozen=True)
class AreaScore:
    """One line of the scorecard: answers given in an area, how many were right, and what is queued to come back."""

    area: str
    answered: int
    right: int
    to_revisit: int
    due_now: int
    next_due: datetime | None


def _text(value: object, what: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > limit or any(ord(c) < 32 or c in "\x7f\ufffe\uffff" for c in text):
        raise LearningInputError(f"The {what} must be one line of 1 to {limit} characters; nothing was saved.")
    return text


def _learner(value: object) -> str:
    learner = _text(value, "learner", MAX_LEARNER_CHARS)
    channel, _, external_id = learner.partition(":")
    if not channel or not external_id:
        raise LearningInputError("The learner must be named as channel:id; nothing was saved.")
    return learner


class LearningProgress:
    """The progress store: its engine and tables are made on first use (never at import or construction)."""

    def __init__(self, url: str, clock: Callable[[], datetime] | None = None):
        self.url = url
        self.now = clock or (lambda: datetime.now(timezone.utc))
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def _ready(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = make_engine(self.url)
                # Three tables of their own with no history yet: made here if missing (the case file's Alembic
                # environment is for case data, and these tables are kept apart from it). Processes making them at
                # once collide on PostgreSQL's catalogue; the losers find them made on a later look.
                for attempt in range(CREATE_ATTEMPTS):
                    try:
                        metadata.create_all(engine)
                        break
                    except DBAPIError:
                        if attempt + 1 == CREATE_ATTEMPTS:
                            engine.dispose()
                            raise
                self._engine = engine
            return self._engine

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with self._ready().begin() as connection:
            yield connection

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # -- answers and the queue -----------------------------------------------------------------------------------------

    def record(self, learner: str, item: str, area: str, correct: bool) -> Review | None:
        """Keep one answer and move the item in the queue: a wrong answer puts it back at the first interval; a right
        answer to a due item moves it on (out of the queue after the last); a right answer before it is due changes
        nothing. The item's place in the queue afterwards, or None when it is not queued."""
        learner = _learner(learner)
        item = _text(item, "item", MAX_ITEM_CHARS)
        area = _text(area, "area", MAX_AREA_CHARS)
        if not isinstance(correct, bool):
            raise LearningInputError("An answer is either right or wrong; nothing was saved.")
        moment = self.now()
        with self._connection() as connection:
            connection.execute(
                insert(attempts).values(learner=learner, item=item, area=area, correct=correct, answered_at=moment)
            )
            queued = connection.execute(
                select(reviews).where(reviews.c.learner == learner, reviews.c.item == item)
            ).one_or_none()
            if not correct:
                values = {"area": area, "stage": 0, "due_at": moment + INTERVALS[0]}
                if queued is None:
                    connection.execute(insert(reviews).values(learner=learner, item=item, **values))
                else:
                    connection.execute(update(reviews).where(reviews.c.id == queued.id).values(**values))
                return Review(item, area, 0, values["due_at"])
            if queued is None:
                return None
            if queued.due_at > moment:
                return Review(item, queued.area, queued.stage, queued.due_at)
            stage = queued.stage + 1
            if stage >= len(INTERVALS):
                connection.execute(delete(reviews).where(reviews.c.id == queued.id))
                return None
            due_at = moment + INTERVALS[stage]
            connection.execute(update(reviews).where(reviews.c.id == queued.id).values(stage=stage, due_at=due_at))
            return Review(item, queued.area, stage, due_at)

    def queue(self, learner: str) -> list[Review]:
        """Everything queued to come back for the learner, soonest first."""
        learner = _learner(learner)
        with self._connection() as connection:
            rows = connection.execute(
                select(reviews).where(reviews.c.learner == learner).order_by(reviews.c.due_at, reviews.c.id)
            )
            return [Review(r.item, r.area, r.stage, r.due_at) for r in rows]

    def due(self, learner: str) -> list[Review]:
        """What is due again now, longest waiting first."""
        moment = self.now()
        return [review for review in self.queue(learner) if review.due_at <= moment]

    def attempts(self, learner: str) -> list[Attempt]:
        """Every answer the learner gave, oldest first."""
        learner = _learner(learner)
        with self._connection() as connection:
            rows = connection.execute(
                select(attempts).where(attempts.c.learner == learner).order_by(attempts.c.answered_at, attempts.c.id)
            )
            return [Attempt(r.item, r.area, r.correct, r.answered_at) for r in rows]

    def scorecard(self, learner: str) -> list[AreaScore]:
        """Per area, in the order first studied: answers, right answers, items to revisit and how many are due now."""
        learner = _learner(learner)
        moment = self.now()
        with self._connection() as connection:
            counted = connection.execute(
                select(
                    attempts.c.area,
                    func.count(),
                    func.sum(cast(attempts.c.correct, Integer)),
                    func.min(attempts.c.id),
                )
                .where(attempts.c.learner == learner)
                .group_by(attempts.c.area)
            ).all()
            queued = connection.execute(select(reviews).where(reviews.c.learner == learner)).all()
        scores = []
        for area, answered, right, _first in sorted(counted, key=lambda row: row[3]):
            waiting = [r for r in queued if r.area == area]
            scores.append(
                AreaScore(
                    area=area,
                    answered=answered,
                    right=int(right or 0),
                    to_revisit=len(waiting),
                    due_now=sum(1 for r in waiting if r.due_at <= moment),
                    next_due=min((r.due_at for r in waiting), default=None),
                )
            )
        return scores

    # -- what others may see -------------------------------------------------------------------------------------------

    def share(self, learner: str, manager_id: int) -> bool:
        """Let a manager (by staff number) see the learner's progress; False if they already could."""
        learner = _learner(learner)
        if not isinstance(manager_id, int) or isinstance(manager_id, bool) or manager_id < 1:
            raise LearningInputError("The manager must be named by their staff number; nothing was shared.")
        with self._connection() as connection:
            if connection.execute(
                select(shares.c.id).where(shares.c.learner == learner, shares.c.manager_id == manager_id)
            ).first():
                return False
            connection.execute(insert(shares).values(learner=learner, manager_id=manager_id, shared_at=self.now()))
            return True

    def stop_sharing(self, learner: str) -> int:
        """No manager sees the learner's progress any more; how many could before."""
        learner = _learner(learner)
        with self._connection() as connection:
            return connection.execute(delete(shares).where(shares.c.learner == learner)).rowcount

    def shared_with(self, learner: str) -> list[int]:
        """The staff numbers of the managers this learner shares their progress with."""
        learner = _learner(learner)
        with self._connection() as connection:
            return list(
                connection.execute(
                    select(shares.c.manager_id).where(shares.c.learner == learner).order_by(shares.c.id)
                ).scalars()
            )

    def learners_sharing_with(self, manager_id: int) -> list[str]:
        """The learners who chose to show this manager their progress, in the order they shared it."""
        with self._connection() as connection:
            return list(
                connection.execute(
                    select(shares.c.learner).where(shares.c.manager_id == manager_id).order_by(shares.c.id)
                ).scalars()
            )

    # -- the export ----------------------------------------------------------------------------------------------------

    def export(
        self,
        learner: str,
        heading: str,
        describe: Callable[[str], str] = str,
        name_area: Callable[[str], str] = str,
    ) -> str:
        """The learner's own record as plain text for supervision: the scorecard, the queue and every answer, each
        item named by `describe` (a path step or practice case, never a real case) and each area by `name_area`."""
        learner = _learner(learner)
        lines = [heading, f"Exported {london(self.now())}.", "", "Scorecard"]
        scores = self.scorecard(learner)
        lines += [f"  {scorecard_line(replace(score, area=name_area(score.area)))}" for score in scores] or [
            "  Nothing answered yet."
        ]
        queued = self.queue(learner)
        lines += ["", "Coming up again"]
        lines += [f"  {london(r.due_at)} · {name_area(r.area)} · {describe(r.item)}" for r in queued] or [
            "  Nothing queued."
        ]
        lines += ["", "Every answer"]
        lines += [
            f"  {london(a.answered_at)} · {name_area(a.area)} · {describe(a.item)} · "
            + ("right" if a.correct else "wrong")
            for a in self.attempts(learner)
        ] or ["  None yet."]
        return "\n".join(lines)


def scorecard_line(score: AreaScore) -> str:
    """ "Screening: 5 answered, 3 right; 2 to revisit, 1 due now"."""
    line = f"{score.area}: {score.answered} answered, {score.right} right"
    if not score.to_revisit:
        return line + "; nothing to revisit"
    line += f"; {score.to_revisit} to revisit"
    if score.due_now:
        return line + f", {score.due_now} due now"
    return line + f", next on {london(score.next_due)}"

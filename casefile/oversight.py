"""What managers oversee in the case file: what is waiting for them, their team's overview, queries over their team's
records, and the weekly digest; every view is audited and a manager sees only their own team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from casefile.errors import AccessRefused, InvalidEntry
from casefile.follow_ups import _query as follow_up_query
from casefile.follow_ups import _view as follow_up_view
from casefile.models import (
    MANAGER_ROLES,
    Agreement,
    AuditEntry,
    Case,
    Digest,
    DiscussionRecord,
    FollowUp,
    Notification,
    Staff,
)
from casefile.staff import find_staff
from casefile.views import FollowUpView, Identity, RecordView
from knowledge.moments import LONDON
from knowledge.working_days import add_working_days

if TYPE_CHECKING:
    from casefile.store import CaseFile

STATUSES = ("agreed", "awaiting_agreement", "without_agreed_record")


@dataclass(frozen=True)
class Waiting:
    """What is waiting for one person: records for them to agree, and follow-ups overdue (theirs, or their team's)."""

    to_agree: tuple[RecordView, ...]
    overdue: tuple[FollowUpView, ...]


@dataclass(frozen=True)
class TeamOverview:
    team: str
    awaiting_too_long: tuple[RecordView, ...]  # awaiting agreement for more than one working day
    overdue: tuple[FollowUpView, ...]
    this_week: tuple[RecordView, ...]  # discussions since Monday


def _week_start(moment: datetime) -> datetime:
    local = moment.astimezone(LONDON)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), LONDON).astimezone(timezone.utc)


def awaiting_too_long(record: RecordView, now: datetime) -> bool:
    """Not agreed by the end of the working day after the one it was recorded on."""
    if record.agreed:
        return False
    limit = add_working_days(record.recorded_at.astimezone(LONDON).date(), 1)
    return now.astimezone(LONDON).date() > limit


class Oversight:
    """Managers' views of their team's case file."""

    def __init__(self, case_file: CaseFile):
        self._file = case_file

    def waiting_for_me(self, actor: Identity) -> Waiting:
        def work(session: Session, note, staff: Staff) -> Waiting:
            from casefile.store import _record_view, _records_query

            now = self._file._now()
            records = session.execute(
                _records_query().where(
                    ~exists().where(Agreement.record_id == DiscussionRecord.id),
                    DiscussionRecord.recorded_by_id != staff.id,
                    (DiscussionRecord.practitioner_id == staff.id) | (DiscussionRecord.manager_id == staff.id),
                )
            )
            to_agree = tuple(_record_view(r) for r in records.scalars().unique())
            mine = FollowUp.owner_id == staff.id
            if staff.role in MANAGER_ROLES:
                mine = mine | (FollowUp.team == staff.team)
            overdue = tuple(
                follow_up_view(f)
                for f in session.execute(
                    follow_up_query()
                    .where(mine, FollowUp.done_at.is_(None), FollowUp.due_at < now)
                    .order_by(FollowUp.due_at)
                ).scalars()
            )
            note.record_ids = [r.id for r in to_agree]
            note.reason = f"viewed what is waiting: {len(to_agree)} to agree, {len(overdue)} overdue follow-up(s)"
            return Waiting(to_agree, overdue)

        return self._file._act(actor, "view_waiting", work)

    def team_overview(self, actor: Identity) -> TeamOverview:
        def work(session: Session, note, staff: Staff) -> TeamOverview:
            from casefile.store import _record_view, _records_query

            _refuse_unless_manager(staff)
            now = self._file._now()
            team = DiscussionRecord.team == staff.team
            open_records = session.execute(
                _records_query().where(team, ~exists().where(Agreement.record_id == DiscussionRecord.id))
            )
            awaiting = tuple(
                v for v in (_record_view(r) for r in open_records.scalars().unique()) if awaiting_too_long(v, now)
            )
            recent = session.execute(_records_query().where(team, DiscussionRecord.discussed_at >= _week_start(now)))
            this_week = tuple(_record_view(r) for r in recent.scalars().unique())
            overdue = tuple(
                follow_up_view(f)
                for f in session.execute(
                    follow_up_query()
                    .where(FollowUp.team == staff.team, FollowUp.done_at.is_(None), FollowUp.due_at < now)
                    .order_by(FollowUp.due_at)
                ).scalars()
            )
            note.record_ids = sorted({r.id for r in awaiting + this_week})
            note.reason = (
                f"viewed the team overview: {len(awaiting)} awaiting agreement over a working day, "
                f"{len(overdue)} overdue follow-up(s), {len(this_week)} discussion(s) this week"
            )
            return TeamOverview(staff.team, awaiting, overdue, this_week)

        return self._file._act(actor, "view_team_overview", work)

    def query(
        self,
        actor: Identity,
        *,
        case_reference: str | None = None,
        practitioner: int | str | None = None,
        since: date | None = None,
        until: date | None = None,
        status: str | None = None,
    ) -> list[RecordView]:
        """The team's records by case, practitioner, dates of discussion and status; "without_agreed_record" gives
        the records of cases on which no record is agreed yet."""

        def work(session: Session, note, staff: Staff) -> list[RecordView]:
            from casefile.store import _record_view, _records_query

            _refuse_unless_manager(staff)
            if status is not None and status not in STATUSES:
                raise InvalidEntry(f"The status is one of: {', '.join(STATUSES)}.")
            query = _records_query().where(DiscussionRecord.team == staff.team)
            if case_reference is not None:
                reference = self._file._reference(case_reference)
                note.case_reference = reference
                query = query.where(DiscussionRecord.case.has(Case.reference == reference))
            if practitioner is not None:
                people = find_staff(session, practitioner)
                if len(people) != 1:
                    raise InvalidEntry("Give one practitioner of your team, by name or staff number.")
                query = query.where(DiscussionRecord.practitioner_id == people[0].id)
            if since is not None:
                query = query.where(DiscussionRecord.discussed_at >= _day_start(since))
            if until is not None:
                query = query.where(DiscussionRecord.discussed_at < _day_start(until + timedelta(days=1)))
            agreed = exists().where(Agreement.record_id == DiscussionRecord.id)
            if status == "agreed":
                query = query.where(agreed)
            elif status == "awaiting_agreement":
                query = query.where(~agreed)
            elif status == "without_agreed_record":
                other = aliased(DiscussionRecord)
                query = query.where(
                    ~exists().where(other.case_id == DiscussionRecord.case_id, Agreement.record_id == other.id)
                )
            found = [_record_view(r) for r in session.execute(query).scalars().unique()]
            note.record_ids = [r.id for r in found]
            note.reason = f"queried the team's records ({status or 'any status'}): {len(found)} found"
            return found

        return self._file._act(actor, "query_records", work)

    def release_digests(self, weekday: int, hour: int) -> int:
        """On the configured weekday from the configured hour (UK time), each active manager's digest of their team,
        written once to the outbox across servers: a digest row per manager and week is the claim."""
        now = self._file._now()
        local = now.astimezone(LONDON)
        if local.weekday() != weekday or local.hour < hour:
            return 0
        week_of = local.date()
        sent = 0
        with self._file.database.session() as session:
            managers = session.execute(
                select(Staff).where(Staff.role.in_(MANAGER_ROLES), Staff.active.is_(True)).order_by(Staff.id)
            ).scalars()
            for manager in list(managers):
                try:
                    with session.begin_nested():
                        session.add(Digest(staff_id=manager.id, week_of=week_of, created_at=now))
                except IntegrityError:
                    continue
                session.add(
                    Notification(staff_id=manager.id, text=self._digest_text(session, manager, now), created_at=now)
                )
                session.add(
                    AuditEntry(
                        occurred_at=now,
                        staff_id=manager.id,
                        channel="system",
                        external_id="weekly-digest",
                        action="weekly_digest",
                        allowed=True,
                        reason=f"weekly digest of team {manager.team} written to the outbox for {manager.name}",
                    )
                )
                sent += 1
        return sent

    @staticmethod
    def _digest_text(session: Session, manager: Staff, now: datetime) -> str:
        """Counts only: no case content or names, so it can go on any channel."""
        from casefile.store import _record_view, _records_query

        team = DiscussionRecord.team == manager.team
        open_records = session.execute(
            _records_query().where(team, ~exists().where(Agreement.record_id == DiscussionRecord.id))
        )
        waiting = sum(1 for r in open_records.scalars().unique() if awaiting_too_long(_record_view(r), now))
        overdue = session.execute(
            select(FollowUp.id).where(FollowUp.team == manager.team, FollowUp.done_at.is_(None), FollowUp.due_at < now)
        ).all()
        last_week = session.execute(
            select(DiscussionRecord.id).where(
                team,
                DiscussionRecord.discussed_at >= _week_start(now) - timedelta(days=7),
                DiscussionRecord.discussed_at < _week_start(now),
            )
        ).all()
        return (
            f"Weekly digest for team {manager.team}: {waiting} record(s) awaiting agreement for more than one "
            f"working day, {len(overdue)} follow-up(s) overdue, {len(last_week)} discussion(s) recorded last week. "
            'Say "team overview" for the details.'
        )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LONDON).astimezone(timezone.utc)


def _refuse_unless_manager(staff: Staff) -> None:
    if staff.role not in MANAGER_ROLES:
        raise AccessRefused("Only Service Managers and Senior Managers see a team's overview and query its records.")

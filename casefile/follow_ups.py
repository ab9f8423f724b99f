"""Follow-ups agreed in a discussion (who will act and by when, Framework 2.81; a referral's written confirmation,
2.103, 2.108, Appendix V): read from the record, reminded once each before and at the due time, marked done or given
more time with a reason, every change audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from casefile.errors import AccessRefused, InvalidEntry, NotFound
from casefile.models import MANAGER_ROLES, DiscussionRecord, FollowUp, FollowUpExtension, Notification, Reminder, Staff
from casefile.note_points import split_sentences
from casefile.staff import clean_text, member
from casefile.views import FollowUpView, Identity
from knowledge.moments import LONDON, WEEKDAYS, find_clocks
from knowledge.referral import referral_steps
from knowledge.working_days import add_working_days

if TYPE_CHECKING:
    from casefile.store import CaseFile

# A time of day named without a clock ("by the end of Friday") is taken as the end of the working day.
END_OF_WORKING_DAY = time(17, 0)
MAX_REASON_CHARS = 2_000
# A clause of point 10 that starts with someone other than "I": "SM to review on Monday", "Kate is calling".
OWNER_START = r"(?:(?i:i|i'll|i'm|sm|manager|service manager|duty manager|duty sm)\b|[A-Z][a-z]+ (?:is|will|to)\b)"
CLAUSE_SPLIT = re.compile(r"\s*(?:[;,]|\band\b)\s+(?=" + OWNER_START + ")")
MANAGER_OWNS = re.compile(r"^\s*(?:the\s+)?(?:sm|service manager|manager|duty (?:manager|sm)|team manager)\b", re.I)
WITHIN_HOURS = re.compile(r"\bwithin\s+(\d{1,2}|an?|one|two|three|twenty[- ]four)\s*(?:hours?|hrs?)\b", re.I)
WITHIN_WORKING_DAYS = re.compile(r"\bwithin\s+(\d|one|two|three|a)\s+working\s+days?\b", re.I)
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "twenty-four": 24, "twenty four": 24}
RIGHT_AWAY = re.compile(r"\b(now|straight away|immediately|right away|within the hour|asap)\b", re.I)
TONIGHT = re.compile(r"\b(tonight|this evening)\b", re.I)
TODAY = re.compile(r"\b(today|end of (?:the )?day|close of play|cop|eod|this afternoon|before i leave)\b", re.I)
TOMORROW = re.compile(r"\b(tomorrow|in the morning|first thing)\b", re.I)
THIS_WEEK = re.compile(r"\b(this week|end of (?:the )?week)\b", re.I)
NEXT_WEEK = re.compile(r"\bnext week\b", re.I)
WEEKDAY_AHEAD = re.compile(r"\b(?:by|on|before|next|this|until)?\s*(" + "|".join(WEEKDAYS) + r")\b", re.I)
REFERRAL_DEADLINES = ("2.103", "Appendix V", "2.108")


@dataclass(frozen=True)
class AgreedAction:
    """One action of point 10: what, whose (the practitioner's or the manager's) and when it is due (None: not said)."""

    text: str
    owner: str  # "practitioner" or "manager"
    due_at: datetime | None


def actions_in(
    point_text: str | None, discussed_at: datetime, manager_names: tuple[str, ...] = ()
) -> list[AgreedAction]:
    """The actions "who will take any necessary action and within what timescale" names, each with its due time."""
    actions = []
    for sentence in split_sentences(point_text or ""):
        for clause in CLAUSE_SPLIT.split(sentence):
            clause = clause.strip(" .")
            if len(clause.split()) < 2:
                continue
            first = clause.split()[0].lower()
            owner = "manager" if MANAGER_OWNS.match(clause) or first in manager_names else "practitioner"
            actions.append(AgreedAction(clause, owner, due_from(clause, discussed_at)))
    return actions


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, LONDON).astimezone(timezone.utc)


def due_from(text: str, said_at: datetime) -> datetime | None:
    """When an action is due, read from its own words relative to when it was agreed; None if they give no time."""
    local = said_at.astimezone(LONDON)
    today = local.date()
    hours = WITHIN_HOURS.search(text)
    if hours:
        amount = hours.group(1).lower()
        return said_at + timedelta(hours=int(amount) if amount.isdigit() else NUMBER_WORDS.get(amount, 1))
    working = WITHIN_WORKING_DAYS.search(text)
    if working:
        amount = working.group(1).lower()
        days = int(amount) if amount.isdigit() else NUMBER_WORDS[amount]
        return _at(add_working_days(today, days), END_OF_WORKING_DAY)
    clocks = sorted(find_clocks(text))
    day: date | None = None
    weekday = WEEKDAY_AHEAD.search(text)
    if TOMORROW.search(text):
        day = today + timedelta(days=1)
    elif weekday:
        ahead = (WEEKDAYS[weekday.group(1).lower()] - today.weekday()) % 7 or 7
        day = today + timedelta(days=ahead)
    elif NEXT_WEEK.search(text):
        day = today + timedelta(days=7 - today.weekday() + 4)
    elif THIS_WEEK.search(text):
        day = today + timedelta(days=max(0, 4 - today.weekday()))
    elif TODAY.search(text) or TONIGHT.search(text) or clocks:
        day = today
    if clocks:
        clock = clocks[-1]
        if 1 <= clock.hour <= 7 and not re.search(r"\d\s*a\.?m\b", text, re.I):
            clock = clock.replace(hour=clock.hour + 12)  # "at 2.30" in a working day is the afternoon
        due = datetime.combine(day or today, clock, LONDON)
        if due <= local and day is None:
            due += timedelta(days=1)
        return due.astimezone(timezone.utc)
    if RIGHT_AWAY.search(text) and day in (None, today):
        return said_at + timedelta(hours=1)
    if TONIGHT.search(text) and day == today:
        return _at(today, time(22, 0))
    if day is not None:
        return _at(day, END_OF_WORKING_DAY)
    return None


def referral_deadlines(referral_made_at: datetime) -> list[tuple[str, datetime]]:
    """The written-confirmation deadlines of a telephone referral (2.103, Appendix V, 2.108), from knowledge/."""
    found = []
    for label, when in referral_steps(referral_made_at.astimezone(LONDON)).deadlines:
        if not any(f"({ref})" in label for ref in REFERRAL_DEADLINES):
            continue
        due = when if isinstance(when, datetime) else _at(when, END_OF_WORKING_DAY)
        found.append((label, due.astimezone(timezone.utc)))
    return found


def reminder_times(due_at: datetime, created_at: datetime, lead: timedelta) -> list[tuple[str, datetime]]:
    """When to remind: `lead` before the due time (unless that has already passed when it is set) and at it."""
    times = [("due", due_at)]
    if due_at - lead > created_at:
        times.insert(0, ("before", due_at - lead))
    return times


def reminder_text(follow_up: FollowUp, kind: str) -> str:
    """A reminder that says no more than the case reference, the follow-up's number and its due time: no names."""
    due = due_text(follow_up.due_at)
    lead = "is due" if kind == "due" else "comes due"
    return (
        f"Reminder: follow-up {follow_up.id} on {follow_up.case.reference} {lead} {due}. "
        f'Reply "done {follow_up.id}" when it is done, or "more time {follow_up.id}".'
    )


def due_text(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"by {local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"


class FollowUps:
    """The follow-ups of the case file: created with a record, reminded, marked done or given more time."""

    def __init__(self, case_file: CaseFile, lead: timedelta):
        self._file = case_file
        self.lead = lead

    def _now(self) -> datetime:
        return self._file._now()

    # -- created with a record -------------------------------------------------------------------------------------

    def create_for_record(self, session: Session, record: DiscussionRecord, created_by: Staff) -> list[FollowUp]:
        """The record's point 10 actions that name a time, as follow-ups of the practitioner or the manager."""
        names = tuple(part.lower() for part in record.manager.name.split()[:1])
        made = []
        for action in actions_in(record.action_and_timescale, record.discussed_at, names):
            if action.due_at is None:
                continue
            owner = record.manager if action.owner == "manager" else record.practitioner
            made.append(self._add(session, record, "action", action.text, owner, created_by, action.due_at))
        return made

    def _add(
        self,
        session: Session,
        record: DiscussionRecord,
        kind: str,
        description: str,
        owner: Staff,
        created_by: Staff,
        due_at: datetime,
    ) -> FollowUp:
        now = self._now()
        follow_up = FollowUp(
            case_id=record.case_id,
            record_id=record.id,
            team=record.team,
            kind=kind,
            description=description,
            owner=owner,
            created_by_id=created_by.id,
            created_at=now,
            due_at=due_at,
        )
        session.add(follow_up)
        session.flush()
        self._schedule(session, follow_up, now)
        return follow_up

    def _schedule(self, session: Session, follow_up: FollowUp, now: datetime) -> None:
        for kind, send_at in reminder_times(follow_up.due_at, now, self.lead):
            session.add(Reminder(follow_up_id=follow_up.id, kind=kind, due_at=follow_up.due_at, send_at=send_at))

    # -- what people do with them ------------------------------------------------------------------------------------

    def add_referral_deadlines(self, actor: Identity, record_id: int, referral_made_at: datetime) -> list[FollowUpView]:
        """A telephone referral made on this record's case: its written-confirmation deadlines become follow-ups."""

        def work(session: Session, note, staff: Staff) -> list[FollowUpView]:
            record = session.get(DiscussionRecord, record_id) if isinstance(record_id, int) else None
            if record is None:
                raise NotFound(f"There is no record {record_id}.")
            note.record_ids = [record.id]
            note.case_reference = record.case.reference
            if staff.id not in (record.practitioner_id, record.manager_id):
                raise AccessRefused("Only the practitioner or the manager who took part in the discussion can do this.")
            if referral_made_at.tzinfo is None or referral_made_at > self._now() + timedelta(minutes=5):
                raise InvalidEntry("The time of the telephone referral must be a time that has passed.")
            made = [
                self._add(session, record, "referral_confirmation", label, record.practitioner, staff, due)
                for label, due in referral_deadlines(referral_made_at)
            ]
            note.reason = f"referral deadlines set as follow-ups {', '.join(str(f.id) for f in made)}"
            return [_view(f) for f in made]

        return self._file._act(actor, "add_referral_follow_ups", work)

    def mine(self, actor: Identity) -> list[FollowUpView]:
        """The open follow-ups this person owns, soonest due first."""

        def work(session: Session, note, staff: Staff) -> list[FollowUpView]:
            found = session.execute(
                _query().where(FollowUp.owner_id == staff.id, FollowUp.done_at.is_(None)).order_by(FollowUp.due_at)
            ).scalars()
            views = [_view(f) for f in found]
            note.reason = f"viewed their {len(views)} open follow-up(s)"
            return views

        return self._file._act(actor, "view_follow_ups", work)

    def mark_done(self, actor: Identity, follow_up_id: int) -> FollowUpView:
        """The owner, or the manager of the team, marks a follow-up done."""

        def work(session: Session, note, staff: Staff) -> FollowUpView:
            follow_up = self._load(session, follow_up_id, note, staff)
            if follow_up.done_at is not None:
                raise InvalidEntry(f"Follow-up {follow_up.id} was already marked done.")
            follow_up.done_at = self._now()
            follow_up.done_by = staff
            session.flush()
            note.reason = f"marked follow-up {follow_up.id} done"
            return _view(follow_up)

        return self._file._act(actor, "follow_up_done", work)

    def more_time(self, actor: Identity, follow_up_id: int, due_at: datetime, reason: str) -> FollowUpView:
        """A later due time, with the reason; the earlier one is kept and the reminders are set again."""

        def work(session: Session, note, staff: Staff) -> FollowUpView:
            follow_up = self._load(session, follow_up_id, note, staff)
            why = clean_text(reason, "reason for more time", MAX_REASON_CHARS)
            if follow_up.done_at is not None:
                raise InvalidEntry(f"Follow-up {follow_up.id} is already done.")
            if due_at.tzinfo is None or due_at <= max(self._now(), follow_up.due_at):
                raise InvalidEntry("More time means a due time later than now and than the one set.")
            now = self._now()
            session.add(
                FollowUpExtension(
                    follow_up_id=follow_up.id,
                    earlier_due_at=follow_up.due_at,
                    due_at=due_at,
                    reason=why,
                    asked_by_id=staff.id,
                    asked_at=now,
                )
            )
            follow_up.due_at = due_at
            session.flush()
            self._schedule(session, follow_up, now)
            note.reason = f"more time for follow-up {follow_up.id}: {why}"
            return _view(follow_up)

        return self._file._act(actor, "follow_up_more_time", work)

    def _load(self, session: Session, follow_up_id: object, note, staff: Staff) -> FollowUp:
        if not isinstance(follow_up_id, int) or isinstance(follow_up_id, bool):
            raise NotFound("Give the follow-up's number.")
        session.execute(select(FollowUp.id).where(FollowUp.id == follow_up_id).with_for_update())
        follow_up = session.execute(_query().where(FollowUp.id == follow_up_id)).scalars().first()
        if follow_up is None:
            raise NotFound(f"There is no follow-up {follow_up_id}.")
        note.case_reference = follow_up.case.reference
        note.record_ids = [follow_up.record_id] if follow_up.record_id else []
        manager_of_team = staff.role in MANAGER_ROLES and staff.team == follow_up.team
        if staff.id != follow_up.owner_id and not manager_of_team:
            raise AccessRefused(f"Follow-up {follow_up.id} is not yours or your team's.")
        return follow_up

    # -- reminders ---------------------------------------------------------------------------------------------------

    def release_reminders(self) -> int:
        """Turn each reminder whose time has come into one notification, exactly once across servers.

        A reminder is claimed by a conditional update (claimed only if nobody has claimed it) in the same transaction
        that writes its notification: of two servers releasing at once, one claims it and the other skips it.
        Reminders of a follow-up that is done, or whose due time has since moved, are claimed without a message.
        """
        now = self._now()
        released = 0
        with self._file.database.session() as session:
            due = session.execute(
                select(Reminder.id).where(Reminder.claimed_at.is_(None), Reminder.send_at <= now).order_by(Reminder.id)
            ).scalars()
            for reminder_id in list(due):
                claimed = session.execute(
                    update(Reminder)
                    .where(Reminder.id == reminder_id, Reminder.claimed_at.is_(None))
                    .values(claimed_at=now)
                    .execution_options(synchronize_session=False)
                )
                if claimed.rowcount != 1:
                    continue
                reminder = session.get(Reminder, reminder_id)
                follow_up = session.execute(_query().where(FollowUp.id == reminder.follow_up_id)).scalars().one()
                if follow_up.done_at is not None or follow_up.due_at != reminder.due_at:
                    continue
                session.add(
                    Notification(
                        staff_id=follow_up.owner_id,
                        record_id=follow_up.record_id,
                        text=reminder_text(follow_up, reminder.kind),
                        created_at=now,
                    )
                )
                released += 1
        return released


def _query():
    return select(FollowUp).options(joinedload(FollowUp.case), joinedload(FollowUp.owner), joinedload(FollowUp.done_by))


def _view(follow_up: FollowUp) -> FollowUpView:
    return FollowUpView(
        id=follow_up.id,
        case_reference=follow_up.case.reference,
        record_id=follow_up.record_id,
        kind=follow_up.kind,
        description=follow_up.description,
        owner=member(follow_up.owner),
        due_at=follow_up.due_at,
        done_at=follow_up.done_at,
        done_by=member(follow_up.done_by) if follow_up.done_by is not None else None,
    )

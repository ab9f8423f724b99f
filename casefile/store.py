"""The case file: agreed records of practitioners' discussions with their Service Manager (Framework 2.81-2.82), kept
safe, audited and retrievable."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from casefile import export as exporting
from casefile.audit import AuditNote, audited
from casefile.database import Database
from casefile.drafts import Drafts
from casefile.errors import AccessRefused, AlreadyAgreed, FileSecured, InvalidEntry, NotFound
from casefile.follow_ups import FollowUps
from casefile.models import (
    MANAGER_ROLES,
    PRACTITIONER_ROLES,
    Agreement,
    Amendment,
    Case,
    DiscussionRecord,
    Draft,
    EarlierAgreement,
    LaterRecording,
    Notification,
    SecuredFile,
    Staff,
    StaffIdentity,
)
from casefile.oversight import Oversight
from casefile.points import CHOICES, LABELS, NOT_DISCUSSED, POINT_KEYS
from casefile.references import DEFAULT_CASE_REFERENCE_PATTERN, normalise_case_reference
from casefile.staff import StaffDirectory, as_identity, clean_text, find_staff, member, resolve_actor
from casefile.views import (
    AmendmentView,
    CaseView,
    EarlierAgreementView,
    ExportedDocument,
    Identity,
    LaterRecordingView,
    PendingNotification,
    PointView,
    RecordView,
    SecuredView,
)
from knowledge.moments import LONDON, london

MAX_POINT_CHARS = 10_000
MAX_REASON_CHARS = 2_000
MAX_LATER_RECORDING_CHARS = 20_000
MAX_IDEMPOTENCY_KEY_CHARS = 200
CLOCK_SKEW = timedelta(minutes=5)
# How long a server may take to send a notification it claimed before another server may send it instead: longer
# than a channel's retries of one message (Teams: 30 s a try, waiting as long as Retry-After asks).
NOTIFICATION_LEASE = timedelta(minutes=10)
DEFAULT_REMINDER_LEAD = timedelta(hours=2)
READER_ROLES = PRACTITIONER_ROLES + MANAGER_ROLES
SECURING_ROLES = MANAGER_ROLES + ("admin",)
ANY_CASE_SECURING_ROLES = ("senior_manager", "admin")  # a Service Manager secures only their team's cases
EXPORT_FORMATS = ("docx", "txt")

StaffRef = int | str  # a staff number, or a name as the directory spells it (case and extra spaces ignored)


def discussion_key(
    actor: Identity,
    case_reference: str,
    points: Mapping[str, str | None],
    practitioner: StaffRef,
    manager: StaffRef,
    discussed_at: datetime,
    concern_identified_at: datetime,
    decision_reasons: str | None = None,
) -> str:
    """The idempotency key of record_discussion for one person confirming one draft: every argument, hashed.

    Whether the confirming message is delivered twice or the person confirms again because a crash lost the reply
    (a new message), the key is the same and the record saved the first time is returned; a draft changed in any
    way is a different record.
    """
    draft = [
        list(as_identity(actor)),
        case_reference,
        sorted(dict(points).items()),
        practitioner,
        manager,
        discussed_at.isoformat(),
        concern_identified_at.isoformat(),
    ]
    if decision_reasons is not None:
        draft.append(decision_reasons)
    return "draft:" + hashlib.sha256(json.dumps(draft, default=str).encode()).hexdigest()


class CaseFile:
    """Every operation takes the acting identity (channel, external id), checks access first and is audited.

    Who may do what:
    - record a discussion: the practitioner or the manager who took part in it (2.95); agree it: the other of
      the two (2.82); amend it: either of the two, as a new dated amendment that keeps the original.
    - read and export: Service Managers and Senior Managers see their team's records (the team is the
      practitioner's when the record is made); practitioners and duty officers see their own; anyone sees the
      record of a discussion they took part in, such as a cover manager from another team (1.11, 2.81).
    - admins read no records. Someone who manages the directory and also supervises practitioners is
      registered as a manager: staff are managed from the command line, which anyone able to run it on the
      server may use, so the directory needs no admin role in the conversation.
    - secure a case file: Service Managers, Senior Managers and admins (3.42-3.44); afterwards it takes no new
      records, agreements or amendments, only later recordings by those involved in the case (3.45). Only an admin
      releases a secured file, giving a reason.
    """

    def __init__(
        self,
        database_url: str,
        *,
        case_reference_pattern: str = DEFAULT_CASE_REFERENCE_PATTERN,
        clock: Callable[[], datetime] | None = None,
        reminder_lead: timedelta = DEFAULT_REMINDER_LEAD,
    ):
        self.database = Database(database_url)
        self.case_reference_pattern = case_reference_pattern
        self._now = clock or (lambda: datetime.now(timezone.utc))
        self.staff = StaffDirectory(self.database, self._now)
        self.follow_ups = FollowUps(self, reminder_lead)
        self.oversight = Oversight(self)
        self.drafts = Drafts(self)

    # -- writing -----------------------------------------------------------------------------------------------

    def record_discussion(
        self,
        actor: Identity,
        case_reference: str,
        points: Mapping[str, str | None],
        practitioner: StaffRef,
        manager: StaffRef,
        discussed_at: datetime,
        concern_identified_at: datetime,
        idempotency_key: str,
        decision_reasons: str | None = None,
        draft_id: str | None = None,
    ) -> RecordView:
        """Save the record awaiting agreement and ask the other party to agree it; a repeated key returns the first.

        The actions of point 10 that name a time become follow-ups of whoever takes them (see casefile.follow_ups),
        and `decision_reasons` is the optional "Decision agreed and why" line (Framework 3.62). The actor's draft
        `draft_id`, if given, loses its answers in the same transaction (kept whole if the record is not saved).
        """

        def work(session: Session, note: AuditNote, staff: Staff) -> RecordView:
            reference = self._reference(case_reference)
            note.case_reference = reference
            key = clean_text(idempotency_key, "message id", MAX_IDEMPOTENCY_KEY_CHARS)
            earlier = session.execute(
                select(DiscussionRecord).where(DiscussionRecord.idempotency_key == key)
            ).scalar_one_or_none()
            if earlier is not None:
                if earlier.recorded_by_id != staff.id or earlier.case.reference != reference:
                    raise InvalidEntry("That message id belongs to another record; nothing was saved.")
                note.record_ids = [earlier.id]
                note.reason = "the same message again: the record saved the first time is returned"
                _delete_draft(session, draft_id, staff, saved=earlier)
                return _record_view(earlier)
            the_practitioner = _party(session, practitioner, PRACTITIONER_ROLES, "practitioner")
            the_manager = _party(session, manager, MANAGER_ROLES, "manager")
            if staff.id not in (the_practitioner.id, the_manager.id):
                raise AccessRefused(
                    "Only the practitioner or the manager who took part in the discussion can record it: the record "
                    '"must be written by the person who was directly involved" (Framework 2.95).'
                )
            values = _points(points)
            discussed = _moment(discussed_at, "time of the discussion")
            identified = _moment(concern_identified_at, "time the concern was identified")
            now = self._now()
            if discussed > now + CLOCK_SKEW:
                raise InvalidEntry("The time of the discussion is in the future.")
            if identified > discussed:
                raise InvalidEntry("The concern must have been identified before it was discussed with the manager.")
            case = self._case(session, reference, create=True)
            _refuse_if_secured(session, case, staff)
            record = DiscussionRecord(
                case=case,
                team=the_practitioner.team,
                practitioner=the_practitioner,
                manager=the_manager,
                recorded_by=staff,
                recorded_at=now,
                discussed_at=discussed,
                concern_identified_at=identified,
                idempotency_key=key,
                decision_reasons=clean_text(decision_reasons, "decision and why", MAX_POINT_CHARS, required=False),
                **values,
            )
            session.add(record)
            session.flush()
            follow_ups = self.follow_ups.create_for_record(session, record, staff)
            other = the_manager if staff.id == the_practitioner.id else the_practitioner
            self._notify(
                session,
                other,
                record,
                f"{staff.name} asks you to agree the record of your discussion on {reference} "
                f"(record {record.id}; Framework 2.82).",
            )
            _delete_draft(session, draft_id, staff, saved=record)
            note.record_ids = [record.id]
            note.reason = f"recorded the discussion; {other.name} asked to agree it" + (
                f"; follow-ups {', '.join(str(f.id) for f in follow_ups)}" if follow_ups else ""
            )
            return _record_view(record)

        try:
            return self._act(actor, "record_discussion", work)
        except IntegrityError:
            # The same message delivered twice at once: the other delivery saved it, so this one returns it.
            return self._act(actor, "record_discussion", work)

    def agree(
        self,
        actor: Identity,
        record_id: int,
        amendment: Mapping[str, str] | None = None,
        draft_id: str | None = None,
    ) -> RecordView:
        """The other party agrees the record, optionally amending points as they agree (each a dated amendment); the
        actor's draft `draft_id`, if given, is deleted with it."""

        def work(session: Session, note: AuditNote, staff: Staff) -> RecordView:
            record = _load_record(session, record_id, note)
            if staff.id not in (record.practitioner_id, record.manager_id):
                raise AccessRefused("Only the other person who took part in the discussion can agree this record.")
            if staff.id == record.recorded_by_id:
                other = record.manager if staff.id == record.practitioner_id else record.practitioner
                raise AccessRefused(f"You recorded this discussion, so {other.name} agrees it (Framework 2.82).")
            _refuse_if_secured(session, record.case, staff)
            earlier = session.execute(select(Agreement).where(Agreement.record_id == record.id)).scalar_one_or_none()
            if earlier is not None:
                raise AlreadyAgreed(
                    f"Record {record.id} was agreed by {earlier.agreed_by.name} on "
                    f"{london(earlier.agreed_at)}. To change it, add an amendment."
                )
            changes = _amendment(amendment)
            now = self._now()
            for point, text in changes.items():
                record.amendments.append(
                    Amendment(
                        point=point,
                        text=text,
                        reason="amended when agreeing the record",
                        amended_by=staff,
                        amended_at=now,
                        on_agreement=True,
                    )
                )
            record.agreement = Agreement(agreed_by=staff, agreed_at=now)
            _delete_draft(session, draft_id, staff)
            session.flush()
            self._notify(
                session,
                record.recorded_by,
                record,
                f"{staff.name} agreed the record of your discussion on {record.case.reference} "
                f"(record {record.id}){' with amendments' if changes else ''}.",
            )
            again = " again, after its amendment" if record.earlier_agreements else ""
            note.reason = f"agreed the record{again}" + (f" amending {', '.join(changes)}" if changes else "")
            return _record_view(record)

        return self._act(actor, "agree", work)

    def amend(
        self, actor: Identity, record_id: int, point: str, text: str, reason: str, draft_id: str | None = None
    ) -> RecordView:
        """A dated amendment to one point by the person making it; the original text is kept.

        An agreed record no longer stands agreed once changed: its agreement is kept as an earlier one, and the
        record awaits agreement again (Framework 2.82), asked of the other party as when it was first recorded.
        The actor's draft `draft_id`, if given, is deleted with it."""

        def work(session: Session, note: AuditNote, staff: Staff) -> RecordView:
            record = _load_record(session, record_id, note)
            if staff.id not in (record.practitioner_id, record.manager_id):
                raise AccessRefused(
                    "Only the practitioner or the manager who took part in the discussion can amend its record."
                )
            _refuse_if_secured(session, record.case, staff)
            changes = _amendment({point: text})
            why = clean_text(reason, "reason for the amendment", MAX_REASON_CHARS)
            now = self._now()
            change = Amendment(
                point=point, text=changes[point], reason=why, amended_by=staff, amended_at=now, on_agreement=False
            )
            record.amendments.append(change)
            session.flush()
            agreement = record.agreement
            if agreement is not None:
                record.earlier_agreements.append(
                    EarlierAgreement(
                        agreed_by_id=agreement.agreed_by_id,
                        agreed_at=agreement.agreed_at,
                        withdrawn_at=now,
                        amendment_id=change.id,
                    )
                )
                session.delete(agreement)
                record.agreement = None
            _delete_draft(session, draft_id, staff)
            session.flush()
            other = record.manager if staff.id == record.practitioner_id else record.practitioner
            agreeing = record.manager if record.recorded_by_id == record.practitioner_id else record.practitioner
            told = f"{staff.name} amended the record of your discussion on {record.case.reference} (record {record.id})"
            if agreement is None:
                self._notify(session, other, record, f"{told}.")
            else:
                if other.id != agreeing.id:
                    self._notify(session, other, record, f"{told}; it awaits {agreeing.name}'s agreement again.")
                if agreeing.id != staff.id:
                    self._notify(
                        session,
                        agreeing,
                        record,
                        f"{told} after it was agreed, so it is no longer agreed: {staff.name} asks you to agree it "
                        "again (Framework 2.82).",
                    )
            note.reason = f"amended {point}" + (
                f"; the agreement of {london(agreement.agreed_at)} withdrawn and {agreeing.name} asked to agree again"
                if agreement is not None
                else ""
            )
            return _record_view(record)

        return self._act(actor, "amend", work)

    def secure_file(self, actor: Identity, case_reference: str, reason: str) -> SecuredView:
        """Secure the case file (Framework 3.42-3.44): from now on it takes no new records, agreements or amendments.

        A Service Manager secures only a case with a record they can see (their team's); a Senior Manager or an admin
        any case, even before anything is recorded on it. A missing case and someone else's look the same.
        """

        def work(session: Session, note: AuditNote, staff: Staff) -> SecuredView:
            reference = self._reference(case_reference)
            note.case_reference = reference
            if staff.role not in SECURING_ROLES:
                raise AccessRefused(
                    "Only a Service Manager, a Senior Manager or an admin can secure a case file (Framework 3.42-3.44)."
                )
            why = clean_text(reason, "reason for securing the file", MAX_REASON_CHARS)
            case = self._case(session, reference, create=staff.role in ANY_CASE_SECURING_ROLES)
            if case is None or (staff.role not in ANY_CASE_SECURING_ROLES and not _involved(session, staff, case)):
                raise _nothing_you_can_see(reference)
            _refuse_if_secured(session, case, staff)
            case.secured = SecuredFile(secured_by=staff, secured_at=self._now(), reason=why)
            session.flush()
            practitioners = session.execute(
                select(Staff).where(
                    Staff.id.in_(select(DiscussionRecord.practitioner_id).where(DiscussionRecord.case_id == case.id)),
                    Staff.id != staff.id,
                )
            ).scalars()
            for practitioner in practitioners:
                self._notify(
                    session,
                    practitioner,
                    None,
                    f"{staff.name} has secured the case file for {reference} (Framework 3.42-3.44). It "
                    "takes no new records or amendments. To update it about events that preceded the "
                    "decision to pursue a review, add a later recording: the date it is made is marked and "
                    "it is kept separate from the original file (3.45).",
                )
            note.reason = "secured the case file"
            return _secured_view(case)

        return self._act(actor, "secure_file", work)

    def release_file(self, actor: Identity, case_reference: str, reason: str) -> str:
        """Release a secured case file, so it takes records, agreements and amendments again: an admin only, with a
        reason. The audit entry keeps who secured it, when and why; the case reference released is returned.

        Anyone else is refused alike whatever the reference; to an admin a missing case and one not secured differ.
        """

        def work(session: Session, note: AuditNote, staff: Staff) -> str:
            reference = self._reference(case_reference)
            note.case_reference = reference
            if staff.role != "admin":
                raise AccessRefused("Only an admin can release a secured case file; nothing was done.")
            why = clean_text(reason, "reason for releasing the file", MAX_REASON_CHARS)
            case = self._case(session, reference, create=False)
            if case is None:
                raise _nothing_you_can_see(reference)
            session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
            secured = session.execute(select(SecuredFile).where(SecuredFile.case_id == case.id)).scalar_one_or_none()
            if secured is None:
                raise InvalidEntry(f"The case file for {reference} is not secured; nothing was done.")
            note.reason = (
                f"released the case file secured on {london(secured.secured_at)} by {secured.secured_by.name} "
                f"(staff {secured.secured_by_id}) for: {secured.reason}; released because: {why}"
            )
            session.delete(secured)
            return reference

        return self._act(actor, "release_file", work)

    def add_later_recording(
        self, actor: Identity, case_reference: str, text: str, event_date: date
    ) -> LaterRecordingView:
        """An update to a secured file about earlier events, marked with the date it was made and kept apart (3.45)."""

        def work(session: Session, note: AuditNote, staff: Staff) -> LaterRecordingView:
            reference = self._reference(case_reference)
            note.case_reference = reference
            case = self._case(session, reference, create=False)
            if case is None:
                raise NotFound(f"There is nothing on the case file for {reference}.")
            if staff.role not in READER_ROLES or not _involved(session, staff, case):
                raise AccessRefused("Only a practitioner or manager involved in this case can add a later recording.")
            if case.secured is None:
                raise InvalidEntry(
                    f"The case file for {reference} is not secured: record a discussion or amend a record instead."
                )
            secured_on = case.secured.secured_at.astimezone(LONDON).date()
            if not isinstance(event_date, date) or isinstance(event_date, datetime):
                raise InvalidEntry("Give the date of the events the later recording is about.")
            if event_date > secured_on:
                raise InvalidEntry(
                    "A later recording is about events that preceded the decision to pursue a review "
                    f"(Framework 3.45), so its events date from {secured_on.day} {secured_on:%B %Y}, when the file "
                    "was secured, or earlier."
                )
            recording = LaterRecording(
                case=case,
                team=staff.team,
                recorded_by=staff,
                recorded_at=self._now(),
                event_date=event_date,
                text=clean_text(text, "later recording", MAX_LATER_RECORDING_CHARS),
            )
            session.add(recording)
            session.flush()
            note.reason = f"added later recording {recording.id}"
            return _later_view(recording)

        return self._act(actor, "add_later_recording", work)

    # -- reading -----------------------------------------------------------------------------------------------

    def get_record(self, actor: Identity, record_id: int) -> RecordView:
        def work(session: Session, note: AuditNote, staff: Staff) -> RecordView:
            record = _load_record(session, record_id, note)
            _refuse_unless_visible(staff, record)
            note.reason = "read the record"
            return _record_view(record)

        return self._act(actor, "read", work)

    def find_records(
        self,
        actor: Identity,
        *,
        case_reference: str | None = None,
        practitioner: StaffRef | None = None,
        awaiting_my_agreement: bool = False,
        discussed_from: date | None = None,
        discussed_to: date | None = None,
    ) -> list[RecordView]:
        """The records this person may see that match every filter given, oldest discussion first.

        Managers see their team's records; practitioners and duty officers their own; anyone a party to a
        discussion sees its record. Dates are days in Europe/London, both ends included.
        """

        def work(session: Session, note: AuditNote, staff: Staff) -> list[RecordView]:
            _refuse_unless_reader(staff)
            query = _records_query().where(_visible(staff))
            filters = []
            if case_reference is not None:
                reference = self._reference(case_reference)
                note.case_reference = reference
                query = query.join(Case).where(Case.reference == reference)
                filters.append(f"case {reference}")
            if practitioner is not None:
                people = find_staff(session, practitioner, active_only=False)
                if not people:
                    raise NotFound("There is no member of staff with that name or number.")
                query = query.where(DiscussionRecord.practitioner_id.in_([p.id for p in people]))
                filters.append("practitioner " + ", ".join(str(p.id) for p in people))
            if awaiting_my_agreement:
                query = query.where(
                    or_(DiscussionRecord.practitioner_id == staff.id, DiscussionRecord.manager_id == staff.id),
                    DiscussionRecord.recorded_by_id != staff.id,
                    ~exists().where(Agreement.record_id == DiscussionRecord.id),
                )
                filters.append("awaiting their agreement")
            if discussed_from is not None:
                query = query.where(DiscussionRecord.discussed_at >= _start_of(discussed_from, "first date"))
                filters.append(f"from {discussed_from}")
            if discussed_to is not None:
                query = query.where(
                    DiscussionRecord.discussed_at < _start_of(discussed_to, "last date") + timedelta(days=1)
                )
                filters.append(f"to {discussed_to}")
            records = session.execute(query).scalars().unique().all()
            note.record_ids = [r.id for r in records]
            note.reason = f"found {len(records)} record(s)" + (f" by {'; '.join(filters)}" if filters else "")
            return [_record_view(r) for r in records]

        return self._act(actor, "find_records", work)

    def case_file(self, actor: Identity, case_reference: str) -> CaseView:
        """What this person may see of one case: records, later recordings and whether it is secured."""

        def work(session: Session, note: AuditNote, staff: Staff) -> CaseView:
            reference = self._reference(case_reference)
            note.case_reference = reference
            view = self._case_view(session, staff, reference, note)
            note.reason = f"read the case file: {len(view.records)} record(s), {len(view.later_recordings)} later"
            return view

        return self._act(actor, "read_case", work)

    def export(
        self, actor: Identity, record_id: int | None = None, case_reference: str | None = None, fmt: str = "docx"
    ) -> ExportedDocument:
        """One record, or everything this person may see on a case, as a document for the case file."""

        def work(session: Session, note: AuditNote, staff: Staff) -> ExportedDocument:
            if (record_id is None) == (case_reference is None):
                raise InvalidEntry("Export either one record or one case.")
            if fmt not in EXPORT_FORMATS:
                raise InvalidEntry(f"The export format is one of: {', '.join(EXPORT_FORMATS)}.")
            if record_id is not None:
                record = _load_record(session, record_id, note)
                _refuse_unless_visible(staff, record)
                whole = self._case_view(session, staff, record.case.reference, note)
                view = CaseView(whole.reference, whole.secured, (_record_view(record),), whole.later_recordings)
                name = f"{view.reference}-record-{record.id}"
            else:
                reference = self._reference(case_reference)
                note.case_reference = reference
                view = self._case_view(session, staff, reference, note)
                name = f"{reference}-discussions"
            note.record_ids = [r.id for r in view.records]
            note.reason = f"exported {len(view.records)} record(s) as {fmt}"
            blocks = exporting.blocks(view, member(staff), london(self._now()))
            if fmt == "docx":
                return ExportedDocument(f"{name}.docx", exporting.DOCX_MEDIA_TYPE, exporting.docx(blocks))
            return ExportedDocument(f"{name}.txt", "text/plain; charset=utf-8", exporting.text(blocks).encode())

        return self._act(actor, "export", work)

    # -- the outbox --------------------------------------------------------------------------------------------

    def pending_notifications(self, channel: str) -> list[PendingNotification]:
        """Undelivered notifications for staff who use this channel, oldest first, with whom to send them to."""
        with self.database.session() as session:
            rows = session.execute(
                select(Notification, Staff, StaffIdentity)
                .join(Staff, Notification.staff_id == Staff.id)
                .join(StaffIdentity, and_(StaffIdentity.staff_id == Staff.id, StaffIdentity.channel == channel))
                .where(Notification.delivered_at.is_(None), Staff.active.is_(True))
                .order_by(Notification.created_at, Notification.id, StaffIdentity.id)
            ).all()
            seen: set[int] = set()
            pending = []
            for notification, staff, identity in rows:
                if notification.id not in seen:
                    seen.add(notification.id)
                    pending.append(
                        PendingNotification(
                            notification.id,
                            staff.id,
                            staff.name,
                            identity.channel,
                            identity.external_id,
                            notification.text,
                            notification.created_at,
                        )
                    )
            return pending

    def claim_notification(
        self, channel: str, lease: timedelta = NOTIFICATION_LEASE, skip: Collection[int] = ()
    ) -> PendingNotification | None:
        """The oldest undelivered notification for staff who use this channel that no server is sending, claimed for
        `lease`: until it is delivered, released or the lease runs out, no other server (or channel) gets it.

        On PostgreSQL rows another server is claiming are skipped, not waited for (FOR UPDATE SKIP LOCKED); on SQLite
        the claim's transaction takes the write lock at BEGIN.
        """
        now = self._now()
        with self.database.session() as session:
            query = (
                select(Notification, Staff, StaffIdentity)
                .join(Staff, Notification.staff_id == Staff.id)
                .join(StaffIdentity, and_(StaffIdentity.staff_id == Staff.id, StaffIdentity.channel == channel))
                .where(
                    Notification.delivered_at.is_(None),
                    Staff.active.is_(True),
                    or_(Notification.claimed_until.is_(None), Notification.claimed_until <= now),
                )
                .order_by(Notification.created_at, Notification.id, StaffIdentity.id)
                .limit(1)
                .with_for_update(skip_locked=True, of=Notification)
            )
            if skip:
                query = query.where(Notification.id.not_in(list(skip)))
            found = session.execute(query).first()
            if found is None:
                return None
            notification, staff, identity = found
            notification.claimed_until = now + lease
            return PendingNotification(
                notification.id,
                staff.id,
                staff.name,
                identity.channel,
                identity.external_id,
                notification.text,
                notification.created_at,
            )

    def release_notification(self, notification_id: int) -> None:
        """Give up a claim without delivering (the channel could not send it): any server may send it again."""
        with self.database.session() as session:
            notification = session.get(Notification, notification_id, with_for_update=True)
            if notification is not None and notification.delivered_at is None:
                notification.claimed_until = None

    def mark_delivered(self, notification_id: int) -> bool:
        """Record that a notification was delivered; False if it was already (or does not exist)."""
        with self.database.session() as session:
            notification = session.get(Notification, notification_id, with_for_update=True)
            if notification is None or notification.delivered_at is not None:
                return False
            notification.delivered_at = self._now()
            notification.claimed_until = None
            return True

    # -- helpers -----------------------------------------------------------------------------------------------

    def _act(self, actor: Identity, action: str, work: Callable[[Session, AuditNote, Staff], object]):
        identity = as_identity(actor)

        def as_staff(session: Session, note: AuditNote):
            staff = resolve_actor(session, identity)
            note.staff_id = staff.id
            return work(session, note, staff)

        return audited(self.database, identity, action, self._now, as_staff)

    def _reference(self, text: object) -> str:
        return normalise_case_reference(text, self.case_reference_pattern)

    def _case(self, session: Session, reference: str, create: bool) -> Case | None:
        """The case with this reference, created first if asked."""
        query = select(Case).where(Case.reference == reference)
        case = session.execute(query).scalar_one_or_none()
        if case is None and create:
            try:
                with session.begin_nested():
                    session.add(Case(reference=reference, created_at=self._now()))
            except IntegrityError:
                pass  # created by a concurrent request; read it below
            case = session.execute(query).scalar_one()
        return case

    def _case_view(self, session: Session, staff: Staff, reference: str, note: AuditNote) -> CaseView:
        _refuse_unless_reader(staff)
        case = self._case(session, reference, create=False)
        records: list[DiscussionRecord] = []
        later: list[LaterRecording] = []
        if case is not None:
            query = _records_query().where(DiscussionRecord.case_id == case.id, _visible(staff))
            records = session.execute(query).scalars().unique().all()
            later = [r for r in case.later_recordings if _may_see_later(staff, r)]
        if not records and not later:
            raise _nothing_you_can_see(reference)
        note.record_ids = [r.id for r in records]
        return CaseView(
            reference,
            _secured_view(case),
            tuple(_record_view(r) for r in records),
            tuple(_later_view(r) for r in later),
        )

    def _notify(self, session: Session, staff: Staff, record: DiscussionRecord | None, text: str) -> None:
        session.add(
            Notification(
                staff=staff, record_id=record.id if record is not None else None, text=text, created_at=self._now()
            )
        )


# -- access rules ------------------------------------------------------------------------------------------------


def _visible(staff: Staff):
    """Records this person may read: their team's if a manager, and any discussion they took part in."""
    party = or_(DiscussionRecord.practitioner_id == staff.id, DiscussionRecord.manager_id == staff.id)
    if staff.role in MANAGER_ROLES:
        return or_(party, DiscussionRecord.team == staff.team)
    return party


def _may_see(staff: Staff, record: DiscussionRecord) -> bool:
    if staff.id in (record.practitioner_id, record.manager_id):
        return True
    return staff.role in MANAGER_ROLES and record.team == staff.team


def _may_see_later(staff: Staff, recording: LaterRecording) -> bool:
    if recording.recorded_by_id == staff.id:
        return True
    return staff.role in MANAGER_ROLES and recording.team == staff.team


def _involved(session: Session, staff: Staff, case: Case) -> bool:
    """A party to a discussion on the case, or a manager of a team with a record on it."""
    return session.execute(select(exists().where(DiscussionRecord.case_id == case.id, _visible(staff)))).scalar()


def _refuse_unless_reader(staff: Staff) -> None:
    if staff.role not in READER_ROLES:
        raise AccessRefused("Admins manage the staff directory and cannot read case records.")


def _refuse_unless_visible(staff: Staff, record: DiscussionRecord) -> None:
    _refuse_unless_reader(staff)
    if not _may_see(staff, record):
        raise AccessRefused(
            f"You cannot see record {record.id}: it is not one of yours"
            + (" or your team's." if staff.role in MANAGER_ROLES else ".")
        )


def _nothing_you_can_see(reference: str) -> NotFound:
    """The one refusal for a case that does not exist and for a case someone may not see: they look the same."""
    return NotFound(f"There is nothing on the case file for {reference} that you can see.")


def _refuse_if_secured(session: Session, case: Case, staff: Staff) -> None:
    """Lock the case against a concurrent securing, then refuse if it is secured: saying when and by whom only to
    people inside the case (involved, or a Senior Manager or admin); anyone else learns no more than that there is
    nothing they can see."""
    session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    secured = session.execute(select(SecuredFile).where(SecuredFile.case_id == case.id)).scalar_one_or_none()
    if secured is not None:
        if staff.role not in ANY_CASE_SECURING_ROLES and not _involved(session, staff, case):
            raise FileSecured(
                f"There is nothing on the case file for {case.reference} that you can see, and nothing can be added "
                "to it from here. Nothing was saved; ask your Service Manager."
            )
        raise FileSecured(
            f"The case file for {case.reference} was secured on {london(secured.secured_at)} by "
            f"{secured.secured_by.name} (Framework 3.42-3.44): it takes no new records, agreements or "
            "amendments. To update it about events that preceded the decision to pursue a review, add a later "
            "recording (3.45)."
        )


# -- checking what was entered -----------------------------------------------------------------------------------


def _party(session: Session, ref: StaffRef, roles: tuple[str, ...], what: str) -> Staff:
    people = find_staff(session, ref)
    if not people:
        raise NotFound(f"There is no active member of staff with that name or number to record as the {what}.")
    if len(people) > 1:
        raise InvalidEntry(f"More than one member of staff has that name; give the {what}'s staff number instead.")
    person = people[0]
    if person.role not in roles:
        if what == "manager":
            raise InvalidEntry(
                f"{person.name} is registered as {member(person).role_label}: the discussion is with "
                "the Service Manager or, if they are not available, another Cafcass manager "
                "(Framework 2.81)."
            )
        raise InvalidEntry(
            f"{person.name} is registered as {member(person).role_label}, not as a practitioner or duty officer."
        )
    return person


def _points(points: object) -> dict[str, str | None]:
    """Every 2.81 point, None where it was not discussed; InvalidEntry if nothing was."""
    if not isinstance(points, Mapping):
        raise InvalidEntry("The points of the discussion are missing.")
    unknown = [str(k)[:40] for k in points if k not in LABELS]
    if unknown:
        raise InvalidEntry(f"Unknown points: {', '.join(unknown)}. The points are: {', '.join(POINT_KEYS)}.")
    values = {key: _point_text(key, points.get(key), required=False) for key in POINT_KEYS}
    if all(v is None for v in values.values()):
        raise InvalidEntry("None of the points of the discussion (Framework 2.81) has an answer.")
    return values


def _amendment(changes: object) -> dict[str, str]:
    if changes is None:
        return {}
    if not isinstance(changes, Mapping):
        raise InvalidEntry("An amendment gives new text for one or more points.")
    unknown = [str(k)[:40] for k in changes if k not in LABELS]
    if unknown:
        raise InvalidEntry(f"Unknown points: {', '.join(unknown)}. The points are: {', '.join(POINT_KEYS)}.")
    return {key: _point_text(key, text, required=True) for key, text in changes.items()}


def _point_text(key: str, value: object, required: bool) -> str | None:
    what = f'answer to "{LABELS[key]}"'
    text = clean_text(value, what, MAX_POINT_CHARS, required=required)
    if text is None or (not required and text.lower() == NOT_DISCUSSED.lower()):
        return None
    if key in CHOICES:
        choice = text.lower().replace(" ", "_")
        if choice not in CHOICES[key]:
            raise InvalidEntry(f'"{LABELS[key]}" is answered with one of: {", ".join(CHOICES[key])}.')
        return choice
    return text


def _moment(value: object, what: str) -> datetime:
    """An aware UTC datetime; a naive one is read as time in England."""
    if not isinstance(value, datetime):
        raise InvalidEntry(f"The {what} is missing.")
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    return value.astimezone(timezone.utc)


def _start_of(day: object, what: str) -> datetime:
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidEntry(f"The {what} must be a date.")
    return datetime.combine(day, time(0), LONDON).astimezone(timezone.utc)


# -- loading and views -------------------------------------------------------------------------------------------


def _delete_draft(session: Session, draft_id: object, staff: Staff, saved: DiscussionRecord | None = None) -> None:
    """The actor's own draft of what was just saved: deleted with it, or, for a new record, emptied of its answers
    and left naming the record (see Draft.saved_record_id). Another's draft, or none, is left alone."""
    if not isinstance(draft_id, str):
        return
    mine = and_(Draft.id == draft_id, Draft.staff_id == staff.id)
    if saved is None:
        session.execute(delete(Draft).where(mine))
    else:
        session.execute(update(Draft).where(mine).values(answers="{}", saved_record_id=saved.id))


def _records_query():
    return (
        select(DiscussionRecord)
        .options(
            joinedload(DiscussionRecord.case).joinedload(Case.secured).joinedload(SecuredFile.secured_by),
            joinedload(DiscussionRecord.practitioner),
            joinedload(DiscussionRecord.manager),
            joinedload(DiscussionRecord.recorded_by),
            joinedload(DiscussionRecord.agreement).joinedload(Agreement.agreed_by),
            selectinload(DiscussionRecord.amendments).joinedload(Amendment.amended_by),
            selectinload(DiscussionRecord.earlier_agreements).joinedload(EarlierAgreement.agreed_by),
        )
        .order_by(DiscussionRecord.discussed_at, DiscussionRecord.id)
    )


def _load_record(session: Session, record_id: object, note: AuditNote) -> DiscussionRecord:
    if not isinstance(record_id, int) or isinstance(record_id, bool):
        raise NotFound("Give the record's number.")
    note.record_ids = [record_id]
    record = session.execute(_records_query().where(DiscussionRecord.id == record_id)).scalars().unique().first()
    if record is None:
        raise NotFound(f"There is no record {record_id}.")
    note.case_reference = record.case.reference
    return record


def _record_view(record: DiscussionRecord) -> RecordView:
    agreed_at = record.agreement.agreed_at if record.agreement is not None else None
    agreements = [a.agreed_at for a in record.earlier_agreements] + ([agreed_at] if agreed_at is not None else [])
    first_agreed = min(agreements, default=None)
    points = []
    for key in POINT_KEYS:
        original = getattr(record, key)
        amendments = tuple(
            AmendmentView(
                a.text,
                a.reason,
                member(a.amended_by),
                a.amended_at,
                a.on_agreement,
                after_agreement=first_agreed is not None and not a.on_agreement and a.amended_at >= first_agreed,
            )
            for a in record.amendments
            if a.point == key
        )
        points.append(PointView(key, original, amendments[-1].text if amendments else original, amendments))
    return RecordView(
        id=record.id,
        case_reference=record.case.reference,
        team=record.team,
        practitioner=member(record.practitioner),
        manager=member(record.manager),
        recorded_by=member(record.recorded_by),
        recorded_at=record.recorded_at,
        discussed_at=record.discussed_at,
        concern_identified_at=record.concern_identified_at,
        agreed_by=member(record.agreement.agreed_by) if record.agreement is not None else None,
        agreed_at=agreed_at,
        points=tuple(points),
        secured=_secured_view(record.case),
        decision_reasons=record.decision_reasons,
        earlier_agreements=tuple(
            EarlierAgreementView(member(a.agreed_by), a.agreed_at, a.withdrawn_at) for a in record.earlier_agreements
        ),
    )


def _secured_view(case: Case | None) -> SecuredView | None:
    if case is None or case.secured is None:
        return None
    return SecuredView(case.reference, member(case.secured.secured_by), case.secured.secured_at, case.secured.reason)


def _later_view(recording: LaterRecording) -> LaterRecordingView:
    return LaterRecordingView(
        recording.id,
        recording.case.reference,
        member(recording.recorded_by),
        recording.recorded_at,
        recording.event_date,
        recording.text,
    )

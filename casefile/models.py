"""The case file's tables: staff and their identities, cases, discussion records with agreements and amendments, secured
files, later recordings, follow-ups and their reminders, the outbox, the audit log and the drafts of tasks under way."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from casefile.points import POINT_KEYS

ROLES = ("practitioner", "duty_officer", "service_manager", "senior_manager", "admin")
MANAGER_ROLES = ("service_manager", "senior_manager")
PRACTITIONER_ROLES = ("practitioner", "duty_officer")
CHANNELS = ("telegram", "teams", "terminal", "rest")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Base = declarative_base(metadata=metadata)


class UTCDateTime(TypeDecorator):
    """A moment stored as naive UTC on every database and read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("The case file stores aware datetimes only.")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    role = Column(String(20), nullable=False)
    team = Column(String(100), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False)

    identities = relationship("StaffIdentity", back_populates="staff", order_by="StaffIdentity.id")


class StaffIdentity(Base):
    __tablename__ = "staff_identities"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
    )

    id = Column(Integer, primary_key=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    external_id = Column(String(200), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)

    staff = relationship("Staff", back_populates="identities")


class Case(Base):
    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    reference = Column(String(64), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)

    secured = relationship("SecuredFile", uselist=False, back_populates="case")
    later_recordings = relationship(
        "LaterRecording", back_populates="case", order_by="(LaterRecording.recorded_at, LaterRecording.id)"
    )


class DiscussionRecord(Base):
    """A record of a practitioner's discussion with a manager (2.81); rows are never updated."""

    __table__ = Table(
        "discussion_records",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
        Column("team", String(100), nullable=False, index=True),
        Column("practitioner_id", Integer, ForeignKey("staff.id"), nullable=False, index=True),
        Column("manager_id", Integer, ForeignKey("staff.id"), nullable=False, index=True),
        Column("recorded_by_id", Integer, ForeignKey("staff.id"), nullable=False),
        Column("recorded_at", UTCDateTime, nullable=False),
        Column("discussed_at", UTCDateTime, nullable=False, index=True),
        Column("concern_identified_at", UTCDateTime, nullable=False),
        Column("idempotency_key", String(200), nullable=False, unique=True),
        *(Column(key, Text, nullable=True) for key in POINT_KEYS),
        Column("decision_reasons", Text, nullable=True),
    )

    case = relationship("Case")
    practitioner = relationship("Staff", foreign_keys=[__table__.c.practitioner_id])
    manager = relationship("Staff", foreign_keys=[__table__.c.manager_id])
    recorded_by = relationship("Staff", foreign_keys=[__table__.c.recorded_by_id])
    agreement = relationship("Agreement", uselist=False, back_populates="record")
    amendments = relationship("Amendment", back_populates="record", order_by="(Amendment.amended_at, Amendment.id)")
    earlier_agreements = relationship("EarlierAgreement", order_by="EarlierAgreement.id")


class Agreement(Base):
    """The other party's agreement to a record (2.82); one per record."""

    __tablename__ = "agreements"

    id = Column(Integer, primary_key=True)
    record_id = Column(Integer, ForeignKey("discussion_records.id"), nullable=False, unique=True)
    agreed_by_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    agreed_at = Column(UTCDateTime, nullable=False)

    record = relationship("DiscussionRecord", back_populates="agreement")
    agreed_by = relationship("Staff")


class EarlierAgreement(Base):
    """An agreement that no longer stands: the record was amended after it, so agreement was asked for again."""

    __tablename__ = "earlier_agreements"

    id = Column(Integer, primary_key=True)
    record_id = Column(Integer, ForeignKey("discussion_records.id"), nullable=False, index=True)
    agreed_by_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    agreed_at = Column(UTCDateTime, nullable=False)
    withdrawn_at = Column(UTCDateTime, nullable=False)
    amendment_id = Column(Integer, ForeignKey("amendments.id"), nullable=False)

    agreed_by = relationship("Staff")


class Amendment(Base):
    """A dated change to one point of a record by a named person; the record keeps its original text."""

    __tablename__ = "amendments"

    id = Column(Integer, primary_key=True)
    record_id = Column(Integer, ForeignKey("discussion_records.id"), nullable=False, index=True)
    point = Column(String(40), nullable=False)
    text = Column(Text, nullable=False)
    reason = Column(Text, nullable=False)
    amended_by_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    amended_at = Column(UTCDateTime, nullable=False)
    on_agreement = Column(Boolean, nullable=False, default=False)

    record = relationship("DiscussionRecord", back_populates="amendments")
    amended_by = relationship("Staff")


class SecuredFile(Base):
    """A case file secured for a Serious Case Review (3.42-3.44)."""

    __tablename__ = "secured_files"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, unique=True)
    secured_by_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    secured_at = Column(UTCDateTime, nullable=False)
    reason = Column(Text, nullable=False)

    case = relationship("Case", back_populates="secured")
    secured_by = relationship("Staff")


class LaterRecording(Base):
    """An update about earlier events made after the file was secured, dated and kept apart from the original (3.45)."""

    __tablename__ = "later_recordings"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    team = Column(String(100), nullable=False)
    recorded_by_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    recorded_at = Column(UTCDateTime, nullable=False)
    event_date = Column(Date, nullable=False)
    text = Column(Text, nullable=False)

    case = relationship("Case", back_populates="later_recordings")
    recorded_by = relationship("Staff")


class Notification(Base):
    """A message waiting in the outbox for a channel to deliver to a member of staff."""

    __tablename__ = "notifications"

    id = Column(Integer, primary_key=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False, index=True)
    record_id = Column(Integer, ForeignKey("discussion_records.id"), nullable=True)
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    delivered_at = Column(UTCDateTime, nullable=True, index=True)
    claimed_until = Column(UTCDateTime, nullable=True)  # a server is sending it until then (its lease)

    staff = relationship("Staff")


FOLLOW_UP_KINDS = ("action", "referral_confirmation")
REMINDER_KINDS = ("before", "due")


class FollowUp(Base):
    """Something agreed in a discussion that someone must do by a time: an action from point 10 of 2.81, or a
    referral's written confirmation (2.103, 2.108, Appendix V)."""

    __tablename__ = "follow_ups"
    __table_args__ = (CheckConstraint(_in("kind", FOLLOW_UP_KINDS), name="kind"),)

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    record_id = Column(Integer, ForeignKey("discussion_records.id"), nullable=True, index=True)
    team = Column(String(100), nullable=False, index=True)
    kind = Column(String(30), nullable=False)
    description = Column(Text, nullable=False)
    owner_id = Column(Integer, ForeignKey("staff.id"), nullable=False, index=True)
    created_by_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=False, index=True)
    done_at = Column(UTCDateTime, nullable=True)
    done_by_id = Column(Integer, ForeignKey("staff.id"), nullable=True)

    case = relationship("Case")
    owner = relationship("Staff", foreign_keys=[owner_id])
    done_by = relationship("Staff", foreign_keys=[done_by_id])
    extensions = relationship("FollowUpExtension", order_by="FollowUpExtension.id")


class FollowUpExtension(Base):
    """More time for a follow-up, asked for with a reason; the earlier due time is kept."""

    __tablename__ = "follow_up_extensions"

    id = Column(Integer, primary_key=True)
    follow_up_id = Column(Integer, ForeignKey("follow_ups.id"), nullable=False, index=True)
    earlier_due_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=False)
    reason = Column(Text, nullable=False)
    asked_by_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    asked_at = Column(UTCDateTime, nullable=False)


class Reminder(Base):
    """One reminder of a follow-up, sent once: claimed by the replica that turns it into a notification."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("follow_up_id", "kind", "due_at"),
        CheckConstraint(_in("kind", REMINDER_KINDS), name="kind"),
    )

    id = Column(Integer, primary_key=True)
    follow_up_id = Column(Integer, ForeignKey("follow_ups.id"), nullable=False, index=True)
    kind = Column(String(10), nullable=False)
    due_at = Column(UTCDateTime, nullable=False)  # the follow-up's due time this reminder is for
    send_at = Column(UTCDateTime, nullable=False, index=True)
    claimed_at = Column(UTCDateTime, nullable=True)


class Digest(Base):
    """A manager's weekly digest for one week, claimed once so that only one replica sends it."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("staff_id", "week_of"),)

    id = Column(Integer, primary_key=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    week_of = Column(Date, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class AuditEntry(Base):
    """Who did or tried what, when, on which case and record, and whether it was allowed."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    occurred_at = Column(UTCDateTime, nullable=False, index=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=True, index=True)
    channel = Column(String(20), nullable=False)
    external_id = Column(String(200), nullable=False)
    action = Column(String(40), nullable=False)
    case_reference = Column(String(64), nullable=True, index=True)
    record_id = Column(Integer, nullable=True, index=True)
    allowed = Column(Boolean, nullable=False)
    reason = Column(Text, nullable=False)
    # SHA-256 of the previous entry's chain_hash and this entry's content (casefile.audit.chain_hash).
    chain_hash = Column(String(64), nullable=False)


class Draft(Base):
    """The answers of a case-file task under way, kept here rather than in the conversation store: readable only by the
    member of staff whose task it is, deleted when the task is saved or stopped, purged when left too long."""

    __tablename__ = "drafts"

    id = Column(String(32), primary_key=True)  # random, so that knowing one draft's id tells nothing of another's
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False, index=True)
    task = Column(String(20), nullable=False)
    answers = Column(Text, nullable=False)  # a JSON object: each question's answer
    # Once its record is saved: the record's id, the answers gone. Kept so that confirming again after a crash lost
    # the reply finds what was saved; purged like any other draft.
    saved_record_id = Column(Integer, ForeignKey("discussion_records.id"), nullable=True)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False, index=True)

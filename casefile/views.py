"""Read-only views of case-file data handed to callers, detached from any database session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from casefile.points import LABELS, shown

ROLE_LABELS = {
    "practitioner": "practitioner",
    "duty_officer": "duty officer",
    "service_manager": "Service Manager",
    "senior_manager": "Senior Manager",
    "admin": "admin",
}


class Identity(NamedTuple):
    """Who is acting, as a channel knows them: ("telegram", "123456789"), ("teams", "29:1a..."), ("terminal", "sam")."""

    channel: str
    external_id: str


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str
    role: str
    team: str
    active: bool

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def described(self) -> str:
        """Name, role and team, as in "Sam Patel (Service Manager, North)"."""
        return f"{self.name} ({self.role_label}, {self.team})"


@dataclass(frozen=True)
class DirectoryEntry:
    staff: StaffMember
    identities: tuple[Identity, ...]


@dataclass(frozen=True)
class AmendmentView:
    text: str
    reason: str
    amended_by: StaffMember
    amended_at: datetime
    on_agreement: bool
    after_agreement: bool


@dataclass(frozen=True)
class PointView:
    """One 2.81 point: what was first recorded, what it reads now, and every amendment in order."""

    key: str
    original: str | None
    current: str | None
    amendments: tuple[AmendmentView, ...]

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def shown(self) -> str:
        return shown(self.key, self.current)

    @property
    def shown_original(self) -> str:
        return shown(self.key, self.original)


@dataclass(frozen=True)
class SecuredView:
    case_reference: str
    secured_by: StaffMember
    secured_at: datetime
    reason: str


@dataclass(frozen=True)
class EarlierAgreementView:
    """An agreement withdrawn when the record was amended after it: who agreed, when, and when it was withdrawn."""

    agreed_by: StaffMember
    agreed_at: datetime
    withdrawn_at: datetime


@dataclass(frozen=True)
class RecordView:
    id: int
    case_reference: str
    team: str
    practitioner: StaffMember
    manager: StaffMember
    recorded_by: StaffMember
    recorded_at: datetime
    discussed_at: datetime
    concern_identified_at: datetime
    agreed_by: StaffMember | None
    agreed_at: datetime | None
    points: tuple[PointView, ...]
    secured: SecuredView | None
    decision_reasons: str | None = None
    # Agreements that no longer stand because the record was amended after them, oldest first.
    earlier_agreements: tuple[EarlierAgreementView, ...] = ()

    @property
    def not_discussed(self) -> tuple[PointView, ...]:
        """The 2.81 points the record says were not discussed."""
        return tuple(p for p in self.points if p.current is None)

    @property
    def agreed(self) -> bool:
        return self.agreed_at is not None

    @property
    def status(self) -> str:
        return "agreed" if self.agreed else "awaiting agreement"

    @property
    def other_party(self) -> StaffMember:
        """The person who agrees the record: whichever of practitioner and manager did not record it."""
        return self.manager if self.recorded_by.id == self.practitioner.id else self.practitioner

    def point(self, key: str) -> PointView:
        return next(p for p in self.points if p.key == key)


@dataclass(frozen=True)
class FollowUpView:
    """A follow-up: what, on which case and record, whose, due when, and whether it is done."""

    id: int
    case_reference: str
    record_id: int | None
    kind: str
    description: str
    owner: StaffMember
    due_at: datetime
    done_at: datetime | None
    done_by: StaffMember | None

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at < now


@dataclass(frozen=True)
class LaterRecordingView:
    id: int
    case_reference: str
    recorded_by: StaffMember
    recorded_at: datetime
    event_date: date
    text: str


@dataclass(frozen=True)
class CaseView:
    """What one member of staff may see of a case: its records, later recordings and whether it is secured."""

    reference: str
    secured: SecuredView | None
    records: tuple[RecordView, ...]
    later_recordings: tuple[LaterRecordingView, ...]


@dataclass(frozen=True)
class PendingNotification:
    id: int
    staff_id: int
    staff_name: str
    channel: str
    external_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ExportedDocument:
    filename: str
    media_type: str
    content: bytes

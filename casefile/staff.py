"""The staff directory: who may use the case file, in which role and team, and the channel identities they use."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from casefile.audit import AuditNote, audited
from casefile.database import Database
from casefile.errors import AccessRefused, ImportRejected, InvalidEntry, NotFound, UnknownStaff
from casefile.models import ROLES, Staff, StaffIdentity
from casefile.views import DirectoryEntry, Identity, StaffMember

MAX_NAME_CHARS = 200
MAX_TEAM_CHARS = 100
MAX_EXTERNAL_ID_CHARS = 200
MAX_ACTING_REASON_CHARS = 1_000
CHANNEL_OPTIONS = {
    "telegram": "--telegram-id",
    "teams": "--teams-id",
    "terminal": "--terminal-user",
}
# Channels that authenticate the person, so only they can name a member of staff. "rest" stays in the database's
# list only so that entries made before it was withdrawn still load; no one can be registered or found by it.
STAFF_CHANNELS = tuple(CHANNEL_OPTIONS)
CSV_COLUMNS = ("name", "role", "team", "telegram_id", "teams_id")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")  # not in XML or PostgreSQL text
_SHOWABLE_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,100}", re.ASCII)
_TELEGRAM_ID = re.compile(r"\d{1,20}", re.ASCII)


def as_identity(actor: object) -> Identity:
    """The (channel, external id) pair a caller passed, as an Identity; anything else cannot be anyone."""
    try:
        channel, external_id = actor  # type: ignore[misc]
    except (TypeError, ValueError):
        raise UnknownStaff("The case file could not tell who is asking; nothing was done.") from None
    return Identity(str(channel), str(external_id))


def _clip_id(text: str) -> str:
    return _CONTROL.sub("?", text)[:MAX_EXTERNAL_ID_CHARS]


def registration_hint(identity: Identity) -> str:
    """The command an admin or Service Manager runs to register this identity."""
    option = CHANNEL_OPTIONS.get(identity.channel)
    if option is None:
        return 'python -m bot staff add --name "Your Name" --role practitioner --team "Your team"'
    shown_id = identity.external_id if _SHOWABLE_ID.fullmatch(identity.external_id) else "<your id>"
    return f'python -m bot staff add --name "Your Name" --role practitioner --team "Your team" {option} {shown_id}'


# How each channel is named to a person told their id ("your Telegram id").
CHANNEL_NAMES = {"telegram": "Telegram", "teams": "Microsoft Teams", "terminal": "terminal", "rest": "chat"}


def your_id(identity: Identity) -> str:
    """The id a person gives their Service Manager or administrator to be registered: "123456 (your Telegram id)"."""
    if not _SHOWABLE_ID.fullmatch(identity.external_id):
        return "the id of the account you are writing from"
    return f"{identity.external_id} (your {CHANNEL_NAMES.get(identity.channel, identity.channel)} id)"


def resolve_actor(session: Session, identity: Identity) -> Staff:
    """The active member of staff behind an identity, or UnknownStaff telling the person the id to register."""
    staff = _staff_with_identity(session, identity)
    if staff is None:
        raise UnknownStaff(
            "You are not registered to use the case file. To be registered, give your Service Manager or "
            f"administrator this id: {your_id(identity)}."
        )
    if not staff.active:
        raise UnknownStaff(
            "Your registration for the case file has been deactivated. If you still need it, give your Service "
            f"Manager or administrator this id to register you again: {your_id(identity)}."
        )
    return staff


def _valid_identity(identity: Identity) -> bool:
    return (
        identity.channel in STAFF_CHANNELS
        and 0 < len(identity.external_id) <= MAX_EXTERNAL_ID_CHARS
        and not _CONTROL.search(identity.external_id)
        and not _UNSTORABLE.search(identity.external_id)
    )


def _staff_with_identity(session: Session, identity: Identity) -> Staff | None:
    if not _valid_identity(identity):
        return None
    return session.execute(
        select(Staff)
        .join(StaffIdentity)
        .where(StaffIdentity.channel == identity.channel, StaffIdentity.external_id == identity.external_id)
    ).scalar_one_or_none()


def member(staff: Staff) -> StaffMember:
    return StaffMember(id=staff.id, name=staff.name, role=staff.role, team=staff.team, active=staff.active)


def clean_text(value: object, what: str, limit: int, required: bool = True) -> str | None:
    """Text stripped of surrounding space; InvalidEntry if missing (when required), too long or holding a NUL."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise InvalidEntry(f"The {what} must be text.")
    if not text:
        if required:
            raise InvalidEntry(f"The {what} is missing.")
        return None
    if len(text) > limit:
        raise InvalidEntry(f"The {what} is too long: at most {limit:,} characters.")
    if _UNSTORABLE.search(text):
        raise InvalidEntry(f"The {what} contains a control character that cannot be stored.")
    return text


def _name(value: object) -> str:
    name = clean_text(value, "name", MAX_NAME_CHARS)
    if _CONTROL.search(name):
        raise InvalidEntry("The name must be on one line.")
    return " ".join(name.split())


def _team(value: object) -> str:
    team = clean_text(value, "team", MAX_TEAM_CHARS)
    if _CONTROL.search(team):
        raise InvalidEntry("The team must be on one line.")
    return " ".join(team.split())


def _role(value: object) -> str:
    role = value.strip().lower() if isinstance(value, str) else ""
    if role not in ROLES:
        raise InvalidEntry(f"The role must be one of: {', '.join(ROLES)}.")
    return role


def _external_id(channel: str, value: object) -> str:
    if channel not in STAFF_CHANNELS:
        raise InvalidEntry(f"The channel must be one of: {', '.join(STAFF_CHANNELS)}.")
    external_id = clean_text(value, f"{channel} id", MAX_EXTERNAL_ID_CHARS)
    if _CONTROL.search(external_id) or " " in external_id:
        raise InvalidEntry(f"The {channel} id must be one word with no spaces.")
    if channel == "telegram" and not _TELEGRAM_ID.fullmatch(external_id):
        raise InvalidEntry("The telegram id is the number Telegram gives the user (digits only), not the @username.")
    return external_id


class StaffDirectory:
    """Adds, lists, links and deactivates staff; every change is audited under the operator's identity."""

    def __init__(self, database: Database, clock: Callable[[], datetime] | None = None):
        self._database = database
        self._now = clock or (lambda: datetime.now(timezone.utc))

    def _audited(self, operator: Identity, action: str, work):
        identity = as_identity(operator)

        def with_operator(session: Session, note: AuditNote):
            staff = _staff_with_identity(session, identity)
            note.staff_id = staff.id if staff is not None else None
            return work(session, note)

        return audited(self._database, identity, action, self._now, with_operator)

    def act_as(self, operator: Identity, acted_as: Identity, reason: object, purpose: str) -> StaffMember:
        """Let an admin at the terminal act with another person's rights for one stated reason: audited under the
        admin, naming the person acted as, what for and why; refused (and that refusal audited) for anyone else."""
        person = as_identity(acted_as)
        named = f"{_clip_id(person.channel)}:{_clip_id(person.external_id)}"

        def work(session: Session, note: AuditNote) -> StaffMember:
            admin = _staff_with_identity(session, as_identity(operator))
            if admin is None or not admin.active or admin.role != "admin":
                raise AccessRefused(
                    f"Only a registered admin may act as someone else (asked: act as {named} to {purpose}); "
                    "nothing was done."
                )
            why = clean_text(reason, "reason for acting as someone else (--reason)", MAX_ACTING_REASON_CHARS)
            if _CONTROL.search(why):
                raise InvalidEntry("The reason for acting as someone else must be on one line.")
            note.reason = f"{admin.name} acting as {named} to {purpose}; reason: {why}"
            return member(admin)

        return self._audited(operator, "act_as", work)

    def find_by_identity(self, channel: str, external_id: str) -> StaffMember | None:
        """The active member of staff using this identity, or None if it is unknown or deactivated."""
        with self._database.session() as session:
            staff = _staff_with_identity(session, Identity(str(channel), str(external_id)))
            return member(staff) if staff is not None and staff.active else None

    def list_staff(self, include_inactive: bool = False) -> list[DirectoryEntry]:
        with self._database.session() as session:
            query = select(Staff).options(selectinload(Staff.identities)).order_by(Staff.team, Staff.name, Staff.id)
            if not include_inactive:
                query = query.where(Staff.active.is_(True))
            return [
                DirectoryEntry(member(s), tuple(Identity(i.channel, i.external_id) for i in s.identities))
                for s in session.execute(query).scalars()
            ]

    def add(
        self, name: str, role: str, team: str, identities: dict[str, str] | None = None, *, operator: Identity
    ) -> StaffMember:
        """A new active member of staff, with any channel identities ({"telegram": "123456789"})."""

        def work(session: Session, note: AuditNote) -> StaffMember:
            staff = self._new_staff(session, name, role, team, identities or {})
            note.reason = f"added staff {staff.id}: {staff.name}, {staff.role}, {staff.team}"
            return member(staff)

        return self._audited(operator, "staff_add", work)

    def deactivate(self, staff_id: int, *, operator: Identity) -> StaffMember:
        """The member of staff can no longer use the case file; their records and audit entries stay."""

        def work(session: Session, note: AuditNote) -> StaffMember:
            staff = _get(session, staff_id)
            staff.active = False
            note.reason = f"deactivated staff {staff.id}: {staff.name}"
            return member(staff)

        return self._audited(operator, "staff_deactivate", work)

    def link(self, staff_id: int, channel: str, external_id: str, *, operator: Identity) -> StaffMember:
        """Let the member of staff use the case file from this channel identity."""

        def work(session: Session, note: AuditNote) -> StaffMember:
            staff = _get(session, staff_id)
            identity = Identity(channel, _external_id(channel, external_id))
            owner = _staff_with_identity(session, identity)
            if owner is not None and owner.id != staff.id:
                raise InvalidEntry(f"That {channel} id is already linked to staff {owner.id} ({owner.name}).")
            if owner is None:
                session.add(
                    StaffIdentity(
                        staff=staff, channel=identity.channel, external_id=identity.external_id, created_at=self._now()
                    )
                )
            note.reason = f"linked {channel} id to staff {staff.id}: {staff.name}"
            return member(staff)

        return self._audited(operator, "staff_link", work)

    def import_csv(self, source: Path | str, *, operator: Identity) -> list[StaffMember]:
        """Staff from a CSV file (columns name, role, team, telegram_id, teams_id); all rows or, if any is bad, none."""
        text = Path(source).read_text(encoding="utf-8-sig") if isinstance(source, Path) else source

        def work(session: Session, note: AuditNote) -> list[StaffMember]:
            rows, problems = _parse_csv(text)
            seen: dict[Identity, int] = {}
            for line, row in rows:
                for identity in row["identities"]:
                    if identity in seen:
                        problems.append(
                            (line, f"{identity.channel} id {identity.external_id} is also on line {seen[identity]}")
                        )
                    elif _staff_with_identity(session, identity) is not None:
                        problems.append(
                            (
                                line,
                                f"{identity.channel} id {identity.external_id} is already linked "
                                "to someone in the directory",
                            )
                        )
                    seen.setdefault(identity, line)
            if problems:
                raise ImportRejected([f"line {line}: {problem}" for line, problem in sorted(problems)])
            added = [
                self._new_staff(
                    session,
                    row["name"],
                    row["role"],
                    row["team"],
                    {i.channel: i.external_id for i in row["identities"]},
                )
                for _, row in rows
            ]
            note.reason = f"imported {len(added)} staff: " + ", ".join(str(s.id) for s in added)
            return [member(s) for s in added]

        return self._audited(operator, "staff_import", work)

    def _new_staff(
        self, session: Session, name: object, role: object, team: object, identities: dict[str, str]
    ) -> Staff:
        now = self._now()
        staff = Staff(name=_name(name), role=_role(role), team=_team(team), active=True, created_at=now)
        for channel, external_id in identities.items():
            identity = Identity(channel, _external_id(channel, external_id))
            if _staff_with_identity(session, identity) is not None:
                raise InvalidEntry(f"That {channel} id is already linked to someone in the directory.")
            staff.identities.append(
                StaffIdentity(channel=identity.channel, external_id=identity.external_id, created_at=now)
            )
        session.add(staff)
        session.flush()
        return staff


def _get(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id) if isinstance(staff_id, int) and not isinstance(staff_id, bool) else None
    if staff is None:
        raise NotFound(
            f"There is no member of staff number {staff_id}. See them all with: python -m bot staff list --all"
        )
    return staff


def _parse_csv(text: str) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """Rows that passed their own checks, with their line numbers, and (line, problem) for the others."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if not header:
        return [], [(1, "the file is empty; the first line must name the columns " + ", ".join(CSV_COLUMNS))]
    missing = [c for c in ("name", "role", "team") if c not in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if missing or unknown:
        return [], [
            (
                1,
                f"the columns must be {', '.join(CSV_COLUMNS)} (missing: {', '.join(missing) or 'none'}; "
                f"not known: {', '.join(unknown) or 'none'})",
            )
        ]
    reader.fieldnames = header
    rows: list[tuple[int, dict]] = []
    problems: list[tuple[int, str]] = []
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.append((line, "more values than columns"))
            continue
        if not any((v or "").strip() for v in raw.values()):
            continue
        try:
            identities = [
                Identity(channel, _external_id(channel, raw.get(f"{channel}_id")))
                for channel in ("telegram", "teams")
                if (raw.get(f"{channel}_id") or "").strip()
            ]
            rows.append(
                (
                    line,
                    {
                        "name": _name(raw["name"]),
                        "role": _role(raw["role"]),
                        "team": _team(raw["team"]),
                        "identities": identities,
                    },
                )
            )
        except InvalidEntry as problem:
            problems.append((line, str(problem)))
    if not rows and not problems:
        problems.append((2, "the file has no staff rows"))
    return rows, problems


def find_staff(session: Session, ref: int | str, active_only: bool = True) -> Iterable[Staff]:
    """Staff with this number, or with this name (ignoring case and extra spaces)."""
    query = select(Staff)
    if isinstance(ref, int) and not isinstance(ref, bool):
        query = query.where(Staff.id == ref)
    elif isinstance(ref, str) and ref.strip() and len(ref) <= MAX_NAME_CHARS and "\x00" not in ref:
        query = query.where(func.lower(Staff.name) == " ".join(ref.split()).lower())
    else:
        return []
    if active_only:
        query = query.where(Staff.active.is_(True))
    return session.execute(query.order_by(Staff.id)).scalars().all()

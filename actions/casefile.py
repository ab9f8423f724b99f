"""The case file in conversation: record, agree, find, amend, export and secure Service Manager discussion records."""

from __future__ import annotations

import asyncio
import base64
import calendar
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import settings
from casefile import (
    NOT_DISCUSSED,
    POINTS,
    AccessRefused,
    AlreadyAgreed,
    CaseFile,
    CaseFileError,
    FileSecured,
    Identity,
    InvalidCaseReference,
    UnknownStaff,
    discussion_key,
)
from casefile.export import summary
from casefile.models import MANAGER_ROLES, PRACTITIONER_ROLES
from casefile.points import CHOICES, LABELS, POINT_KEYS, shown
from casefile.references import normalise_case_reference
from casefile.views import LONDON, RecordView, StaffMember, london
from knowledge.answers import passages_answer

log = logging.getLogger(__name__)

FORM = "casefile_form"
TASKS = {
    "record_discussion": "record",
    "agree_record": "agree",
    "amend_record": "amend",
    "export_records": "export",
    "secure_file": "secure",
    "add_later_recording": "later",
}
INTRODUCTIONS = {
    "record": "Recording your discussion with the Service Manager for the case file (Framework 2.81-2.82).",
    "agree": "Agreeing a record of your discussion (Framework 2.82).",
    "amend": "Amending a record: the amendment is added with today's date and the original text is kept.",
    "export": "Exporting records from the case file.",
    "secure": "Securing a case file for a Serious Case Review (Framework 3.42-3.44).",
    "later": "Adding a later recording to a secured case file (Framework 3.45).",
}
POINT_SLOTS = {f"point_{key}": key for key in POINT_KEYS}
FORM_SLOTS = (
    "case_reference",
    "other_party",
    "discussed_at",
    "concern_identified_at",
    *POINT_SLOTS,
    "record_confirmation",
    "point_to_change",
    "chosen_record",
    "agreement_decision",
    "amended_point",
    "amended_text",
    "amendment_reason",
    "secure_reason",
    "secure_confirmation",
    "event_date",
    "later_recording_text",
)
CHANGEABLE = {
    "case_reference": "Case reference",
    "other_party": "Who it was with",
    "discussed_at": "When it took place",
    "concern_identified_at": "When the concern was identified",
}
# Intents that steer the form rather than answer its question, when the message is short enough to be a command.
CONTROL_INTENTS = {"stop", "start_again", "why_ask"}
CONTROL_WORDS = 4
URGENT_INTENT = "urgent_danger"
USE_URGENT_MESSAGE = "Use that message as my answer"
WHY = {
    "discussed_at": ["2.95"],
    "concern_identified_at": ["2.95"],
    "other_party": ["2.81"],
    "secure_reason": ["3.42", "3.43", "3.44"],
    "secure_confirmation": ["3.44"],
    "event_date": ["3.45"],
    "later_recording_text": ["3.45"],
    **{slot: ["2.81"] for slot in POINT_SLOTS},
}
LIST_LIMIT = 10
BUTTON_TITLE = 40
MESSAGE_CHARS = 3500
CLOCK_SKEW = timedelta(minutes=5)
UNREACHABLE = "I couldn't reach the case file just now, so nothing was saved. Please try again in a few minutes."
UNREACHABLE_READ = "I couldn't reach the case file just now, so I can't show it. Please try again in a few minutes."
END = {"casefile_task": None}
# Errors after which asking the same question again cannot help.
FINAL_ERRORS = (AccessRefused, AlreadyAgreed, FileSecured, UnknownStaff)


def now() -> datetime:
    return datetime.now(LONDON)


# -- the case file, built on first use and called off the event loop -----------------------------------------------


def case_file() -> CaseFile:
    """The case file this action server uses (CASEFILE_DATABASE_URL, DATABASE_URL or var/casefile.db)."""
    return settings.case_file()


async def call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A blocking case-file call, run in a worker thread."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(method, *args, **kwargs))


def identity(tracker: Tracker) -> Identity:
    """The channel and the id on it that the sender id names: "telegram:123" -> ("telegram", "123")."""
    channel, colon, external_id = (tracker.sender_id or "").partition(":")
    return Identity(channel, external_id) if colon else Identity("", channel)


@dataclass
class Outcome:
    value: Any = None
    error: Exception | None = None

    @property
    def final(self) -> bool:
        """Whether the refusal stands however the question is answered again."""
        return isinstance(self.error, FINAL_ERRORS)


async def attempt(
    dispatcher: CollectingDispatcher, method: Callable[..., Any], *args: Any, not_done: str = "", **kwargs: Any
) -> Outcome:
    """The case file's answer; a refusal or an outage is told to the person, `not_done` saying what did not happen."""
    try:
        return Outcome(await call(method, *args, **kwargs))
    except CaseFileError as error:
        dispatcher.utter_message(text=f"{error}\n{not_done}".strip())
        return Outcome(error=error)
    except Exception as error:  # the database is down, a network failure, a bug: never a traceback to the person
        log.exception("The case file failed during %s", getattr(method, "__name__", method))
        dispatcher.utter_message(text=UNREACHABLE if not_done else UNREACHABLE_READ)
        return Outcome(error=error)


async def whoami(tracker: Tracker) -> StaffMember:
    """The active member of staff writing, or the store's refusal (UnknownStaff) saying how to get registered."""
    actor = identity(tracker)
    me = await call(case_file().staff.find_by_identity, actor.channel, actor.external_id)
    if me is None:
        await call(case_file().find_records, actor)  # refuses an unknown or deactivated identity, and audits it
        raise UnknownStaff("You are not registered to use the case file.")
    return me


async def directory() -> list[StaffMember]:
    """Everyone in the staff directory, including those no longer active (their records can still be found)."""
    return [entry.staff for entry in await call(case_file().staff.list_staff, include_inactive=True)]


def is_manager(staff: StaffMember) -> bool:
    return staff.role in MANAGER_ROLES


async def other_parties(me: StaffMember) -> list[StaffMember]:
    """Who can be the other person in the discussion: practitioners for a manager, managers for anyone else."""
    roles = PRACTITIONER_ROLES if is_manager(me) else MANAGER_ROLES
    return [s for s in await directory() if s.active and s.id != me.id and s.role in roles]


# -- reading what people type ---------------------------------------------------------------------------------------

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
ORDINAL = r"(?:st|nd|rd|th)?"
DAY_MONTH = re.compile(rf"\b(\d{{1,2}}){ORDINAL}\s+(?:of\s+)?{MONTH}(?:\s*,?\s*(\d{{4}}))?", re.I)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?\b")
CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b|\b(\d{1,2})[:.](\d{2})\b|\b(noon|midday)\b", re.I)
RECORD_NUMBER = re.compile(r"^\s*(?:record\s*(?:no\.?|number)?\s*#?|#)?\s*(\d{1,9})\s*$", re.I)
RECORD_IN_TEXT = re.compile(r"\brecord\s*(?:no\.?|number)?\s*#?\s*(\d{1,9})\b|#(\d{1,9})\b", re.I)


def normalised(text: str) -> str:
    return " ".join(text.lower().split()).strip(" .!")


def _exists(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _dated(day: int, month: int, year: str | None, today: date) -> date:
    """The date, in the year given or else the latest such date not after today; ValueError if there is none."""
    if year:
        number = int(year) + (2000 if len(year) == 2 else 0)
        if _exists(number, month, day):
            return date(number, month, day)
    else:
        for number in range(today.year, today.year - 8, -1):
            if _exists(number, month, day) and date(number, month, day) <= today:
                return date(number, month, day)
    raise ValueError("That date does not exist. Give it as day, month and year, for example 03/06/2025.")


def find_day(text: str, today: date) -> tuple[date | None, str]:
    """The day a message names ("today", "yesterday", "Monday", "3 June 2025", "03/06/2025"), and the text left over."""
    lowered = text.lower()
    for pattern in (NUMERIC_DATE, DAY_MONTH):
        match = pattern.search(lowered)
        if match:
            month = int(match.group(2)) if pattern is NUMERIC_DATE else MONTHS[match.group(2)]
            day = _dated(int(match.group(1)), month, match.group(3), today)
            return day, lowered[: match.start()] + " " + lowered[match.end() :]
    if re.search(r"\btoday\b|\bthis (morning|afternoon|evening)\b", lowered):
        return today, lowered
    if re.search(r"\byesterday\b|\blast night\b", lowered):
        return today - timedelta(days=1), lowered
    if re.search(r"\btomorrow\b", lowered):
        return today + timedelta(days=1), lowered
    for name, number in WEEKDAYS.items():
        if re.search(rf"\b{name}\b", lowered):
            return today - timedelta(days=(today.weekday() - number) % 7), lowered
    return None, lowered


def find_clock(text: str) -> time | None:
    """The time of day a message gives: "14:30", "14.30", "4pm", "4:30 pm", "noon"."""
    match = CLOCK.search(text)
    if not match:
        return None
    if match.group(6):
        return time(12, 0)
    if match.group(3):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match.group(3).lower() == "pm" else 0)
    else:
        hour, minute = int(match.group(4)), int(match.group(5))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def parse_moment(text: str, current: datetime) -> datetime:
    """A moment in UK time: "just now", "today 14:30", "yesterday 4pm", "03/06/2025 09:15"; ValueError says why not."""
    if re.fullmatch(r"\s*(just\s+now|right\s+now|now)\s*[.!]?\s*", text, re.I):
        return current.replace(second=0, microsecond=0)
    day, rest = find_day(text, current.date())
    clock = find_clock(rest)
    if clock is None:
        raise ValueError(
            'Please give the time as well as the day, for example "today 14:30", "yesterday 4pm" or "03/06/2025 09:15".'
        )
    moment = datetime.combine(day or current.date(), clock, LONDON)
    if moment > current + CLOCK_SKEW:
        raise ValueError(f"{london(moment)} is in the future. When was it?")
    return moment


def parse_date(text: str, current: date) -> date:
    day, _ = find_day(text, current)
    if day is None:
        raise ValueError('Please give the date, for example "3 June 2025" or "03/06/2025".')
    return day


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str, today: date) -> tuple[date | None, date | None]:
    """The days a message asks about ("last week", "between 1 and 15 March", "in April"), both ends included."""
    lowered = text.lower()
    day_part = rf"(\d{{1,2}}){ORDINAL}(?:\s+(?:of\s+)?{MONTH})?(?:\s*,?\s*(\d{{4}}))?"
    span = re.search(rf"\b(?:between\s+|from\s+)?{day_part}\s+(?:and|to|until|till|-)\s+{day_part}", lowered)
    if span and span.group(5):
        end = _dated(int(span.group(4)), MONTHS[span.group(5)], span.group(6), today)
        start_month = MONTHS[span.group(2)] if span.group(2) else end.month
        start = _dated(int(span.group(1)), start_month, span.group(3) or str(end.year), today)
        if start > end and not span.group(3):
            start = _dated(int(span.group(1)), start_month, str(end.year - 1), today)
        return start, end
    numeric = re.search(
        r"\b(?:between\s+|from\s+)?(\d{1,2}/\d{1,2}/\d{2,4})\s+(?:and|to|until|-)\s+"
        r"(\d{1,2}/\d{1,2}/\d{2,4})",
        lowered,
    )
    if numeric:
        return find_day(numeric.group(1), today)[0], find_day(numeric.group(2), today)[0]
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    named = [
        (r"\btoday\b", (today, today)),
        (r"\byesterday\b", (today - timedelta(days=1), today - timedelta(days=1))),
        (r"\bthis week\b", (monday, today)),
        (r"\blast week\b", (monday - timedelta(days=7), monday - timedelta(days=1))),
        (r"\bthis month\b", (first, today)),
        (r"\blast month\b", _month_range((first - timedelta(days=1)).year, (first - timedelta(days=1)).month)),
        (r"\bthis year\b", (date(today.year, 1, 1), today)),
    ]
    for pattern, period in named:
        if re.search(pattern, lowered):
            return period
    recent = re.search(r"\b(?:last|past)\s+(\d{1,3})\s+days\b", lowered)
    if recent:
        return today - timedelta(days=int(recent.group(1)) - 1), today
    since = re.search(r"\bsince\b(.*)", lowered)
    if since:
        start, _ = find_day(since.group(1), today)
        if start is not None:
            return start, today
    month = re.search(rf"\b(?:in|during|from|for|of)\s+{MONTH}(?:\s+(\d{{4}}))?", lowered)
    if month:
        number = MONTHS[month.group(1)]
        year = int(month.group(2)) if month.group(2) else (today.year if number <= today.month else today.year - 1)
        return _month_range(year, number)
    day, _ = find_day(lowered, today) if re.search(r"\bon\b", lowered) else (None, lowered)
    return (day, day) if day else (None, None)


def case_references(text: str) -> list[str]:
    """Every valid case reference in a message, normalised, in order."""
    pattern = case_file().case_reference_pattern
    found = []
    for token in text.split():
        try:
            reference = normalise_case_reference(token.strip(".,;:()[]'\"!?"), pattern)
        except InvalidCaseReference:
            continue
        if reference not in found:
            found.append(reference)
    return found


def record_number(text: str, entities: list[dict[str, Any]]) -> int | None:
    """The record a button (entity "record") or the words ("record 12", "#12") name."""
    for entity in entities:
        if entity.get("entity") == "record" and str(entity.get("value", "")).strip().isdigit():
            return int(str(entity["value"]).strip())
    match = RECORD_IN_TEXT.search(text) if not text.startswith("/") else None
    return int(match.group(1) or match.group(2)) if match else None


def named_staff(text: str, staff: list[StaffMember]) -> list[StaffMember]:
    """Staff a message names: by full name in any case, or by a first name written with a capital."""
    lowered = f" {normalised(text)} "
    full = [s for s in staff if f" {s.name.lower()} " in lowered or f" {s.name.lower()}'s " in lowered]
    if full:
        return full
    words = set(re.findall(r"\b([A-Z][a-z'-]+)\b", text))
    return [s for s in staff if s.name.split()[0] in words or s.name.split()[0] + "'s" in words]


def button(title: str, payload: str | None = None) -> dict[str, str]:
    shown_title = title if len(title) <= BUTTON_TITLE else title[: BUTTON_TITLE - 1].rstrip() + "…"
    return {"title": shown_title, "payload": payload if payload is not None else title}


def choose(text: str, options: list[tuple[str, str]]) -> str | None:
    """The value of the option (value, words) a message picks, by its words or its value."""
    said = normalised(text)
    for value, words in options:
        if said in (normalised(words), normalised(value), normalised(value.replace("_", " "))):
            return value
    return None


def chunks(text: str, limit: int = MESSAGE_CHARS) -> list[str]:
    """Long text split into messages a chat app takes: at blank lines, else at line ends, else anywhere."""
    pieces: list[tuple[str, str]] = []  # (text, what joins it to the piece before)
    for block in text.split("\n\n"):
        if len(block) <= limit:
            pieces.append((block, "\n\n"))
            continue
        for line in block.split("\n"):
            pieces += [(line[i : i + limit], "\n") for i in range(0, max(len(line), 1), limit)]
    parts: list[str] = []
    current = ""
    for piece, joiner in pieces:
        if current and len(current) + len(joiner) + len(piece) > limit:
            parts.append(current)
            current = piece
        else:
            current = f"{current}{joiner}{piece}" if current else piece
    return parts + [current] if current.strip() else parts


# -- what the conversation holds ------------------------------------------------------------------------------------


def intent_of(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def text_of(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def user_events(tracker: Tracker) -> list[dict[str, Any]]:
    return [e for e in tracker.events if e.get("event") == "user"]


def previous_user_text(tracker: Tracker) -> str:
    users = user_events(tracker)
    return (users[-2].get("text") or "").strip() if len(users) > 1 else ""


def task_of(tracker: Tracker) -> str | None:
    return tracker.get_slot("casefile_task")


def required(tracker: Tracker) -> list[str]:
    """The questions the current task asks, in order; the form asks the first unanswered one."""
    task = task_of(tracker)
    if task == "record":
        slots = [
            "case_reference",
            "other_party",
            "discussed_at",
            "concern_identified_at",
            *POINT_SLOTS,
            "record_confirmation",
        ]
        return slots + (["point_to_change"] if tracker.get_slot("record_confirmation") == "change" else [])
    if task == "agree":
        amending = tracker.get_slot("agreement_decision") == "amend"
        return ["chosen_record", "agreement_decision"] + (["amended_point", "amended_text"] if amending else [])
    if task == "amend":
        return ["chosen_record", "amended_point", "amended_text", "amendment_reason"]
    if task == "export":
        return [] if tracker.get_slot("chosen_record") else ["case_reference"]
    if task == "secure":
        return ["case_reference", "secure_reason", "secure_confirmation"]
    if task == "later":
        return ["case_reference", "event_date", "later_recording_text"]
    return []


def cleared() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("requested_slot", None)]


def interrupts(tracker: Tracker, slot: str) -> bool:
    """Whether the message is for a rule (urgent danger, stop, start again, why) rather than an answer.

    A button of the question ("Not discussed", "Cancel") is an answer whatever the classifier made of it; so is a
    long message, which is more likely an answer that happens to sound like "stop" than a command.
    """
    intent = intent_of(tracker)
    text = text_of(tracker)
    if intent == URGENT_INTENT:
        return True
    if normalised(text) in {normalised(words) for words in BUTTON_WORDS.get(slot, ())}:
        return False
    return intent in CONTROL_INTENTS and (text.startswith("/") or len(text.split()) <= CONTROL_WORDS)


def point_options(key: str) -> list[tuple[str, str]]:
    return list(CHOICES.get(key, {}).items()) + [(NOT_DISCUSSED, NOT_DISCUSSED)]


def numbered_points() -> list[tuple[str, str]]:
    return [(key, f"{number}. {label}") for number, (key, label) in enumerate(POINTS, start=1)]


CONFIRMATION = [("save", "Save"), ("change", "Change a point"), ("cancel", "Cancel")]
DECISION = [("agree", "Agree"), ("amend", "Agree with an amendment"), ("not_now", "Not now")]
SECURING = [("secure", "Secure the file"), ("cancel", "Cancel")]
POINT_BUTTONS = [f"Point {number}" for number in range(1, len(POINTS) + 1)]
# The words each question's buttons send.
BUTTON_WORDS: dict[str, list[str]] = {
    **{slot: [words for _, words in point_options(key)] for slot, key in POINT_SLOTS.items()},
    "discussed_at": ["Just now"],
    "record_confirmation": [words for _, words in CONFIRMATION],
    "point_to_change": [*CHANGEABLE.values(), *POINT_BUTTONS],
    "agreement_decision": [words for _, words in DECISION],
    "amended_point": POINT_BUTTONS,
    "secure_confirmation": [words for _, words in SECURING],
}


def pick_point(text: str) -> str | None:
    """A 2.81 point picked by its number ("3", "point 3") or its words."""
    said = normalised(text)
    number = re.fullmatch(r"(?:point\s*)?(\d{1,2})\.?", said)
    if number and 1 <= int(number.group(1)) <= len(POINTS):
        return POINTS[int(number.group(1)) - 1][0]
    return next((key for key, label in POINTS if said == normalised(label)), None)


def record_line(record: RecordView) -> str:
    return (
        f"#{record.id} · {record.case_reference} · {record.practitioner.name} / {record.manager.name} · "
        f"{london(record.discussed_at)} · {record.status}"
    )


def record_button(record: RecordView, other: StaffMember) -> dict[str, str]:
    local = record.discussed_at.astimezone(LONDON)
    return button(f"{record.case_reference} · {other.name} · {local.day} {local:%b %Y}", f"Record {record.id}")


def awaiting(record: RecordView, me: StaffMember) -> bool:
    return not record.agreed and record.other_party.id == me.id


class Turn:
    """One message being handled: the dispatcher, the tracker, and who is writing (read from the case file once)."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker):
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.actor = identity(tracker)
        self._me: StaffMember | None = None

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        parts = chunks(text) or ["Please choose:"]
        for part in parts[:-1]:
            self.dispatcher.utter_message(text=part)
        self.dispatcher.utter_message(text=parts[-1], buttons=buttons or None)

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    async def me(self) -> StaffMember:
        if self._me is None:
            self._me = await whoami(self.tracker)
        return self._me

    async def attempt(self, method: Callable[..., Any], *args: Any, not_done: str = "", **kwargs: Any) -> Outcome:
        return await attempt(self.dispatcher, method, *args, not_done=not_done, **kwargs)

    async def record(self, record_id: int) -> Outcome:
        return await self.attempt(case_file().get_record, self.actor, record_id)

    async def find(self, **filters: Any) -> Outcome:
        return await self.attempt(case_file().find_records, self.actor, **filters)


# -- answers: each reads one reply and returns the slots it fills; None when it could not be used --------------------

Updates = dict[str, Any] | None


async def answer_case_reference(turn: Turn, text: str) -> Updates:
    try:
        reference = normalise_case_reference(text, case_file().case_reference_pattern)
    except InvalidCaseReference as error:
        turn.say(str(error))
        return None
    if task_of(turn.tracker) == "later":
        found = await turn.find(case_reference=reference)
        if found.error is not None:
            return END if found.final else None
        if found.value and all(record.secured is None for record in found.value):
            turn.say(f"The case file for {reference} is not secured: record a discussion or amend a record instead.")
            return END
    return {"case_reference": reference}


async def answer_other_party(turn: Turn, text: str) -> Updates:
    me = await turn.me()
    wanted = "practitioner" if is_manager(me) else "manager"
    fits = await other_parties(me)
    said = normalised(text)
    found = [s for s in fits if said in (str(s.id), s.name.lower())] or [
        s for s in fits if s.name.lower().split()[0] == said
    ]
    if len(found) == 1:
        return {"other_party": str(found[0].id)}
    if found:
        turn.say(
            f"More than one {wanted} is called that. Which one?",
            [button(s.described, s.name if [f.name for f in found].count(s.name) == 1 else str(s.id)) for s in found],
        )
        return None
    turn.say(
        f"There is no active {wanted} with that name or staff number in the staff directory. Give their full "
        "name as registered, or their staff number."
    )
    return None


async def answer_moment(turn: Turn, text: str, slot: str) -> Updates:
    try:
        moment = parse_moment(text, now())
    except ValueError as problem:
        turn.say(str(problem))
        return None
    times = {
        name: datetime.fromisoformat(turn.slot(name))
        for name in ("discussed_at", "concern_identified_at")
        if turn.slot(name)
    }
    times[slot] = moment
    if len(times) == 2 and times["concern_identified_at"] > times["discussed_at"]:
        turn.say("The concern must have been identified before it was discussed with the manager.")
        return None
    return {slot: moment.isoformat()}


async def answer_point(turn: Turn, text: str, slot: str) -> Updates:
    key = POINT_SLOTS[slot]
    choice = choose(text, point_options(key))
    if choice is not None:
        return {slot: choice}
    if key in CHOICES:
        turn.say(f"Please pick one of the buttons: {', '.join(words for _, words in point_options(key))}.")
        return None
    return {slot: text}


async def answer_record_confirmation(turn: Turn, text: str) -> Updates:
    choice = choose(text, CONFIRMATION)
    if choice == "cancel":
        turn.say("Cancelled: the record was not saved.")
        return END
    if choice == "change":
        return {"record_confirmation": "change"}
    if choice is None:
        turn.say("Please choose Save, Change a point or Cancel.")
        return None
    me = await turn.me()
    other = int(turn.slot("other_party"))
    practitioner, manager = (other, me.id) if is_manager(me) else (me.id, other)
    draft = (
        turn.actor,
        turn.slot("case_reference"),
        {key: turn.slot(slot) for slot, key in POINT_SLOTS.items()},
        practitioner,
        manager,
        datetime.fromisoformat(turn.slot("discussed_at")),
        datetime.fromisoformat(turn.slot("concern_identified_at")),
    )
    # Confirming the same draft again (after a crash lost the reply to the first Save) returns the first record.
    started = datetime.now(timezone.utc)
    saved = await turn.attempt(
        case_file().record_discussion, *draft, discussion_key(*draft), not_done="The record was not saved."
    )
    if saved.error is not None:
        if not saved.final:
            fix = (
                'use "Change a point" to correct them, or Cancel.'
                if isinstance(saved.error, CaseFileError)
                else "press Save to try again."
            )
            turn.say(f"Your answers are kept: {fix}")
        return END if saved.final else {"record_confirmation": None}
    record: RecordView = saved.value
    if record.recorded_at < started:
        state = (
            f"agreed by {record.agreed_by.name}"
            if record.agreed
            else f"awaiting {record.other_party.name}'s agreement (Framework 2.82)"
        )
        turn.say(
            f"Already saved: this record was saved on {london(record.recorded_at)} as record {record.id} on "
            f"{record.case_reference}, {state}. It was not saved a second time."
        )
        return END
    turn.say(
        f"Saved, awaiting {record.other_party.name}'s agreement (Framework 2.82). It is record {record.id} on "
        f"{record.case_reference}; {record.other_party.name} has been asked to agree it."
    )
    return END


async def answer_point_to_change(turn: Turn, text: str) -> Updates:
    said = normalised(text)
    slot = next((s for s, words in CHANGEABLE.items() if said == normalised(words)), None)
    point = pick_point(text)
    slot = slot or (f"point_{point}" if point else None)
    if slot is None:
        turn.say("Please pick what to change from the buttons.")
        return None
    return {slot: None, "point_to_change": None, "record_confirmation": None}


async def answer_chosen_record(turn: Turn, text: str) -> Updates:
    match = RECORD_NUMBER.match(text)
    if not match:
        turn.say("Please pick a record from the buttons, or give its number.")
        return None
    number = int(match.group(1))
    if task_of(turn.tracker) == "export":
        return {"chosen_record": str(number)}
    found = await turn.record(number)
    if found.error is not None:
        return END if found.final else None
    record: RecordView = found.value
    me = await turn.me()
    if task_of(turn.tracker) == "agree" and not awaiting(record, me):
        turn.say(
            f"Record {record.id} is not awaiting your agreement: it is "
            + (
                f"agreed by {record.agreed_by.name}."
                if record.agreed
                else f"awaiting agreement by {record.other_party.name}."
            )
        )
        return None
    if task_of(turn.tracker) == "amend" and me.id not in (record.practitioner.id, record.manager.id):
        turn.say("Only the practitioner or the manager who took part in the discussion can amend its record.")
        return None
    return {"chosen_record": str(record.id)}


async def agree(turn: Turn, amendment: dict[str, str] | None) -> Updates:
    agreed = await turn.attempt(
        case_file().agree, turn.actor, int(turn.slot("chosen_record")), amendment, not_done="The record was not agreed."
    )
    if agreed.error is not None:
        return END if agreed.final else None
    record: RecordView = agreed.value
    lines = [
        f"Agreed by {record.agreed_by.name} at {london(record.agreed_at)}; the record now carries both names "
        "and times (Framework 2.82):",
        f"• Recorded by {record.recorded_by.described} on {london(record.recorded_at)}",
        f"• Agreed by {record.agreed_by.described} on {london(record.agreed_at)}",
    ]
    for key in amendment or {}:
        lines.append(
            f'• Amended as you agreed it: "{LABELS[key]}" now reads: {record.point(key).shown} '
            f"(first recorded as: {record.point(key).shown_original})"
        )
    turn.say("\n".join(lines))
    return END


async def answer_agreement_decision(turn: Turn, text: str) -> Updates:
    choice = choose(text, DECISION)
    if choice is None:
        turn.say("Please choose Agree, Agree with an amendment or Not now.")
        return None
    if choice == "not_now":
        turn.say(
            f'Not agreed yet: record {turn.slot("chosen_record")} stays awaiting your agreement. Say "agree the '
            'record" when you are ready.'
        )
        return END
    if choice == "amend":
        return {"agreement_decision": "amend"}
    return await agree(turn, None)


async def answer_amended_point(turn: Turn, text: str) -> Updates:
    point = pick_point(text)
    if point is None:
        turn.say("Please pick a point from the buttons, or give its number (1 to 12).")
        return None
    return {"amended_point": point}


async def answer_amended_text(turn: Turn, text: str) -> Updates:
    key = turn.slot("amended_point")
    value = choose(text, list(CHOICES[key].items())) if key in CHOICES else text
    if value is None:
        turn.say(f"Please pick one of the buttons: {', '.join(CHOICES[key].values())}.")
        return None
    if task_of(turn.tracker) == "agree":
        return await agree(turn, {key: value})
    return {"amended_text": value}


async def answer_amendment_reason(turn: Turn, text: str) -> Updates:
    key = turn.slot("amended_point")
    amended = await turn.attempt(
        case_file().amend,
        turn.actor,
        int(turn.slot("chosen_record")),
        key,
        turn.slot("amended_text"),
        text,
        not_done="The amendment was not saved.",
    )
    if amended.error is not None:
        return END if amended.final else None
    record: RecordView = amended.value
    latest = record.point(key).amendments[-1]
    other = record.manager if latest.amended_by.id == record.practitioner.id else record.practitioner
    turn.say(
        f"Amendment saved on record {record.id} ({record.case_reference}), dated {london(latest.amended_at)} "
        f'and signed {latest.amended_by.described}.\n"{LABELS[key]}" now reads: {record.point(key).shown}\n'
        f"The original text is kept in the record: {record.point(key).shown_original}\n"
        f"Reason: {latest.reason}\n{other.name} has been told."
    )
    return END


async def answer_secure_reason(turn: Turn, text: str) -> Updates:
    return {"secure_reason": text}


async def answer_secure_confirmation(turn: Turn, text: str) -> Updates:
    choice = choose(text, SECURING)
    if choice is None:
        turn.say("Please choose Secure the file or Cancel.")
        return None
    if choice == "cancel":
        turn.say("Cancelled: the case file was not secured.")
        return END
    secured = await turn.attempt(
        case_file().secure_file,
        turn.actor,
        turn.slot("case_reference"),
        turn.slot("secure_reason"),
        not_done="The case file was not secured.",
    )
    if secured.error is not None:
        return END if secured.final else None
    view = secured.value
    turn.say(
        f"The case file for {view.case_reference} is secured, on {london(view.secured_at)} by "
        f"{view.secured_by.described} (Framework 3.42-3.44). Reason: {view.reason}\nIt now takes no new "
        "records, agreements or amendments. Practitioners with records on it have been told; to update it about "
        "events that preceded the decision to pursue a review, they add a later recording (3.45)."
    )
    return END


async def answer_event_date(turn: Turn, text: str) -> Updates:
    try:
        day = parse_date(text, now().date())
    except ValueError as problem:
        turn.say(str(problem))
        return None
    return {"event_date": day.isoformat()}


async def answer_later_recording_text(turn: Turn, text: str) -> Updates:
    added = await turn.attempt(
        case_file().add_later_recording,
        turn.actor,
        turn.slot("case_reference"),
        text,
        date.fromisoformat(turn.slot("event_date")),
        not_done="The later recording was not saved.",
    )
    if added.error is not None:
        return END if added.final else None
    later = added.value
    turn.say(
        f"Saved as later recording {later.id} on {later.case_reference}, about events on "
        f"{later.event_date.day} {later.event_date:%B %Y}. It is marked with the date it was made, "
        f'{london(later.recorded_at)}, and kept "alongside, but separate from, the original file" '
        "(Framework 3.45)."
    )
    return END


ANSWERS: dict[str, Callable[[Turn, str], Awaitable[Updates]]] = {
    "case_reference": answer_case_reference,
    "other_party": answer_other_party,
    "discussed_at": functools.partial(answer_moment, slot="discussed_at"),
    "concern_identified_at": functools.partial(answer_moment, slot="concern_identified_at"),
    **{slot: functools.partial(answer_point, slot=slot) for slot in POINT_SLOTS},
    "record_confirmation": answer_record_confirmation,
    "point_to_change": answer_point_to_change,
    "chosen_record": answer_chosen_record,
    "agreement_decision": answer_agreement_decision,
    "amended_point": answer_amended_point,
    "amended_text": answer_amended_text,
    "amendment_reason": answer_amendment_reason,
    "secure_reason": answer_secure_reason,
    "secure_confirmation": answer_secure_confirmation,
    "event_date": answer_event_date,
    "later_recording_text": answer_later_recording_text,
}


# -- questions ------------------------------------------------------------------------------------------------------


def draft_summary(tracker: Tracker, me: StaffMember, other: StaffMember | None) -> str:
    practitioner, manager = (other, me) if is_manager(me) else (me, other)
    lines = [
        f"Case reference: {tracker.get_slot('case_reference')}",
        f"Practitioner: {practitioner.described if practitioner else '?'}",
        f"Manager: {manager.described if manager else '?'}",
        f"Discussion took place: {london(datetime.fromisoformat(tracker.get_slot('discussed_at')))}",
        f"Concern first identified: {london(datetime.fromisoformat(tracker.get_slot('concern_identified_at')))}",
    ]
    for number, (key, label) in enumerate(POINTS, start=1):
        lines += ["", f"{number}. {label}:", f"    {shown(key, tracker.get_slot(f'point_{key}'))}"]
    return "\n".join(lines)


async def ask_case_reference(turn: Turn) -> None:
    turn.say("Which case? Give the case reference, for example ZW25P01234.")


async def ask_other_party(turn: Turn) -> None:
    me = await turn.me()
    team = [s for s in await other_parties(me) if s.team == me.team]
    if is_manager(me):
        question = "Which practitioner did you discuss it with? Give their name as registered, or their staff number."
    else:
        question = (
            "Which manager did you discuss it with: your Service Manager or, if they were not available, "
            "another Cafcass manager (Framework 2.81)? Give their name as registered, or their staff number."
        )
    turn.say(question, [button(s.described, s.name) for s in team[:8]])


async def ask_discussed_at(turn: Turn) -> None:
    turn.say(
        'When did the discussion take place? For example "just now", "today 14:30", "yesterday 4pm" or '
        '"03/06/2025 09:15" (UK time).',
        [button("Just now")],
    )


async def ask_concern_identified_at(turn: Turn) -> None:
    turn.say(
        'When was the concern first identified? Framework 2.95: "It is important to record the time and date '
        'that the child welfare concern was identified". For example "today 09:10" or "02/06/2025 16:00".'
    )


async def ask_point(turn: Turn, slot: str) -> None:
    key = POINT_SLOTS[slot]
    number = POINT_KEYS.index(key) + 1
    extra = ' Pick one, or "Not discussed".' if key in CHOICES else ' What was said? Or press "Not discussed".'
    turn.say(
        f"Point {number} of {len(POINTS)} (Framework 2.81): {LABELS[key]}.{extra}",
        [button(words) for _, words in point_options(key)],
    )


async def ask_record_confirmation(turn: Turn) -> None:
    me = await turn.me()
    other = next((s for s in await directory() if str(s.id) == turn.slot("other_party")), None)
    turn.say(
        "Please check the record before it is saved:\n\n"
        + draft_summary(turn.tracker, me, other)
        + "\n\nSave it? Once saved, the other person is asked to agree it (Framework 2.82).",
        [button(words) for _, words in CONFIRMATION],
    )


async def ask_point_to_change(turn: Turn) -> None:
    turn.say(
        "What do you want to change?",
        [button(words) for words in CHANGEABLE.values()]
        + [button(words, payload) for (_, words), payload in zip(numbered_points(), POINT_BUTTONS)],
    )


async def ask_chosen_record(turn: Turn) -> None:
    me = await turn.me()
    task = task_of(turn.tracker)
    found = await turn.find(awaiting_my_agreement=True) if task == "agree" else await turn.find()
    if found.error is not None:
        return
    records: list[RecordView] = found.value
    if task == "amend":
        records = [r for r in records if me.id in (r.practitioner.id, r.manager.id) and r.secured is None]
    records = records[-LIST_LIMIT:][::-1]
    if not records:
        turn.say(
            "There are no records awaiting your agreement."
            if task == "agree"
            else 'You have no records you can amend. Say "stop" to leave this.'
        )
        return
    question = (
        "These records are awaiting your agreement (Framework 2.82). Which one?"
        if task == "agree"
        else "Which record do you want to amend? Pick one, or give its number."
    )
    turn.say(
        question,
        [
            record_button(
                r, r.recorded_by if task == "agree" else (r.manager if r.practitioner.id == me.id else r.practitioner)
            )
            for r in records
        ],
    )


async def ask_agreement_decision(turn: Turn) -> None:
    found = await turn.record(int(turn.slot("chosen_record")))
    if found.error is None:
        turn.say(summary(found.value) + "\nDo you agree this record?", [button(words) for _, words in DECISION])


async def ask_amended_point(turn: Turn) -> None:
    turn.say(
        "Which point do you want to amend?",
        [button(words, payload) for (_, words), payload in zip(numbered_points(), POINT_BUTTONS)],
    )


async def ask_amended_text(turn: Turn) -> None:
    key = turn.slot("amended_point")
    found = await turn.record(int(turn.slot("chosen_record")))
    if found.error is not None:
        return
    current = found.value.point(key).shown
    turn.say(
        f'"{LABELS[key]}" reads now: {current}\nWhat should it say?',
        [button(words) for words in CHOICES.get(key, {}).values()],
    )


async def ask_amendment_reason(turn: Turn) -> None:
    turn.say("Why is it being amended? The reason is kept with the amendment.")


async def ask_secure_reason(turn: Turn) -> None:
    turn.say(
        'Why is the file being secured? For example "notification of a Serious Case Review received from the LSCB".'
    )


async def ask_secure_confirmation(turn: Turn) -> None:
    turn.say(
        f"Secure the case file for {turn.slot('case_reference')}? Reason: {turn.slot('secure_reason')}\n"
        'Framework 3.44: "The files and notes must be secured in the form in which they existed at the time of '
        'the notification of the review." Once secured, it takes no new records, agreements or amendments.',
        [button(words) for _, words in SECURING],
    )


async def ask_event_date(turn: Turn) -> None:
    turn.say(
        'What date were the events this recording is about? A later recording is about "events that preceded '
        'the decision to pursue a review" (Framework 3.45). For example "3 June 2025" or "03/06/2025".'
    )


async def ask_later_recording_text(turn: Turn) -> None:
    turn.say(
        "What is the recording? Write it in full: it is marked with today's date and kept separate from the "
        "original file (Framework 3.45)."
    )


ASKS: dict[str, Callable[[Turn], Awaitable[None]]] = {
    "case_reference": ask_case_reference,
    "other_party": ask_other_party,
    "discussed_at": ask_discussed_at,
    "concern_identified_at": ask_concern_identified_at,
    **{slot: functools.partial(ask_point, slot=slot) for slot in POINT_SLOTS},
    "record_confirmation": ask_record_confirmation,
    "point_to_change": ask_point_to_change,
    "chosen_record": ask_chosen_record,
    "agreement_decision": ask_agreement_decision,
    "amended_point": ask_amended_point,
    "amended_text": ask_amended_text,
    "amendment_reason": ask_amendment_reason,
    "secure_reason": ask_secure_reason,
    "secure_confirmation": ask_secure_confirmation,
    "event_date": ask_event_date,
    "later_recording_text": ask_later_recording_text,
}


# -- the form -------------------------------------------------------------------------------------------------------


class ActionStartCasefileTask(Action):
    """Checks who is asking, then starts (or starts again) a case-file task with what the message already says."""

    def name(self) -> str:
        return "action_start_casefile_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        restarting = intent_of(tracker) == "start_again"
        task = task_of(tracker) if restarting else TASKS.get(intent_of(tracker) or "")
        events = cleared() + [SlotSet("casefile_task", None)]
        turn = Turn(dispatcher, tracker)
        if task is None:
            return events
        try:
            await turn.me()
        except CaseFileError as refusal:
            turn.say(str(refusal))
            return events
        except Exception:
            log.exception("The case file could not tell who is writing")
            turn.say(UNREACHABLE_READ)
            return events
        turn.say(f'{INTRODUCTIONS[task]} Say "stop" or "start again" at any point.')
        events.append(SlotSet("casefile_task", task))
        tracker.slots["casefile_task"] = task
        text = "" if restarting else text_of(tracker)
        prefilled = await self.prefill(turn, task, text) or {}
        if task in ("agree", "amend") and "chosen_record" not in prefilled and not await self.anything_to_choose(turn):
            return events[:-1]
        return events + [SlotSet(slot, value) for slot, value in prefilled.items()]

    @staticmethod
    async def anything_to_choose(turn: Turn) -> bool:
        """Whether there is a record to agree or amend; if not, the person is told so."""
        me = await turn.me()
        agreeing = task_of(turn.tracker) == "agree"
        found = await turn.find(awaiting_my_agreement=agreeing)
        if found.error is not None:
            return False
        if agreeing and not found.value:
            turn.say("There are no records awaiting your agreement.")
        elif not agreeing and not [r for r in found.value if me.id in (r.practitioner.id, r.manager.id)]:
            turn.say("You have no records of discussions you took part in, so there is nothing to amend.")
        else:
            return True
        return False

    @staticmethod
    async def prefill(turn: Turn, task: str, text: str) -> Updates:
        """What the opening message already answers: the record a button or the words name, or a case reference."""
        number = record_number(text, turn.tracker.latest_message.get("entities") or [])
        if number is not None and task in ("agree", "amend", "export"):
            chosen = await answer_chosen_record(turn, f"record {number}")
            return chosen if chosen != END else None
        if text.startswith("/") or task not in ("record", "export", "secure", "later"):
            return None
        references = case_references(text)
        if references:
            return {"case_reference": references[0]}
        mentioned = re.search(r"\bcase\s+(?:ref(?:erence)?\s+|number\s+|no\.?\s+)?(\S*\d\S*)", text, re.I)
        if mentioned:
            await answer_case_reference(turn, mentioned.group(1).strip(".,;:()"))
        return None


class ValidateCasefileForm(FormValidationAction):
    """Reads each answer, typed or a button's words; urgent danger, stop, start again and why are left to the rules."""

    def name(self) -> str:
        return "validate_casefile_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[str]:
        return required(tracker)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slot = tracker.get_slot("requested_slot")
        text = text_of(tracker)
        if slot not in required(tracker) or tracker.active_loop.get("name") != FORM:
            return []
        if text == USE_URGENT_MESSAGE:
            text = previous_user_text(tracker)
        elif interrupts(tracker, slot):
            return []
        turn = Turn(dispatcher, tracker)
        if not text or text.startswith("/"):
            turn.say("Please answer the question in words, or use the buttons.")
            return [SlotSet(slot, None)]
        try:
            updates = await ANSWERS[slot](turn, text)
        except CaseFileError as refusal:
            turn.say(str(refusal))
            updates = END
        except Exception:
            log.exception("The case file failed while reading an answer")
            turn.say(UNREACHABLE)
            updates = None
        return [SlotSet(name, value) for name, value in (updates or {slot: None}).items()]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        mine = {"casefile_task", *FORM_SLOTS}
        return [SlotSet(name, value) for name, value in tracker.slots_to_validate().items() if name in mine]


class AskCasefileQuestion(Action):
    """Asks one of the form's questions; one subclass per slot (action_ask_<slot>)."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        try:
            await ASKS[self.slot](turn)
        except CaseFileError as refusal:
            turn.say(str(refusal))
        except Exception:
            log.exception("The case file failed while asking %s", self.slot)
            turn.say(UNREACHABLE_READ)
        if intent_of(tracker) == URGENT_INTENT and text_of(tracker) and not text_of(tracker).startswith("/"):
            turn.say(
                "If your last message was your answer to this question, press the button.", [button(USE_URGENT_MESSAGE)]
            )
        return []


# Kept in a dict: a class nothing refers to can be garbage-collected before the action server registers it.
ASK_ACTIONS = {slot: type(f"AskCasefile_{slot}", (AskCasefileQuestion,), {"slot": slot}) for slot in FORM_SLOTS}


class ActionStopCasefileTask(Action):
    def name(self) -> str:
        return "action_stop_casefile_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text="Stopped: nothing was saved. Ask me anything else, or type 'help'.")
        return [ActiveLoop(None), SlotSet("casefile_task", None)] + cleared()


class ActionExplainCasefileQuestion(Action):
    """ "Why do you ask?" in a case-file task: the Framework paragraph the question rests on, word for word."""

    def name(self) -> str:
        return "action_explain_casefile_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        refs = WHY.get(tracker.get_slot("requested_slot") or "", ["2.82"])
        answer = passages_answer(refs)
        Turn(dispatcher, tracker).say(f"Because the Framework says:\n\n{answer.text}")
        return []


class ActionFinishCasefileTask(Action):
    """When the form is done: the export, if that was the task; then the task's answers are forgotten."""

    def name(self) -> str:
        return "action_finish_casefile_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if task_of(tracker) == "export":
            record = tracker.get_slot("chosen_record")
            await export(
                Turn(dispatcher, tracker),
                record_id=int(record) if record else None,
                case_reference=None if record else tracker.get_slot("case_reference"),
            )
        return [SlotSet("casefile_task", None)] + cleared()


async def export(turn: Turn, record_id: int | None, case_reference: str | None) -> None:
    """The records as plain text in the conversation, and as a Word document the chat channels send as a file."""
    text = await turn.attempt(
        case_file().export, turn.actor, record_id=record_id, case_reference=case_reference, fmt="txt"
    )
    if text.error is not None:
        return
    document = await turn.attempt(
        case_file().export, turn.actor, record_id=record_id, case_reference=case_reference, fmt="docx"
    )
    turn.say(text.value.content.decode("utf-8"))
    if document.error is None:
        doc = document.value
        turn.dispatcher.utter_message(
            text=f"The same as a Word document: {doc.filename}",
            json_message={
                "document": {
                    "filename": doc.filename,
                    "media_type": doc.media_type,
                    "content_base64": base64.b64encode(doc.content).decode("ascii"),
                }
            },
        )


# -- finding records ------------------------------------------------------------------------------------------------


class ActionListRecords(Action):
    """The records a message asks for (by case, practitioner, dates, status), or one record in full."""

    def name(self) -> str:
        return "action_list_records"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        try:
            me = await turn.me()
        except CaseFileError as refusal:
            turn.say(str(refusal))
            return []
        except Exception:
            log.exception("The case file could not tell who is writing")
            turn.say(UNREACHABLE_READ)
            return []
        text = text_of(tracker)
        number = record_number(text, tracker.latest_message.get("entities") or [])
        if number is not None:
            await show_record(turn, me, number)
            return []
        typed = "" if text.startswith("/") else text
        filters, described, keep = await self.filters(typed, me)
        if filters is None:
            turn.say(described)
            return []
        found = await turn.find(**filters)
        if found.error is not None:
            return []
        records = [r for r in found.value if keep(r)][::-1]
        if not records:
            turn.say(f"I found no records{described}.")
            return []
        lines = [f"{len(records)} record{'s' if len(records) != 1 else ''}{described}, most recent first:"]
        lines += [record_line(r) for r in records[:LIST_LIMIT]]
        if len(records) > LIST_LIMIT:
            lines.append(
                f"Showing the {LIST_LIMIT} most recent. To see others, narrow it down by case reference or "
                'dates, for example "between 1 and 15 March".'
            )
        buttons = [
            button(f"Agree #{r.id} {r.case_reference}", f'/agree_record{{"record": "{r.id}"}}')
            if awaiting(r, me)
            else button(f"View #{r.id} {r.case_reference}", f'/list_records{{"record": "{r.id}"}}')
            for r in records[:LIST_LIMIT]
        ]
        turn.say("\n".join(lines), buttons)
        return []

    @staticmethod
    async def filters(text: str, me: StaffMember):
        """The store's filters, how to describe them, and a check for what the store has no filter for."""
        lowered = text.lower()
        filters: dict[str, Any] = {}
        said: list[str] = []
        checks: list[Callable[[RecordView], bool]] = []
        references = case_references(text)
        if references:
            filters["case_reference"] = references[0]
            said.append(f"on {references[0]}")
        try:
            start, end = parse_period(text, now().date())
        except ValueError as problem:
            return None, str(problem), None
        if start or end:
            filters.update(discussed_from=start, discussed_to=end)
            said.append(
                f"discussed {start:%-d %B %Y} to {end:%-d %B %Y}" if start != end else f"discussed on {start:%-d %B %Y}"
            )
        if re.search(
            r"\b(await\w*|wait\w*|pending)\b.*\b(my|me)\b|\bfor me to\b|\bmy (agreement|sign[- ]?off)\b|"
            r"\b(have|got) i got any\b|\bany records to agree\b|\brecords to agree\b",
            lowered,
        ):
            filters["awaiting_my_agreement"] = True
            said.append("awaiting your agreement")
        elif re.search(r"\b(pending|awaiting|unagreed|not (yet )?(been )?agreed|haven'?t been agreed)\b", lowered):
            checks.append(lambda r: not r.agreed)
            said.append("awaiting agreement")
        elif re.search(r"\bi( have|'ve)? agreed\b|\bagreed by me\b", lowered):
            checks.append(lambda r: r.agreed and r.agreed_by.id == me.id)
            said.append("that you agreed")
        elif re.search(r"\bagreed\b", lowered):
            checks.append(lambda r: r.agreed)
            said.append("agreed")
        if (
            re.search(r"\b(my|mine)\b(?!\s+team)|\bi recorded\b|\bi took part\b|\bi('ve| have) had\b", lowered)
            and "awaiting_my_agreement" not in filters
        ):
            checks.append(lambda r: me.id in (r.practitioner.id, r.manager.id))
            said.append("you took part in")
        others = [s for s in named_staff(text, await directory()) if s.id != me.id]
        if len(others) == 1:
            person = others[0]
            if is_manager(person):
                checks.append(lambda r: r.manager.id == person.id)
                said.append(f"with {person.name} as manager")
            else:
                filters["practitioner"] = person.id
                said.append(f"with {person.name} as practitioner")
        elif others:
            return (
                None,
                (
                    "Which of these do you mean? "
                    + ", ".join(s.described for s in others)
                    + ". Ask again with their full name."
                ),
                None,
            )
        return filters, (" " + ", ".join(said)) if said else "", lambda r: all(check(r) for check in checks)


async def show_record(turn: Turn, me: StaffMember, record_id: int) -> None:
    found = await turn.record(record_id)
    if found.error is not None:
        return
    record: RecordView = found.value
    buttons = [button("Agree", f'/agree_record{{"record": "{record.id}"}}')] if awaiting(record, me) else []
    if me.id in (record.practitioner.id, record.manager.id) and record.secured is None:
        buttons.append(button("Amend", f'/amend_record{{"record": "{record.id}"}}'))
    buttons.append(button("Export", f'/export_records{{"record": "{record.id}"}}'))
    turn.say(summary(record), buttons)

"""One message handled by a case-file action: who is writing, the case file's answer or refusal, and the reply."""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import settings
from bot.channels.common import VERIFIED_IDENTITY
from casefile import AccessRefused, AlreadyAgreed, CaseFile, CaseFileError, FileSecured, Identity, UnknownStaff
from casefile.models import MANAGER_ROLES, PRACTITIONER_ROLES
from casefile.staff import STAFF_CHANNELS
from casefile.views import StaffMember

log = logging.getLogger(__name__)

UNREACHABLE = "I couldn't reach the case file just now, so nothing was saved. Please try again in a few minutes."
UNREACHABLE_READ = "I couldn't reach the case file just now, so I can't show it. Please try again in a few minutes."
# Whoever no channel vouched for: no member of staff has this identity.
ANONYMOUS = Identity("", "")
ANONYMOUS_REFUSED = (
    "The case file is reached only from Microsoft Teams, Telegram or the terminal chat, where you are known. "
    "Nothing was shown or saved."
)
# Errors after which asking the same question again cannot help.
FINAL_ERRORS = (AccessRefused, AlreadyAgreed, FileSecured, UnknownStaff)


# -- the case file, built on first use and called off the event loop ---------------------------------------------------


def case_file() -> CaseFile:
    """The case file this action server uses (CASEFILE_DATABASE_URL, DATABASE_URL or var/casefile.db)."""
    return settings.case_file()


async def call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A blocking case-file call, run in a worker thread."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(method, *args, **kwargs))


def verified_sender(tracker: Tracker) -> str | None:
    """Who the channel vouched for in the latest user message's metadata, which only the Rasa server sets."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            value = metadata.get(VERIFIED_IDENTITY) if isinstance(metadata, dict) else None
            return value if isinstance(value, str) else None
    return None


def identity(tracker: Tracker) -> Identity:
    """Who is writing, as the channel that authenticated them said: "telegram:123" -> ("telegram", "123").

    Never the client's own say: the identity must be vouched for in the message's metadata and name this very
    conversation. Anyone else (a tokenless REST client) is ANONYMOUS, which the case file knows as nobody.
    """
    verified = verified_sender(tracker)
    if verified is None or verified != tracker.sender_id:
        return ANONYMOUS
    channel, _, external_id = verified.partition(":")
    return Identity(channel, external_id) if channel in STAFF_CHANNELS and external_id else ANONYMOUS


@dataclass
class Outcome:
    value: Any = None
    error: Exception | None = None

    @property
    def final(self) -> bool:
        """Whether the refusal stands however the question is answered again."""
        return isinstance(self.error, FINAL_ERRORS)


def log_failure(message: str, *args: Any) -> None:
    """Log the failure being handled by its kind and where it was raised, never its message: a database's message
    can hold what was being saved ("Failing row contains (...)")."""
    error = sys.exc_info()[1]
    if error is None:
        log.error(message, *args)
        return
    kinds = type(error).__name__
    original = getattr(error, "orig", None)  # the database driver's own error, wrapped by SQLAlchemy
    if original is not None:
        kinds += f" ({type(original).__name__})"
    frames = traceback.extract_tb(error.__traceback__)[-6:]
    where = " <- ".join(f"{Path(frame.filename).name}:{frame.lineno}" for frame in reversed(frames))
    log.error(message + ": %s at %s", *args, kinds, where)


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
        log_failure("The case file failed during %s", getattr(method, "__name__", method))
        dispatcher.utter_message(text=UNREACHABLE if not_done else UNREACHABLE_READ)
        return Outcome(error=error)


async def whoami(tracker: Tracker) -> StaffMember:
    """The active member of staff writing, or the store's refusal (UnknownStaff) saying how to get registered."""
    actor = identity(tracker)
    if actor == ANONYMOUS:
        raise UnknownStaff(ANONYMOUS_REFUSED)
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


# -- reading what people type ------------------------------------------------------------------------------------------


def normalised(text: str) -> str:
    return " ".join(text.lower().split()).strip(" .!")


def choose(text: str, options: list[tuple[str, str]]) -> str | None:
    """The value of the option (value, words) a message picks, by its words or its value."""
    said = normalised(text)
    for value, words in options:
        if said in (normalised(words), normalised(value), normalised(value.replace("_", " "))):
            return value
    return None


# -- what the conversation holds ---------------------------------------------------------------------------------------


def user_events(tracker: Tracker) -> list[dict[str, Any]]:
    return [e for e in tracker.events if e.get("event") == "user"]


def previous_user_text(tracker: Tracker) -> str:
    users = user_events(tracker)
    return (users[-2].get("text") or "").strip() if len(users) > 1 else ""


class Turn:
    """One message being handled: the dispatcher, the tracker, and who is writing (read from the case file once)."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker):
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.actor = identity(tracker)
        self._me: StaffMember | None = None
        self.lead = ""  # put before the next thing said: "Back to recording your discussion on ZW25P01234: "

    def say(self, text: str, buttons: list[dict[str, str]] | None = None, shows: dict[str, str] | None = None) -> None:
        """One message, however long: each channel cuts it to its own limit (bot/channels/formatting.py).

        `shows` names what of the case file it shows (bot.case_content.reference), which the conversation store
        keeps instead of the text."""
        text, self.lead = self.lead + text, ""
        self.dispatcher.utter_message(text=text, buttons=buttons or None, **(shows or {}))

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

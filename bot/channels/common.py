"""What every channel shares: who is asking, the commands, and the few things a channel says itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casefile.staff import CHANNEL_NAMES
from knowledge.urgent import urgent_signals

# The user message's metadata key holding who is writing ("telegram:123"), set only by a channel that authenticated
# the person (inside the Rasa server, or by the REST channel for a bridge holding that channel's secret). The Rasa
# server copies it into the user event, where the actions read it (actions/casefile_turn.py identity).
VERIFIED_IDENTITY = "verified_identity"

# find_by_identity(channel, external_id) -> Staff | None, as the staff directory (casefile) provides it.
StaffLookup = Callable[[str, str], Any | None]


# Commands a person can pick from the channel's menu, and the payload each sends to the conversation.
COMMANDS = {"start": "/greet", "help": "/help", "urgent": "/urgent_danger"}

# Framework 2.87, quoted word for word, for when the assistant cannot answer a message that sounds urgent.
URGENT_ADVICE = (
    "If a child is in imminent danger, act now; do not wait for this assistant. Framework 2.87: "
    '"If a child is at immediate risk, the practitioner should seek the assistance of the Police." '
    'If a child needs emergency medical attention, "this should be sought immediately and directly '
    'from the emergency services."'
)

CHOOSE = "Choose one:"
UNAVAILABLE = (
    "The assistant cannot answer right now, so your message has not been read. Please try again in a few minutes."
)
PRIVATE_CHAT_ONLY = (
    "The assistant works only in a private chat with you, so that nothing about a case is seen by others. "
    "Message it directly."
)
TEXT_ONLY = "The assistant reads typed messages only. Please type your question."
NOT_DELIVERED = "Part of the assistant's answer could not be delivered. Please ask again."


def _case_file() -> Any:
    """The case file, made on first use (it opens its database on first use too)."""
    from bot.settings import case_file

    return case_file()


def find_staff(channel: str, external_id: str) -> Any | None:
    """The active member of staff with this identity in the case file's staff directory, or None."""
    return _case_file().staff.find_by_identity(channel, external_id)


@dataclass(frozen=True)
class Caller:
    """A person writing to the assistant: their channel, their id on it, and their staff entry if any."""

    channel: str
    external_id: str
    staff: Any | None

    @property
    def registered(self) -> bool:
        return self.staff is not None and bool(getattr(self.staff, "active", False))

    @property
    def sender_id(self) -> str:
        return f"{self.channel}:{self.external_id}"

    def metadata(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "registered": self.registered,
            "staff_role": self.staff.role if self.registered else None,
            VERIFIED_IDENTITY: self.sender_id,
        }


async def identify(channel: str, external_id: str, lookup: StaffLookup | None = None) -> Caller:
    """Look the person up in the staff directory, off the event loop (the directory is a database)."""
    staff = await asyncio.to_thread(lookup or find_staff, channel, external_id)
    return Caller(channel, external_id, staff)


def typed_message(text: str) -> str:
    """What a typed message sends to the conversation: a command's payload, or the text itself.

    Text starting with "/" is a command, never a raw payload (only buttons send payloads); an unknown
    command gets the help. A command's bare name on its own ("help") counts as the command.
    """
    text = text.strip()
    if text.startswith("/"):
        name = text.split()[0][1:].split("@")[0].lower()
        return COMMANDS.get(name, COMMANDS["help"])
    return COMMANDS.get(text.lower(), text)


def sounds_urgent(message: str) -> bool:
    return message == COMMANDS["urgent"] or bool(urgent_signals(message))


def refusal(caller: Caller, message: str) -> str:
    """What someone who is not registered is told, with the id an administrator needs to register them."""
    text = (
        "This assistant is for registered Cafcass staff. To use it, ask your Service Manager or an admin "
        f"to register you, giving this id: {caller.external_id} (your {CHANNEL_NAMES[caller.channel]} id)."
    )
    return f"{text}\n\n{URGENT_ADVICE}" if sounds_urgent(message) else text


def unavailable(message: str) -> str:
    """What a person is told when the conversation service cannot answer their message."""
    return f"{UNAVAILABLE}\n\n{URGENT_ADVICE}" if sounds_urgent(message) else UNAVAILABLE

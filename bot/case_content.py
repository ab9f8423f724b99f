"""What of a case may leave for each channel (on Telegram, not end-to-end encrypted, case references and status at
most) and what of it the conversation store keeps (a reference, never the text).

The rule is applied where every action call arrives (the action server) and where every notification leaves, and
it allows rather than forbids: only the guidance actions (GUIDANCE_MODULES, which answer from the Framework alone, and
learning, whose cases are made up and which names no member of staff on Telegram) run for a Telegram user; any other
action, including one added later, is answered with a reply built from case references and status only. Filtering
each case-file reply instead would leak whatever reply was forgotten.

The same allow-list marks what the conversation store may not keep: every message of an action outside
GUIDANCE_MODULES carries a CASE_CONTENT reference (the action's own, such as "record:12", or "message"), and the
tracker store (bot/tracker_store.py) keeps only the words stored_text makes of it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.settings import Settings
from casefile import CaseFileError
from casefile.references import case_references

TELEGRAM = "telegram"
# Actions that answer from the Framework alone (learning: made-up cases, and no staff names on Telegram) and so speak
# freely on every channel.
GUIDANCE_MODULES = ("actions.guidance", "actions.walkthroughs", "actions.help", "actions.learning")
MAX_LISTED = 20
# The key, in a bot message's metadata, of the reference the conversation store keeps instead of its text.
CASE_CONTENT = "case_content"
# The references an action may give: what was shown, by record number or case reference, never by its content.
_REFERENCES = {
    "record": (re.compile(r"\d{1,12}"), "[record {} shown]"),
    "draft": (re.compile(r""), "[draft record shown]"),
    "export-record": (re.compile(r"\d{1,12}"), "[record {} exported]"),
    "export-case": (re.compile(r"[A-Za-z0-9/_.-]{1,64}"), "[records of {} exported]"),
}
CASE_FILE_MESSAGE = "[case-file message]"

ON_TELEGRAM = (
    "Telegram is not end-to-end encrypted, so the case file shows here only case references and their status: "
    "names, what was discussed and Word exports are not sent to Telegram. To record, read, agree or export a "
    "record, use Microsoft Teams or the terminal chat."
)
NOT_ON_TELEGRAM = (
    "The case file is not available on Telegram, which is not end-to-end encrypted: no case details or Word "
    "exports are sent here. Use Microsoft Teams or the terminal chat."
)
# A case-file task never goes on in a Telegram conversation: each answer ends it.
END_TASK = [
    {"event": "active_loop", "name": None},
    {"event": "slot", "name": "requested_slot", "value": None},
    {"event": "slot", "name": "casefile_task", "value": None},
]


def guidance_actions(executor: Any) -> frozenset[str]:
    """The names of the actions an executor runs that belong to GUIDANCE_MODULES."""
    names = set()
    for name, run in executor.actions.items():
        owner = getattr(run, "__self__", None)
        if owner is not None and type(owner).__module__ in GUIDANCE_MODULES:
            names.add(name)
    return frozenset(names)


def channel_of(action_call: dict[str, Any]) -> str | None:
    """The channel the Rasa server vouched for in this call's latest user message (see actions.casefile_turn)."""
    from rasa_sdk import Tracker

    from actions.casefile_turn import identity

    tracker = action_call.get("tracker")
    if not isinstance(tracker, dict):
        return None
    actor = identity(Tracker.from_dict(tracker))
    return actor.channel or None


async def telegram_reply(action_call: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The whole answer to a case-file action for a Telegram user: their records' references and status, or nothing.

    Said once a message: the further case-file actions of the same turn (a form asking, say) answer silently."""
    if answered_this_turn(action_call["tracker"]):
        return {"events": END_TASK, "responses": []}
    if settings.telegram_case_content == "none":
        return {"events": END_TASK, "responses": [{"text": NOT_ON_TELEGRAM}]}
    from rasa_sdk import Tracker

    from actions.casefile_turn import call, case_file, identity

    actor = identity(Tracker.from_dict(action_call["tracker"]))
    try:
        records = await call(case_file().find_records, actor)
    except CaseFileError as error:
        return {"events": END_TASK, "responses": [{"text": f"{error}\n\n{ON_TELEGRAM}"}]}
    return {"events": END_TASK, "responses": [{"text": references_and_status(records)}]}


def answered_this_turn(tracker: dict[str, Any]) -> bool:
    """Whether the case file's Telegram answer was already given since the latest user message."""
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "user":
            return False
        text = (event.get("text") or "") if event.get("event") == "bot" else ""
        if ON_TELEGRAM in text or NOT_ON_TELEGRAM in text:
            return True
    return False


def references_and_status(records: list[Any]) -> str:
    """Each record as its case reference, number and status only, newest first, then what Telegram does not show."""
    newest = sorted(records, key=lambda r: r.recorded_at, reverse=True)[:MAX_LISTED]
    lines = [
        f"{r.case_reference} (record {r.id}): {r.status}" + ("; the file is secured" if r.secured else "")
        for r in newest
    ]
    listed = "Your case file records:\n" + "\n".join(lines) if lines else "You have no records on the case file."
    return f"{listed}\n\n{ON_TELEGRAM}"


def notification_text(channel: str, text: str, settings: Settings) -> str:
    """A case-file notification as it may be sent on `channel`: on Telegram rebuilt from its case references only."""
    if channel != TELEGRAM:
        return text
    if settings.telegram_case_content == "none":
        return "There is news for you on the case file. Open it in Microsoft Teams or the terminal chat."
    references = case_references(text, settings.case_reference_pattern)
    about = f" about {', '.join(dict.fromkeys(references))}" if references else ""
    return f"There is news for you on the case file{about}. Open it in Microsoft Teams or the terminal chat."


def reference(kind: str, value: object = "") -> dict[str, str]:
    """The metadata naming what a bot message shows, for the conversation store: {"case_content": "record:12"}."""
    if kind not in _REFERENCES:
        raise ValueError(f"No such case-content reference: {kind!r}.")
    return {CASE_CONTENT: f"{kind}:{value}"}


def stored_text(marker: object) -> str:
    """The words the conversation store keeps for a message with this reference; a reference it cannot read (or a
    value that is not a number or case reference) becomes CASE_FILE_MESSAGE, never its own text."""
    kind, _, value = str(marker).partition(":")
    pattern, words = _REFERENCES.get(kind, (None, ""))
    if pattern is None or not pattern.fullmatch(value):
        return CASE_FILE_MESSAGE
    return words.format(value)


def mark_responses(action_reply: dict[str, Any]) -> dict[str, Any]:
    """An action server reply with every message marked as case content (kept as a reference by the store)."""
    for message in action_reply.get("responses") or []:
        if isinstance(message, dict):
            message.setdefault(CASE_CONTENT, "message")
    return action_reply

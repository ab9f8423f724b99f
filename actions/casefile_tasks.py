"""The case-file tasks as one form: the questions each task asks, in order, and the words that answer them."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.casefile_turn import normalised
from actions.common import button, entity_values, intent_of, text_of
from actions.interjections import asks_to_correct, is_interjection
from casefile import NOT_DISCUSSED, POINTS
from casefile.points import CHOICES, POINT_KEYS
from casefile.views import RecordView, StaffMember
from knowledge.moments import LONDON, london

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
# How "Back to ..." names each task when the form resumes after another question was answered.
CALLED = {
    "record": "recording your discussion",
    "agree": "agreeing the record",
    "amend": "amending the record",
    "export": "exporting records",
    "secure": "securing the case file",
    "later": "the later recording",
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
END = {"casefile_task": None}
DONE = "casefile_done"
RECORD_NUMBER = re.compile(r"^\s*(?:record\s*(?:no\.?|number)?\s*#?|#)?\s*(\d{1,9})\s*$", re.I)
RECORD_IN_TEXT = re.compile(r"\brecord\s*(?:no\.?|number)?\s*#?\s*(\d{1,9})\b|#(\d{1,9})\b", re.I)
# Each answer reads one reply and returns the slots it fills; None when it could not be used.
Updates = dict[str, Any] | None


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


def ended(task: str, outcome: str, what: object = "") -> dict[str, Any]:
    """The end of a task, remembered ("record:saved:12") so that a second tap of its buttons gets the state."""
    return {**END, DONE: f"{task}:{outcome}:{what}"}


def called(tracker: Tracker) -> str:
    """The task as "Back to ..." names it: "recording your discussion on ZW25P01234"."""
    reference = tracker.get_slot("case_reference")
    task = CALLED.get(task_of(tracker) or "", "the case file")
    if tracker.get_slot("chosen_record") and task_of(tracker) in ("agree", "amend"):
        return f"{task} (record {tracker.get_slot('chosen_record')})"
    return f"{task} on {reference}" if reference else task


def cleared() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("requested_slot", None)]


def free_text(tracker: Tracker, slot: str) -> bool:
    """Whether the question takes any words as its answer (what was said at a point, a reason, a recording)."""
    return slot not in BUTTON_ONLY and POINT_SLOTS.get(slot) not in CHOICES


def interrupts(tracker: Tracker, slot: str) -> bool:
    """Whether the message is for a rule (urgent danger, a question, stop, start again, why) rather than an answer.

    A button of the question ("Not discussed", "Cancel") is an answer whatever the classifier made of it; so is a
    long message, which is more likely an answer that happens to sound like "stop" than a command. Where any words
    answer the question, only a message that asks something is taken for a question (actions/interjections.py).
    """
    intent = intent_of(tracker)
    text = text_of(tracker)
    if intent == URGENT_INTENT:
        return True
    if intent == "choose" or normalised(text) in {normalised(words) for words in BUTTON_WORDS.get(slot, ())}:
        return False
    if is_interjection(tracker, free_text=free_text(tracker, slot)):
        return True
    return intent in CONTROL_INTENTS and (text.startswith("/") or len(text.split()) <= CONTROL_WORDS)


def going_back(tracker: Tracker) -> bool:
    """ "Go back", "change my last answer": a short message asking to answer the previous question again."""
    text = text_of(tracker)
    short = not text.startswith("/") and len(text.split()) <= CONTROL_WORDS + 2
    return asks_to_correct(tracker) and short


def previous_question(tracker: Tracker, slot: str) -> str | None:
    """The question answered before this one in the current task, if any."""
    asked = required(tracker)
    earlier = asked[: asked.index(slot)] if slot in asked else []
    return next((s for s in reversed(earlier) if tracker.get_slot(s) is not None), None)


def point_options(key: str) -> list[tuple[str, str]]:
    return list(CHOICES.get(key, {}).items()) + [(NOT_DISCUSSED, NOT_DISCUSSED)]


def numbered_points() -> list[tuple[str, str]]:
    return [(key, f"{number}. {label}") for number, (key, label) in enumerate(POINTS, start=1)]


CONFIRMATION = [("save", "Save"), ("change", "Change a point"), ("cancel", "Cancel")]
DECISION = [("agree", "Agree"), ("amend", "Agree with an amendment"), ("not_now", "Not now")]
SECURING = [("secure", "Secure the file"), ("cancel", "Cancel")]
# What each option button says, by the value its payload (/choose{"option": ...}) sends.
OPTION_WORDS = dict(CONFIRMATION + DECISION + SECURING)
BUTTON_ONLY = {
    "record_confirmation",
    "point_to_change",
    "chosen_record",
    "agreement_decision",
    "amended_point",
    "secure_confirmation",
}
SHOW_RECORD = button("Show the record", "/list_records")


def option_buttons(options: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The buttons of a choice: each shows its words and sends its value, so a later tap is known for what it is."""
    return [button(words, f'/choose{{"option": "{value}"}}') for value, words in options]


def chosen_words(tracker: Tracker) -> str:
    """The words of the option a button sent, or the words typed."""
    option = next(iter(entity_values(tracker, "option")), None)
    return OPTION_WORDS.get(str(option), "") if intent_of(tracker) == "choose" and option else text_of(tracker)


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


def record_number(text: str, entities: list[dict[str, Any]]) -> int | None:
    """The record a button (entity "record") or the words ("record 12", "#12") name."""
    for entity in entities:
        if entity.get("entity") == "record" and str(entity.get("value", "")).strip().isdigit():
            return int(str(entity["value"]).strip())
    match = RECORD_IN_TEXT.search(text) if not text.startswith("/") else None
    return int(match.group(1) or match.group(2)) if match else None

"""The case-file form's questions, one for each slot, with the buttons that answer them."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime

from rasa_sdk import Tracker

from actions.casefile_note import SAVE_ANYWAY, draft_extras
from actions.casefile_tasks import (
    CHANGEABLE,
    CONFIRMATION,
    DECISION,
    LIST_LIMIT,
    POINT_BUTTONS,
    POINT_SLOTS,
    SECURING,
    SHOW_RECORD,
    numbered_points,
    option_buttons,
    point_options,
    record_button,
    task_of,
)
from actions.casefile_turn import Turn, directory, is_manager, other_parties
from actions.common import button
from actions.interjections import asked_before, resuming
from bot.case_content import reference
from casefile import POINTS
from casefile.export import summary
from casefile.points import CHOICES, LABELS, POINT_KEYS, shown
from casefile.views import RecordView, StaffMember
from knowledge.moments import london


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
    if number == 1:
        extra += (
            " You can also paste your whole note of the discussion: I will place it point by point for you to check."
        )
    turn.say(
        f"Point {number} of {len(POINTS)} (Framework 2.81): {LABELS[key]}.{extra}",
        [button(words) for _, words in point_options(key)],
    )


async def draft_and_completeness(turn: Turn) -> tuple[str, bool]:
    """The record being recorded, in full, as it will be saved; and whether core points are not discussed."""
    me = await turn.me()
    other = next((s for s in await directory() if str(s.id) == turn.slot("other_party")), None)
    extras, incomplete = draft_extras(turn, me, other)
    return draft_summary(turn.tracker, me, other) + "\n" + extras, incomplete


async def current_draft(turn: Turn) -> str:
    """The record being recorded, in full, as it will be saved."""
    return (await draft_and_completeness(turn))[0]


async def ask_record_confirmation(turn: Turn) -> None:
    draft, incomplete = await draft_and_completeness(turn)
    choices = [SAVE_ANYWAY, *CONFIRMATION[1:]] if incomplete else CONFIRMATION
    if asked_before(turn.tracker, "record_confirmation") or resuming(turn.tracker):
        turn.say(
            f"Your record on {turn.slot('case_reference')} is not saved yet. Save it?",
            option_buttons(choices) + [SHOW_RECORD],
        )
        return
    turn.say(
        "Please check the record before it is saved:\n\n"
        + draft
        + "\n\nSave it? Once saved, the other person is asked to agree it (Framework 2.82).",
        option_buttons(choices),
        shows=reference("draft"),
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
    if found.error is not None:
        return
    record: RecordView = found.value
    if asked_before(turn.tracker, "agreement_decision") or resuming(turn.tracker):
        turn.say(
            f"Record {record.id} on {record.case_reference}, awaiting your agreement. Do you agree it?",
            option_buttons(DECISION) + [SHOW_RECORD],
        )
        return
    turn.say(
        summary(record) + "\nDo you agree this record?", option_buttons(DECISION), shows=reference("record", record.id)
    )


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
        option_buttons(SECURING),
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

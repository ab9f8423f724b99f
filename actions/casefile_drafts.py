"""Keeps the case-file form's answers in the case file's drafts (casefile.drafts): the conversation, and so the
conversation store, holds only the draft's id.

Each case-file action runs as if the answers were slots: before it runs, its tracker's form slots are filled from the
draft; afterwards every answer it sets is written to the draft and reaches the conversation as None. The draft is
deleted when its task ends or starts again; one saved as a record keeps no answers, only the record's number, so
that confirming again after a crash lost the reply is told the record was saved (casefile.drafts.DraftView).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.casefile_tasks import FORM_SLOTS, NOTE_SLOTS, cleared, ended
from actions.casefile_turn import ANONYMOUS, UNREACHABLE, UNREACHABLE_READ, Turn, call, case_file, identity, log_failure
from casefile import NotFound
from casefile.drafts import DraftView
from casefile.views import RecordView
from knowledge.moments import london

DRAFT = "casefile_draft"
TASK = "casefile_task"
REQUESTED = "requested_slot"
# The answers a draft keeps: every question of the form and what a note brought in.
KEPT = frozenset((*FORM_SLOTS, *NOTE_SLOTS))
DRAFT_GONE = (
    "The answers of this task are no longer kept (the task ended, or was left too long), so it has stopped and "
    "nothing more was saved. Start it again when you are ready."
)
Run = Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], Awaitable[list[EventType]]]


def keeps_answers_in_draft(cls: type) -> type:
    """The action class, its run reading the form's answers from the draft and writing them back to it."""
    run: Run = cls.run

    @functools.wraps(run)
    async def run_with_draft(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        task = tracker.get_slot(TASK)
        try:
            draft = await load(tracker)
        except NotFound:
            if not task:
                return await keep(tracker, task, await run(self, dispatcher, tracker, domain))
            Turn(dispatcher, tracker).say(DRAFT_GONE)
            return stopped()
        except Exception:
            log_failure("The case file failed while reading a draft")
            Turn(dispatcher, tracker).say(UNREACHABLE if task else UNREACHABLE_READ)
            return same_question(tracker)
        if draft is not None and draft.saved_record_id is not None and task == "record":
            return await already_saved(Turn(dispatcher, tracker), draft)
        events = await run(self, dispatcher, tracker, domain)
        try:
            return await keep(tracker, task, events)
        except Exception:
            log_failure("The case file failed while keeping a draft")
            Turn(dispatcher, tracker).say(UNREACHABLE)
            return same_question(tracker)

    cls.run = run_with_draft
    return cls


async def load(tracker: Tracker) -> DraftView | None:
    """The conversation's draft, its answers put into the tracker's slots (for this action only)."""
    draft_id = tracker.get_slot(DRAFT)
    actor = identity(tracker)
    if not draft_id or actor == ANONYMOUS:
        return None
    draft: DraftView = await call(case_file().drafts.read, actor, draft_id)
    for slot in KEPT:
        tracker.slots[slot] = draft.answers.get(slot)
    return draft


async def keep(tracker: Tracker, task_before: str | None, events: list[EventType]) -> list[EventType]:
    """The action's events with its answers written to the draft (started if there is none) and set to None."""
    answers: dict[str, Any] = {}
    kept: list[EventType] = []
    tasks: list[Any] = []
    for event in events:
        name = event.get("name") if isinstance(event, dict) and event.get("event") == "slot" else None
        if name in KEPT:
            answers[name] = event.get("value")
            kept.append(SlotSet(name, None))
            continue
        if name == TASK:
            tasks.append(event.get("value"))
        kept.append(event)
    task = tasks[-1] if tasks else task_before
    actor = identity(tracker)
    draft_id = tracker.get_slot(DRAFT)
    if actor == ANONYMOUS:
        return kept
    if draft_id and (task is None or any(t != task_before for t in tasks)):
        # Ended (a draft saved as a record is kept for a second confirmation to find) or started again; one not
        # deleted now is purged with the old drafts.
        try:
            await call(case_file().drafts.discard, actor, draft_id, keep_saved=task is None)
        except Exception:
            log_failure("The case file failed while deleting a draft")
        kept.append(SlotSet(DRAFT, None))
        draft_id = None
    if task is None or not answers:
        return kept
    if draft_id:
        await call(case_file().drafts.update, actor, draft_id, answers)
    elif any(value is not None for value in answers.values()):
        given = {name: value for name, value in answers.items() if value is not None}
        kept.append(SlotSet(DRAFT, await call(case_file().drafts.start, actor, task, given)))
    return kept


def same_question(tracker: Tracker) -> list[EventType]:
    """The form, if under way, stays at the question it asked (nothing of the answer kept)."""
    asked = tracker.get_slot(REQUESTED)
    return [SlotSet(asked, None), SlotSet(REQUESTED, asked)] if asked else []


def stopped() -> list[EventType]:
    return [ActiveLoop(None), SlotSet(TASK, None), SlotSet(DRAFT, None)] + cleared()


async def already_saved(turn: Turn, draft: DraftView) -> list[EventType]:
    """Confirming again a draft already saved (the reply to the first Save was lost): the record, not a second one."""
    found = await turn.record(draft.saved_record_id)
    if found.error is None:
        turn.say(saved_before(found.value))
    try:
        await call(case_file().drafts.discard, turn.actor, draft.id)
    except Exception:
        log_failure("The case file failed while deleting a draft")
    done = ended("record", "saved", draft.saved_record_id)
    return [ActiveLoop(None), SlotSet(DRAFT, None)] + cleared() + [SlotSet(k, v) for k, v in done.items()]


def saved_before(record: RecordView) -> str:
    """What a second confirmation of a record already saved is told."""
    state = (
        f"agreed by {record.agreed_by.name}"
        if record.agreed
        else f"awaiting {record.other_party.name}'s agreement (Framework 2.82)"
    )
    return (
        f"Already saved: this record was saved on {london(record.recorded_at)} as record {record.id} on "
        f"{record.case_reference}, {state}. It was not saved a second time."
    )

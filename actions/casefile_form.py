"""The case-file form's actions: start a task with what the message says, read answers, ask, explain, stop, finish."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.casefile_answers import ANSWERS, answer_case_reference, answer_chosen_record
from actions.casefile_drafts import keeps_answers_in_draft
from actions.casefile_note import note_updates
from actions.casefile_questions import ASKS
from actions.casefile_records import export
from actions.casefile_tasks import (
    DONE,
    END,
    FORM,
    FORM_SLOTS,
    INTRODUCTIONS,
    NOTE_SLOTS,
    TASKS,
    URGENT_INTENT,
    USE_URGENT_MESSAGE,
    WHY,
    Updates,
    called,
    chosen_words,
    cleared,
    free_text,
    going_back,
    interrupts,
    previous_question,
    record_number,
    required,
    task_of,
)
from actions.casefile_turn import UNREACHABLE, UNREACHABLE_READ, Turn, case_file, log_failure, previous_user_text
from actions.common import button, entities_of, intent_of, text_of
from actions.interjections import resuming
from casefile import CaseFileError
from casefile.references import case_references
from casefile.views import RecordView
from knowledge.answers import passages_answer
from knowledge.moments import london

# Questions a question cannot be the answer to: after another question was answered, no "Use that message".
NAMES_AND_TIMES = {"case_reference", "other_party", "discussed_at", "concern_identified_at", "event_date"}


@keeps_answers_in_draft
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
            log_failure("The case file could not tell who is writing")
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
        number = record_number(text, entities_of(turn.tracker))
        if number is not None and task in ("agree", "amend", "export"):
            chosen = await answer_chosen_record(turn, f"record {number}")
            return chosen if chosen != END else None
        if text.startswith("/") or task not in ("record", "export", "secure", "later"):
            return None
        note = await note_updates(turn, text) if task == "record" else None
        references = case_references(text, case_file().case_reference_pattern)
        if references:
            return {"case_reference": references[0], **(note or {})}
        mentioned = re.search(r"\bcase\s+(?:ref(?:erence)?\s+|number\s+|no\.?\s+)?(\S*\d\S*)", text, re.I)
        if mentioned:
            await answer_case_reference(turn, mentioned.group(1).strip(".,;:()"))
        return note


@keeps_answers_in_draft
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
        turn = Turn(dispatcher, tracker)
        if text == USE_URGENT_MESSAGE:
            text = previous_user_text(tracker)
        elif interrupts(tracker, slot):
            return []  # for the rules: answered as outside the task, which then asks its question again
        elif going_back(tracker):
            return go_back(turn, slot)
        else:
            text = chosen_words(tracker)
        if not text or text.startswith("/"):
            turn.say("Please answer the question in words, or use the buttons.")
            return [SlotSet(slot, None)]
        try:
            updates = await ANSWERS[slot](turn, text)
        except CaseFileError as refusal:
            turn.say(str(refusal))
            updates = END
        except Exception:
            log_failure("The case file failed while reading an answer")
            turn.say(UNREACHABLE)
            updates = None
        return [SlotSet(name, value) for name, value in (updates or {slot: None}).items()]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        mine = {"casefile_task", DONE, *FORM_SLOTS, *NOTE_SLOTS}
        return [SlotSet(name, value) for name, value in tracker.slots_to_validate().items() if name in mine]


def go_back(turn: Turn, slot: str) -> list[EventType]:
    """ "Go back": the question before this one is asked again, its answer forgotten."""
    previous = previous_question(turn.tracker, slot)
    if previous is None:
        turn.say("There's no earlier answer in this task to change.")
        return [SlotSet(slot, None)]
    turn.say("Going back one question.")
    return [SlotSet(previous, None)]


@keeps_answers_in_draft
class AskCasefileQuestion(Action):
    """Asks one of the form's questions; one subclass per slot (action_ask_<slot>)."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        back = resuming(tracker)
        if back and self.slot not in ("agreement_decision", "record_confirmation"):  # these recall it in one line
            turn.lead = f"Back to {called(tracker)}: "
        try:
            await ASKS[self.slot](turn)
        except CaseFileError as refusal:
            turn.say(str(refusal))
        except Exception:
            log_failure("The case file failed while asking %s", self.slot)
            turn.say(UNREACHABLE_READ)
        typed = text_of(tracker) and not text_of(tracker).startswith("/")
        any_words = free_text(tracker, self.slot)
        narrative = any_words and self.slot not in NAMES_AND_TIMES
        if typed and ((intent_of(tracker) == URGENT_INTENT and any_words) or (back and narrative)):
            turn.say(
                "If your last message was your answer to this question, press the button.", [button(USE_URGENT_MESSAGE)]
            )
        return []


# Kept in a dict: a class nothing refers to can be garbage-collected before the action server registers it.
ASK_ACTIONS = {slot: type(f"AskCasefile_{slot}", (AskCasefileQuestion,), {"slot": slot}) for slot in FORM_SLOTS}


@keeps_answers_in_draft
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


@keeps_answers_in_draft
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


class ActionAfterCasefileTask(Action):
    """A task's button tapped again after the task ended: the state of what was done, never a second save."""

    def name(self) -> str:
        return "action_after_casefile_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        task, outcome, what = ((tracker.get_slot(DONE) or "") + "::").split(":")[:3]
        try:
            turn.say(await self.state(turn, task, outcome, what))
        except CaseFileError as refusal:
            turn.say(str(refusal))
        except Exception:
            log_failure("The case file failed while telling the state of a finished task")
            turn.say(UNREACHABLE_READ)
        return []

    @staticmethod
    async def state(turn: Turn, task: str, outcome: str, what: str) -> str:
        if task == "record" and outcome == "cancelled":
            return 'That record was cancelled, so nothing was saved. Say "record my SM discussion" to start again.'
        if task == "secure":
            if outcome == "cancelled":
                return "That was cancelled: the case file was not secured."
            return "The case file is already secured (Framework 3.42-3.44); nothing more was done."
        if task == "later":
            return f"Already saved as later recording {what}; it was not saved a second time."
        if not what.isdigit():
            return (
                "There's no case-file task under way, so there is nothing to save or agree. Say "
                '"record my SM discussion" or "agree the record" to start one.'
            )
        found = await turn.record(int(what))
        if found.error is not None:
            return "I can't show the state of that record just now."
        record: RecordView = found.value
        agreed = (
            f"agreed by {record.agreed_by.name} on {london(record.agreed_at)}"
            if record.agreed
            else f"awaiting {record.other_party.name}'s agreement (Framework 2.82)"
        )
        if task == "record":
            return f"Already saved as record {record.id} on {record.case_reference}, {agreed}. Not saved again."
        if task == "amend":
            return f"Already amended: record {record.id} on {record.case_reference} carries your amendment, {agreed}."
        return f"Record {record.id} on {record.case_reference} is {agreed}."

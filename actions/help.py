"""The greeting and help: everything a person can do here, with the case file and learning for registered staff only."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.casefile_turn import ANONYMOUS, call, case_file, identity, log_failure
from actions.common import button
from bot.settings import load_settings
from knowledge.walkthroughs import load_walkthroughs

EDITION = (
    "I answer from the Cafcass Safeguarding Framework, March 2007 edition, and quote it as written with paragraph "
    "numbers, so you can check the source; where a body or process it names has since changed (the GSCC, the Child "
    'Protection Register, LSCBs, CRB checks), a separate "Since then" note says what replaced it.'
)
GREETING = (
    "Hello. I answer from the Cafcass Safeguarding Framework (the March 2007 edition), citing its paragraphs, with a "
    "note where a body it names has since changed. If a child is in danger now, say so first."
)
ASKING = [
    'ask about a procedure in your own words: "what goes in the SM discussion?", "how do I refer to CSC and by when?"',
    'read a paragraph: "show me 2.81", "read me appendix V"',
    'ask what a term means: "what is a LADO?", "what does FJC stand for?"',
    'check an offence against the Appendix II schedule: "is ABH on the schedule?"',
]
CASE_FILE = (
    "keep the case file of your Service Manager discussions (Framework 2.81-2.82): "
    '"record my SM discussion on ZW25P01234", "agree the record", "amend a record", "show my records", '
    '"export the records for ZW25P01234", "secure the case file", "add a later recording"'
)
LEARNING = (
    "learn the Framework, with your progress kept for you: "
    '"teach me screening", "what should I know in my first month?", "give me a practice case", "quiz me on section '
    '120", "how am I doing?", "export my learning record", "share my progress with my manager"'
)
URGENT = "tell me a child is in danger now: you get the urgent-action steps (2.87) first, whatever else you were doing"
ALONG_THE_WAY = (
    "Inside a walkthrough or a record you can still ask anything, or say \u201cgo back\u201d, \u201cstart again\u201d "
    "or \u201cstop\u201d: I answer, then go back to where you were."
)
YOURS = "The decision stays yours, with your Service Manager (Framework 1.14-1.16)."
URGENT_BUTTON = button("A child is in danger now", "/urgent_danger")


def walkthrough_buttons() -> list[dict[str, str]]:
    return [button(w.title, f'/start_walkthrough{{"walkthrough": "{w.name}"}}') for w in load_walkthroughs().values()]


def walkthrough_line() -> str:
    titles = "; ".join(w.title for w in load_walkthroughs().values())
    return f"walk through a decision for your case, question by question: {titles}"


async def registered(tracker: Tracker) -> bool:
    """Whether the person writing is active staff in the case file (False when it cannot be reached)."""
    actor = identity(tracker)
    if not actor.channel or not actor.external_id:
        return False
    try:
        return await call(case_file().staff.find_by_identity, actor.channel, actor.external_id) is not None
    except Exception:  # the case file is down: say what everyone can do
        log_failure("The case file could not tell whether the person writing is registered")
        return False


async def things_to_do(tracker: Tracker) -> list[str]:
    lines = [*ASKING, walkthrough_line()]
    staff = await registered(tracker)
    if staff:
        lines.append(CASE_FILE)
    if staff or (identity(tracker) != ANONYMOUS and load_settings().allow_unregistered_learners):
        lines.append(LEARNING)
    return [*lines, URGENT]


class ActionHelp(Action):
    """Everything a person can do, each with an example, and the walkthroughs as buttons."""

    def name(self) -> str:
        return "action_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        lines = [f"{EDITION} You can:"] + [f"\u2022 {line}" for line in await things_to_do(tracker)]
        dispatcher.utter_message(
            text="\n".join([*lines, ALONG_THE_WAY, YOURS]), buttons=walkthrough_buttons() + [URGENT_BUTTON]
        )
        return []


class ActionGreet(Action):
    """Hello, what this is, and what a person can do here."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        lines = [f"{GREETING} You can:"]
        lines += [f"\u2022 {line}" for line in await things_to_do(tracker)]
        dispatcher.utter_message(text="\n".join(lines), buttons=walkthrough_buttons() + [URGENT_BUTTON])
        return []

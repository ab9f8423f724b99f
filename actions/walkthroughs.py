"""The decision walkthroughs as one Rasa form: asks only for the facts still needed, then gives the outcome."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import button, entity_values, intent_of, text_of
from actions.guidance import say
from knowledge.answers import citation_line
from knowledge.currency import since_then_lines
from knowledge.decision import REMINDER, say_deadline
from knowledge.facts import rule_in_play
from knowledge.moments import now
from knowledge.offence_answers import offence_answer
from knowledge.walkthroughs import Walkthrough, load_walkthroughs

FORM = "walkthrough_form"
# Intents that steer the walkthrough rather than answer its question.
CONTROL_INTENTS = {"why_ask", "stop", "start_again", "urgent_danger"}
START_INTENTS = {
    "decide_section_120": "section_120",
    "decide_police_check": "police_check",
    "decide_referral_type": "referral_type",
}


def all_facts() -> list[str]:
    """Every fact slot any walkthrough may ask, each once, in the order the walkthroughs list them."""
    return list(dict.fromkeys(f for w in load_walkthroughs().values() for f in w.facts))


def current(tracker: Tracker) -> Walkthrough | None:
    return load_walkthroughs().get(tracker.get_slot("walkthrough") or "")


def known_facts(tracker: Tracker, walkthrough: Walkthrough) -> dict[str, Any]:
    return {fact: tracker.get_slot(fact) for fact in walkthrough.facts if tracker.get_slot(fact) is not None}


def question_message(walkthrough: Walkthrough, fact: str) -> dict[str, Any]:
    question = walkthrough.question(fact)
    return {
        "text": question.text,
        "buttons": [button(o.title) for o in question.options] + [button("Why do you ask?", "/why_ask")],
    }


class ActionStartWalkthrough(Action):
    """Starts (or restarts) a walkthrough, keeping the facts the opening message already states."""

    def name(self) -> str:
        return "action_start_walkthrough"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        walkthroughs = load_walkthroughs()
        asked = next(iter(entity_values(tracker, "walkthrough")), None)
        name = START_INTENTS.get(intent_of(tracker)) or asked or tracker.get_slot("walkthrough")
        walkthrough = walkthroughs.get(name or "")
        if walkthrough is None:
            dispatcher.utter_message(
                text="Which decision would you like to walk through?",
                buttons=[
                    button(w.title, f'/start_walkthrough{{"walkthrough": "{w.name}"}}') for w in walkthroughs.values()
                ],
            )
            return [SlotSet("walkthrough", None)]
        events: list[EventType] = [SlotSet(fact, None) for fact in all_facts()]
        events += [SlotSet("walkthrough", walkthrough.name), SlotSet("requested_slot", None)]
        if intent_of(tracker) != "start_again":
            text = text_of(tracker)
            stated = walkthrough.extract(text, now()) if not text.startswith("/") else {}
            stated |= facts_given(walkthrough, entity_values(tracker, "facts"))
            events += [SlotSet(fact, value) for fact, value in stated.items()]
        rule = rule_in_play(walkthrough.name)
        opening = f"*{walkthrough.title}*." + (f"\n{rule.quote} ({rule.cite})\n" if rule else "")
        dispatcher.utter_message(
            text=opening + ' Say "why do you ask?" at any question, "start again" or "stop" at any point.'
        )
        return events


def facts_given(walkthrough: Walkthrough, given: list[Any]) -> dict[str, Any]:
    """The facts a button carried from a described case (knowledge.facts.start_payload): only this walkthrough's
    facts, and only values it allows."""
    facts = next((g for g in given if isinstance(g, dict)), {})
    return {
        fact: value for fact, value in facts.items() if fact in walkthrough.facts and walkthrough.allows(fact, value)
    }


class ValidateWalkthroughForm(FormValidationAction):
    """Reads each answer (a button or typed words), and any other fact the message states, or a change of mind."""

    def name(self) -> str:
        return "validate_walkthrough_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[str]:
        walkthrough = current(tracker)
        if walkthrough is None:
            return []
        return walkthrough.next_facts(known_facts(tracker, walkthrough), now())

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        walkthrough = current(tracker)
        text = text_of(tracker)
        if walkthrough is None or intent_of(tracker) in CONTROL_INTENTS or not text:
            return []
        updates: dict[str, Any] = {}
        requested = tracker.get_slot("requested_slot")
        if requested in walkthrough.facts:
            answer = walkthrough.parse_answer(requested, text, now())
            if answer is not None:
                updates[requested] = answer
        if not text.startswith("/"):
            for fact, value in walkthrough.extract(text, now()).items():
                if fact != requested or requested not in updates:
                    updates[fact] = value
        if intent_of(tracker) == "offence_lookup" and requested not in updates:
            # "dad's partner has a caution for ABH": looked up against Appendix II; the question stands.
            say(dispatcher, offence_answer(text))
        elif requested in walkthrough.facts and not updates:
            dispatcher.utter_message(
                text="I didn't catch an answer to that. Please pick one of the buttons, "
                'or say "why do you ask?", "start again" or "stop".'
            )
        if not updates:
            # Keep the form in charge (it asks again) rather than let another rule answer mid-walkthrough.
            return [SlotSet("walkthrough", walkthrough.name)]
        return [SlotSet(fact, value) for fact, value in updates.items()]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        walkthrough = current(tracker)
        slots = ({"walkthrough", *walkthrough.facts}) if walkthrough else set()
        return [SlotSet(k, v) for k, v in tracker.slots_to_validate().items() if k in slots]


class AskFact(Action):
    """Asks one fact's question with its buttons; one subclass per fact slot (action_ask_<fact>)."""

    fact = ""

    def name(self) -> str:
        return f"action_ask_{self.fact}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        walkthrough = current(tracker)
        if walkthrough is not None and self.fact in walkthrough.facts:
            dispatcher.utter_message(**question_message(walkthrough, self.fact))
        return []


# Kept by name so the classes live for rasa-sdk to register them.
ASK_ACTIONS = {fact: type(f"ActionAsk_{fact}", (AskFact,), {"fact": fact}) for fact in all_facts()}


class ActionExplainQuestion(Action):
    """ "Why do you ask?": the paragraph behind the question being asked, word for word."""

    def name(self) -> str:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        walkthrough = current(tracker)
        fact = tracker.get_slot("requested_slot")
        if walkthrough is None or fact not in walkthrough.facts:
            dispatcher.utter_message(text="There's no question waiting for an answer just now.")
            return []
        question = walkthrough.question(fact)
        dispatcher.utter_message(
            text=f"Because the Framework says: \u201c{question.why_quote}\u201d ({citation_line([question.why_cite])})"
        )
        return []


class ActionStopWalkthrough(Action):
    def name(self) -> str:
        return "action_stop_walkthrough"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text="Stopped. Nothing was decided. Ask me anything else, or type 'help'.")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("walkthrough", None)] + [
            SlotSet(fact, None) for fact in all_facts()
        ]


class ActionWalkthroughOutcome(Action):
    """The decision in one line, the numbered steps with any dates, what it rests on, and whose decision it is."""

    def name(self) -> str:
        return "action_walkthrough_outcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        walkthrough = current(tracker)
        if walkthrough is None:
            return []
        known = known_facts(tracker, walkthrough)
        decision = walkthrough.decide(known, now())
        lines = [f"*{walkthrough.title}*", decision.headline, ""]
        lines += [f"{number}. {step}" for number, step in enumerate(decision.steps, start=1)]
        if decision.deadlines:
            lines += ["", "Dates:"] + [f"• {label}: {say_deadline(when)}" for label, when in decision.deadlines]
        lines += since_then_lines(step.quote for step in decision.steps)
        lines += ["", "Based on what you told me:"] + [f"• {line}" for line in walkthrough.describe(known)]
        lines += ["", citation_line(decision.citations), "", REMINDER]
        dispatcher.utter_message(
            text="\n".join(lines),
            json_message=decision.to_payload(),
            buttons=[button("Start again", "/start_again")],
        )
        return []

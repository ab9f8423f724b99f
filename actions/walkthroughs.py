"""The decision walkthroughs as one Rasa form: asks only for the facts still needed, then gives the outcome."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import button, entity_values, intent_of, intents_of, text_of
from actions.interjections import (
    answer,
    answering_action,
    asks_to_correct,
    is_interjection,
    ran_since_message,
    resuming,
)
from knowledge.answers import citation_line
from knowledge.currency import since_then_lines
from knowledge.decision import REMINDER, say_deadline
from knowledge.facts import rule_in_play
from knowledge.moments import now
from knowledge.walkthroughs import Walkthrough, load_walkthroughs, statements

FORM = "walkthrough_form"
# Intents that steer the walkthrough rather than answer its question.
CONTROL_INTENTS = {"why_ask", "stop", "start_again", "urgent_danger"}
CHANGE_ANSWER = re.compile(r"\b(change|correct)\b.*\banswer", re.IGNORECASE)
URGENT = "action_urgent_guidance"
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
    """Starts (or restarts) a walkthrough, keeping the facts the opening message already states.

    Asked for the walkthrough already under way ("do I refer or just notify?" inside the section 120 decision), it
    gives the rule again and carries on from the answers given, with any fact the message states; "start again"
    is the way to begin afresh.
    """

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
        going_on = continuing(tracker, walkthrough)
        events: list[EventType] = [] if going_on else [SlotSet(fact, None) for fact in all_facts()]
        events += [SlotSet("walkthrough", walkthrough.name)] + ([] if going_on else [SlotSet("requested_slot", None)])
        if intent_of(tracker) != "start_again":
            text = text_of(tracker)
            stated = walkthrough.extract(text, now()) if not text.startswith("/") else {}
            stated |= facts_given(walkthrough, entity_values(tracker, "facts"))
            events += [SlotSet(fact, value) for fact, value in stated.items()]
        rule = rule_in_play(walkthrough.name, text_of(tracker), intents_of(tracker))
        opening = f"*{walkthrough.title}*." + (f"\n{rule.quote} ({rule.cite})\n" if rule else "")
        dispatcher.utter_message(
            text=opening + ' Ask me anything along the way; at any question you can say "why do you ask?", '
            '"go back", "start again" or "stop".'
        )
        if going_on:
            dispatcher.utter_message(text='Your answers so far are kept; say "start again" to begin afresh.')
        return events


def continuing(tracker: Tracker, walkthrough: Walkthrough) -> bool:
    """Whether a typed request for a decision asks for the walkthrough already under way (which then goes on)."""
    return (
        (tracker.active_loop or {}).get("name") == FORM
        and tracker.get_slot("walkthrough") == walkthrough.name
        and intent_of(tracker) in START_INTENTS
        and not text_of(tracker).startswith("/")
    )


def under_way_before_message(tracker: Tracker) -> bool:
    """Whether a walkthrough was under way when the latest message came."""
    events = list(tracker.events)
    last = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    loops = [e for e in events[:last] if e.get("event") == "active_loop"]
    return bool(loops) and loops[-1].get("name") == FORM


def facts_given(walkthrough: Walkthrough, given: list[Any]) -> dict[str, Any]:
    """The facts a button carried from a described case (knowledge.facts.start_payload): only this walkthrough's
    facts, and only values it allows."""
    facts = next((g for g in given if isinstance(g, dict)), {})
    return {
        fact: value for fact, value in facts.items() if fact in walkthrough.facts and walkthrough.allows(fact, value)
    }


class ValidateWalkthroughForm(FormValidationAction):
    """Reads each answer (a button or typed words), any other fact the message states, and a change of answer.

    A message that answers nothing and asks something (a question, paragraph, term, offence, urgent danger) is
    left to the rules (data/rules/interjections.yml), which answer it as outside the walkthrough and come back;
    a message that does both has its answer used and its question answered here, by the same actions.
    """

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
        requested = tracker.get_slot("requested_slot")
        if walkthrough is not None and tapped(walkthrough, requested, text):
            # A button of the question is its answer, whatever the classifier made of its words
            # ("Child abuse outside work" is not a report of danger now).
            return [SlotSet(requested, walkthrough.parse_answer(requested, text, now()))]
        if walkthrough is not None and intent_of(tracker) == "urgent_danger" and ran_since_message(tracker, {URGENT}):
            # Back from the 2.87 guidance: what the urgent message states about the case is kept (never swallowed).
            return [SlotSet(fact, value) for fact, value in walkthrough.extract(text, now()).items()]
        if walkthrough is None or intent_of(tracker) in CONTROL_INTENTS or not text:
            return []
        asking = is_interjection(tracker)
        # A question, paragraph, term or offence the classifier recognised, in words that answer nothing, is
        # answered as outside the walkthrough too ("wat does 3.40 say exactly"), never "I didn't catch that".
        answerable = intent_of(tracker) != "nlu_fallback" and answering_action(intent_of(tracker)) is not None
        known = known_facts(tracker, walkthrough)
        if asks_to_correct(tracker) and CHANGE_ANSWER.search(text):
            # "change my answer about the harm box": names the answer to change, states nothing.
            return revisit(dispatcher, tracker, walkthrough, known, text)
        updates = stated_facts(walkthrough, requested, text, asking)
        if (asking or answerable) and not updates:
            return []  # answered by the rules, then the walkthrough goes on
        if asking:
            await answer(dispatcher, tracker, domain)
        if not updates and asks_to_correct(tracker):
            return revisit(dispatcher, tracker, walkthrough, known, text)
        changed = {fact: value for fact, value in updates.items() if fact in known and known[fact] != value}
        if changed:
            lines = walkthrough.describe(changed)
            dispatcher.utter_message(text="Changed: " + "; ".join(lines) + ".")
        if requested in walkthrough.facts and not updates:
            dispatcher.utter_message(
                text="I didn't catch an answer to that. Please pick one of the buttons, "
                'or say "why do you ask?", "go back", "start again" or "stop".'
            )
            return [SlotSet(requested, None)]  # invalid: the form asks again
        return [SlotSet(fact, value) for fact, value in updates.items()]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        walkthrough = current(tracker)
        slots = ({"walkthrough", *walkthrough.facts}) if walkthrough else set()
        return [SlotSet(k, v) for k, v in tracker.slots_to_validate().items() if k in slots]


def tapped(walkthrough: Walkthrough, fact: str | None, text: str) -> bool:
    """Whether the message is the words of one of the pending question's buttons."""
    if fact not in walkthrough.facts:
        return False
    said = " ".join(text.lower().split())
    return any(said == option.title.lower() for option in walkthrough.question(fact).options)


def stated_facts(walkthrough: Walkthrough, requested: str | None, text: str, asking: bool) -> dict[str, Any]:
    """The answer to the pending question and any other fact the message states; a question part answers nothing."""
    updates: dict[str, Any] = {}
    if requested in walkthrough.facts:
        answer_text = statements(text) if asking else text
        value = walkthrough.parse_answer(requested, answer_text, now()) if answer_text.strip() else None
        if value is not None:
            updates[requested] = value
    if not text.startswith("/"):
        for fact, value in walkthrough.extract(text, now()).items():
            if fact != requested or requested not in updates:
                updates[fact] = value
    return updates


_GENERIC = set(
    "a an the my your i i'd i've to it its it's that this was is be answer answers change changing correct "
    "go back wrong mistake last one question about on of for please actually sorry no want can we let's let me "
    "meant mean said earlier previous".split()
)


def named_fact(walkthrough: Walkthrough, known: dict[str, Any], text: str) -> str | None:
    """The given fact a message names ("change the C1A answer"), by the words of its label and its question."""
    words = set(re.findall(r"[a-z0-9/]+", text.lower())) - _GENERIC
    if not words:
        return None
    scores = {}
    for fact in known:
        label = walkthrough.describe({fact: known[fact]})[0].split(":")[0]
        question = walkthrough.question(fact).text
        # The label names the fact; the question's words count half as much.
        scores[fact] = 2 * len(words & set(re.findall(r"[a-z0-9/]+", label.lower()))) + len(
            words & set(re.findall(r"[a-z0-9/]+", question.lower()))
        )
    best = max(scores.values(), default=0)
    named = [fact for fact, score in scores.items() if score == best]
    return named[0] if best and len(named) == 1 else None


def last_answered(tracker: Tracker, known: dict[str, Any]) -> str | None:
    """The given fact most recently set in the conversation."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") in known and event.get("value") is not None:
            return event["name"]
    return next(reversed(known), None)


def revisit(
    dispatcher: CollectingDispatcher, tracker: Tracker, walkthrough: Walkthrough, known: dict[str, Any], text: str
) -> list[EventType]:
    """ "Go back", "change the C1A answer": forgets that answer, so the form asks its question again."""
    fact = named_fact(walkthrough, known, text) or last_answered(tracker, known)
    if fact is None:
        dispatcher.utter_message(text="There's no answer to change yet.")
        requested = tracker.get_slot("requested_slot")
        return [SlotSet(requested, None)] if requested else []
    dispatcher.utter_message(text=f"Changing your answer ({walkthrough.describe({fact: known[fact]})[0]}).")
    return [SlotSet(fact, None)]


class AskFact(Action):
    """Asks one fact's question with its buttons; one subclass per fact slot (action_ask_<fact>).

    After something else was answered in the same turn, the question comes back in one short line,
    "Back to the police check: ...".
    """

    fact = ""

    def name(self) -> str:
        return f"action_ask_{self.fact}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        walkthrough = current(tracker)
        if walkthrough is not None and self.fact in walkthrough.facts:
            message = question_message(walkthrough, self.fact)
            answered_too = is_interjection(tracker) and answering_action(intent_of(tracker)) is not None
            went_on = ran_since_message(tracker, {"action_start_walkthrough"}) and under_way_before_message(tracker)
            if resuming(tracker) or answered_too or (went_on and intent_of(tracker) in START_INTENTS):
                message["text"] = f"Back to {walkthrough.called}: {message['text']}"
            dispatcher.utter_message(**message)
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

"""What a message inside a form asks besides answering it, answered by the same actions that answer it outside."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import intent_of, text_of
from actions.guidance import (
    ActionAnswerTopic,
    ActionDefineTerm,
    ActionLookupOffence,
    ActionShowParagraph,
    ActionSuggestTopics,
)
from knowledge.facts import asks_something
from knowledge.framework import asks_for_paragraph
from knowledge.topics import topic_for_intent

# The actions that answer a message of these intents outside any form (data/rules/), by intent.
ANSWERING_ACTIONS: dict[str, type[Action]] = {
    "show_paragraph": ActionShowParagraph,
    "define_term": ActionDefineTerm,
    "offence_lookup": ActionLookupOffence,
    "nlu_fallback": ActionSuggestTopics,
}
# Intents answered by a response or an action of their own, which a form gives way to (data/rules/interjections.yml).
OTHER_INTERJECTIONS = {"urgent_danger", "help", "greet", "bot_challenge", "out_of_scope", "thank", "list_records"}
# Said in a few words ("help", "hello", "thanks"), these are never an answer to a form's question.
SHORT_INTERJECTIONS = {"help", "greet", "bot_challenge", "thank"}
SHORT = 4
# What runs for an interjection before the form asks its question again ("Back to ...").
RESUMING_AFTER = {
    "action_answer_topic",
    "action_show_paragraph",
    "action_define_term",
    "action_lookup_offence",
    "action_suggest_topics",
    "action_urgent_guidance",
    "action_help",
    "action_greet",
    "action_list_records",
    "utter_bot_challenge",
    "utter_out_of_scope",
    "utter_thank",
}
_CORRECTION = re.compile(
    r"^\W*(?:go back|back one|undo|(?:can i |i want to |let me |i'd like to |i need to )?(?:change|correct) "
    r"(?:my|the|that|an?) (?:\w+ ){0,8}?answer)\b",
    re.IGNORECASE,
)


def asks_to_correct(tracker: Tracker) -> bool:
    """ "Go back", "change the C1A answer": the classifier's correct_answer, or a message that opens as one does."""
    return intent_of(tracker) == "correct_answer" or bool(_CORRECTION.search(text_of(tracker)))


def answering_action(intent: str | None) -> Action | None:
    """The action that answers a message of this intent outside a form: a question area, paragraph, term, offence."""
    if topic_for_intent(intent):
        return ActionAnswerTopic()
    kind = ANSWERING_ACTIONS.get(intent or "")
    return kind() if kind else None


def is_interjection(tracker: Tracker, free_text: bool = False) -> bool:
    """Whether the latest message, inside a form, is for answering as it would be outside it.

    Urgent danger always is, and so is a button of another kind (a paragraph, a record). Typed, a question, term,
    paragraph or question area is one when the message asks something as a reply to a form's question does
    (knowledge.facts.asks_something, answering), so that "yes, there was domestic violence" answers the form's
    question; a paragraph when the message asks to see it by number ("pull up 2.83 pls"); "help" or "thanks" when
    said in a few words; an offence whenever one is named, except where the question takes any text (`free_text`:
    "father has a caution for ABH" is what was discussed).
    """
    intent = intent_of(tracker)
    text = text_of(tracker)
    if intent == "urgent_danger":
        return True
    if answering_action(intent) is None and intent not in OTHER_INTERJECTIONS:
        return False
    if text.startswith("/"):
        return True
    if asks_something(text, answering=True):
        return True
    if intent == "show_paragraph" and asks_for_paragraph(text):
        return True
    if intent in SHORT_INTERJECTIONS and len(text.split()) <= SHORT:
        return True
    return intent == "offence_lookup" and not free_text


async def answer(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> bool:
    """Answers the question a message also asks, with the action that answers it outside the form; False if none."""
    action = answering_action(intent_of(tracker))
    if action is None:
        return False
    await action.run(dispatcher, tracker, domain)
    return True


def _since_last_message(tracker: Tracker) -> list[dict[str, Any]]:
    events = list(tracker.events)
    last = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return events[last + 1 :]


def ran_since_message(tracker: Tracker, actions: set[str]) -> bool:
    """Whether one of these actions has run since the latest message."""
    return any(e.get("event") == "action" and e.get("name") in actions for e in _since_last_message(tracker))


def resuming(tracker: Tracker) -> bool:
    """Whether the form asks again after something else was answered for this message (so it says "Back to ...")."""
    return ran_since_message(tracker, RESUMING_AFTER)


def asked_before(tracker: Tracker, slot: str) -> bool:
    """Whether the form's pending question, when the latest message came, was already this one (a repeat)."""
    events = list(tracker.events)
    last = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    for event in reversed(events[:last]):
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            return event.get("value") == slot
        if event.get("event") == "active_loop":
            return False
    return False

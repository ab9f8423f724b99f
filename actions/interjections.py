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
from knowledge.topics import topic_for_intent

# The actions that answer a message of these intents outside any form (data/rules/), by intent.
ANSWERING_ACTIONS: dict[str, type[Action]] = {
    "show_paragraph": ActionShowParagraph,
    "define_term": ActionDefineTerm,
    "offence_lookup": ActionLookupOffence,
    "nlu_fallback": ActionSuggestTopics,
}
# Intents answered by a response or a rule of their own, which a form gives way to (data/rules/interjections.yml).
OTHER_INTERJECTIONS = {"urgent_danger", "help", "greet", "bot_challenge", "out_of_scope", "thank"}
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
    "utter_bot_challenge",
    "utter_out_of_scope",
    "utter_thank",
}
_OPENERS = (
    r"what|what's|whats|how|when|where|why|who|whose|which|is|are|was|were|does|do|did|can|could|should|must|shall|"
    r"will|would|may|show|read|explain|define|tell me|remind me|give me|meaning of|what does"
)
_QUESTION = re.compile(
    rf"\?|(?:^|[.;:!,\u2014\u2013]\s*|\s-\s|\b(?:and|but|also|though|btw|quick question|sorry)\s+)(?:{_OPENERS})\b",
    re.IGNORECASE,
)


def asks_something(text: str) -> bool:
    """Whether a message asks something: a question mark, or a clause opening as a question or request does."""
    text = text.strip()
    return bool(text) and not text.startswith("/") and bool(_QUESTION.search(text))


def answering_action(intent: str | None) -> Action | None:
    """The action that answers a message of this intent outside a form: a question area, paragraph, term, offence."""
    if topic_for_intent(intent):
        return ActionAnswerTopic()
    kind = ANSWERING_ACTIONS.get(intent or "")
    return kind() if kind else None


def is_interjection(tracker: Tracker) -> bool:
    """Whether the latest message, inside a form, is for answering as it would be outside it.

    An offence is looked up whenever one is named; any other question only when the message asks something, so
    that "yes, there was domestic violence" answers the form's question and is not taken for a question about
    domestic violence.
    """
    intent = intent_of(tracker)
    text = text_of(tracker)
    if text.startswith("/"):
        return intent in OTHER_INTERJECTIONS or answering_action(intent) is not None
    if intent in OTHER_INTERJECTIONS or intent == "offence_lookup":
        return True
    return answering_action(intent) is not None and asks_something(text)


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


def resuming(tracker: Tracker) -> bool:
    """Whether the form is asking again after answering something else in this turn (so it says "Back to ...")."""
    if any(e.get("event") == "action" and e.get("name") in RESUMING_AFTER for e in _since_last_message(tracker)):
        return True
    return is_interjection(tracker) and answering_action(intent_of(tracker)) is not None

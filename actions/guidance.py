"""Actions that answer from the Framework: question areas, paragraphs, terms, urgent action and "did you mean"."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import button, entity_values, intent_of, intents_of, ranking_of, text_of
from knowledge.answers import (
    Answer,
    define,
    nearest_answer,
    passages_answer,
    question_answer,
    undefined_term_answer,
)
from knowledge.facts import triage_answer
from knowledge.framework import load_framework
from knowledge.offence_answers import offence_answer
from knowledge.search import framework_index
from knowledge.topics import load_topics, topic_answer, topic_for_intent
from knowledge.urgent import urgent_guidance, urgent_signals

SUGGESTION_FLOOR = 0.08
SECOND_QUESTION_FLOOR = 0.5
# A message asking for the whole of a question area gets its overview rather than the passages that answer it.
WHOLE_AREA = re.compile(
    r"\b(everything|all of it|in full|full (?:answer|guidance|version)|overview|tell me all)\b", re.IGNORECASE
)


def say(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    buttons = [button(title, payload) for title, payload in answer.buttons]
    dispatcher.utter_message(text=answer.text, buttons=buttons or None)


def paragraph_button(ref: str, title: str) -> dict[str, str]:
    return button(f"{ref} {title}" if title else ref, f'/show_paragraph{{"paragraph": "{ref}"}}')


def area_answer(topic: str, text: str, ranking: list[tuple[str, float]], already: tuple[str, ...] = ()) -> Answer:
    """The passages that answer the question asked (those `already` quoted in the reply left out); the area's overview
    when a button asks for it, or the person asks for all of it."""
    if text.startswith("/") or WHOLE_AREA.search(text):
        return topic_answer(topic)
    return question_answer(text, ranking, already=already) or topic_answer(topic)


def answer_for(
    intent: str | None, text: str, ranking: list[tuple[str, float]] | None = None, already: tuple[str, ...] = ()
) -> Answer | None:
    """The Framework answer to a message of this intent, for the intents answered from knowledge/ alone."""
    topic = topic_for_intent(intent)
    if topic:
        return area_answer(topic, text, ranking or [(str(intent), 1.0)], already)
    if intent == "offence_lookup":
        return offence_answer(text)
    if intent == "define_term":
        return define(text) or undefined_term_answer(text, ranking)
    if intent == "show_paragraph":
        refs = load_framework().references_in(text)
        return passages_answer(refs) if refs else None
    return None


class ActionAnswerTopic(Action):
    def name(self) -> str:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        triage = triage_answer(text_of(tracker))
        if triage is not None:  # a case described without a question: the decisions that apply to it
            say(dispatcher, triage)
            return []
        topic = topic_for_intent(intent_of(tracker))
        if topic is None:
            return await ActionSuggestTopics().run(dispatcher, tracker, domain)
        say(dispatcher, area_answer(topic, text_of(tracker), intents_of(tracker)))
        return []


class ActionShowParagraph(Action):
    def name(self) -> str:
        return "action_show_paragraph"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        asked = entity_values(tracker, "paragraph")
        framework = load_framework()
        refs = [str(r) for r in asked if r] or framework.references_in(text_of(tracker))
        if not refs:
            dispatcher.utter_message(
                text='Which paragraph? Give its number, e.g. "show me 2.81" or "read me appendix V".'
            )
            return []
        say(dispatcher, passages_answer(refs, framework))
        return []


class ActionDefineTerm(Action):
    def name(self) -> str:
        return "action_define_term"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        text = text_of(tracker)
        answer = define(text) or undefined_term_answer(text, intents_of(tracker))
        if answer is not None:
            say(dispatcher, answer)
            return []
        hits = framework_index().search(text, limit=3)
        dispatcher.utter_message(
            text="The Framework's glossary doesn't define that, and I won't guess. "
            "These paragraphs mention the words you used; for anything else, ask your Service Manager "
            "(or Cafcass Legal for legal advice, Framework 3.65).",
            buttons=[paragraph_button(h.passage.ref, h.passage.title) for h in hits] or None,
        )
        return []


class ActionUrgentGuidance(Action):
    """Urgent action (2.87) first; then, if the message also asked something else, the answer to that."""

    def name(self) -> str:
        return "action_urgent_guidance"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        situations = [s.situation for s in urgent_signals(text_of(tracker))]
        guidance = urgent_guidance(situations=situations)
        buttons = [button(title, payload) for title, payload in guidance.buttons]
        dispatcher.utter_message(text=guidance.text, buttons=buttons)
        ranking = ranking_of(tracker)
        also = ranking[1] if len(ranking) > 1 else None
        if also and also.get("confidence", 0) >= SECOND_QUESTION_FLOOR:
            answer = answer_for(also.get("name"), text_of(tracker), intents_of(tracker)[1:], guidance.citations)
            if answer is not None:
                say(dispatcher, answer)
        return []


class ActionLookupOffence(Action):
    """Whether an offence is on the Appendix II schedule, and what follows if it is or is not."""

    def name(self) -> str:
        return "action_lookup_offence"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        say(dispatcher, offence_answer(text_of(tracker)))
        return []


class ActionSuggestTopics(Action):
    """When the classifier is unsure: the passages that answer the message if their ranking is sure of them, otherwise
    the likeliest question areas and paragraphs as buttons, never a guess."""

    def name(self) -> str:
        return "action_suggest_topics"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        triage = triage_answer(text_of(tracker))
        if triage is not None:  # a case described without a question: the decisions that apply to it
            say(dispatcher, triage)
            return []
        nearest = nearest_answer(text_of(tracker), intents_of(tracker))
        if nearest is not None:
            say(dispatcher, nearest)
            return []
        topics = load_topics()
        buttons: list[dict[str, str]] = []
        for candidate in ranking_of(tracker):
            topic = topic_for_intent(candidate.get("name"))
            if topic and candidate.get("confidence", 0) >= SUGGESTION_FLOOR and len(buttons) < 3:
                payload = f"/{topic}"
                if all(b["payload"] != payload for b in buttons):
                    buttons.append(button(topics[topic].title, payload))
        for hit in framework_index().search(text_of(tracker), limit=3):
            if len(buttons) >= 5:
                break
            buttons.append(paragraph_button(hit.passage.ref.removeprefix("box:"), hit.passage.title))
        if not buttons:
            dispatcher.utter_message(
                text="I can't find that in the Cafcass Safeguarding Framework. If it is a safeguarding "
                "question the Framework doesn't cover, ask your Service Manager; for legal advice, "
                "Cafcass Legal (Framework 3.65). Type 'help' to see what I can do."
            )
            return []
        dispatcher.utter_message(
            text="I'm not sure I've understood, and I'd rather not guess. Is it one of these?",
            buttons=buttons + [button("None of these", "/deny")],
        )
        return []

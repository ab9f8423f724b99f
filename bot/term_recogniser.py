"""An NLU component after the classifier: a message asking what a term means, taken for no question, reaches the
term's explanation."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.answers import asks_what_term_means
from knowledge.topics import topic_for_intent

TERM_INTENT = "define_term"
# Intents that answer a question of their own (with a question area's answer, a paragraph, an offence, urgent
# action or a decision), which a term named in the message does not replace.
ANSWERING = frozenset(
    {
        TERM_INTENT,
        "show_paragraph",
        "offence_lookup",
        "urgent_danger",
        "start_walkthrough",
        "decide_section_120",
        "decide_police_check",
        "decide_referral_type",
    }
)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TermRecogniser(GraphComponent):
    """Sends a message asking what a term of the glossary or jargon list means ("what's the FJC, I need to put it in
    the correction") to the term's explanation when the classifier took it for no question at all (a case-file
    command, a greeting, or nothing it was sure of); the classifier's ranking is kept after it."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TermRecogniser:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if intent in ANSWERING or topic_for_intent(intent) or not asks_what_term_means(message.get(TEXT) or ""):
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != TERM_INTENT]
            term = {"name": TERM_INTENT, "confidence": 1.0}
            message.set(INTENT, term, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [term, *ranking], add_to_output=True)
        return messages

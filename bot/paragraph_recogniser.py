"""An NLU component after the classifier: a message asking to see a paragraph by its number reaches the paragraph."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.offence_recogniser import KEPT_INTENTS, OFFENCE_INTENT, URGENT_INTENT
from knowledge.framework import asks_for_paragraph

PARAGRAPH_INTENT = "show_paragraph"
# Urgent danger and an offence look-up are answered first whatever else the message says; a decision for the
# person's case, a case-file command or a walkthrough answer keeps its intent (a paragraph number may be part of it).
KEPT = KEPT_INTENTS | {URGENT_INTENT, OFFENCE_INTENT}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ParagraphRecogniser(GraphComponent):
    """Sends a message that asks to see a paragraph it names ("can u show me 2.19 pls", "pull up 2.83",
    "para 2.18?") to the paragraph, whatever the classifier made of its other words ("... b4 I sign this off" is
    not a goodbye); the classifier's ranking is kept after it."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ParagraphRecogniser:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if intent in KEPT or not asks_for_paragraph(message.get(TEXT) or ""):
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != PARAGRAPH_INTENT]
            paragraph = {"name": PARAGRAPH_INTENT, "confidence": 1.0}
            message.set(INTENT, paragraph, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [paragraph, *ranking], add_to_output=True)
        return messages

"""An NLU component after the classifier: a message describing imminent danger (2.87) is always urgent_danger."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.urgent import urgent_signals

URGENT_INTENT = "urgent_danger"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class UrgentSafetyNet(GraphComponent):
    """Keyword safety net beneath the classifier, so recall of urgent messages does not rest on the model.

    The classifier's own ranking is kept after urgent_danger, so the urgent answer can go on to
    answer what else the message asked.
    """

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UrgentSafetyNet:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not urgent_signals(message.get(TEXT) or ""):
                continue
            ranking = [
                r
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get("name") not in (URGENT_INTENT, FALLBACK_INTENT)
            ]
            urgent = {"name": URGENT_INTENT, "confidence": 1.0}
            message.set(INTENT, urgent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [urgent, *ranking], add_to_output=True)
        return messages

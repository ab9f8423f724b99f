"""An NLU component after the classifier: a message describing imminent danger (2.87) is always urgent_danger, and one
that by its own words is not danger now is not."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.topics import topic_for_intent
from knowledge.urgent import asked_in_general, not_danger_now, urgent_signals

URGENT_INTENT = "urgent_danger"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class UrgentSafetyNet(GraphComponent):
    """Keyword safety net beneath the classifier, so recall of urgent messages does not rest on the model.

    The classifier's own ranking is kept after urgent_danger, so the urgent answer can go on to
    answer what else the message asked. A message the classifier took for urgent that by its own words is not
    danger now (a question in general, history, a saying, IT or admin) goes to its next intent instead.
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
            text = message.get(TEXT) or ""
            if not urgent_signals(text):
                if (message.get(INTENT) or {}).get("name") == URGENT_INTENT and not_danger_now(text):
                    self._demote(message)
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

    @staticmethod
    def _demote(message: Message) -> None:
        """The classifier's urgent_danger for a message that by its own words is not danger now (a question in
        general, history, a saying): the next intent answers it, and urgent_danger stays second in the ranking so
        2.87 can still be the passage that answers a question about it."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        urgent = [r for r in ranking if r.get("name") == URGENT_INTENT]
        others = [r for r in ranking if r.get("name") not in (URGENT_INTENT, FALLBACK_INTENT)]
        if asked_in_general(message.get(TEXT) or ""):  # a question about urgent action: a question area answers it
            others.sort(key=lambda r: topic_for_intent(r.get("name")) is None)
        top = others[0] if others else {"name": FALLBACK_INTENT, "confidence": 1.0}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *urgent, *others[1:]], add_to_output=True)

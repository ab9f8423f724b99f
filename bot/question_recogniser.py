"""An NLU component after the classifier: a question about a case-file task is not a request to start it."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.facts import asks_about_rather_than_to_do

FALLBACK_INTENT = "nlu_fallback"
# The intents that start a case-file task (data/rules/casefile.yml) or choose one of its buttons ("Agree", "Save").
# Finding records is left alone: "which records are awaiting agreement?" asks for them.
TASK_INTENTS = frozenset(
    {
        "record_discussion",
        "agree_record",
        "amend_record",
        "export_records",
        "secure_file",
        "add_later_recording",
        "choose",
    }
)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class QuestionRecogniser(GraphComponent):
    """Sends a question about a case-file task ("who has to agree an amendment - does the SM need to?"), which the
    classifier took for a request to start it, to the answer for a question it is unsure of (the Framework's
    likeliest paragraphs), so that it neither starts a task nor, inside one, becomes an answer's words; the
    classifier's ranking is kept after it, the task first among the suggestions."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionRecogniser:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if intent not in TASK_INTENTS or not asks_about_rather_than_to_do(message.get(TEXT) or ""):
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK_INTENT]
            fallback = {"name": FALLBACK_INTENT, "confidence": 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
        return messages

"""What the NLU components after the classifier share: each reads a message for what it recognises and, finding it,
sends the message to one intent, the classifier's own ranking kept after it."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

FALLBACK_INTENT = "nlu_fallback"
OFFENCE_INTENT = "offence_lookup"
URGENT_INTENT = "urgent_danger"


def intent_of(message: Message) -> str | None:
    return (message.get(INTENT) or {}).get("name")


def text_of(message: Message) -> str:
    return message.get(TEXT) or ""


def ranking_without(message: Message, *names: str) -> list[dict[str, Any]]:
    """The classifier's ranking of the message, less the intents named."""
    return [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in names]


def send_to(message: Message, intent: str, *dropped: str) -> None:
    """Makes `intent` the message's intent, sure of it; the classifier's ranking follows, less that intent and the
    intents `dropped`."""
    chosen = {"name": intent, "confidence": 1.0}
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking_without(message, intent, *dropped)], add_to_output=True)


class Recogniser(GraphComponent):
    """An NLU component after the classifier that changes a message's intent where `recognise` finds cause to."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Recogniser:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.recognise(message)
        return messages

    @abstractmethod
    def recognise(self, message: Message) -> None:
        """Reads the message and, where it recognises what it is for, sends it to its intent (see send_to)."""

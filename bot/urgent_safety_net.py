"""An NLU component after the classifier: a message describing imminent danger (2.87) is always urgent_danger, and one
that by its own words is not danger now is not."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.recogniser import FALLBACK_INTENT, URGENT_INTENT, Recogniser, intent_of, send_to, text_of
from knowledge.topics import topic_for_intent
from knowledge.urgent import asked_in_general, not_danger_now, urgent_signals


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class UrgentSafetyNet(Recogniser):
    """Keyword safety net beneath the classifier, so recall of urgent messages does not rest on the model.

    The classifier's own ranking is kept after urgent_danger, so the urgent answer can go on to
    answer what else the message asked. A message the classifier took for urgent that by its own words is not
    danger now (a question in general, history, a saying, IT or admin) goes to its next intent instead.
    """

    def recognise(self, message: Message) -> None:
        text = text_of(message)
        if urgent_signals(text):
            send_to(message, URGENT_INTENT, FALLBACK_INTENT)
        elif intent_of(message) == URGENT_INTENT and not_danger_now(text):
            self._demote(message)

    @staticmethod
    def _demote(message: Message) -> None:
        """The classifier's urgent_danger for a message that by its own words is not danger now (a question in
        general, history, a saying): the next intent answers it, and urgent_danger stays second in the ranking so
        2.87 can still be the passage that answers a question about it."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        urgent = [r for r in ranking if r.get("name") == URGENT_INTENT]
        others = [r for r in ranking if r.get("name") not in (URGENT_INTENT, FALLBACK_INTENT)]
        if asked_in_general(text_of(message)):  # a question about urgent action: a question area answers it
            others.sort(key=lambda r: topic_for_intent(r.get("name")) is None)
        top = others[0] if others else {"name": FALLBACK_INTENT, "confidence": 1.0}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *urgent, *others[1:]], add_to_output=True)

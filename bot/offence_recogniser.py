"""An NLU component after the classifier: a message naming an Appendix II offence reaches the offence look-up."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.recogniser import (
    FALLBACK_INTENT,
    OFFENCE_INTENT,
    URGENT_INTENT,
    Recogniser,
    intent_of,
    ranking_without,
    send_to,
    text_of,
)
from knowledge.offence_answers import offence_named

# The classifier's confidence in a look-up at which an offence named in a longer message is looked up (and always
# when the classifier is unsure what the message is).
LIKELY = 0.1
# Where an offence is a fact of the person's case or an answer to a question asked, it is not looked up on its own:
# decisions for a case (a person who poses a risk, 2.14), answers inside a walkthrough or record, and the case file.
KEPT_INTENTS = frozenset(
    {
        "decide_section_120",
        "decide_police_check",
        "decide_referral_type",
        "start_walkthrough",
        "affirm",
        "deny",
        "stop",
        "start_again",
        "why_ask",
        "show_paragraph",
        "record_discussion",
        "agree_record",
        "list_records",
        "amend_record",
        "export_records",
        "secure_file",
        "add_later_recording",
    }
)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class OffenceRecogniser(Recogniser):
    """Sends a message that names an offence, alone or asking about the schedule, to the look-up, whatever the
    classifier made of its other words; the classifier's ranking is kept after it. A message the classifier took
    for urgent danger stays urgent, with the look-up next, so urgent action is answered first and then the question."""

    def recognise(self, message: Message) -> None:
        intent = intent_of(message)
        likely = intent == FALLBACK_INTENT or any(
            r.get("name") == OFFENCE_INTENT and r.get("confidence", 0) >= LIKELY
            for r in message.get(INTENT_RANKING_KEY) or []
        )
        if intent in KEPT_INTENTS or not offence_named(text_of(message), asked_about=likely):
            return
        if intent == URGENT_INTENT:  # urgent action stays first; the look-up answers after it
            offence = {"name": OFFENCE_INTENT, "confidence": 1.0}
            ranking = ranking_without(message, OFFENCE_INTENT, FALLBACK_INTENT, URGENT_INTENT)
            message.set(INTENT_RANKING_KEY, [message.get(INTENT), offence, *ranking], add_to_output=True)
            return
        send_to(message, OFFENCE_INTENT, FALLBACK_INTENT)

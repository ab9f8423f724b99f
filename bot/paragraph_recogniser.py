"""An NLU component after the classifier: a message asking to see a paragraph by its number reaches the paragraph."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.offence_recogniser import KEPT_INTENTS
from bot.recogniser import OFFENCE_INTENT, URGENT_INTENT, Recogniser, intent_of, send_to, text_of
from knowledge.framework import asks_for_paragraph

PARAGRAPH_INTENT = "show_paragraph"
# Urgent danger and an offence look-up are answered first whatever else the message says; a decision for the
# person's case, a case-file command or a walkthrough answer keeps its intent (a paragraph number may be part of it).
KEPT = KEPT_INTENTS | {URGENT_INTENT, OFFENCE_INTENT}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ParagraphRecogniser(Recogniser):
    """Sends a message that asks to see a paragraph it names ("can u show me 2.19 pls", "pull up 2.83",
    "para 2.18?") to the paragraph, whatever the classifier made of its other words ("... b4 I sign this off" is
    not a goodbye); the classifier's ranking is kept after it."""

    def recognise(self, message: Message) -> None:
        if intent_of(message) not in KEPT and asks_for_paragraph(text_of(message)):
            send_to(message, PARAGRAPH_INTENT)

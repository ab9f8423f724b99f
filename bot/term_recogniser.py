"""An NLU component after the classifier: a message asking what a term means, taken for no question, reaches the
term's explanation."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.recogniser import Recogniser, intent_of, send_to, text_of
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
class TermRecogniser(Recogniser):
    """Sends a message asking what a term of the glossary or jargon list means ("what's the FJC, I need to put it in
    the correction") to the term's explanation when the classifier took it for no question at all (a case-file
    command, a greeting, or nothing it was sure of); the classifier's ranking is kept after it."""

    def recognise(self, message: Message) -> None:
        intent = intent_of(message)
        if intent not in ANSWERING and not topic_for_intent(intent) and asks_what_term_means(text_of(message)):
            send_to(message, TERM_INTENT)

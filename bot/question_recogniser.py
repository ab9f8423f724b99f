"""An NLU component after the classifier: a question about a case-file task is not a request to start it."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.recogniser import FALLBACK_INTENT, Recogniser, intent_of, send_to, text_of
from knowledge.facts import asks_about_rather_than_to_do

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
class QuestionRecogniser(Recogniser):
    """Sends a question about a case-file task ("who has to agree an amendment - does the SM need to?"), which the
    classifier took for a request to start it, to the answer for a question it is unsure of (the Framework's
    likeliest paragraphs), so that it neither starts a task nor, inside one, becomes an answer's words; the
    classifier's ranking is kept after it, the task first among the suggestions."""

    def recognise(self, message: Message) -> None:
        if intent_of(message) in TASK_INTENTS and asks_about_rather_than_to_do(text_of(message)):
            send_to(message, FALLBACK_INTENT)

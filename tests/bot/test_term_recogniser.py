"""The term recogniser sends a question what a term means, taken for no question, to the term's explanation."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.term_recogniser import TermRecogniser
from knowledge.answers import asks_what_term_means


def recognised(text: str, intent: str) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.5})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.5}, {"name": "mappa", "confidence": 0.1}])
    TermRecogniser().process([message])
    return message


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what's the FJC, I need to put it in the correction", "amend_record"),
        ("sorry whos the LADO, the designated officer at the LA?", "nlu_fallback"),
        ("what does LACSC stand for again", "goodbye"),
    ],
)
def test_a_term_asked_about_reaches_its_explanation(text, intent):
    message = recognised(text, intent)
    assert message.get("intent")["name"] == "define_term"
    assert [r["name"] for r in message.get("intent_ranking")][:2] == ["define_term", intent]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("whats MARAC", "marac"),  # a question area answers it
        ("what is the FJC view on this case", "amend_record"),  # a longer question, not the term
        ("FJC attended the meeting", "inform"),
        ("dad is at the door, what's a LADO", "urgent_danger"),
    ],
)
def test_a_question_area_urgent_danger_or_a_term_inside_a_longer_message_keeps_its_intent(text, intent):
    assert recognised(text, intent).get("intent")["name"] == intent


def test_a_term_is_one_the_glossary_or_the_jargon_list_explains():
    assert asks_what_term_means("FJC?") and asks_what_term_means("LSCB = ? i keep seeing it")
    assert not asks_what_term_means("what's the timescale for the LADO") and not asks_what_term_means("Point 12?")

"""The paragraph recogniser sends a message asking to see a numbered paragraph to the paragraph."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.paragraph_recogniser import ParagraphRecogniser


def recognised(text: str, intent: str) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.3})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.3}, {"name": "mappa", "confidence": 0.1}])
    ParagraphRecogniser().process([message])
    return message


def test_a_paragraph_asked_for_reaches_the_paragraph_whatever_else_the_words_suggest():
    message = recognised("can I see 2.82 b4 I sign this off", "goodbye")
    assert message.get("intent")["name"] == "show_paragraph"
    assert [r["name"] for r in message.get("intent_ranking")] == ["show_paragraph", "goodbye", "mappa"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("dad is here now threatening the child, show me 2.87", "urgent_danger"),
        ("is ABH on the list? show me appendix II", "offence_lookup"),
        ("amend point 2 of record 2.81", "amend_record"),
        ("under 2.87 do I call the police?", "referral_to_lacsc"),
    ],
)
def test_urgent_danger_an_offence_a_command_or_a_question_about_a_paragraph_keeps_its_intent(text, intent):
    assert recognised(text, intent).get("intent")["name"] == intent

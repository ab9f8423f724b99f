"""The question recogniser: a question about a case-file task is not a request to start it or to choose a button."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.question_recogniser import QuestionRecogniser


def recognised(text: str, intent: str) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.5})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.5}, {"name": "recording", "confidence": 0.2}])
    QuestionRecogniser().process([message])
    return message


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("remind me, who has to agree an amendment - does the SM need to?", "choose"),
        ("when should the SM discussion be recorded?", "record_discussion"),
        ("does my SM have to sign the record?", "agree_record"),
    ],
)
def test_a_question_about_a_task_is_answered_as_a_question(text, intent):
    message = recognised(text, intent)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert [r["name"] for r in message.get("intent_ranking")] == ["nlu_fallback", intent, "recording"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how do I amend a record?", "amend_record"),
        ("can you export the records for ZW25P01234?", "export_records"),
        ("record my SM discussion", "record_discussion"),
        ("is record 12 agreed?", "agree_record"),
        ("which records need my agreement?", "agree_record"),
        ("Save", "choose"),
        ("who has to agree an amendment?", "recording"),  # a question area already answers it
    ],
)
def test_a_request_a_named_record_or_a_question_area_keeps_its_intent(text, intent):
    assert recognised(text, intent).get("intent")["name"] == intent

"""The offence recogniser sends a message naming an offence to the look-up, except where the offence is a fact."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.offence_recogniser import OffenceRecogniser


def parsed(text: str, intent: str, confidence: float = 0.6) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}, {"name": "mappa", "confidence": 0.1}])
    return message


def recognise(message: Message) -> Message:
    OffenceRecogniser().process([message])
    return message


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ABH", "nlu_fallback"),
        ("cruelty to children", "define_term"),
        ("flashing", "out_of_scope"),
        ("he has a caution for assaulting a child years ago - is that on the schedule?", "risk_to_children"),
    ],
)
def test_an_offence_named_reaches_the_look_up(text, intent):
    message = recognise(parsed(text, intent))
    assert message.get("intent")["name"] == "offence_lookup"
    names = [r["name"] for r in message.get("intent_ranking")]
    assert names[0] == "offence_lookup" and "mappa" in names and "nlu_fallback" not in names


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "dads new partner has a conviction for sexual assault of a child and moved in, which referral",
            "decide_referral_type",
        ),
        ("ABH", "decide_police_check"),
        ("what is MAPPA and does cafcass go", "mappa"),
        ("what's the mileage rate for home visits, and who signs the claim off", "out_of_scope"),
        ("/offence_lookup", "offence_lookup"),
    ],
)
def test_a_decision_fact_or_a_message_naming_no_offence_is_left_alone(text, intent):
    message = recognise(parsed(text, intent))
    assert message.get("intent")["name"] == intent


def test_urgent_stays_first_with_the_look_up_next():
    message = recognise(parsed("he's here drunk, he has a conviction for ABH, is that on the list?", "urgent_danger"))
    assert message.get("intent")["name"] == "urgent_danger"
    assert [r["name"] for r in message.get("intent_ranking")][:2] == ["urgent_danger", "offence_lookup"]

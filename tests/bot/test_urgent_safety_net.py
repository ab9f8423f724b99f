"""The safety net makes a message describing danger now urgent, and takes urgency away from one that is not."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.urgent_safety_net import UrgentSafetyNet


def parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    UrgentSafetyNet().process([message])
    return message


def names(message: Message) -> list[str]:
    return [r["name"] for r in message.get("intent_ranking")]


def test_danger_now_is_urgent_whatever_the_classifier_said():
    message = parsed("dad is banging on the front door and the kids are inside", [("domestic_violence", 0.7)])
    assert names(message)[:2] == ["urgent_danger", "domestic_violence"]


def test_a_question_in_general_goes_to_a_question_area_with_urgent_next():
    message = parsed(
        "what's the procedure if a child needs an ambulance on a visit",
        [("urgent_danger", 0.6), ("goodbye", 0.2), ("direct_work_with_children", 0.1)],
    )
    assert names(message) == ["direct_work_with_children", "urgent_danger", "goodbye"]
    assert message.get("intent")["name"] == "direct_work_with_children"


def test_history_alone_is_not_urgent():
    message = parsed("dad broke mum's arm in 2017, no contact since", [("urgent_danger", 0.5), ("inform", 0.3)])
    assert message.get("intent")["name"] == "inform"


def test_the_classifier_urgent_stands_when_nothing_says_otherwise():
    message = parsed("kids screaming in the background on the call", [("urgent_danger", 0.5), ("inform", 0.3)])
    assert message.get("intent")["name"] == "urgent_danger"

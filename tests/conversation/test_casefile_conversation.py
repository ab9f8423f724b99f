"""The case file in whole conversations through the REST channel, with the trained model and the real action server."""

from __future__ import annotations

import random
import re
import uuid

import pytest

from bot.cli import send
from tests.conversation.conftest import Person

pytestmark = pytest.mark.conversation

POINT_QUESTION = re.compile(r"Point (\d+) of 12 \(Framework 2\.81\)")


def fresh_case() -> str:
    return f"ZW{random.randint(20, 29)}P{random.randint(0, 99999):05d}"


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def buttons(replies: list[dict]) -> list[str]:
    return [b["title"] for r in replies for b in r.get("buttons") or []]


def payloads(replies: list[dict]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def record_in_conversation(practitioner: Person, manager: Person, case: str, save: bool = True) -> list[dict]:
    replies = practitioner.says(f"record my SM discussion on {case}")
    assert "Which manager did you discuss it with" in texts(replies), replies
    assert "When did the discussion take place" in texts(practitioner.says(manager.name))
    assert "When was the concern first identified" in texts(practitioner.says("just now"))
    replies = practitioner.says("yesterday 4pm")
    answers = {
        1: "Mother says father pushed her during handover last week.",
        2: "Recent",
        3: "With mother at the maternal grandmother's address.",
        10: "Referral to LACSC by telephone today; manager checks the outcome tomorrow.",
    }
    for number in range(1, 13):
        assert POINT_QUESTION.search(texts(replies)).group(1) == str(number), replies
        replies = practitioner.says(answers.get(number, "Not discussed"))
    assert "Please check the record before it is saved" in texts(replies), replies
    assert payloads(replies)[-3:] == [f'/choose{{"option": "{o}"}}' for o in ("save", "change", "cancel")]
    return practitioner.says("Save") if save else replies


def test_a_discussion_is_recorded_agreed_and_found_in_conversation(register):
    jo, sam = register("practitioner", "Jo"), register("service_manager", "Sam")
    case = fresh_case()
    saved = texts(record_in_conversation(jo, sam, case))
    assert f"Saved, awaiting {sam.name}'s agreement (Framework 2.82)" in saved
    record_id = re.search(r"record (\d+) on", saved).group(1)

    replies = sam.says("agree the record")
    assert "awaiting your agreement" in texts(replies)
    assert f"Record {record_id}" in payloads(replies)
    replies = sam.says(f"Record {record_id}")
    assert f"Case reference: {case}" in texts(replies) and "Status: Awaiting agreement" in texts(replies)
    assert buttons(replies) == ["Agree", "Agree with an amendment", "Not now"]
    replies = sam.says("Agree")
    assert f"Agreed by {sam.name} at " in texts(replies)
    assert "the record now carries both names and times (Framework 2.82)" in texts(replies)

    replies = sam.says(f"show me the discussions I agreed on case {case}")
    assert re.search(rf"#{record_id} · {case} · {jo.name} / {sam.name} · .* · agreed", texts(replies)), replies


def test_an_unregistered_sender_is_refused(servers):
    sender = f"stranger-{uuid.uuid4().hex[:8]}"
    replies = send(servers, sender, f"record my SM discussion on {fresh_case()}")
    assert "You are not registered to use the case file" in texts(replies)
    assert f"give your Service Manager or administrator this id: {sender}" in texts(replies)
    assert "python -m bot" not in texts(replies)
    assert "Which manager" not in texts(replies)


def test_urgent_danger_mid_form_gets_2_87_first_and_the_form_continues(register):
    jo, sam = register("practitioner", "Jo"), register("service_manager", "Sam")
    assert "Which manager" in texts(jo.says(f"record my SM discussion on {fresh_case()}"))
    replies = jo.says("child left home alone, mum not answering her phone")
    assert "2.87" in replies[0]["text"] and "imminent" in replies[0]["text"]
    assert "Which manager did you discuss it with" in texts(replies[1:])
    assert "Use that message as my answer" in payloads(replies)
    assert "When did the discussion take place" in texts(jo.says(sam.name))
    assert "Stopped: nothing was saved" in texts(jo.says("stop"))

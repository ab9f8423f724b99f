"""Decision walkthroughs through the REST channel: one message, question by question, interrupted, changed."""

from __future__ import annotations

import uuid

import pytest

from bot.cli import send

pytestmark = pytest.mark.conversation


class Conversation:
    def __init__(self, settings):
        self.settings, self.sender = settings, f"walk-{uuid.uuid4().hex[:8]}"

    def say(self, message: str) -> list[dict]:
        return send(self.settings, self.sender, message)


def outcome(replies: list[dict]) -> dict | None:
    return next((r["custom"] for r in replies if "custom" in r), None)


def buttons(replies: list[dict]) -> list[str]:
    return [b["title"] for r in replies for b in r.get("buttons", [])]


def test_all_facts_in_one_message_goes_straight_to_the_outcome(servers):
    chat = Conversation(servers)
    replies = chat.say(
        "private law, C1A ticked yes but not filed, dad punched the 10yo. s120 notification or referral?"
    )
    decision = outcome(replies)
    assert decision and decision["decision"] == "child_protection_referral"
    assert "Appendix III" in decision["citations"]
    text = "\n".join(r.get("text", "") for r in replies)
    assert "Notify the court that C1A form has not been completed as required" in text
    assert text.index("Refer to the Local Authority") < text.index("Notify the court that C1A")
    assert "Service Manager" in text  # the decision stays with the practitioner and their SM (1.14-1.16)


def test_question_by_question_with_buttons(servers):
    chat = Conversation(servers)
    assert "Public law" in buttons(chat.say("/decide_police_check"))
    # New partners and household members are always asked about (3.72-3.73).
    assert "new partner" in "\n".join(r.get("text", "") for r in chat.say("Public law"))
    replies = chat.say("No")
    decision = outcome(replies)
    assert decision and decision["decision"] == "ask_la_to_confirm"
    assert "2.21" in decision["citations"] or "3.67" in decision["citations"]


def test_why_do_you_ask_quotes_the_framework_and_carries_on(servers):
    chat = Conversation(servers)
    chat.say("/decide_section_120")
    replies = chat.say("why do you ask?")
    assert "Because the Framework says" in replies[0]["text"]
    assert "Private law" in buttons(replies)


def test_urgent_message_interrupts_the_walkthrough_which_then_goes_on(servers):
    chat = Conversation(servers)
    chat.say("/decide_section_120")
    replies = chat.say("sorry - the child has just been left home alone and mum isn't answering")
    assert "2.87" in replies[0]["text"]
    assert "Private law" in buttons(replies)
    decision = outcome(chat.say("Public law"))
    assert decision and decision["decision"] == "not_applicable_public_law"


def test_a_change_of_mind_changes_the_outcome(servers):
    chat = Conversation(servers)
    chat.say("/decide_section_120")
    chat.say("Private law")
    chat.say("Ticked yes")
    replies = chat.say("actually the harm box was ticked no")
    assert "Has the C1A form been completed?" not in "\n".join(r.get("text", "") for r in replies)


def test_stop_and_start_again(servers):
    chat = Conversation(servers)
    chat.say("/decide_section_120")
    chat.say("Private law")
    assert "Is this a private law application" in chat.say("start again")[-1]["text"]
    assert "Stopped" in chat.say("stop")[0]["text"]

"""Whole conversations through the REST channel against the trained model and the real action server."""

from __future__ import annotations

import re
import uuid

import pytest

from bot.cli import send

pytestmark = pytest.mark.conversation

CITATION = re.compile(r"Framework\s+(\d\.\d+|Appendix|Glossary|\(box)")


def talk(settings, *messages: str) -> list[list[dict]]:
    sender = f"test-{uuid.uuid4().hex[:8]}"
    return [send(settings, sender, m) for m in messages]


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_greeting_offers_example_questions(servers):
    [replies] = talk(servers, "hello")
    assert "Safeguarding Framework" in texts(replies)
    assert any(r.get("buttons") for r in replies)


def test_help_says_what_the_assistant_does(servers):
    [replies] = talk(servers, "what can you do?")
    assert "show me 2.81" in texts(replies)


@pytest.mark.parametrize(
    "message,paragraph",
    [
        ("what do I need to cover in the discussion with my service manager?", "2.81"),
        ("how quickly do I have to confirm a referral to CSC in writing", "2.103"),
        ("what's a strategy discussion and do I go", "2.109"),
    ],
)
def test_framework_answer_cites_its_paragraph(servers, message, paragraph):
    [replies] = talk(servers, message)
    text = texts(replies)
    assert CITATION.search(text), text
    assert paragraph in text


def test_show_me_a_paragraph_quotes_it(servers):
    [replies] = talk(servers, "show me 2.82")
    assert "An agreed record of the discussion should be kept on the case file." in texts(replies)


@pytest.mark.parametrize(
    "message",
    [
        "child left home alone, mum not answering her phone",
        "kid has a head injury and is bleeding what do i do",
        "dad has turned up drunk with a knife and the kids are there",
    ],
)
def test_urgent_danger_gets_2_87_first(servers, message):
    [replies] = talk(servers, message)
    assert "2.87" in replies[0]["text"]
    assert "imminent danger" in replies[0]["text"]


def test_out_of_scope_says_so_and_points_to_manager(servers):
    [replies] = talk(servers, "what's the weather going to be like in Leeds tomorrow?")
    text = texts(replies)
    assert "Service Manager" in text and "3.65" in text


def test_unclear_message_offers_buttons_not_a_guess(servers):
    [replies] = talk(servers, "paperwork thing from before, the one with the letter")
    assert replies[-1].get("buttons"), replies
    assert "not sure" in replies[-1]["text"]


def test_conversation_survives_garbled_input(servers):
    for message in ["", "   ", "\u0000\u0007 ☃☃☃", "x" * 3000, "/intent_that_does_not_exist"]:
        [replies] = talk(servers, message)
        assert isinstance(replies, list)


def test_oversized_message_is_refused_clearly(servers):
    [replies] = talk(servers, "please read this " + "lorem ipsum " * 9000)
    assert "characters long" in replies[0]["text"]


def test_injection_and_markup_are_just_text(servers):
    for message in [
        "'; DROP TABLE events; --",
        "<script>alert(1)</script> show me 2.81",
        "**bold** _it_ [x](http://e)",
    ]:
        [replies] = talk(servers, message)
        assert isinstance(replies, list) and all("Traceback" not in r.get("text", "") for r in replies)


def test_offence_lookup_in_conversation(servers):
    [replies] = talk(servers, "is ABH on the schedule?")
    text = texts(replies)
    assert "Assault occasioning actual bodily harm | Section 47 | Offences Against the Person Act 1861" in text
    [replies] = talk(servers, "is shoplifting a schedule 1 offence")
    assert "should not be deemed exhaustive" in texts(replies)

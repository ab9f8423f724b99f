"""What both channels share: the texts they say themselves, typed commands, who is registered, and cutting long
answers."""

from __future__ import annotations

import asyncio
import re

from bot.channels.common import (
    URGENT_ADVICE,
    Caller,
    identify,
    refusal,
    typed_message,
    unavailable,
)
from bot.channels.formatting import split_message, teams_html, telegram_html, utf16_length
from bot.settings import ROOT
from tests.bot.channels.fakes import Staff, directory

FRAMEWORK = re.sub(r"\s+", " ", (ROOT / "knowledge" / "source" / "framework.txt").read_text(encoding="utf-8"))


def test_urgent_advice_quotes_2_87_word_for_word():
    quotes = re.findall(r'"([^"]+)"', URGENT_ADVICE)
    assert quotes == [
        "If a child is at immediate risk, the practitioner should seek the assistance of the Police.",
        "this should be sought immediately and directly from the emergency services.",
    ]
    paragraph = FRAMEWORK[FRAMEWORK.index("- 2.87 ") : FRAMEWORK.index("- 2.88 ")]
    for quote in quotes:
        assert quote in paragraph
    assert "Framework 2.87" in URGENT_ADVICE


def test_urgent_advice_is_added_only_when_the_message_sounds_urgent():
    caller = Caller("telegram", "777", None)
    assert URGENT_ADVICE not in refusal(caller, "what is a LADO?")
    assert URGENT_ADVICE in refusal(caller, "child left alone at home, mum not answering")
    assert URGENT_ADVICE not in unavailable("when is the SM discussion due?")
    assert URGENT_ADVICE in unavailable("/urgent_danger")
    assert refusal(Caller("teams", "aad-1", None), "hi").endswith("giving this id: aad-1 (your Microsoft Teams id).")


def test_typed_commands():
    assert [
        typed_message(t)
        for t in (
            "/start",
            "/help",
            "/urgent",
            "/urgent@fa_bot",
            '/greet{"x": 1}',
            "  Help ",
            "urgent",
            "start",
            "what is urgent?",
        )
    ] == [
        "/greet",
        "/help",
        "/urgent_danger",
        "/urgent_danger",
        "/help",
        "/help",
        "/urgent_danger",
        "/greet",
        "what is urgent?",
    ]


def test_only_active_staff_are_registered_and_the_metadata_says_so():
    lookup = directory("teams", {"a": Staff("Sam", "service_manager"), "b": Staff("Old", "practitioner", active=False)})

    async def who(external_id):
        return await identify("teams", external_id, lookup)

    sam, old, nobody = (asyncio.run(who(i)) for i in ("a", "b", "c"))
    assert sam.sender_id == "teams:a"
    assert sam.metadata() == {
        "channel": "teams",
        "registered": True,
        "staff_role": "service_manager",
        "verified_identity": "teams:a",
    }
    unregistered = {"channel": "teams", "registered": False, "staff_role": None}
    assert old.metadata() == {**unregistered, "verified_identity": "teams:b"}
    assert nobody.metadata() == {**unregistered, "verified_identity": "teams:c"}


def test_html_escapes_and_bolds():
    assert telegram_html("*2.81* a < b & c > d") == "<b>2.81</b> a &lt; b &amp; c &gt; d"
    assert telegram_html("2 * 3 * 4, *not closed") == "2 * 3 * 4, *not closed"
    assert teams_html("*Then:*\n• one") == "<strong>Then:</strong><br>• one"


def test_a_long_line_is_cut_between_words_and_counts_utf16():
    text = " ".join(["safeguarding"] * 1000)  # 12,999 characters
    chunks = split_message(text, 4096)
    assert len(chunks) == 4
    assert all(utf16_length(c) <= 4096 for c in chunks)
    assert " ".join(chunks) == text
    # 4,096 characters, but the emoji is two UTF-16 units, as Telegram counts: too long for one message
    assert split_message("a" * 4094 + " 🧒", 4096) == ["a" * 4094, "🧒"]


def test_a_bold_span_is_never_cut_inside_its_tag():
    text = "\n".join(f"*heading {n}* & body" for n in range(500))
    for chunk in split_message(text, 1000):
        assert chunk.count("<b>") == chunk.count("</b>")
        assert not chunk.endswith("&") and "&amp" not in chunk.replace("&amp;", "")

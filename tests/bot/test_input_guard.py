"""Every message is checked before Rasa reads it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.input_guard import check_message


def test_ordinary_text_passes_cleaned():
    assert check_message("  show me 2.81\u0000\u200b ", 4000).text == "show me 2.81"


def test_empty_and_non_text_are_refused_clearly():
    for message in ["", "   \n\t", "\u0007\u0008", None, 42, {"a": 1}]:
        verdict = check_message(message, 4000)
        assert verdict.text is None and verdict.refusal


def test_oversized_is_refused_with_the_limit():
    verdict = check_message("a" * 100_000, 4000)
    assert verdict.text is None and "100,000 characters" in verdict.refusal and "4,000" in verdict.refusal


def test_oversized_but_urgent_still_gets_the_urgent_guidance_first():
    verdict = check_message("the child has been left home alone " + "x" * 10_000, 4000)
    assert verdict.refusal.startswith("⚠️ Urgent action to protect a child (Framework 2.87)")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=6000))
def test_any_text_gives_either_clean_text_or_a_refusal(message):
    verdict = check_message(message, 4000)
    assert (verdict.text is None) != (verdict.refusal is None)
    if verdict.text is not None:
        assert 0 < len(verdict.text) <= 4000 and "\x00" not in verdict.text

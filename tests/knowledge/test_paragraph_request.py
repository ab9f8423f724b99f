"""Which messages ask to see a paragraph or appendix they name by number."""

from __future__ import annotations

import pytest

from knowledge.framework import asks_for_paragraph


@pytest.mark.parametrize(
    "text",
    [
        "can u show me 2.19 pls",
        "pull up 2.83 pls",
        "what's 2.81 again",
        "para 2.18 quickly?",
        "2.19?",
        "can I see 2.82 b4 I sign this off",
        "wat does 3.40 say exactly",
        "show me appendix II",
        "before i export - show me para 3.83 re addresses",
    ],
)
def test_a_paragraph_asked_for_in_loose_words(text):
    assert asks_for_paragraph(text)


@pytest.mark.parametrize(
    "text",
    [
        "under 2.87 do I call the police?",
        "SM agreed referral under 2.87",
        "is ABH in appendix II",
        "show me the referral rules",
        '/show_paragraph{"paragraph": "2.81"}',
    ],
)
def test_a_number_in_a_question_or_a_statement_is_no_request_to_see_it(text):
    assert not asks_for_paragraph(text)

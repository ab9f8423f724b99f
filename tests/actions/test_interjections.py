"""Which messages inside a form are for answering as outside it, and when the form says "Back to ..."."""

from __future__ import annotations

import pytest

from actions.interjections import asked_before, asks_to_correct, is_interjection, resuming


@pytest.mark.parametrize(
    "text, free_text, intent, expected",
    [
        ("what is a LADO?", False, "define_term", True),
        ("what is a LADO?", True, "define_term", True),
        ("show me 2.81", True, "show_paragraph", True),
        ("private - what's a LADO though?", False, "define_term", True),
        ("yes, there was domestic violence", False, "domestic_violence", False),
        ("dad's partner has a caution for ABH", False, "offence_lookup", True),
        ("Father has a caution for ABH", True, "offence_lookup", False),  # what was discussed, in a record
        ("Mum was told: what happens next is a referral", True, "recording", False),
        ("help", True, "help", True),
        ("thanks", False, "thank", True),
        ("the child was left home alone", True, "urgent_danger", True),
        ("Private law", False, "inform", False),
        ("/list_records", True, "list_records", True),
        ("records show concerns in 2023", True, "list_records", False),
        ("go back", False, "correct_answer", False),
        # Paragraphs asked for in loose words, at a button, a case reference or a free-text step.
        ("can u show me 2.19 pls", False, "show_paragraph", True),
        ("pull up 2.83 pls", False, "show_paragraph", True),
        ("wat does 3.40 say exactly", False, "show_paragraph", True),
        ("para 2.18?", True, "show_paragraph", True),
        ("para 2.81 please, want to check the points before I put them in", True, "show_paragraph", True),
        ("before i export - show me para 3.83 re addresses", True, "show_paragraph", True),
        ("SM agreed the referral under 2.87", True, "show_paragraph", False),
        # Questions in the middle of a message, where any words answer.
        ("grooming - meeting a child after sexual grooming, is that a listed offence", True, "offence_lookup", True),
        ("for an s17 referral do i need the parents consent or not", False, "referral_types", True),
        ("Agreed, when father returns, to refer to the LA", True, "referral_to_lacsc", False),
        ("The worry is that he drinks", True, "domestic_violence", False),
    ],
)
def test_which_messages_are_interjections(make_tracker, text, free_text, intent, expected):
    assert is_interjection(make_tracker(text, intent), free_text=free_text) is expected


def test_corrections_by_intent_or_by_their_opening_words(make_tracker):
    assert asks_to_correct(make_tracker("go back", "correct_answer"))
    assert asks_to_correct(make_tracker("change my answer about the significant harm", "significant_harm"))
    assert not asks_to_correct(make_tracker("Change a point", "choose"))


def test_back_to_only_after_something_else_was_answered_and_a_repeat_is_known(make_tracker):
    tracker = make_tracker("what is a LADO?", "define_term")
    tracker.events = [
        {"event": "slot", "name": "requested_slot", "value": "agreement_decision"},
        {"event": "user", "text": "what is a LADO?"},
        {"event": "action", "name": "action_define_term"},
    ]
    assert resuming(tracker) and asked_before(tracker, "agreement_decision")
    assert not asked_before(tracker, "chosen_record")
    tracker.events = [{"event": "user", "text": "Record 12"}, {"event": "slot", "name": "chosen_record", "value": "12"}]
    assert not resuming(tracker) and not asked_before(tracker, "agreement_decision")

"""Which messages inside a form are for answering as outside it, and when the form says "Back to ..."."""

from __future__ import annotations

import pytest

from actions.interjections import asked_before, asks_something, asks_to_correct, is_interjection, resuming


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
    ],
)
def test_which_messages_are_interjections(make_tracker, text, free_text, intent, expected):
    assert is_interjection(make_tracker(text, intent), free_text=free_text) is expected


def test_what_asks_something():
    assert asks_something("how quickly do I have to refer?") and asks_something("read me 3.45")
    assert not asks_something("Private law") and not asks_something("/define_term")


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

"""The helpers every action shares: button titles and reading the latest message."""

from __future__ import annotations

from actions.common import BUTTON_TITLE, button, entity_values, intent_of, text_of


def test_a_long_button_title_is_cut_with_an_ellipsis_and_still_sends_its_words():
    title = "Child death or serious injury: Serious Case Review"
    shown = button(title)
    assert shown["title"] == "Child death or serious injury: Serious…"
    assert len(shown["title"]) <= BUTTON_TITLE
    assert len(button("x" * 60)["title"]) == BUTTON_TITLE
    assert shown["payload"] == title
    assert button("Agree", "/agree") == {"title": "Agree", "payload": "/agree"}


def test_the_latest_message_is_read_for_its_intent_text_and_entities(make_tracker):
    tracker = make_tracker(
        "  show me 2.81  ", "show_paragraph", entities=[{"entity": "paragraph", "value": "2.81"}, {"entity": "x"}]
    )
    assert intent_of(tracker) == "show_paragraph"
    assert text_of(tracker) == "show me 2.81"
    assert entity_values(tracker, "paragraph") == ["2.81"]
    assert entity_values(tracker, "walkthrough") == []

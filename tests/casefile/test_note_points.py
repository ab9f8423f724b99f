"""A whole note read into the 2.81 points: sentences, numbered lines, the choice points, the time and completeness."""

from __future__ import annotations

from datetime import datetime

from casefile.note_points import (
    ABOUT_DISCUSSION,
    core_not_discussed,
    looks_like_note,
    read_note,
    split_sentences,
    training_examples,
)
from knowledge.moments import LONDON, MomentRules, note_moment

NOW = datetime(2026, 12, 4, 16, 0, tzinfo=LONDON)
NOTE = (
    "Spoke to Sam at 2 about the C1A. Mother says father pushed her down the stairs while she held the baby. "
    "Risk is recent, ten days ago.\nThe baby is with mother at her grandmother's. We agreed a referral to children's "
    "social care is needed. The baby may be at risk of significant harm. I will phone CSC today and confirm in "
    "writing by tomorrow.\nDecision and why: refer, because the baby was in her arms."
)


def test_a_note_is_placed_point_by_point_with_its_time():
    draft = read_note(NOTE, NOW)
    assert draft.discussed_at == datetime(2026, 12, 4, 14, 0, tzinfo=LONDON)
    assert draft.about_discussion == ["Spoke to Sam at 2 about the C1A."]
    assert draft.points["level_of_risk"] == "recent"
    assert draft.points["referral_grounds"] == "significant_harm"
    assert draft.points["where_child_is_now"] == "The baby is with mother at her grandmother's."
    assert draft.points["action_and_timescale"].startswith("I will phone CSC today")
    # The risk sentence says more than its level: its words are kept with the concerns, not lost.
    assert "(Level of risk: Risk is recent, ten days ago.)" in draft.points["nature_of_concerns"]
    assert draft.decision_reasons == "refer, because the baby was in her arms."
    assert core_not_discussed(draft.points) == []
    assert "future_work" in draft.not_discussed


def test_numbered_lines_go_to_their_point_whatever_they_say():
    draft = read_note("Point 3: with her grandmother\n10) I will refer by 4pm\n1. Bruise on the arm", NOW)
    assert [(s.point, s.by_rule) for s in draft.sentences] == [
        ("where_child_is_now", True),
        ("action_and_timescale", True),
        ("nature_of_concerns", True),
    ]
    assert core_not_discussed(draft.points) == ["level_of_risk", "referral_needed"]


def test_what_a_note_is():
    assert looks_like_note(NOTE)
    assert not looks_like_note("With her grandmother.")
    assert split_sentences("Dr. Khan saw him. - Mum knows\n\n* Risk recent") == [
        "Dr. Khan saw him.",
        "Mum knows",
        "Risk recent",
    ]


def test_a_time_in_a_note_is_read_as_the_working_days():
    rules = MomentRules(skew=NOW - NOW, ago=False)
    assert note_moment("spoke to Sam at 2", NOW, rules).hour == 14
    assert note_moment("talked to Sarah at half 9", NOW, rules).minute == 30
    assert note_moment("discussion with SM yesterday at 4", NOW, rules).day == 3
    assert note_moment("spoke to Sam at 5", NOW, rules) is None  # 17:00 has not come yet
    assert note_moment("spoke to my manager", NOW, rules) is None


def test_the_training_examples_hold_one_sentence_each_under_a_known_label():
    examples = training_examples()
    assert len(examples) >= 300
    assert {label for _, label in examples} >= {ABOUT_DISCUSSION, "nature_of_concerns", "future_work"}

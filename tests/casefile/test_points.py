"""The 2.81 points keep the Framework's wording, and they are shown as recorded."""

from __future__ import annotations

import re
from pathlib import Path

from casefile.points import CHOICES, LABELS, NOT_DISCUSSED, POINTS, shown

FRAMEWORK = (Path(__file__).resolve().parents[2] / "knowledge" / "source" / "framework.txt").read_text(encoding="utf-8")


def paragraph_2_81() -> str:
    start = FRAMEWORK.index("2.81 Where there are concerns")
    end = FRAMEWORK.index("2.82 An agreed record")
    return " ".join(FRAMEWORK[start:end].split())


def test_every_label_is_the_frameworks_wording():
    text = paragraph_2_81().lower()
    for key, label in POINTS:
        assert label.lower() in text, key


def test_the_points_cover_every_bullet_of_2_81_in_order():
    bullets = [b.strip() for b in re.split(r"\s-\s", paragraph_2_81())[1:]]
    assert len(bullets) == 10
    assert [key for key, _ in POINTS] == [
        "nature_of_concerns",
        "level_of_risk",
        "where_child_is_now",
        "what_family_told",
        "referral_needed",
        "referral_grounds",
        "other_children",
        "views_of_parties",
        "court_notification",
        "action_and_timescale",
        "information_shared",
        "future_work",
    ]
    positions = [paragraph_2_81().lower().index(label.lower()) for _, label in POINTS]
    assert positions == sorted(positions)


def test_choices_quote_2_81():
    text = paragraph_2_81()
    assert "(immediate, recent or previous) level of risk" in text
    assert set(CHOICES["level_of_risk"]) == {"immediate", "recent", "previous"}
    for shown_text in CHOICES["referral_grounds"].values():
        assert shown_text.lower() in text.lower()


def test_not_discussed_is_shown_for_an_empty_point():
    assert shown("where_child_is_now", None) == NOT_DISCUSSED == "Not discussed"
    assert shown("level_of_risk", "immediate") == "Immediate"
    assert shown("where_child_is_now", "At school") == "At school"
    assert LABELS["where_child_is_now"] == "Where the child is now"

"""A learner's session through the REST channel with the trained model and the real action server: a guided path from
start to end, a practice case with feedback, wrong answers coming back a day later, the scorecard, the export,
sharing with a manager, and an unregistered sender refused."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.cli import send
from bot.learning_progress import LearningProgress, attempts, reviews
from bot.settings import load_settings
from knowledge.learning_paths import load_paths
from tests.conversation.conftest import Person

pytestmark = pytest.mark.conversation

SCREENING = load_paths()["screening"]


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def tap(person: Person, replies: list[dict], title: str) -> list[dict]:
    """Press a button of the replies by its title, as the terminal chat does (it sends the button's payload)."""
    [payload] = [b["payload"] for r in replies for b in r.get("buttons") or [] if b["title"] == title]
    return person.says(payload)


def a_day_passes(learner: str) -> None:
    """Move the learner's record a day into the past, as if a day had passed for the action server's store."""
    store = LearningProgress(load_settings().learning_database_url)
    store.queue(learner)
    with store._connection() as connection:
        for table, column in ((attempts, attempts.c.answered_at), (reviews, reviews.c.due_at)):
            rows = connection.execute(table.select().where(table.c.learner == learner)).all()
            for row in rows:
                moved = getattr(row, column.name) - timedelta(days=1)
                connection.execute(update(table).where(table.c.id == row.id).values({column.name: moved}))
    store.dispose()


def test_a_learners_session_from_a_path_to_the_scorecard_with_wrong_answers_revisited(register, casefile):
    jo, sam = register("practitioner", "Jo"), register("service_manager", "Sam")
    learner = f"staff:{casefile.staff.find_by_identity('terminal', jo.sender).id}"

    replies = jo.says("teach me screening")
    for index, step in enumerate(SCREENING.steps):
        assert f"step {index + 1} of {len(SCREENING.steps)}" in texts(replies), replies
        assert f"\u201c{step.quote}\u201d (Framework {step.cite})" in texts(replies)
        assert step.check.prompt in texts(replies)
        right = step.check.options[step.check.answer]
        wrong = next(o for o in step.check.options if o != right)
        replies = tap(jo, replies, wrong if index == 1 else right)
        if index == 1:
            assert f"Not quite. The answer is: {right}. The passage that decides it:" in texts(replies)
            assert "This comes back on" in texts(replies)
        else:
            assert f"Right: {right} (Framework {step.cite})." in texts(replies)
    assert f"That is the end of *{SCREENING.title}*." in texts(replies)

    replies = jo.says("quiz me on section 120")
    assert "Practice case (Section 120" in texts(replies), replies
    assert "What does the Framework require?" in texts(replies)
    choices = [b["title"] for r in replies for b in r.get("buttons") or []]
    replies = tap(jo, replies, choices[-1])
    assert "The Framework's answer: " in texts(replies) and "(Framework " in texts(replies)
    assert "Framework 1.14-1.16" in texts(replies)
    practice_right = texts(replies).startswith("Right.")

    replies = jo.says("how am I doing?")
    assert "Screening and police checks: 6 answered, 5 right; 1 to revisit, next on" in texts(replies), replies
    assert "Section 120: 1 answered" in texts(replies)

    a_day_passes(learner)
    replies = jo.says("give me a practice case")
    second = SCREENING.steps[1]
    assert f"Back to *{SCREENING.title}*, step 2: {second.check.prompt}" in texts(replies), replies
    replies = tap(jo, replies, second.check.options[second.check.answer])
    assert "This comes back on" in texts(replies)
    if practice_right:
        assert "That is everything due for now." in texts(replies)
    else:
        assert "Back to a practice case from earlier" in texts(replies), replies

    replies = jo.says("how am I doing?")
    assert "Screening and police checks: 7 answered, 6 right; 1 to revisit, next on" in texts(replies), replies

    replies = jo.says("export my learning record")
    assert f"Learning record of {jo.name}" in texts(replies)
    assert "Screening and police checks · guided path, step 2 (Framework 2.19) · wrong" in texts(replies)
    assert texts(replies).endswith("Not shared with any manager.")

    assert "No one has shared" in texts(sam.says("show my team's learning progress"))
    replies = jo.says("share my progress with my manager")
    replies = tap(jo, replies, sam.name)
    assert f"{sam.name} can now see your learning scorecard" in texts(replies)
    replies = sam.says("show my team's learning progress")
    assert f"{jo.name}:" in texts(replies) and "Screening and police checks: 7 answered" in texts(replies), replies


def test_an_unregistered_sender_cannot_learn(servers):
    replies = send(servers, f"stranger-{uuid.uuid4().hex[:8]}", "teach me screening")
    assert "it is for registered staff" in texts(replies), replies

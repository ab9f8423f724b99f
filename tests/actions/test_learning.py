"""The learning actions on trackers built in the test: paths, practice cases, the queue, the scorecard, the export,
sharing with a manager, and who may learn."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import learning
from actions.help import ActionHelp
from bot import settings
from casefile import Identity
from knowledge.learning_paths import load_paths
from knowledge.practice_cases import feedback, vignette

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
JO, SAM, SUE, STRANGER = "teams:29:jo", "teams:29:sam", "teams:29:sue", "telegram:999"
JO_ON_TELEGRAM, SAM_ON_TELEGRAM = "telegram:201", "telegram:101"
JO_KEY = "staff:1"  # a registered learner's progress is kept by their staff number, whichever channel they use
SCREENING = load_paths()["screening"]


@pytest.fixture
def progress(tmp_path, monkeypatch):
    """A case file with Jo (practitioner, North), Sam (manager, North) and Sue (manager, South), and an empty learning
    store whose clock the test moves."""
    monkeypatch.setenv("CASEFILE_DATABASE_URL", f"sqlite:///{tmp_path / 'casefile.db'}")
    monkeypatch.setenv("FA_LEARNING_DATABASE_URL", f"sqlite:///{tmp_path / 'learning.db'}")
    monkeypatch.delenv("FA_ALLOW_UNREGISTERED_LEARNERS", raising=False)
    settings.case_file.cache_clear()
    settings.learning_progress.cache_clear()
    casefile = settings.case_file()
    operator = Identity("terminal", "t")
    casefile.staff.add("Jo Bloggs", "practitioner", "North", {"teams": "29:jo", "telegram": "201"}, operator=operator)
    casefile.staff.add(
        "Sam Patel", "service_manager", "North", {"teams": "29:sam", "telegram": "101"}, operator=operator
    )
    casefile.staff.add("Sue Moss", "service_manager", "South", {"teams": "29:sue"}, operator=operator)
    store = settings.learning_progress()
    store.now = lambda: store.moment
    store.moment = START
    yield store
    store.dispose()
    casefile.database.dispose()
    settings.case_file.cache_clear()
    settings.learning_progress.cache_clear()


def run(action, make_tracker, text, intent, sender=JO, entities=None, slots=None, verified=True):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, entities=entities, slots=slots, sender=sender, verified=verified)
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def text_of(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def payload_entities(payload: str) -> list[dict]:
    """The entities a button's payload sets, as the Rasa server reads them."""
    _, _, body = payload.partition("{")
    return [{"entity": k, "value": v} for k, v in json.loads("{" + body).items()] if body else []


def tap(messages, title: str, make_tracker, sender=JO):
    """Press the button with this title on the last message that has buttons."""
    buttons = [m for m in messages if m.get("buttons")][-1]["buttons"]
    [payload] = [b["payload"] for b in buttons if b["title"] == title]
    intent = payload[1:].partition("{")[0]
    action = {
        "learning_answer": learning.ActionLearningAnswer(),
        "learn_path": learning.ActionStartLearningPath(),
        "practice_case": learning.ActionPracticeCase(),
        "share_learning_progress": learning.ActionShareLearningProgress(),
        "learning_progress": learning.ActionLearningProgress(),
        "export_learning_record": learning.ActionExportLearningRecord(),
    }[intent]
    return run(action, make_tracker, payload, intent, sender=sender, entities=payload_entities(payload))


def right(step) -> str:
    return step.check.options[step.check.answer]


def wrong(step) -> str:
    return next(o for i, o in enumerate(step.check.options) if i != step.check.answer)


def test_a_path_runs_from_its_first_step_to_its_last_and_a_wrong_answer_gets_its_passage(progress, make_tracker):
    messages, events = run(learning.ActionStartLearningPath(), make_tracker, "teach me screening", "learn_path")
    first = SCREENING.steps[0]
    assert f"step 1 of {len(SCREENING.steps)}" in text_of(messages)
    assert f"\u201c{first.quote}\u201d (Framework {first.cite})" in text_of(messages)
    assert f"In plain words: {first.note}" in text_of(messages)
    assert [b["title"] for b in messages[-1]["buttons"]] == list(first.check.options)
    assert {"event": "slot", "name": "learning_question", "value": "screening.1"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    for index, step in enumerate(SCREENING.steps):
        choice = wrong(step) if index == 1 else right(step)
        messages, _ = tap(messages, choice, make_tracker)
        said = text_of(messages)
        if index == 1:
            assert f"Not quite. The answer is: {right(step)}. The passage that decides it:" in said
            assert f"\u201c{step.quote}\u201d (Framework {step.cite})" in said
            assert "This comes back on 3 March 2026 09:00 GMT." in said
        else:
            assert f"Right: {right(step)} (Framework {step.cite})." in said
        if index + 1 < len(SCREENING.steps):
            assert f"step {index + 2} of {len(SCREENING.steps)}" in said
    assert f"That is the end of *{SCREENING.title}*." in said
    attempts = progress.attempts(JO_KEY)
    assert [(a.item, a.area, a.correct) for a in attempts] == [
        (f"screening.{n}", "screening", n != 2) for n in range(1, len(SCREENING.steps) + 1)
    ]


def test_a_wrong_answer_is_offered_first_when_it_is_due_and_leaves_after_1_3_and_7_days(progress, make_tracker):
    step = SCREENING.steps[1]
    run(learning.ActionStartLearningPath(), make_tracker, "teach me screening", "learn_path")
    progress.record(JO_KEY, "screening.2", "screening", False)
    messages, _ = run(learning.ActionPracticeCase(), make_tracker, "give me a practice case", "practice_case")
    assert "Practice case (" in text_of(messages), "nothing is due yet: a new case"

    for days, after in ((1, "This comes back on 6 March"), (3, "This comes back on 13 March"), (7, "left your queue")):
        progress.moment += timedelta(days=days)
        messages, _ = run(learning.ActionPracticeCase(), make_tracker, "give me a practice case", "practice_case")
        assert f"Back to *{SCREENING.title}*, step 2: {step.check.prompt}" == messages[-1]["text"]
        assert step.quote not in text_of(messages), "coming back, the check is asked without its answer beside it"
        messages, _ = tap(messages, right(step), make_tracker)
        assert after in text_of(messages)
        assert "That is everything due for now." in text_of(messages)
    assert progress.queue(JO_KEY) == []


def test_a_practice_case_gets_the_frameworks_answer_its_rule_and_why_not_each_other(progress, make_tracker):
    messages, events = run(learning.ActionPracticeCase(), make_tracker, "quiz me on section 120", "practice_case")
    [case_id] = [e["value"] for e in events if e.get("name") == "learning_question"]
    case = vignette(case_id)
    assert case.walkthrough == "section_120"
    assert case.text in messages[-1]["text"]
    assert [b["title"] for b in messages[-1]["buttons"]] == [c.title for c in case.choices]
    mistaken = next(c for c in case.choices if c.code != case.answer)
    messages, _ = tap(messages, mistaken.title, make_tracker)
    said = text_of(messages)
    given = feedback(case, mistaken.code)
    assert said.startswith("Not this time.\nThe Framework's answer: " + given.framework_answer)
    for cite, quote in given.rule:
        assert f"\u201c{quote}\u201d (Framework {cite})" in said
    assert said.index(given.why_not[mistaken.code]) < min(
        said.index(text) for code, text in given.why_not.items() if code != mistaken.code
    ), "why the chosen answer is wrong comes first"
    assert "Framework 1.14-1.16" in said
    assert [b["title"] for b in messages[-1]["buttons"]] == ["Another practice case", "How am I doing?"]
    assert [(a.item, a.area, a.correct) for a in progress.attempts(JO_KEY)] == [(case.id, "section_120", False)]


def test_a_typed_answer_finds_the_question_waiting(progress, make_tracker):
    step = SCREENING.steps[0]
    slots = {"learning_question": "screening.1"}
    messages, _ = run(learning.ActionLearningAnswer(), make_tracker, "the first one", "learning_answer", slots=slots)
    assert f"Right: {step.check.options[0]}" in text_of(messages)
    messages, _ = run(learning.ActionLearningAnswer(), make_tracker, "no idea", "learning_answer", slots=slots)
    assert "I couldn't tell which answer you chose" in text_of(messages)
    messages, _ = run(learning.ActionLearningAnswer(), make_tracker, "the first one", "learning_answer")
    assert "I don't have a question waiting" in text_of(messages)
    forged = [{"entity": "learning_item", "value": "no.such"}, {"entity": "learning_choice", "value": "0"}]
    run(learning.ActionLearningAnswer(), make_tracker, "/learning_answer", "learning_answer", entities=forged)
    assert len(progress.attempts(JO_KEY)) == 1, "bad input changes nothing"


def test_the_scorecard_and_the_export(progress, make_tracker):
    messages, _ = run(learning.ActionLearningProgress(), make_tracker, "how am I doing?", "learning_progress")
    assert "Nothing answered yet." in text_of(messages)
    progress.record(JO_KEY, "screening.1", "screening", True)
    progress.record(JO_KEY, "screening.2", "screening", False)
    messages, _ = run(learning.ActionLearningProgress(), make_tracker, "how am I doing?", "learning_progress")
    assert text_of(messages).splitlines()[:2] == [
        "Your learning so far:",
        "\u2022 Screening and police checks: 2 answered, 1 right; 1 to revisit, next on 3 March 2026 09:00 GMT",
    ]
    assert "Only you see this" in text_of(messages)
    messages, _ = run(
        learning.ActionExportLearningRecord(), make_tracker, "export my learning", "export_learning_record"
    )
    export = text_of(messages)
    assert export.startswith("Learning record of Jo Bloggs, North\nExported 2 March 2026 09:00 GMT.")
    assert "Screening and police checks · guided path, step 2 (Framework 2.19) · wrong" in export
    assert export.endswith("Not shared with any manager.")


def test_managers_see_nothing_until_the_learner_shares_it_with_them(progress, make_tracker):
    progress.record(JO_KEY, "screening.1", "screening", True)
    messages, _ = run(learning.ActionSharedLearning(), make_tracker, "team learning", "shared_learning", sender=SAM)
    assert text_of(messages) == "No one has shared their learning progress with you."
    messages, _ = run(
        learning.ActionShareLearningProgress(),
        make_tracker,
        "share my progress with my manager",
        "share_learning_progress",
    )
    assert [b["title"] for b in messages[-1]["buttons"]] == ["Sam Patel"], "the managers of the learner's team"
    messages, _ = tap(messages, "Sam Patel", make_tracker)
    assert "Sam Patel can now see your learning scorecard" in text_of(messages)
    messages, _ = run(learning.ActionSharedLearning(), make_tracker, "team learning", "shared_learning", sender=SAM)
    assert "Jo Bloggs:\n  \u2022 Screening and police checks: 1 answered, 1 right" in text_of(messages)
    messages, _ = run(learning.ActionSharedLearning(), make_tracker, "team learning", "shared_learning", sender=SUE)
    assert "Jo Bloggs" not in text_of(messages)
    messages, _ = run(learning.ActionSharedLearning(), make_tracker, "team learning", "shared_learning")
    assert "only a manager sees what was shared with them" in text_of(messages)

    share = learning.ActionShareLearningProgress()
    messages, _ = run(share, make_tracker, "share my learning with Sue Moss", "share_learning_progress")
    assert "Sue Moss can now see" in text_of(messages), "a manager named in the message"
    messages, _ = run(learning.ActionExportLearningRecord(), make_tracker, "export", "export_learning_record")
    assert text_of(messages).endswith("Shared with: Sam Patel, Sue Moss")
    messages, _ = run(share, make_tracker, "stop sharing my progress", "share_learning_progress")
    messages, _ = tap(messages, "Stop sharing", make_tracker)
    assert text_of(messages) == "No manager sees your progress now."
    messages, _ = run(learning.ActionSharedLearning(), make_tracker, "team learning", "shared_learning", sender=SAM)
    assert "Jo Bloggs" not in text_of(messages)


@pytest.mark.parametrize(
    "action",
    [
        learning.ActionStartLearningPath(),
        learning.ActionPracticeCase(),
        learning.ActionLearningAnswer(),
        learning.ActionLearningProgress(),
        learning.ActionExportLearningRecord(),
        learning.ActionShareLearningProgress(),
        learning.ActionSharedLearning(),
    ],
)
def test_unregistered_and_unknown_people_are_refused_and_nothing_is_kept(progress, make_tracker, action):
    entities = [{"entity": "learning_item", "value": "screening.1"}, {"entity": "learning_choice", "value": "0"}]
    messages, events = run(action, make_tracker, "teach me screening", "learn_path", STRANGER, entities)
    assert "it is for registered staff" in text_of(messages) and "999 (your Telegram id)" in text_of(messages)
    assert events == []
    messages, events = run(action, make_tracker, "teach me screening", "learn_path", JO, entities, verified=False)
    assert "reached only from Microsoft Teams, Telegram or the terminal chat" in text_of(messages)
    assert events == []
    assert progress.attempts(STRANGER) == [] and progress.attempts(JO_KEY) == []


def test_the_setting_lets_unregistered_people_learn_but_not_share(progress, make_tracker, monkeypatch):
    monkeypatch.setenv("FA_ALLOW_UNREGISTERED_LEARNERS", "true")
    messages, _ = run(learning.ActionStartLearningPath(), make_tracker, "teach me screening", "learn_path", STRANGER)
    messages, _ = tap(messages, right(SCREENING.steps[0]), make_tracker, sender=STRANGER)
    assert [a.item for a in progress.attempts(STRANGER)] == ["screening.1"]
    messages, _ = run(
        learning.ActionShareLearningProgress(), make_tracker, "share", "share_learning_progress", "teams:29:new"
    )
    assert "Only registered staff can share their progress" in text_of(messages)
    messages, _ = run(learning.ActionPracticeCase(), make_tracker, "quiz me", "practice_case", STRANGER, verified=False)
    assert "reached only from" in text_of(messages), "never anyone no channel vouched for"


def test_an_unreachable_store_is_said_and_nothing_breaks(progress, make_tracker, monkeypatch):
    monkeypatch.setenv("FA_LEARNING_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/learning")
    settings.learning_progress.cache_clear()
    messages, _ = run(learning.ActionLearningProgress(), make_tracker, "how am I doing?", "learning_progress")
    assert text_of(messages) == learning.UNREACHABLE


def test_help_lists_learning_for_registered_staff_only(progress, make_tracker):
    def helped(sender):
        messages, _ = run(ActionHelp(), make_tracker, "help", "help", sender)
        return text_of(messages)

    assert '"teach me screening"' in helped(JO)
    assert "teach me screening" not in helped(STRANGER)


def test_on_telegram_no_staff_name_is_sent(progress, make_tracker):
    """Telegram is sent no staff names: the export names the id, and sharing and the manager's view are elsewhere."""
    progress.record(JO_KEY, "screening.1", "screening", True)
    progress.share(JO_KEY, 2)
    messages, _ = run(
        learning.ActionExportLearningRecord(), make_tracker, "export", "export_learning_record", JO_ON_TELEGRAM
    )
    export = text_of(messages)
    assert export.startswith("Learning record of 201 (your Telegram id)") and export.endswith("Shared with 1 manager.")
    assert "Jo Bloggs" not in export and "Sam Patel" not in export
    for action in (learning.ActionShareLearningProgress(), learning.ActionSharedLearning()):
        for sender in (JO_ON_TELEGRAM, SAM_ON_TELEGRAM):
            messages, _ = run(action, make_tracker, "share with Sam Patel", "share_learning_progress", sender)
            assert text_of(messages) == learning.NAMES_NOT_ON_TELEGRAM
    assert progress.shared_with(JO_KEY) == [2]


def test_one_person_has_one_record_on_every_channel(progress, make_tracker):
    messages, _ = run(
        learning.ActionStartLearningPath(), make_tracker, "teach me screening", "learn_path", JO_ON_TELEGRAM
    )
    tap(messages, right(SCREENING.steps[0]), make_tracker, sender=JO_ON_TELEGRAM)
    messages, _ = run(learning.ActionLearningProgress(), make_tracker, "how am I doing?", "learning_progress", JO)
    assert "Screening and police checks: 1 answered, 1 right" in text_of(messages)


@pytest.mark.parametrize(
    ("said", "walkthroughs"),
    [
        ("quiz me on section 120", {"section_120"}),
        ("quiz me on police checks", {"police_check"}),
        ("test me on referrals", {"referral_type"}),
        ("give me a practice case on serious case reviews", {"serious_case_review"}),
    ],
)
def test_a_practice_case_is_on_what_the_message_names(progress, make_tracker, said, walkthroughs):
    for _ in range(5):
        _, events = run(learning.ActionPracticeCase(), make_tracker, said, "practice_case")
        [case_id] = [e["value"] for e in events if e.get("name") == "learning_question"]
        assert vignette(case_id).walkthrough in walkthroughs


def test_an_area_without_practice_cases_points_to_its_path(progress, make_tracker):
    messages, events = run(
        learning.ActionPracticeCase(), make_tracker, "quiz me on information sharing", "practice_case"
    )
    assert "The practice cases cover" in text_of(messages) and events == []
    assert messages[-1]["buttons"][0]["payload"] == '/learn_path{"learning_path": "information_sharing"}'

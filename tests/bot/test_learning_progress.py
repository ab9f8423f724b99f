"""The learning progress store, on SQLite and on a throwaway PostgreSQL database: answers, the 1-3-7 day queue,
the scorecard, the export and shares."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text

from bot.learning_progress import INTERVALS, LearningInputError, LearningProgress, metadata, scorecard_line
from bot.settings import load_settings
from tests.conftest import pg_url

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
JO = "telegram:201"
NED = "teams:29:ned"


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="module")
def pg_database(pg_server) -> str:
    return pg_url(pg_server())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'learning.db'}"
    url = request.getfixturevalue("pg_database")
    emptying = LearningProgress(url)
    emptying.queue(JO)  # makes the tables on a first use
    with emptying._connection() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(t.name for t in metadata.sorted_tables)} RESTART IDENTITY"))
    emptying.dispose()
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database_url, clock):
    progress = LearningProgress(database_url, clock=clock)
    yield progress
    progress.dispose()


def test_the_tables_are_made_on_first_use_and_only_then(database_url, clock):
    progress = LearningProgress(database_url, clock=clock)
    assert progress._engine is None
    assert progress.queue(JO) == []
    names = set(inspect(progress._engine).get_table_names())
    assert {"learning_attempts", "learning_reviews", "learning_shares"} <= names
    assert not names & {"staff", "records", "audit_log"}, "the store keeps no case data beside it"
    progress.dispose()
    again = LearningProgress(database_url, clock=clock)  # a second process finds them made
    assert again.queue(JO) == []
    again.dispose()


def test_a_right_first_answer_is_kept_and_queues_nothing(store):
    assert store.record(JO, "screening.1", "Screening", True) is None
    assert store.queue(JO) == []
    assert [(a.item, a.correct, a.answered_at) for a in store.attempts(JO)] == [("screening.1", True, START)]


def test_a_wrong_answer_comes_back_after_1_then_3_then_7_days_and_then_leaves(store, clock):
    review = store.record(JO, "screening.2", "Screening", False)
    assert review.due_at == START + timedelta(days=1) and review.stage == 0
    assert store.due(JO) == []
    clock.advance(hours=23)
    assert store.due(JO) == [], "not due before a day has passed"
    clock.advance(hours=1)
    assert [r.item for r in store.due(JO)] == ["screening.2"]

    review = store.record(JO, "screening.2", "Screening", True)
    assert (review.stage, review.due_at) == (1, clock.now + timedelta(days=3))
    clock.advance(days=3)
    review = store.record(JO, "screening.2", "Screening", True)
    assert (review.stage, review.due_at) == (2, clock.now + timedelta(days=7))
    clock.advance(days=6)
    assert store.due(JO) == []
    clock.advance(days=1)
    assert store.record(JO, "screening.2", "Screening", True) is None
    assert store.queue(JO) == []
    assert [a.correct for a in store.attempts(JO)] == [False, True, True, True]
    assert INTERVALS == (timedelta(days=1), timedelta(days=3), timedelta(days=7))


def test_a_right_answer_before_it_is_due_does_not_move_it_on(store, clock):
    store.record(JO, "s120.3", "Section 120", False)
    clock.advance(minutes=1)
    review = store.record(JO, "s120.3", "Section 120", True)  # just told the answer: not yet learned
    assert (review.stage, review.due_at) == (0, START + timedelta(days=1))


def test_a_wrong_answer_at_any_stage_starts_the_waits_again(store, clock):
    store.record(JO, "scr.1", "Serious case reviews", False)
    clock.advance(days=1)
    store.record(JO, "scr.1", "Serious case reviews", True)
    clock.advance(days=3)
    review = store.record(JO, "scr.1", "Serious case reviews", False)
    assert (review.stage, review.due_at) == (0, clock.now + timedelta(days=1))
    assert len(store.queue(JO)) == 1


def test_each_learner_sees_only_their_own(store):
    store.record(JO, "screening.1", "Screening", False)
    store.record(NED, "referral.1", "Referral", False)
    assert [r.item for r in store.queue(JO)] == ["screening.1"]
    assert [a.item for a in store.attempts(NED)] == ["referral.1"]


def test_the_scorecard_counts_per_area_in_the_order_first_studied(store, clock):
    store.record(JO, "screening.1", "Screening", True)
    store.record(JO, "screening.2", "Screening", False)
    store.record(JO, "screening.3", "Screening", True)
    store.record(JO, "case:s120:7", "Section 120", False)
    clock.advance(days=1, hours=1)
    store.record(JO, "case:s120:8", "Section 120", True)
    scores = store.scorecard(JO)
    assert [(s.area, s.answered, s.right, s.to_revisit, s.due_now) for s in scores] == [
        ("Screening", 3, 2, 1, 1),
        ("Section 120", 2, 1, 1, 1),
    ]
    assert scorecard_line(scores[0]) == "Screening: 3 answered, 2 right; 1 to revisit, 1 due now"
    store.record(JO, "screening.2", "Screening", True)
    line = scorecard_line(store.scorecard(JO)[0])
    assert line == "Screening: 4 answered, 3 right; 1 to revisit, next on 6 March 2026 10:00 GMT"
    assert store.scorecard(NED) == []


def test_the_export_is_the_learners_own_record_in_plain_text(store, clock):
    store.record(JO, "screening.2", "Screening", False)
    clock.advance(hours=2)
    store.record(JO, "screening.3", "Screening", True)
    store.record(NED, "referral.1", "Referral", False)
    export = store.export(JO, "Learning record of Jo Bloggs", describe=lambda item: f"step {item}")
    assert export.splitlines()[:5] == [
        "Learning record of Jo Bloggs",
        "Exported 2 March 2026 11:00 GMT.",
        "",
        "Scorecard",
        "  Screening: 2 answered, 1 right; 1 to revisit, next on 3 March 2026 09:00 GMT",
    ]
    assert "  3 March 2026 09:00 GMT · Screening · step screening.2" in export
    assert "  2 March 2026 09:00 GMT · Screening · step screening.2 · wrong" in export
    assert "  2 March 2026 11:00 GMT · Screening · step screening.3 · right" in export
    assert "referral" not in export.lower()
    assert "Nothing answered yet." in store.export(NED + "x", "Empty")


def test_sharing_names_managers_and_can_be_withdrawn(store):
    assert store.learners_sharing_with(7) == []
    assert store.share(JO, 7) is True
    assert store.share(JO, 7) is False
    store.share(NED, 7)
    store.share(JO, 9)
    assert store.learners_sharing_with(7) == [JO, NED]
    assert store.shared_with(JO) == [7, 9]
    assert store.stop_sharing(JO) == 2
    assert store.learners_sharing_with(7) == [NED] and store.shared_with(JO) == []


@pytest.mark.parametrize(
    ("learner", "item", "area", "correct"),
    [
        ("", "a", "b", True),
        ("telegram", "a", "b", True),
        ("telegram:1", "", "b", True),
        ("telegram:1", "x" * 121, "b", True),
        ("telegram:1", "a\nb", "b", True),
        ("telegram:1", "a", "", True),
        ("telegram:1", "a", "b", "yes"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(store, learner, item, area, correct):
    with pytest.raises(LearningInputError):
        store.record(learner, item, area, correct)
    assert store.attempts("telegram:1") == []
    with pytest.raises(LearningInputError):
        store.share(JO, 0)


def test_the_url_is_its_own_setting_with_a_file_beside_the_case_file_by_default(tmp_path):
    settings = load_settings({"FA_VAR_DIR": str(tmp_path)})
    assert settings.learning_database_url == f"sqlite:///{tmp_path.resolve() / 'learning.db'}"
    assert settings.allow_unregistered_learners is False
    settings = load_settings(
        {
            "FA_LEARNING_DATABASE_URL": "postgres://u@db/learning",
            "DATABASE_URL": "postgresql://u@db/other",
            "FA_ALLOW_UNREGISTERED_LEARNERS": "yes",
        }
    )
    assert settings.learning_database_url == "postgresql://u@db/learning"
    assert settings.allow_unregistered_learners is True


def test_processes_making_the_tables_at_once_all_succeed(pg_server, clock):
    """Several stores (as several servers would) making the tables on a fresh PostgreSQL database at the same moment."""
    from concurrent.futures import ThreadPoolExecutor

    url = pg_url(pg_server())
    stores = [LearningProgress(url, clock=clock) for _ in range(6)]
    with ThreadPoolExecutor(len(stores)) as pool:
        assert list(pool.map(lambda s: s.record(JO, "screening.1", "Screening", True), stores)) == [None] * 6
    assert len(stores[0].attempts(JO)) == 6
    for store in stores:
        store.dispose()

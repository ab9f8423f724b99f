"""A database error in the middle of saving a record leaves no record text in any log line (real PostgreSQL, whose
error messages repeat the row being saved)."""

from __future__ import annotations

import logging

import psycopg2
import pytest

from actions.casefile_turn import UNREACHABLE
from bot import settings
from bot.settings import case_file
from tests.actions.test_casefile_actions import (
    CASE,
    OPERATOR,
    POINT_ANSWERS,
    STAFF,
    record_discussion,
    saved,
    texts,
)
from tests.conftest import PG_HOST, PG_PORT, pg_url


@pytest.fixture
def pg_store(pg_server, monkeypatch):
    """The case file the actions use, on a fresh PostgreSQL database, with the review's four members of staff."""
    database = pg_server()
    monkeypatch.setenv("CASEFILE_DATABASE_URL", pg_url(database))
    monkeypatch.delenv("FA_CASE_REFERENCE_PATTERN", raising=False)
    settings.case_file.cache_clear()
    store = case_file()
    for name, role, team, telegram_id in STAFF:
        store.staff.add(name, role, team, {"telegram": telegram_id}, operator=OPERATOR)
    yield database
    store.database.dispose()
    settings.case_file.cache_clear()


def test_a_failed_save_logs_no_record_text(pg_store, make_tracker, caplog):
    talk, _ = record_discussion(make_tracker)
    # The database now refuses every new record, and says why with the whole row ("Failing row contains (...)").
    connection = psycopg2.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname=pg_store)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE discussion_records ADD CONSTRAINT refuse_all CHECK (false) NOT VALID")
    connection.close()

    with caplog.at_level(logging.DEBUG):
        replies = saved(talk)
    assert texts(replies).startswith(UNREACHABLE)
    logged = "\n".join(
        [record.getMessage() for record in caplog.records]
        + [caplog.text]
        + [str(record.exc_info) for record in caplog.records if record.exc_info]
    )
    assert "The case file failed during" in logged and "IntegrityError" in logged
    for text in [*POINT_ANSWERS.values(), CASE, "Jo Bloggs", "Sam Patel"]:
        for fragment in (text, text[:20]):
            assert fragment not in logged, fragment


def test_every_engine_keeps_statement_parameters_out_of_errors(tmp_path, pg_server, monkeypatch):
    from bot.channels.conversation_references import ConversationReferences
    from bot.tracker_store import DatabaseTrackerStore
    from casefile.database import make_engine

    assert make_engine(f"sqlite:///{tmp_path / 'casefile.db'}").hide_parameters
    assert make_engine(pg_url(pg_server())).hide_parameters
    assert ConversationReferences(f"sqlite:///{tmp_path / 'references.db'}")._connect().hide_parameters
    for url in (f"sqlite:///{tmp_path / 'tracker.db'}", pg_url(pg_server())):
        monkeypatch.setenv("DATABASE_URL", url)
        store = DatabaseTrackerStore()
        assert store.engine.hide_parameters
        store.engine.dispose()

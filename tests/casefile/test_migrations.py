"""The migrations build the whole schema from an empty database on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from casefile import CaseFile, Identity
from casefile.database import MIGRATIONS, make_engine, upgrade
from casefile.models import metadata
from tests.casefile.conftest import pg_url

TABLES = {
    "staff",
    "staff_identities",
    "cases",
    "discussion_records",
    "agreements",
    "amendments",
    "secured_files",
    "later_recordings",
    "notifications",
    "audit_log",
    "follow_ups",
    "follow_up_extensions",
    "reminders",
    "digests",
    "casefile_alembic_version",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return pg_url(request.getfixturevalue("pg_server")())


def test_migrations_run_from_empty_to_head_and_match_the_models(empty_url):
    engine = make_engine(empty_url)
    try:
        assert inspect(engine).get_table_names() == []
        upgrade(empty_url)
        upgrade(engine)  # a second run at head changes nothing
        assert set(inspect(engine).get_table_names()) == TABLES
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM casefile_alembic_version")).scalars().all() == [
                "0003"
            ]
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
        assert [d for d in differences if d[0] != "remove_table" or d[1].name != "casefile_alembic_version"] == []
    finally:
        engine.dispose()


def test_nothing_touches_the_database_until_first_use(tmp_path):
    path = tmp_path / "lazy" / "casefile.db"
    casefile = CaseFile(f"sqlite:///{path}")
    assert not path.exists()
    assert casefile.staff.find_by_identity("telegram", "1") is None
    assert path.exists()
    casefile.database.dispose()


def test_records_stored_before_follow_ups_survive_the_upgrade(empty_url):
    """A case file at 0001 with a record in it upgrades to 0003: the record reads back whole, with no decision line."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
        stamp = "2025-06-10 09:00:00"
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO staff (id, name, role, team, active, created_at) VALUES "
                    "(1, 'Jo Bloggs', 'practitioner', 'North', true, :t), (2, 'Sam Patel', 'service_manager', 'North', "
                    "true, :t)"
                ),
                {"t": stamp},
            )
            connection.execute(
                text(
                    "INSERT INTO staff_identities (staff_id, channel, external_id, created_at) VALUES (1, 'telegram', "
                    "'201', :t)"
                ),
                {"t": stamp},
            )
            connection.execute(
                text("INSERT INTO cases (id, reference, created_at) VALUES (1, 'ZW25P01234', :t)"), {"t": stamp}
            )
            connection.execute(
                text(
                    "INSERT INTO discussion_records (id, case_id, team, practitioner_id, manager_id, recorded_by_id, "
                    "recorded_at, discussed_at, concern_identified_at, idempotency_key, nature_of_concerns, "
                    "level_of_risk) VALUES (1, 1, 'North', 1, 2, 1, :t, :t, :t, 'old-key', 'Stored before', 'recent')"
                ),
                {"t": stamp},
            )
        upgrade(engine)
        casefile = CaseFile(empty_url)
        record = casefile.get_record(Identity("telegram", "201"), 1)
        assert record.point("nature_of_concerns").current == "Stored before"
        assert record.point("level_of_risk").current == "recent"
        assert record.decision_reasons is None
        assert [p.key for p in record.not_discussed][:1] == ["where_child_is_now"]
        casefile.database.dispose()
    finally:
        engine.dispose()

"""The migrations build the whole schema from an empty database on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from casefile import CaseFile
from casefile.database import make_engine, upgrade
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
                "0001"
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

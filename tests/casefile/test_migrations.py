"""The migrations build the whole schema from an empty database on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from casefile import CaseFile, Identity
from casefile.audit import verify_chain
from casefile.database import MIGRATIONS, make_engine, upgrade
from casefile.models import AuditEntry, metadata
from tests.casefile.conftest import pg_url

TABLES = {
    "staff",
    "drafts",
    "earlier_agreements",
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
                "0006"
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


def test_audit_entries_stored_before_the_chain_survive_and_are_chained_in_order(empty_url):
    """A case file at 0003 with audit entries upgrades: every entry reads back unchanged, the chain is intact, a change
    by SQL breaks it, and entries written afterwards carry on the chain."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0003")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_log (occurred_at, staff_id, channel, external_id, action, case_reference, "
                    "record_id, allowed, reason) VALUES (:t, NULL, 'terminal', 'ann', 'staff_add', NULL, NULL, true, "
                    "''), (:u, NULL, 'telegram', '201', 'get_record', 'ZW25P01234', 7, false, 'no record you can see')"
                ),
                {"t": "2025-06-10 09:00:00", "u": "2025-06-10 09:00:01.250000"},
            )
        upgrade(engine)
        casefile = CaseFile(empty_url)
        try:
            assert verify_chain(casefile.database).entries == 2
            assert verify_chain(casefile.database).first_broken_id is None
            with casefile.database.session() as session:
                stored = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
            assert [(e.id, e.external_id, e.action, e.case_reference, e.record_id, e.allowed) for e in stored] == [
                (1, "ann", "staff_add", None, None, True),
                (2, "201", "get_record", "ZW25P01234", 7, False),
            ]
            assert stored[1].occurred_at.microsecond == 250000 and stored[1].reason == "no record you can see"
            casefile.staff.add("Jo Bloggs", "practitioner", "North", {}, operator=Identity("terminal", "ann"))
            assert verify_chain(casefile.database).entries == 3
            assert verify_chain(casefile.database).first_broken_id is None
            with casefile.database.session() as session:
                session.execute(text("UPDATE audit_log SET case_reference = 'ZW25P09999' WHERE id = 2"))
            assert verify_chain(casefile.database).first_broken_id == 2
        finally:
            casefile.database.dispose()
    finally:
        engine.dispose()


def test_two_case_files_migrating_at_once_in_one_process_both_work(tmp_path):
    """Alembic's context is process-wide: two first uses at the same moment must not trip over each other."""
    import threading

    stores = [CaseFile(f"sqlite:///{tmp_path / f'casefile{n}.db'}") for n in range(2)]
    errors: list[BaseException] = []

    def first_use(store: CaseFile) -> None:
        try:
            store.staff.list_staff()
        except BaseException as error:  # the test reports whatever went wrong
            errors.append(error)

    threads = [threading.Thread(target=first_use, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.database.dispose()
    assert errors == []

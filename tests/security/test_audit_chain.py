"""The audit log is a hash chain: `python -m bot audit verify` finds an entry changed or removed by SQL, and
concurrent writers on PostgreSQL never fork the chain."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from bot.cli import main
from casefile import AccessRefused, CaseFile, NotFound
from casefile.audit import verify_chain
from casefile.models import AuditEntry
from tests.casefile.conftest import (  # noqa: F401
    OPERATOR,
    casefile,
    clock,
    count,
    database_url,
    people,
    pg_database,
    rows,
)
from tests.casefile.test_store import record


def verify(url: str, monkeypatch) -> int:
    monkeypatch.setenv("CASEFILE_DATABASE_URL", url)
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify"])
    return exit_.value.code


@pytest.fixture
def audited_file(casefile, people):  # noqa: F811
    """A case file whose audit log holds staff changes, a recorded discussion and a refusal."""
    record(casefile, people)
    with pytest.raises((AccessRefused, NotFound)):
        casefile.get_record(people.id_of("pat"), 1)
    return casefile


def execute(casefile, sql: str) -> None:  # noqa: F811
    with casefile.database.session() as session:
        session.execute(text(sql))


def test_every_entry_is_chained_and_verify_counts_them(audited_file, database_url, monkeypatch, capsys):  # noqa: F811
    entries = rows(audited_file, AuditEntry)
    assert len(entries) >= 10 and not entries[-1].allowed
    assert len({entry.chain_hash for entry in entries}) == len(entries)
    assert verify(database_url, monkeypatch) == 0
    assert capsys.readouterr().out.strip() == f"Audit log intact: {len(entries)} entries"


def test_an_actor_changed_by_sql_is_found(audited_file, database_url, monkeypatch, capsys):  # noqa: F811
    execute(audited_file, "UPDATE audit_log SET external_id = 'someone-else' WHERE id = 3")
    assert verify(database_url, monkeypatch) == 1
    assert "Audit log broken at entry 3:" in capsys.readouterr().err
    assert verify_chain(audited_file.database).first_broken_id == 3


def test_a_deleted_entry_is_found_at_the_one_after_it(audited_file, database_url, monkeypatch, capsys):  # noqa: F811
    execute(audited_file, "DELETE FROM audit_log WHERE id = 5")
    assert verify(database_url, monkeypatch) == 1
    assert "Audit log broken at entry 6:" in capsys.readouterr().err


def test_an_entry_appended_after_tampering_does_not_hide_it(audited_file, people):  # noqa: F811
    execute(audited_file, "UPDATE audit_log SET allowed = NOT allowed WHERE id = 2")
    audited_file.staff.add("Kim Wu", "practitioner", "North", {}, operator=OPERATOR)
    assert verify_chain(audited_file.database).first_broken_id == 2


def test_two_case_files_appending_at_once_on_postgresql_keep_one_chain(pg_database):  # noqa: F811
    url = pg_database
    emptying = CaseFile(url)
    execute(emptying, "TRUNCATE audit_log, staff_identities, staff RESTART IDENTITY CASCADE")
    emptying.database.dispose()
    writers = [CaseFile(url), CaseFile(url)]
    for writer in writers:  # each builds its engine (and checks the schema) before the race starts
        assert writer.staff.find_by_identity("telegram", "1") is None
    start = threading.Barrier(len(writers))
    failures: list[BaseException] = []

    def append(writer: CaseFile, name: str) -> None:
        try:
            start.wait()
            for n in range(15):
                writer.staff.add(f"{name} {n}", "practitioner", "North", {}, operator=OPERATOR)
        except BaseException as failure:  # reported below, with the thread's own traceback
            failures.append(failure)

    threads = [threading.Thread(target=append, args=(w, f"Writer {i}")) for i, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        check = verify_chain(writers[0].database)
        assert check.first_broken_id is None
        assert check.entries == count(writers[0], AuditEntry) == 30
    finally:
        for writer in writers:
            writer.database.dispose()

"""The terminal's operator, as the review found it: `export --as` read with another person's rights under a login name
taken from the environment, and a secured file could never be released. Now the operator is the process's real
user, `--as` needs a registered admin and a reason, and only an admin releases a secured file; all audited."""

from __future__ import annotations

import os
import pwd

import pytest

from bot.cli import main
from casefile import CaseFile
from casefile.models import AuditEntry, SecuredFile
from tests.casefile.conftest import START, count, database_url, pg_database, rows  # noqa: F401
from tests.casefile.test_store import HOUR, POINTS

ME = pwd.getpwuid(os.getuid()).pw_name
OPERATOR = ("terminal", "security-tests")


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    return exit_.value.code


@pytest.fixture
def store(database_url, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CASEFILE_DATABASE_URL", database_url)
    casefile = CaseFile(database_url)
    casefile.staff.add("Sam Patel", "service_manager", "North", {"telegram": "101"}, operator=OPERATOR)
    casefile.staff.add("Jo Bloggs", "practitioner", "North", {"telegram": "201"}, operator=OPERATOR)
    casefile.record_discussion(
        ("telegram", "201"), "ZW25P01234", POINTS, "Jo Bloggs", "Sam Patel", START - HOUR, START - 2 * HOUR, "op-1"
    )
    yield casefile
    casefile.database.dispose()


def register_me(store: CaseFile, role: str) -> None:
    store.staff.add("Terminal Operator", role, "North", {"terminal": ME}, operator=OPERATOR)


def last_audit(store: CaseFile) -> AuditEntry:
    return rows(store, AuditEntry)[-1]


def test_the_operator_is_the_real_user_not_a_name_from_the_environment(store, monkeypatch, tmp_path):
    register_me(store, "service_manager")
    monkeypatch.setenv("LOGNAME", "someone-else")
    monkeypatch.setenv("USER", "someone-else")
    assert run("export", "--case", "ZW25P01234", "--format", "txt", "--out", str(tmp_path / "a.txt")) == 0
    entry = last_audit(store)
    assert (entry.channel, entry.external_id, entry.action, entry.allowed) == ("terminal", ME, "export", True)


@pytest.mark.parametrize("role", [None, "service_manager", "senior_manager"])
def test_acting_as_someone_else_is_refused_to_anyone_but_an_admin(store, role, capsys, tmp_path):
    if role is not None:
        register_me(store, role)
    out = tmp_path / "case.txt"
    argv = ("export", "--case", "ZW25P01234", "--format", "txt", "--as", "telegram:201", "--out", str(out))
    assert run(*argv, "--reason", "subject access request 42") == 1
    assert "Only a registered admin may act as someone else" in capsys.readouterr().err
    assert not out.exists()
    entry = last_audit(store)
    assert (entry.external_id, entry.action, entry.allowed) == (ME, "act_as", False)
    assert "telegram:201" in entry.reason
    assert not [e for e in rows(store, AuditEntry) if e.action == "export"]


def test_an_admin_acts_as_someone_else_only_with_a_reason_and_the_audit_names_all_three(store, capsys, tmp_path):
    register_me(store, "admin")
    out = tmp_path / "case.txt"
    argv = ("export", "--case", "ZW25P01234", "--format", "txt", "--as", "telegram:201", "--out", str(out))
    assert run(*argv) == 1
    assert "--as needs --reason" in capsys.readouterr().err
    assert run(*argv, "--reason", "   ") == 1
    assert not out.exists() and not [e for e in rows(store, AuditEntry) if e.action == "export"]

    assert run(*argv, "--reason", "subject access request 42") == 0
    assert POINTS["future_work"] in out.read_text()
    acting, export = rows(store, AuditEntry)[-2:]
    assert (acting.channel, acting.external_id, acting.action, acting.allowed) == ("terminal", ME, "act_as", True)
    assert acting.reason == (
        "Terminal Operator acting as telegram:201 to export the case ZW25P01234; reason: subject access request 42"
    )
    assert (export.channel, export.external_id, export.action, export.allowed) == ("telegram", "201", "export", True)


def test_an_admin_acting_as_an_unregistered_id_is_told_how_to_register_it(store, capsys):
    register_me(store, "admin")
    assert run("export", "--case", "ZW25P01234", "--as", "telegram:999", "--reason", "subject access request") == 1
    assert "python -m bot staff add" in capsys.readouterr().err


def test_a_reason_without_as_is_refused(store, capsys):
    register_me(store, "admin")
    assert run("export", "--case", "ZW25P01234", "--reason", "why not") == 1
    assert "--reason goes with --as" in capsys.readouterr().err


def test_only_an_admin_releases_a_secured_file_and_anyone_else_learns_nothing(store, capsys):
    store.secure_file(("telegram", "101"), "ZW25P01234", "SCR notification received")
    register_me(store, "senior_manager")
    said = []
    for reference in ("ZW25P01234", "ZW25P07777"):  # secured, and missing
        assert run("release", "--case", reference, "--reason", "review closed") == 1
        said.append(capsys.readouterr().err.replace(reference, "<case>"))
    assert said[0] == said[1] == "Only an admin can release a secured case file; nothing was done.\n"
    assert count(store, SecuredFile) == 1


def test_an_admin_releases_a_secured_file_with_a_reason_and_it_takes_records_again(store, capsys):
    store.secure_file(("telegram", "101"), "ZW25P01234", "SCR notification received")
    register_me(store, "admin")
    assert run("release", "--case", "ZW25P01234", "--reason", "") == 1
    assert "reason for releasing the file is missing" in capsys.readouterr().err
    assert count(store, SecuredFile) == 1
    assert run("release", "--case", "ZW25P07777", "--reason", "review closed") == 1
    assert "nothing on the case file for ZW25P07777 that you can see" in capsys.readouterr().err

    assert run("release", "--case", "ZW25P01234", "--reason", "the LSCB closed the review") == 0
    assert "Released the case file for ZW25P01234" in capsys.readouterr().out
    assert count(store, SecuredFile) == 0
    entry = last_audit(store)
    assert (entry.external_id, entry.action, entry.allowed, entry.case_reference) == (
        ME,
        "release_file",
        True,
        "ZW25P01234",
    )
    assert "by Sam Patel" in entry.reason and "SCR notification received" in entry.reason
    assert entry.reason.endswith("released because: the LSCB closed the review")
    again = store.record_discussion(
        ("telegram", "201"), "ZW25P01234", POINTS, "Jo Bloggs", "Sam Patel", START - HOUR, START - 2 * HOUR, "op-2"
    )
    assert again.case_reference == "ZW25P01234"
    assert run("release", "--case", "ZW25P01234", "--reason", "again") == 1
    assert "is not secured" in capsys.readouterr().err
    assert run("audit", "verify") == 0

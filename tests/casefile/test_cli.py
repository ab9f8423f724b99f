"""`python -m bot staff ...` and `python -m bot export ...` through bot.cli.main, on SQLite and PostgreSQL."""

from __future__ import annotations

import getpass
import stat

import docx
import pytest

from bot.cli import main
from casefile.models import AuditEntry, Draft
from tests.casefile.conftest import START, rows
from tests.casefile.test_store import HOUR, POINTS


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    return exit_.value.code


def test_staff_commands_and_export(casefile, database_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CASEFILE_DATABASE_URL", database_url)
    me = getpass.getuser()
    assert (
        run(
            "staff",
            "add",
            "--name",
            "Sam Patel",
            "--role",
            "service_manager",
            "--team",
            "North",
            "--telegram-id",
            "101",
            "--terminal-user",
            me,
        )
        == 0
    )
    assert "Added staff 1: Sam Patel (Service Manager, North)" in capsys.readouterr().out
    source = tmp_path / "staff.csv"
    source.write_text("name,role,team,telegram_id,teams_id\nJo Bloggs,practitioner,North,201,\n")
    assert run("staff", "import", str(source)) == 0
    assert run("staff", "add", "--name", "Ned Stone", "--role", "practitioner", "--team", "North") == 0
    assert run("staff", "link", "3", "--channel", "teams", "--external-id", "29:ned") == 0
    assert run("staff", "deactivate", "3") == 0
    capsys.readouterr()
    assert run("staff", "list") == 0
    listing = capsys.readouterr().out
    assert f"Sam Patel (Service Manager, North)  telegram:101, terminal:{me}" in listing
    assert "Jo Bloggs" in listing and "Ned Stone" not in listing
    assert run("staff", "list", "--all") == 0
    assert "Ned Stone (practitioner, North) [deactivated]  teams:29:ned" in capsys.readouterr().out

    assert run("staff", "add", "--name", "X", "--role", "practitioner", "--team", "N", "--telegram-id", "@x") == 1
    assert "not the @username" in capsys.readouterr().err

    saved = casefile.record_discussion(
        ("telegram", "201"), "ZW25P01234", POINTS, "Jo Bloggs", "Sam Patel", START - HOUR, START - 2 * HOUR, "cli-1"
    )
    out = tmp_path / "record.docx"
    assert run("export", "--record", str(saved.id), "--out", str(out)) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "ZW25P01234" in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert (
        run(
            "export",
            "--case",
            "ZW25P01234",
            "--format",
            "txt",
            "--out",
            str(tmp_path / "case.txt"),
        )
        == 0
    )
    assert POINTS["future_work"] in (tmp_path / "case.txt").read_text()
    capsys.readouterr()
    # Acting as someone else is for admins only (tests/security/test_operator.py).
    assert run("export", "--case", "ZW25P01234", "--as", "telegram:201", "--reason", "subject access request") == 1
    assert "Only a registered admin" in capsys.readouterr().err
    assert [e.action for e in rows(casefile, AuditEntry)] == [
        "staff_add",
        "staff_import",
        "staff_add",
        "staff_link",
        "staff_deactivate",
        "staff_add",
        "record_discussion",
        "export",
        "export",
        "act_as",
    ]


def test_drafts_purge_deletes_old_drafts_in_the_operators_name(
    casefile, people, database_url, monkeypatch, capsys, clock
):
    monkeypatch.setenv("CASEFILE_DATABASE_URL", database_url)
    old = casefile.drafts.start(people.id_of("jo"), "record", {"case_reference": "ZW25P01234"})
    clock.now = START + 40 * 24 * HOUR
    recent = casefile.drafts.start(people.id_of("jo"), "record", {"case_reference": "ZW25P01234"})
    assert run("drafts", "purge", "--days", "0") == 1
    assert "positive number of days" in capsys.readouterr().err
    assert run("drafts", "purge", "--days", "30") == 0  # the command's clock is today's: both are older
    assert "Purged 2 draft(s) not changed for 30 day(s) or more." in capsys.readouterr().out
    assert {old, recent}.isdisjoint({d.id for d in rows(casefile, Draft)})
    [entry] = rows(casefile, AuditEntry, AuditEntry.action == "purge_drafts")
    assert entry.external_id == getpass.getuser() and entry.allowed

"""The staff directory: adding, linking, deactivating and importing staff, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from casefile import ImportRejected, InvalidEntry, NotFound
from casefile.models import AuditEntry, Staff, StaffIdentity
from casefile.views import Identity
from tests.casefile.conftest import OPERATOR, count, rows


def test_add_find_list_and_deactivate(casefile):
    sam = casefile.staff.add(
        "  Sam   Patel ", "service_manager", "North", {"telegram": "101", "teams": "29:sam"}, operator=OPERATOR
    )
    assert (sam.name, sam.role, sam.team, sam.active) == ("Sam Patel", "service_manager", "North", True)
    assert casefile.staff.find_by_identity("telegram", "101") == sam
    assert casefile.staff.find_by_identity("teams", "29:sam") == sam
    assert casefile.staff.find_by_identity("telegram", "29:sam") is None
    [entry] = casefile.staff.list_staff()
    assert entry.staff == sam and entry.identities == (Identity("telegram", "101"), Identity("teams", "29:sam"))

    gone = casefile.staff.deactivate(sam.id, operator=OPERATOR)
    assert gone.active is False
    assert casefile.staff.find_by_identity("telegram", "101") is None
    assert casefile.staff.list_staff() == []
    assert [e.staff.id for e in casefile.staff.list_staff(include_inactive=True)] == [sam.id]
    with pytest.raises(NotFound):
        casefile.staff.deactivate(999, operator=OPERATOR)


@pytest.mark.parametrize(
    "name, role, team, identities, message",
    [
        ("", "practitioner", "North", {}, "name is missing"),
        ("Jo", "social_worker", "North", {}, "role must be one of"),
        ("Jo", "practitioner", " ", {}, "team is missing"),
        ("Jo", "practitioner", "North", {"telegram": "@jo"}, "not the @username"),
        ("Jo", "practitioner", "North", {"fax": "123"}, "channel must be one of"),
        ("Jo", "practitioner", "North", {"teams": "two words"}, "no spaces"),
        ("Jo\nBloggs", "practitioner", "North", {}, "one line"),
    ],
)
def test_bad_entries_are_refused_and_audited(casefile, name, role, team, identities, message):
    with pytest.raises(InvalidEntry, match=message):
        casefile.staff.add(name, role, team, identities, operator=OPERATOR)
    assert count(casefile, Staff) == 0
    [entry] = rows(casefile, AuditEntry)
    assert (entry.action, entry.allowed, entry.channel, entry.external_id) == (
        "staff_add",
        False,
        "terminal",
        "test-operator",
    )


def test_link_an_identity_once(casefile):
    jo = casefile.staff.add("Jo Bloggs", "practitioner", "North", operator=OPERATOR)
    ned = casefile.staff.add("Ned Stone", "practitioner", "North", {"telegram": "202"}, operator=OPERATOR)
    casefile.staff.link(jo.id, "telegram", "201", operator=OPERATOR)
    casefile.staff.link(jo.id, "telegram", "201", operator=OPERATOR)
    assert casefile.staff.find_by_identity("telegram", "201") == jo
    with pytest.raises(InvalidEntry, match=f"already linked to staff {ned.id}"):
        casefile.staff.link(jo.id, "telegram", "202", operator=OPERATOR)
    with pytest.raises(InvalidEntry, match="already linked"):
        casefile.staff.add("Jo Again", "practitioner", "North", {"telegram": "201"}, operator=OPERATOR)
    assert count(casefile, StaffIdentity) == 2


def test_an_admin_registered_on_the_terminal_is_named_in_the_audit(casefile):
    admin = casefile.staff.add("Ann Admin", "admin", "Central", {"terminal": "ann"}, operator=OPERATOR)
    casefile.staff.add("Jo Bloggs", "practitioner", "North", operator=Identity("terminal", "ann"))
    entries = rows(casefile, AuditEntry)
    assert [(e.action, e.allowed, e.staff_id) for e in entries] == [
        ("staff_add", True, None),
        ("staff_add", True, admin.id),
    ]
    assert "Jo Bloggs" in entries[1].reason


GOOD_CSV = """name,role,team,telegram_id,teams_id
Sam Patel,service_manager,North,101,29:sam
Jo Bloggs,practitioner,North,201,
Dee Khan,duty_officer,North,,29:dee
"""


def test_import_adds_every_row(casefile, tmp_path):
    source = tmp_path / "staff.csv"
    source.write_text("\ufeff" + GOOD_CSV, encoding="utf-8")  # as Excel saves it
    added = casefile.staff.import_csv(source, operator=OPERATOR)
    assert [(s.name, s.role) for s in added] == [
        ("Sam Patel", "service_manager"),
        ("Jo Bloggs", "practitioner"),
        ("Dee Khan", "duty_officer"),
    ]
    assert casefile.staff.find_by_identity("teams", "29:dee").name == "Dee Khan"
    assert casefile.staff.find_by_identity("telegram", "201").name == "Jo Bloggs"
    assert [(e.action, e.allowed) for e in rows(casefile, AuditEntry)] == [("staff_import", True)]


def test_import_with_a_bad_row_imports_nothing_and_names_the_lines(casefile):
    casefile.staff.add("Existing", "practitioner", "South", {"telegram": "555"}, operator=OPERATOR)
    bad = GOOD_CSV + (
        "Pat Lee,social worker,South,203,\n"
        "Kim Ray,practitioner,South,201,\n"
        "Lee Poe,admin,,,\n"
        "Max Orr,practitioner,South,555,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        casefile.staff.import_csv(bad, operator=OPERATOR)
    problems = rejected.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 5", "line 6", "line 7", "line 8"]
    assert "role must be one of" in problems[0]
    assert "telegram id 201 is also on line 3" in problems[1]
    assert "team is missing" in problems[2]
    assert "telegram id 555 is already linked" in problems[3]
    assert str(rejected.value).startswith("Nothing was imported.")
    assert count(casefile, Staff) == 1 and count(casefile, StaffIdentity) == 1
    assert [(e.action, e.allowed) for e in rows(casefile, AuditEntry)][-1] == ("staff_import", False)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "line 1: the file is empty"),
        ("name,role\nJo,practitioner\n", "line 1: the columns must be"),
        ("name,role,team,telegram_id,teams_id,nhs_number\n", "not known: nhs_number"),
        ("name,role,team\n", "line 2: the file has no staff rows"),
        ("name,role,team\nJo,practitioner,North,extra\n", "line 2: more values than columns"),
    ],
)
def test_import_of_a_malformed_file_imports_nothing(casefile, text, problem):
    with pytest.raises(ImportRejected, match=problem):
        casefile.staff.import_csv(text, operator=OPERATOR)
    assert count(casefile, Staff) == 0

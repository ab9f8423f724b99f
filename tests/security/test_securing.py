"""Securing a case file, as the review tried it across teams on SQLite and real PostgreSQL: only a manager of the
case's team, a Senior Manager or an admin secures; outsiders learn nothing, and a missing case looks the same."""

from __future__ import annotations

import pytest

from casefile import AccessRefused, FileSecured, NotFound
from casefile.models import SecuredFile
from tests.casefile.conftest import casefile, clock, count, database_url, people, pg_database  # noqa: F401
from tests.casefile.test_store import record

NOTHING = "There is nothing on the case file for {} that you can see."


def refusal(action) -> tuple[type, str]:
    with pytest.raises(Exception) as raised:
        action()
    return type(raised.value), str(raised.value)


def test_a_manager_of_another_team_cannot_secure_and_cannot_tell_the_case_exists(casefile, people):  # noqa: F811
    record(casefile, people)  # a North case
    existing = refusal(lambda: casefile.secure_file(people.id_of("sue"), "ZW25P01234", "SCR"))
    missing = refusal(lambda: casefile.secure_file(people.id_of("sue"), "ZW25P07777", "SCR"))
    assert existing == (NotFound, NOTHING.format("ZW25P01234"))
    assert missing == (NotFound, NOTHING.format("ZW25P07777"))
    assert count(casefile, SecuredFile) == 0


def test_a_manager_of_the_cases_team_a_senior_manager_and_an_admin_may_secure(casefile, people):  # noqa: F811
    record(casefile, people)
    record(casefile, people, case="ZW25P02222")
    assert casefile.secure_file(people.id_of("sam"), "ZW25P01234", "SCR").secured_by.name == "Sam Patel"
    assert casefile.secure_file(people.id_of("sid"), "ZW25P02222", "SCR").secured_by.name == "Sid Rao"
    assert casefile.secure_file(people.id_of("ann"), "ZW25P03333", "3.44").secured_by.name == "Ann Admin"
    with pytest.raises(AccessRefused, match="3.42"):
        casefile.secure_file(people.id_of("jo"), "ZW25P01234", "SCR")


def test_outsiders_are_not_told_who_secured_a_file_or_when(casefile, people):  # noqa: F811
    record(casefile, people)
    casefile.secure_file(people.id_of("sam"), "ZW25P01234", "SCR")
    kind, said = refusal(lambda: record(casefile, people, by="pat", practitioner="pat", manager="sue"))
    assert kind is FileSecured
    assert said.startswith(NOTHING.format("ZW25P01234")[:-1])
    for revealing in ("Sam Patel", "secured", "3.42", "review", "2025"):
        assert revealing not in said
    kind, said = refusal(lambda: casefile.secure_file(people.id_of("sue"), "ZW25P01234", "again"))
    assert (kind, said) == (NotFound, NOTHING.format("ZW25P01234"))
    # Inside the case the refusal says when and by whom.
    kind, said = refusal(lambda: record(casefile, people))
    assert kind is FileSecured and "by Sam Patel" in said

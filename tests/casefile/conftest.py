"""Fixtures for the case-file tests: every store test runs once on SQLite and once on a throwaway PostgreSQL
database."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, text

from casefile import CaseFile, Identity
from casefile.models import metadata
from tests.conftest import pg_url

START = datetime(2025, 6, 10, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def pg_database(pg_server) -> str:
    """One PostgreSQL database for the session, emptied before each test that uses it."""
    return pg_url(pg_server())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty database: a fresh SQLite file, or the session's PostgreSQL database with every table emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'casefile.db'}"
    url = request.getfixturevalue("pg_database")
    emptying = CaseFile(url)
    with emptying.database.session() as session:
        tables = ", ".join(t.name for t in metadata.sorted_tables)
        session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    emptying.database.dispose()
    return url


class Clock:
    """The time the case file sees; tests move it on explicitly."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def casefile(database_url, clock, monkeypatch):
    monkeypatch.delenv("FA_CASE_REFERENCE_PATTERN", raising=False)
    store = CaseFile(database_url, clock=clock)
    yield store
    store.database.dispose()


OPERATOR = Identity("terminal", "test-operator")

# name, role, team, identity
PEOPLE = {
    "sam": ("Sam Patel", "service_manager", "North", Identity("telegram", "101")),
    "jo": ("Jo Bloggs", "practitioner", "North", Identity("telegram", "201")),
    "ned": ("Ned Stone", "practitioner", "North", Identity("telegram", "202")),
    "dee": ("Dee Khan", "duty_officer", "North", Identity("teams", "29:dee-khan")),
    "sue": ("Sue Moss", "service_manager", "South", Identity("telegram", "102")),
    "pat": ("Pat Lee", "practitioner", "South", Identity("telegram", "203")),
    "sid": ("Sid Rao", "senior_manager", "South", Identity("telegram", "301")),
    "ann": ("Ann Admin", "admin", "Central", Identity("terminal", "ann")),
}


class People(dict):
    """Short name -> StaffMember; `.id_of(short)` is their identity."""

    def id_of(self, short: str) -> Identity:
        return PEOPLE[short][3]


@pytest.fixture
def people(casefile) -> People:
    added = People()
    for short, (name, role, team, identity) in PEOPLE.items():
        added[short] = casefile.staff.add(name, role, team, {identity.channel: identity.external_id}, operator=OPERATOR)
    return added


def count(casefile: CaseFile, model, *where) -> int:
    with casefile.database.session() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def rows(casefile: CaseFile, model, *where, order_by=None) -> list:
    with casefile.database.session() as session:
        return session.execute(select(model).where(*where).order_by(order_by or model.id)).scalars().all()

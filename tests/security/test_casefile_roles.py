"""The case file's own database roles on real PostgreSQL, as the README sets them up: the audit log is append-only for
every role but a superuser once migrated (the review changed and deleted entries as the servers' own role), and an
application role holding only the grants the README lists runs the case file."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from bot.cli import main
from casefile import CaseFile
from casefile.audit import ChainCheck, verify_chain
from tests.casefile.conftest import START
from tests.casefile.test_store import POINTS
from tests.conftest import PG_HOST, PG_PORT, _admin_connection

OPERATOR = ("terminal", "security-tests")
TAMPERING = ("UPDATE audit_log SET reason = 'nothing happened'", "DELETE FROM audit_log", "TRUNCATE audit_log")
# The application role's grants, word for word as the README gives them.
APP_GRANTS = """
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {app};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {app};
"""


@pytest.fixture
def roles(pg_server):
    """A database owned by a new ordinary role (as a deployment's owner role), and a second ordinary role for the
    servers; both dropped afterwards."""
    suffix = secrets.token_hex(4)
    owner, app, database = f"fa_owner_{suffix}", f"fa_app_{suffix}", f"fa_roles_{suffix}"
    password = secrets.token_urlsafe(16)
    connection = _admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {owner} LOGIN PASSWORD %s", (password,))
        cursor.execute(f"CREATE ROLE {app} LOGIN PASSWORD %s", (password,))
        cursor.execute(f"CREATE DATABASE {database} OWNER {owner}")

    def url(role: str) -> str:
        return f"postgresql://{role}:{password}@{PG_HOST}:{PG_PORT}/{database}"

    yield {"owner": owner, "app": app, "url": url}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        cursor.execute(f"DROP ROLE IF EXISTS {app}")
        cursor.execute(f"DROP ROLE IF EXISTS {owner}")
    connection.close()


def refused(url: str, statement: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    except ProgrammingError as error:
        return "permission denied" in str(error)
    finally:
        engine.dispose()
    return False


def use(store: CaseFile, key: str):
    return store.record_discussion(
        ("telegram", "201"),
        "ZW25P01234",
        POINTS,
        "Jo Bloggs",
        "Sam Patel",
        START - timedelta(hours=1),
        START - timedelta(hours=2),
        key,
    )


def test_once_migrated_not_even_the_owner_can_change_or_remove_audit_entries(roles):
    owner_url = roles["url"](roles["owner"])
    store = CaseFile(owner_url)  # migrates, as the owner, on first use
    store.staff.add("Sam Patel", "service_manager", "North", {"telegram": "101"}, operator=OPERATOR)
    store.staff.add("Jo Bloggs", "practitioner", "North", {"telegram": "201"}, operator=OPERATOR)
    use(store, "roles-1")  # appending still works
    entries = verify_chain(store.database).entries
    store.database.dispose()
    for statement in TAMPERING:
        assert refused(owner_url, statement), statement
    check = CaseFile(owner_url)
    assert verify_chain(check.database) == ChainCheck(entries, None)
    check.database.dispose()


def test_an_application_role_with_the_readmes_grants_runs_the_case_file_and_cannot_tamper(roles, monkeypatch, capsys):
    owner_url, app_url = roles["url"](roles["owner"]), roles["url"](roles["app"])
    monkeypatch.setenv("CASEFILE_DATABASE_URL", owner_url)
    with pytest.raises(SystemExit) as exit_:
        main(["migrate"])  # the owner migrates
    assert exit_.value.code == 0 and "newest schema" in capsys.readouterr().out
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        for statement in filter(None, (s.strip() for s in APP_GRANTS.format(app=roles["app"]).split(";"))):
            connection.execute(text(statement))
    engine.dispose()

    store = CaseFile(app_url)
    store.staff.add("Sam Patel", "service_manager", "North", {"telegram": "101"}, operator=OPERATOR)
    store.staff.add("Jo Bloggs", "practitioner", "North", {"telegram": "201"}, operator=OPERATOR)
    record = use(store, "roles-2")
    store.agree(("telegram", "101"), record.id)
    store.secure_file(("telegram", "101"), "ZW25P01234", "SCR notification received")
    assert verify_chain(store.database).first_broken_id is None
    store.database.dispose()
    for statement in TAMPERING:
        assert refused(app_url, statement), statement
    assert refused(app_url, "CREATE TABLE elsewhere (id int)")  # nor change the schema

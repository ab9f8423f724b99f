"""Faults mid-conversation: killed or restarted servers resume from the tracker store, and a save cut short by a crash
or an outage leaves the record whole or absent."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from actions.casefile_turn import UNREACHABLE
from bot.cli import send, start_action_server, start_rasa_server, stop_servers
from bot.rest_input import NO_ANSWER
from bot.settings import load_settings
from casefile import CaseFile, Identity
from tests.conftest import free_port, pg_url
from tests.conversation.test_casefile_conversation import Person, fresh_case

pytestmark = pytest.mark.conversation


@pytest.fixture
def own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("FA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("FA_RASA_PORT", str(free_port()))
    monkeypatch.setenv("FA_ACTION_PORT", str(free_port()))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CASEFILE_DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return load_settings()


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


def test_a_restarted_rasa_server_carries_on_the_walkthrough(own_settings, model_file):
    sender = f"fault-{uuid.uuid4().hex[:6]}"
    actions = start_action_server(own_settings)
    server = start_rasa_server(own_settings, model_file)
    try:
        send(own_settings, sender, "/decide_section_120")
        assert "Question 7" in texts(send(own_settings, sender, "Private law"))
        stop_servers([server])
        server = start_rasa_server(own_settings, model_file)
        assert "C1A" in texts(send(own_settings, sender, "Ticked yes"))
    finally:
        stop_servers([server, actions])


def test_a_dead_action_server_is_reported_and_the_walkthrough_resumes(own_settings, model_file):
    sender = f"fault-{uuid.uuid4().hex[:6]}"
    actions = start_action_server(own_settings)
    server = start_rasa_server(own_settings, model_file)
    try:
        send(own_settings, sender, "/decide_section_120")
        stop_servers([actions])
        replies = send(own_settings, sender, "Private law")
        assert texts(replies) == NO_ANSWER
        actions = start_action_server(own_settings)
        assert "Question 7" in texts(send(own_settings, sender, "Private law"))
    finally:
        stop_servers([server, actions])


# -- the case file on PostgreSQL: a save cut short by a crash or an outage ---------------------------------------

OPERATOR = Identity("terminal", "fault-tests")
ANSWERS = {
    1: "Mother says father pushed her during handover last week.",
    2: "Recent",
    3: "With mother at the maternal grandmother's address.",
    10: "Referral to LACSC by telephone today; manager checks the outcome tomorrow.",
}
SAVED_POINTS = {
    "nature_of_concerns": ANSWERS[1],
    "level_of_risk": "recent",
    "where_child_is_now": ANSWERS[3],
    "action_and_timescale": ANSWERS[10],
}


def draft_record(says: Callable[[str], list[dict]], manager_name: str, case: str) -> list[dict]:
    """A discussion recorded in conversation up to the summary shown for checking; pressing Save is the caller's."""
    assert "Which manager did you discuss it with" in texts(says(f"record my SM discussion on {case}"))
    assert "When did the discussion take place" in texts(says(manager_name))
    assert "When was the concern first identified" in texts(says("just now"))
    replies = says("yesterday 4pm")
    for number in range(1, 13):
        assert f"Point {number} of 12 (Framework 2.81)" in texts(replies), replies
        replies = says(ANSWERS.get(number, "Not discussed"))
    assert "Please check the record before it is saved" in texts(replies), replies
    return replies


def psql(database: str):
    """An autocommit connection to one database of the local PostgreSQL server."""
    import psycopg2

    connection = psycopg2.connect(pg_url(database), connect_timeout=3)
    connection.autocommit = True
    return connection


def query(database: str, statement: str, *parameters) -> list[tuple]:
    connection = psql(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, parameters)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def stored(database: str, case: str) -> tuple[int, int, int]:
    """What the case file holds for a case: (case rows, discussion records, outbox notifications about them)."""
    [row] = query(
        database,
        """
        SELECT (SELECT count(*) FROM cases WHERE reference = %s),
               (SELECT count(*) FROM discussion_records r JOIN cases c ON c.id = r.case_id WHERE c.reference = %s),
               (SELECT count(*) FROM notifications n JOIN discussion_records r ON r.id = n.record_id
                  JOIN cases c ON c.id = r.case_id WHERE c.reference = %s)""",
        case,
        case,
        case,
    )
    return row


@contextmanager
def table_locked(database: str, table: str) -> Iterator[None]:
    """Holds an EXCLUSIVE lock on a table: reads go on, and any INSERT waits until the block ends."""
    from psycopg2 import sql

    connection = psql(database)
    connection.autocommit = False
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(table)))
        yield
    finally:
        if not connection.closed:
            try:
                connection.rollback()
            except Exception:  # noqa: BLE001 - the test may have terminated this connection itself
                pass
            connection.close()


def waiting_to_insert(database: str, table: str, timeout: float = 60) -> int:
    """The server process of the INSERT into `table` that waits for a lock, as soon as there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = query(
            "postgres",
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' AND query LIKE %s",
            database,
            f"INSERT INTO {table}%",
        )
        if rows:
            return rows[0][0]
        time.sleep(0.1)
    raise AssertionError(f"no INSERT INTO {table} waited for the lock within {timeout:.0f} s")


def ended(pid: int, timeout: float = 30) -> None:
    """Waits until a PostgreSQL server process has ended, and with it its transaction."""
    deadline = time.monotonic() + timeout
    while query("postgres", "SELECT 1 FROM pg_stat_activity WHERE pid = %s", pid):
        assert time.monotonic() < deadline, f"PostgreSQL process {pid} did not end"
        time.sleep(0.1)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL, as the kernel's OOM killer or a power cut would: no clean-up, no reply, no rollback sent."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


@dataclass
class Stack:
    """The servers of the fault tests, with conversations and the case file in two throwaway PostgreSQL databases."""

    settings: object
    model: Path
    tracker_db: str
    casefile_db: str
    casefile: CaseFile
    actions: subprocess.Popen | None = None
    rasa: subprocess.Popen | None = None

    def register(self, role: str, first_name: str, team: str) -> Person:
        sender = f"staff-{uuid.uuid4().hex[:8]}"
        name = f"{first_name} {uuid.uuid4().hex[:6].capitalize()}"
        self.casefile.staff.add(name, role, team, {"terminal": sender}, operator=OPERATOR)
        return Person(sender, name, self.settings)

    def pair(self) -> tuple[Person, Person]:
        team = f"Team {uuid.uuid4().hex[:6]}"
        return self.register("practitioner", "Jo", team), self.register("service_manager", "Sam", team)

    def record(self, person: Person, case: str):
        return self.casefile.find_records(Identity("terminal", person.sender), case_reference=case)


@pytest.fixture(scope="module")
def started(model_file, pg_server, tmp_path_factory):
    """One action server and one Rasa server for these tests: conversations in one throwaway PostgreSQL database
    (DATABASE_URL), the case file in another (CASEFILE_DATABASE_URL), so each can fail without the other."""
    tracker_db, casefile_db = pg_server(), pg_server()
    saved = dict(os.environ)
    os.environ.update(
        DATABASE_URL=pg_url(tracker_db),
        CASEFILE_DATABASE_URL=pg_url(casefile_db),
        FA_VAR_DIR=str(tmp_path_factory.mktemp("faults")),
        FA_RASA_PORT=str(free_port()),
        FA_ACTION_PORT=str(free_port()),
    )
    os.environ.pop("REDIS_URL", None)
    servers = Stack(load_settings(), model_file, tracker_db, casefile_db, CaseFile(pg_url(casefile_db)))
    try:
        servers.actions = start_action_server(servers.settings)
        servers.rasa = start_rasa_server(servers.settings, model_file)
        yield servers
    finally:
        stop_servers([p for p in (servers.rasa, servers.actions) if p is not None])
        servers.casefile.database.dispose()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def stack(started) -> Stack:
    """Both servers up, though a test before this one failed while one of them was dead."""
    stack = started
    if stack.actions.poll() is not None:
        stack.actions = start_action_server(stack.settings)
    if stack.rasa.poll() is not None:
        stack.rasa = start_rasa_server(stack.settings, stack.model)
    return stack


def test_an_action_server_killed_mid_save_leaves_no_half_record_and_confirming_again_saves_it_once(stack):
    """The action server dies while it is saving the agreed record: the record is absent, then saved once.

    "Mid-save" is made exact rather than timed: the test holds an EXCLUSIVE lock on discussion_records, so the
    save's transaction (which has already added the case) stops at its INSERT of the record; PostgreSQL shows that
    INSERT waiting for the lock, and only then is the action server SIGKILLed. When the lock is released, the
    orphaned transaction finds its client gone and is rolled back, never committed: nothing of it may be left.
    The person is told their message was not answered and to check before saving again; Save again saves it once.
    """
    jo, sam = stack.pair()
    case = fresh_case()
    draft_record(jo.says, sam.name, case)
    with ThreadPoolExecutor(1) as pool, table_locked(stack.casefile_db, "discussion_records"):
        saving = pool.submit(jo.says, "Save")
        saver = waiting_to_insert(stack.casefile_db, "discussion_records")
        kill(stack.actions)
        assert texts(saving.result(timeout=60)) == NO_ANSWER
    ended(saver)
    assert stored(stack.casefile_db, case) == (0, 0, 0), "half a record was left"

    stack.actions = start_action_server(stack.settings)
    saved = texts(jo.says("Save"))
    assert f"Saved, awaiting {sam.name}'s agreement (Framework 2.82)" in saved
    [record] = stack.record(jo, case)
    assert f"record {record.id} on {case}" in saved
    assert {p.key: p.current for p in record.points if p.current is not None} == SAVED_POINTS
    assert stored(stack.casefile_db, case) == (1, 1, 1)


def test_a_rasa_server_killed_after_the_save_resumes_and_confirming_again_saves_nothing_twice(stack):
    """The record is saved, then the Rasa server dies before it stores the turn: the reply is lost with it.

    The test holds an EXCLUSIVE lock on the tracker store's events table, so the Rasa server stops at storing the
    turn, after the action server has committed the record; then the Rasa server is SIGKILLed. Restarted, it
    resumes from the tracker store at the question the person answered, so they press Save again (a new message):
    the draft is the same, so they are told it was saved already, and there is still one record.
    """
    jo, sam = stack.pair()
    case = fresh_case()
    draft_record(jo.says, sam.name, case)
    with ThreadPoolExecutor(1) as pool, table_locked(stack.tracker_db, "events"):
        saving = pool.submit(jo.says, "Save")
        storing = waiting_to_insert(stack.tracker_db, "events")
        assert stored(stack.casefile_db, case) == (1, 1, 1)
        kill(stack.rasa)
        with pytest.raises((OSError, http.client.HTTPException)):  # the connection closed without a reply
            saving.result(timeout=60)
    ended(storing)

    stack.rasa = start_rasa_server(stack.settings, stack.model)
    [record] = stack.record(jo, case)
    again = texts(jo.says("Save"))
    assert again.startswith("Already saved: this record was saved on ")
    assert f"as record {record.id} on {case}, awaiting {sam.name}'s agreement (Framework 2.82)" in again
    assert "It was not saved a second time." in again
    assert stored(stack.casefile_db, case) == (1, 1, 1)
    assert "Which manager" in texts(jo.says(f"record my SM discussion on {fresh_case()}")), "the form had not ended"


def test_an_unavailable_case_file_database_is_told_saves_nothing_and_saving_works_when_it_returns(stack):
    """The case file's database goes away in the middle of a save and stays away, then comes back.

    As in the crash test, a lock holds the save at its INSERT; then the database stops taking connections
    (ALLOW_CONNECTIONS false) and every connection to it is terminated, the save's included. Only that database is
    touched: the conversations' database and the PostgreSQL server carry on. The person is told plainly that nothing
    was saved, again when they retry while it is still down, and no half record is left; once the database takes
    connections again, Save saves the record exactly once.
    """
    jo, sam = stack.pair()
    case = fresh_case()
    draft_record(jo.says, sam.name, case)
    stack.casefile.database.dispose()
    admin = psql("postgres")
    try:
        with ThreadPoolExecutor(1) as pool, table_locked(stack.casefile_db, "discussion_records"):
            saving = pool.submit(jo.says, "Save")
            waiting_to_insert(stack.casefile_db, "discussion_records")
            with admin.cursor() as cursor:
                cursor.execute(f'ALTER DATABASE "{stack.casefile_db}" ALLOW_CONNECTIONS false')
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (stack.casefile_db,)
                )
            first = texts(saving.result(timeout=60))
        assert first.startswith(UNREACHABLE), first
        assert "Your answers are kept: press Save to try again." in first
        retried = texts(jo.says("Save"))
        assert retried.startswith(UNREACHABLE), retried
        for reply in (first, retried):
            assert "Traceback" not in reply and "Error" not in reply and NO_ANSWER not in reply
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{stack.casefile_db}" ALLOW_CONNECTIONS true')
        admin.close()
    assert stored(stack.casefile_db, case) == (0, 0, 0), "half a record was left"

    saved = texts(jo.says("Save"))
    assert f"Saved, awaiting {sam.name}'s agreement (Framework 2.82)" in saved
    [record] = stack.record(jo, case)
    assert {p.key: p.current for p in record.points if p.current is not None} == SAVED_POINTS
    assert stored(stack.casefile_db, case) == (1, 1, 1)

"""Two Rasa servers sharing PostgreSQL and Redis answer the same conversations, interleaved, in order, and store each
confirmed record once."""

from __future__ import annotations

import itertools
import json
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.cli import send, start_servers, stop_servers
from bot.settings import load_settings
from casefile import CaseFile, Identity
from tests.bot.test_lock_store import redis_available
from tests.conftest import free_port, pg_url
from tests.conversation.test_casefile_conversation import fresh_case
from tests.conversation.test_faults import draft_record, texts

pytestmark = pytest.mark.conversation

REDIS_URL = "redis://127.0.0.1:6379/14"
PARAGRAPHS = ["2.81", "2.82", "2.83", "2.84", "2.85", "2.86", "2.87", "2.88"]


@pytest.fixture(scope="module")
def replicas(model_file, pg_server, tmp_path_factory):
    if not redis_available():
        pytest.skip("no Redis server answering on 127.0.0.1:6379: the replicas share their lock there")
    database = pg_url(pg_server())
    shared = {"DATABASE_URL": database, "REDIS_URL": REDIS_URL, "FA_VAR_DIR": str(tmp_path_factory.mktemp("replicas"))}
    saved = dict(os.environ)
    os.environ.pop("CASEFILE_DATABASE_URL", None)  # the case file shares DATABASE_URL, as by default
    servers, processes = [], []
    try:
        for _ in range(2):
            os.environ.update(shared, FA_RASA_PORT=str(free_port()), FA_ACTION_PORT=str(free_port()))
            settings = load_settings()
            processes += start_servers(settings, model_file)
            servers.append(settings)
        yield servers, database
    finally:
        stop_servers(processes)
        os.environ.clear()
        os.environ.update(saved)


def stored_turns(database: str, sender: str) -> list[tuple[str, str]]:
    """The conversation as stored: ("user", text) and ("bot", text) in the order they happened."""
    import psycopg2

    connection = psycopg2.connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
            rows = cursor.fetchall()
    finally:
        connection.close()
    turns = []
    for type_name, data in rows:
        event = json.loads(data)
        if type_name in ("user", "bot"):
            turns.append((type_name, event.get("text") or ""))
    return turns


def test_interleaved_messages_to_two_replicas_are_answered_in_order(replicas):
    """Every message of six conversations sent at once, alternately to the two servers.

    Rasa's own RedisLockStore fails this (a message's events are overwritten and lost);
    bot.lock_store serves each conversation one message at a time.
    """
    servers, database = replicas
    conversations = [f"replica-{uuid.uuid4().hex[:8]}" for _ in range(6)]
    replies: dict[tuple[str, int], list[dict]] = {}
    errors: list[BaseException] = []

    def one(conversation: str, number: int) -> None:
        try:
            server = servers[number % 2]
            replies[conversation, number] = send(server, conversation, f"show me {PARAGRAPHS[number]}")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=one, args=(c, n)) for c in conversations for n in range(len(PARAGRAPHS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors

    for conversation in conversations:
        for number, paragraph in enumerate(PARAGRAPHS):
            text = "\n".join(r.get("text", "") for r in replies[conversation, number])
            assert f"*{paragraph}*" in text, (conversation, number, text[:200])
        turns = stored_turns(database, f"terminal:{conversation}")
        users = [text for kind, text in turns if kind == "user"]
        assert sorted(users) == sorted(f"show me {p}" for p in PARAGRAPHS), "a message was lost or stored twice"
        for index, (kind, text) in enumerate(turns):
            if kind == "user":
                asked = text.split()[-1]
                answer = next(t for k, t in turns[index + 1 :] if k == "bot")
                assert f"*{asked}*" in answer, f"the reply to {text!r} was crossed with another message"


def test_discussions_recorded_through_both_replicas_are_stored_exactly_once(replicas):
    """Four practitioners record a discussion at the same time, each message going to the other server than the one
    before; each then presses Save on both servers at once, as a double tap reaching two replicas would.

    Every reply comes in order (each answer is followed by the next question), and every confirmed record is stored
    exactly once: one Save saves it, the other finds the form finished, and the case file holds one row per case.
    """
    servers, database = replicas
    casefile = CaseFile(database)
    team = f"Team {uuid.uuid4().hex[:6]}"

    def register(role: str, name: str) -> str:
        sender = f"replica-staff-{uuid.uuid4().hex[:8]}"
        casefile.staff.add(
            f"{name} {uuid.uuid4().hex[:6].capitalize()}",
            role,
            team,
            {"terminal": sender},
            operator=Identity("terminal", "replica-tests"),
        )
        return sender

    manager = register("service_manager", "Sam")
    manager_name = casefile.staff.find_by_identity("terminal", manager).name
    practitioners = {register("practitioner", "Jo"): fresh_case() for _ in range(4)}

    def record(number: int, sender: str) -> list[str]:
        turns = itertools.count(number)
        draft_record(
            lambda message: send(servers[next(turns) % 2], sender, message), manager_name, practitioners[sender]
        )
        with ThreadPoolExecutor(2) as both:
            return [texts(replies) for replies in both.map(lambda server: send(server, sender, "Save"), servers)]

    try:
        with ThreadPoolExecutor(len(practitioners)) as pool:
            saves = dict(zip(practitioners, pool.map(record, itertools.count(), practitioners)))
        for sender, case in practitioners.items():
            assert sum("Saved, awaiting" in reply for reply in saves[sender]) == 1, saves[sender]
            [saved] = casefile.find_records(Identity("terminal", sender), case_reference=case)
            assert f"record {saved.id} on {case}" in "".join(saves[sender])
            assert saved.point("nature_of_concerns").current and saved.manager.name == manager_name
        rows = stored_records(database, list(practitioners.values()))
        assert sorted(rows) == sorted((case, 1) for case in practitioners.values()), "a record was lost or stored twice"
    finally:
        casefile.database.dispose()


def stored_records(database: str, cases: list[str]) -> list[tuple[str, int]]:
    """(case reference, number of discussion records) for each of these cases that has any, read with plain SQL."""
    import psycopg2

    connection = psycopg2.connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.reference, count(*) FROM discussion_records r JOIN cases c ON c.id = r.case_id "
                "WHERE c.reference = ANY(%s) GROUP BY c.reference",
                (cases,),
            )
            return cursor.fetchall()
    finally:
        connection.close()

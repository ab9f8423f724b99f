"""Two Rasa servers sharing PostgreSQL and Redis serve the same conversations, interleaved, in order."""

from __future__ import annotations

import json
import os
import threading
import uuid

import pytest

from bot.cli import send, start_servers, stop_servers
from bot.settings import load_settings
from tests.conftest import free_port, pg_url
from tests.bot.test_lock_store import redis_available

pytestmark = pytest.mark.conversation

REDIS_URL = "redis://127.0.0.1:6379/14"
PARAGRAPHS = ["2.81", "2.82", "2.83", "2.84", "2.85", "2.86", "2.87", "2.88"]


@pytest.fixture(scope="module")
def replicas(model_file, pg_server, tmp_path_factory):
    if not redis_available():
        pytest.skip("no Redis server answering on 127.0.0.1:6379: the replicas share their lock there")
    database = pg_url(pg_server())
    shared = {"DATABASE_URL": database, "REDIS_URL": REDIS_URL,
              "FA_VAR_DIR": str(tmp_path_factory.mktemp("replicas"))}
    saved = dict(os.environ)
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
        turns = stored_turns(database, f"rest:{conversation}")
        users = [text for kind, text in turns if kind == "user"]
        assert sorted(users) == sorted(f"show me {p}" for p in PARAGRAPHS), "a message was lost or stored twice"
        for index, (kind, text) in enumerate(turns):
            if kind == "user":
                asked = text.split()[-1]
                answer = next(t for k, t in turns[index + 1:] if k == "bot")
                assert f"*{asked}*" in answer, f"the reply to {text!r} was crossed with another message"

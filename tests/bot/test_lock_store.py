"""The conversation lock: one message of a conversation at a time, in arrival order, across replicas."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest

from bot.lock_store import ConversationLockStore

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_available(), reason=f"no Redis server answering at {REDIS_URL}")


async def interleave(
    stores: list[ConversationLockStore],
    conversation: str,
    messages: int,
    lifetime: float = 30,
    turn_seconds: float = 0.003,
) -> list[tuple]:
    """Send `messages` messages of one conversation, alternating between the stores (replicas).

    Logs each message's ticket as it is served; tickets number messages in the order they arrived.
    Each turn holds the lock for `turn_seconds`.
    """
    log: list[tuple] = []
    inside = 0

    async def handle(number: int) -> None:
        nonlocal inside
        await asyncio.sleep(number * 0.002)  # arrival order
        async with stores[number % len(stores)].lock(conversation, lock_lifetime=lifetime) as ticket:
            inside += 1
            log.append(("enter", ticket, inside))
            await asyncio.sleep(turn_seconds)
            inside -= 1
            log.append(("exit", number))

    await asyncio.gather(*(handle(n) for n in range(messages)))
    return log


def assert_serial_in_order(log: list[tuple], messages: int) -> None:
    entries = [e for e in log if e[0] == "enter"]
    assert all(depth == 1 for _, _, depth in entries), "two messages of one conversation were served at once"
    tickets = [ticket for _, ticket, _ in entries]
    assert tickets == sorted(tickets) and len(set(tickets)) == messages, "served out of ticket order"
    assert len([e for e in log if e[0] == "exit"]) == messages


def test_in_memory_lock_serves_one_at_a_time_in_order():
    store = ConversationLockStore(redis_url=None)
    log = asyncio.run(interleave([store], "c-" + uuid.uuid4().hex, 30))
    assert_serial_in_order(log, 30)
    assert store._local == {}


@needs_redis
def test_two_replicas_on_redis_serve_one_at_a_time_in_order():
    async def scenario():
        replicas = [ConversationLockStore(redis_url=REDIS_URL) for _ in range(2)]
        try:
            conversations = ["c-" + uuid.uuid4().hex for _ in range(4)]
            logs = await asyncio.gather(*(interleave(replicas, c, 25) for c in conversations))
            keys = await replicas[0]._redis().keys(f"fa:lock:{conversations[0]}*")
        finally:
            for r in replicas:
                await r.close()
        return logs, keys

    logs, leftover_keys = asyncio.run(scenario())
    for log in logs:
        assert_serial_in_order(log, 25)
    assert leftover_keys == []


@needs_redis
def test_a_served_ticket_outlives_its_lifetime_while_its_turn_runs_and_a_waiting_one_does_not_expire():
    async def scenario():
        store = ConversationLockStore(redis_url=REDIS_URL)
        conversation = "c-" + uuid.uuid4().hex
        log: list[str] = []
        try:

            async def holder():
                async with store.lock(conversation, lock_lifetime=0.3):
                    log.append("holder in")
                    await asyncio.sleep(1.0)  # over three lifetimes
                    log.append("holder out")

            async def waiter():
                await asyncio.sleep(0.05)
                async with store.lock(conversation, lock_lifetime=0.2):  # waits over four lifetimes
                    log.append("waiter in")

            results = await asyncio.gather(holder(), waiter(), return_exceptions=True)
        finally:
            await store.close()
        return results, log

    results, log = asyncio.run(scenario())
    assert results == [None, None]
    assert log == ["holder in", "holder out", "waiter in"]


@needs_redis
def test_three_replicas_with_turns_longer_than_the_lifetime_serve_every_message_one_at_a_time():
    async def scenario():
        replicas = [ConversationLockStore(redis_url=REDIS_URL) for _ in range(3)]
        conversation = "c-" + uuid.uuid4().hex
        try:
            log = await interleave(replicas, conversation, 5, lifetime=0.3, turn_seconds=0.7)
            keys = await replicas[0]._redis().keys(f"fa:lock:{conversation}*")
        finally:
            for r in replicas:
                await r.close()
        return log, keys

    log, leftover_keys = asyncio.run(scenario())
    assert_serial_in_order(log, 5)
    assert leftover_keys == []


@needs_redis
def test_a_ticket_whose_server_died_lapses_after_its_lifetime_and_the_next_message_is_served():
    async def scenario():
        store = ConversationLockStore(redis_url=REDIS_URL)
        conversation = "c-" + uuid.uuid4().hex
        try:
            store._redis()
            # A server that took a ticket and died: nobody asks for it or renews it.
            dead = await store._scripts["issue"](keys=store._keys(conversation), args=[300])
            started = time.monotonic()
            async with store.lock(conversation, lock_lifetime=5) as ticket:
                waited = time.monotonic() - started
        finally:
            await store.close()
        return int(dead), ticket, waited

    dead, ticket, waited = asyncio.run(scenario())
    assert ticket == dead + 1
    assert 0.25 <= waited < 2


@needs_redis
def test_the_default_lifetime_outlasts_rasas_action_timeout_and_the_heartbeat_stops_on_release():
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    async def scenario():
        store = ConversationLockStore(redis_url=REDIS_URL)
        conversation = "c-" + uuid.uuid4().hex
        client = store._redis()
        keys = store._keys(conversation)
        try:
            async with store.lock(conversation) as ticket:  # as Rasa calls it: no lifetime given
                seconds, micros = await client.time()
                expiry_ms = await client.zscore(keys[2], ticket)
                tasks_inside = len(asyncio.all_tasks())
            tasks_after = len(asyncio.all_tasks())
            leftover = await client.keys(f"fa:lock:{conversation}*")
        finally:
            await store.close()
        return expiry_ms - (seconds * 1000 + micros // 1000), tasks_inside, tasks_after, leftover

    remaining_ms, tasks_inside, tasks_after, leftover = asyncio.run(scenario())
    assert remaining_ms > DEFAULT_REQUEST_TIMEOUT * 1000
    assert tasks_inside == tasks_after + 1  # the heartbeat ran during the turn and ended with it
    assert leftover == []

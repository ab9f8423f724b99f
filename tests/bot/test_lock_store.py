"""The conversation lock: one message of a conversation at a time, in arrival order, across replicas."""

from __future__ import annotations

import asyncio
import os
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


async def interleave(stores: list[ConversationLockStore], conversation: str, messages: int) -> list[tuple]:
    """Send `messages` messages of one conversation, alternating between the stores (replicas).

    Logs each message's ticket as it is served; tickets number messages in the order they arrived.
    """
    log: list[tuple] = []
    inside = 0

    async def handle(number: int) -> None:
        nonlocal inside
        await asyncio.sleep(number * 0.002)  # arrival order
        async with stores[number % len(stores)].lock(conversation, lock_lifetime=30) as ticket:
            inside += 1
            log.append(("enter", ticket, inside))
            await asyncio.sleep(0.003)
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
def test_a_ticket_that_outlives_its_lifetime_is_refused():
    from rasa.core.lock_store import LockError

    async def scenario():
        store = ConversationLockStore(redis_url=REDIS_URL)
        conversation = "c-" + uuid.uuid4().hex
        try:

            async def holder():
                async with store.lock(conversation, lock_lifetime=0.2):
                    await asyncio.sleep(0.6)

            async def waiter():
                await asyncio.sleep(0.05)
                async with store.lock(conversation, lock_lifetime=0.1):
                    pass

            results = await asyncio.gather(holder(), waiter(), return_exceptions=True)
        finally:
            await store.close()
        return results

    results = asyncio.run(scenario())
    assert any(isinstance(r, LockError) for r in results)

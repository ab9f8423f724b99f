"""A message delivered twice (the same platform message id), as a bridge retrying or two replicas behind a load
balancer see it: answered once, whichever server gets each delivery, with the REST channel mounted as Rasa mounts it
and the seen ids in real Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.rest_input import GuardedRestInput
from bot.seen_messages import SeenMessages, _key
from bot.settings import CHANNEL_TOKEN_HEADER
from tests.bot.test_lock_store import REDIS_URL, needs_redis
from tests.conftest import free_port

Sanic.test_mode = True
SECRET = "the-telegram-bridges-secret"


class SlowAgent:
    """Stands in for Rasa's agent: each message takes a moment, and every one handled is counted (across servers)."""

    def __init__(self, handled: list[str]) -> None:
        self.handled = handled

    async def handle_message(self, message: Any) -> None:
        await asyncio.sleep(0.3)
        self.handled.append(message.text)
        await message.output_channel.send_response(message.sender_id, {"text": f"Answer to {message.text}"})


@asynccontextmanager
async def rest_servers(count: int, handled: list[str]) -> AsyncIterator[list[str]]:
    """`count` Rasa-like servers each with the REST channel; yield their webhook URLs."""
    servers, urls = [], []
    for _ in range(count):
        app = Sanic(f"rest_test_{uuid.uuid4().hex}")
        app.ctx.agent = SlowAgent(handled)
        register([GuardedRestInput()], app, "/webhooks/")
        port = free_port()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        servers.append(server)
        urls.append(f"http://127.0.0.1:{port}/webhooks/rest/webhook")
    try:
        yield urls
    finally:
        for server in servers:
            await server.before_stop()
            server.close()
            await server.wait_closed()
            await server.after_stop()


async def deliver(url: str, sender: str, text: str, message_id: str | None) -> list[dict]:
    body = {"sender": sender, "message": text, **({"message_id": message_id} if message_id else {})}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=body, headers={CHANNEL_TOKEN_HEADER: SECRET}) as answer:
            assert answer.status == 200
            return await answer.json()


def scenario(count: int, sender: str, deliveries: list[tuple[int, str, str | None]], together: bool) -> tuple:
    async def run():
        handled: list[str] = []
        async with rest_servers(count, handled) as urls:
            calls = [deliver(urls[server], sender, text, mid) for server, text, mid in deliveries]
            if together:
                answers = await asyncio.gather(*calls)
            else:
                answers = [await call for call in calls]
        return handled, answers

    return asyncio.run(run())


@pytest.fixture
def bridge_env(monkeypatch):
    monkeypatch.setenv("FA_TELEGRAM_BRIDGE_TOKEN", SECRET)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return monkeypatch


def test_a_message_delivered_twice_to_one_server_is_answered_once(bridge_env):
    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    handled, answers = scenario(1, sender, [(0, "hello", "telegram:1"), (0, "hello", "telegram:1")], together=False)
    assert handled == ["hello"]
    assert answers == [[{"recipient_id": sender, "text": "Answer to hello"}], []]


def test_different_messages_and_other_senders_are_each_answered(bridge_env):
    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    deliveries = [(0, "one", "telegram:1"), (0, "two", "telegram:2"), (0, "three", None), (0, "four", None)]
    handled, _ = scenario(1, sender, deliveries, together=False)
    assert handled == ["one", "two", "three", "four"]  # a message without an id is never taken for a duplicate


@needs_redis
def test_a_message_delivered_to_two_replicas_at_once_is_answered_once(bridge_env):
    bridge_env.setenv("REDIS_URL", REDIS_URL)
    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    deliveries = [(0, "hello", "telegram:7"), (1, "hello", "telegram:7"), (1, "again", "telegram:8")]
    handled, answers = scenario(2, sender, deliveries, together=True)
    assert sorted(handled) == ["again", "hello"]
    assert sorted(len(a) for a in answers[:2]) == [0, 1]


def test_in_process_ids_are_forgotten_after_the_window_and_a_failed_answer_can_be_retried():
    now = [0.0]
    seen = SeenMessages(None, seen_for=60, clock=lambda: now[0])

    async def run():
        assert await seen.first("telegram:1", "m1") is True
        assert await seen.first("telegram:1", "m1") is False
        assert await seen.first("telegram:2", "m1") is True  # another sender's message with the same id
        now[0] = 61
        assert await seen.first("telegram:1", "m1") is True
        await seen.forget("telegram:1", "m1")
        assert await seen.first("telegram:1", "m1") is True

    asyncio.run(run())


@needs_redis
def test_in_redis_the_id_expires_and_a_failed_answer_can_be_retried():
    async def run():
        sender = f"telegram:{uuid.uuid4().hex}"
        replicas = [SeenMessages(REDIS_URL, seen_for=1) for _ in range(2)]
        try:
            assert await replicas[0].first(sender, "m1") is True
            assert await replicas[1].first(sender, "m1") is False
            assert 0 < await replicas[0]._redis().ttl(_key(sender, "m1")) <= 1
            await replicas[1].forget(sender, "m1")
            assert await replicas[0].first(sender, "m1") is True
            await asyncio.sleep(1.2)
            assert await replicas[1].first(sender, "m1") is True
        finally:
            for replica in replicas:
                await replica.close()

    asyncio.run(run())


def test_a_teams_activity_delivered_twice_is_answered_once(tmp_path):
    from tests.bot.channels.test_teams import activity, post, running, token

    async def run():
        async with running(tmp_path) as r:
            valid = f"Bearer {token(r.base + '/')}"
            once = activity(r.base, text="what is a strategy discussion?")
            for _ in range(2):
                assert (await post(r.webhook, once, valid))[0] == 200
            assert (await post(r.webhook, activity(r.base, text="and a section 47?"), valid))[0] == 200
            assert [m.text for m in r.agent.messages] == ["what is a strategy discussion?", "and a section 47?"]
            assert len(r.microsoft.messages()) == 2  # one answer each

    asyncio.run(run())

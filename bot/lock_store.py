"""Serves one message of a conversation at a time, in order, across every Rasa server sharing REDIS_URL.

Rasa's own RedisLockStore issues and releases tickets by reading the whole lock, changing it
in Python and writing it back, so two replicas can interleave and both think they hold the
lock. Here every step is one Lua script that Redis runs atomically, ordering by ticket
number and expiring by Redis's own clock (so replicas' clocks need not agree).

A ticket lapses only when its server stops looking after it. A waiting ticket is renewed
each time its server asks whether it is served, so it never expires in the queue; once
served, its lifetime counts from then and a heartbeat renews it every third of the lifetime
until the turn ends, however long the turn (an action may take Rasa's full action timeout).
Only a server that dies or loses Redis lets its ticket lapse, and the next message is served
once the lifetime has passed. Without REDIS_URL (one server), an asyncio lock per
conversation does the same in memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.lock_store import LockError, LockStore

from bot.settings import load_settings

logger = logging.getLogger(__name__)

KEY_PREFIX = "fa:lock:"
POLL_SECONDS = 0.02
REDIS_TIMEOUT_SECONDS = 5.0
# Longer than Rasa's action timeout, so even a turn whose heartbeat stalls behind its slowest
# action keeps the lock; it is how long a conversation waits after its server has died.
LOCK_LIFETIME_SECONDS = DEFAULT_REQUEST_TIMEOUT + 60

# KEYS: counter, tickets (score = ticket), expiries (score = expiry ms). ARGV: lifetime ms.
_ISSUE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ticket = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ticket, ticket)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), ticket)
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1]) * 2) end
return ticket
"""

# ARGV: ticket, lifetime ms. 1: the ticket is served now; 0: wait; -1: the ticket expired.
# Asking renews the ticket, so a waiting ticket lives as long as its server keeps asking, and a
# served ticket's lifetime counts from the moment it is served.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, expired in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  redis.call('ZREM', KEYS[2], expired)
  redis.call('ZREM', KEYS[3], expired)
end
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]) * 2) end
local first = redis.call('ZRANGE', KEYS[2], 0, 0)
if first[1] == ARGV[1] then return 1 end
return 0
"""

# ARGV: ticket, lifetime ms. 1: renewed; 0: the ticket had already lapsed and is not revived.
_HEARTBEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiry = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not expiry or tonumber(expiry) <= now then return 0 end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]) * 2) end
return 1
"""

_RELEASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
return 1
"""


class ConversationLockStore(LockStore):
    """Rasa lock store: atomic ticket lock on Redis when REDIS_URL is set, else in memory."""

    def __init__(
        self,
        endpoint_config: Any = None,
        redis_url: str | None = None,
        poll_seconds: float = POLL_SECONDS,
        lock_lifetime: float = LOCK_LIFETIME_SECONDS,
    ) -> None:
        kwargs: dict[str, Any] = getattr(endpoint_config, "kwargs", None) or {}
        self.redis_url = redis_url or kwargs.get("url") or load_settings().redis_url
        self.poll_seconds = poll_seconds
        self.lock_lifetime = lock_lifetime
        self._client = None
        self._scripts: dict[str, Any] = {}
        self._local: dict[str, asyncio.Lock] = {}
        self._local_users: dict[str, int] = {}
        self._issued = 0

    def _redis(self):
        if self._client is None:
            import redis.asyncio

            # A Redis that stops answering fails the turn in seconds instead of holding it for ever.
            self._client = redis.asyncio.from_url(
                self.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
            )
            self._scripts = {
                name: self._client.register_script(source)
                for name, source in (
                    ("issue", _ISSUE),
                    ("acquire", _ACQUIRE),
                    ("heartbeat", _HEARTBEAT),
                    ("release", _RELEASE),
                )
            }
        return self._client

    @staticmethod
    def _keys(conversation_id: str) -> list[str]:
        base = KEY_PREFIX + conversation_id
        return [base + ":counter", base + ":tickets", base + ":expiries"]

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float | None = None, wait_time_in_seconds: float = POLL_SECONDS
    ) -> AsyncGenerator[int, None]:
        """Hold the conversation's lock; yields the ticket, whose number gives the order of service.

        Rasa passes no lifetime, so the store's own (longer than the action timeout) applies.
        """
        if not self.redis_url:
            async with self._local_lock(conversation_id) as ticket:
                yield ticket
            return
        self._redis()
        keys = self._keys(conversation_id)
        lifetime_ms = max(1, int((lock_lifetime or self.lock_lifetime) * 1000))
        ticket = int(await self._scripts["issue"](keys=keys, args=[lifetime_ms]))
        heartbeat: asyncio.Task | None = None
        try:
            while True:
                state = int(await self._scripts["acquire"](keys=keys, args=[ticket, lifetime_ms]))
                if state == 1:
                    break
                if state == -1:
                    raise LockError(f"Lock for conversation '{conversation_id}' expired before it was served.")
                await asyncio.sleep(min(self.poll_seconds, lifetime_ms / 3000))
            heartbeat = asyncio.create_task(self._beat(keys, ticket, lifetime_ms))
            yield ticket
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
                try:
                    await heartbeat
                except asyncio.CancelledError:
                    pass
            await self._scripts["release"](keys=keys, args=[ticket])

    async def _beat(self, keys: list[str], ticket: int, lifetime_ms: int) -> None:
        """Renew a served ticket every third of its lifetime until the turn ends (the task is cancelled)."""
        while True:
            await asyncio.sleep(lifetime_ms / 3000)
            try:
                renewed = int(await self._scripts["heartbeat"](keys=keys, args=[ticket, lifetime_ms]))
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lifetime covers two of them
                logger.warning("Could not renew the lock of a conversation; retrying.", exc_info=True)
                continue
            if not renewed:
                logger.error(
                    "A conversation's lock lapsed while its turn was running (Redis unreachable for longer than "
                    "the lock lifetime); another server may now serve its next message."
                )
                return

    @asynccontextmanager
    async def _local_lock(self, conversation_id: str) -> AsyncGenerator[int, None]:
        lock = self._local.setdefault(conversation_id, asyncio.Lock())
        self._local_users[conversation_id] = self._local_users.get(conversation_id, 0) + 1
        self._issued += 1
        ticket = self._issued
        try:
            async with lock:
                yield ticket
        finally:
            self._local_users[conversation_id] -= 1
            if not self._local_users[conversation_id]:
                del self._local_users[conversation_id], self._local[conversation_id]

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

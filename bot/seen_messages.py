"""Recognises a message delivered twice (the same platform message id from the same sender), so that it is answered
once: across every Rasa server in Redis when the lock store uses Redis (REDIS_URL), else in this process."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.lock_store import REDIS_TIMEOUT_SECONDS

log = logging.getLogger(__name__)

KEY_PREFIX = "fa:seen:"
# How long a message id is remembered: longer than any platform goes on redelivering a message (Telegram keeps an
# unacknowledged update for 24 hours).
SEEN_FOR_SECONDS = 25 * 3600
MAX_IN_PROCESS = 100_000


def _key(sender: str, message_id: str) -> str:
    return KEY_PREFIX + hashlib.sha256(f"{sender}\0{message_id}".encode()).hexdigest()


class SeenMessages:
    """`first(sender, message_id)` is True for the first delivery of a message and False for any later one."""

    def __init__(
        self,
        redis_url: str | None,
        seen_for: float = SEEN_FOR_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis_url = redis_url
        self.seen_for = seen_for
        self.clock = clock
        self._client = None
        self._local: OrderedDict[str, float] = OrderedDict()  # key -> when it is forgotten, oldest first
        self._lock = threading.Lock()

    def _redis(self):
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.from_url(
                self.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
            )
        return self._client

    async def first(self, sender: str, message_id: str) -> bool:
        """Claim the message: True if no server has seen it within the window (it is answered), else False.

        If Redis cannot be reached the message is answered (a duplicate then may be too): the lock store fails that
        turn anyway, and a message a person sent once must never be dropped.
        """
        key = _key(sender, message_id)
        if self.redis_url:
            try:
                return bool(await self._redis().set(key, b"1", nx=True, ex=max(1, int(self.seen_for))))
            except Exception:  # noqa: BLE001 - redis raises its own errors and OSError; either way, answer it
                log.warning("Could not check a message id in Redis; answering the message.", exc_info=True)
                return True
        now = self.clock()
        with self._lock:
            while self._local and next(iter(self._local.values())) <= now:
                self._local.popitem(last=False)
            if key in self._local:
                return False
            if len(self._local) >= MAX_IN_PROCESS:
                self._local.popitem(last=False)
            self._local[key] = now + self.seen_for
            return True

    async def forget(self, sender: str, message_id: str) -> None:
        """Let the message be answered again when it comes back: its first delivery could not be answered."""
        key = _key(sender, message_id)
        if self.redis_url:
            try:
                await self._redis().delete(key)
            except Exception:  # noqa: BLE001
                log.warning("Could not forget a message id in Redis; a redelivery of it will be skipped.")
            return
        with self._lock:
            self._local.pop(key, None)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

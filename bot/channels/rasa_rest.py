"""A client of the Rasa server's REST channel, for channels that run beside Rasa rather than inside it."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp


class RasaUnavailable(Exception):
    """The Rasa server did not answer, or answered with something other than a list of replies."""


class RasaRest:
    """Sends one message at a time to `POST …/webhooks/rest/webhook` and returns the assistant's replies."""

    def __init__(self, url: str, secret: str, timeout: float = 60) -> None:
        self.url = url
        self.secret = secret  # this bridge's own secret, which vouches for its channel's ids only
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any], message_id: str | None = None
    ) -> list[dict[str, Any]]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        body = {"sender": sender, "message": message, "metadata": metadata}
        if message_id:
            body["message_id"] = message_id  # the platform's id, so a message delivered twice is known
        # Without the bridge's secret the REST channel treats the sender as "rest:<sender>", anonymous.
        headers = {"X-FA-Channel-Token": self.secret}
        try:
            async with self._session.post(self.url, json=body, headers=headers) as response:
                if response.status != 200:
                    raise RasaUnavailable(
                        f"{self.url} answered HTTP {response.status}: {(await response.text())[:200]}"
                    )
                replies = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(f"{self.url}: {error!r}") from error
        if not isinstance(replies, list) or not all(isinstance(r, dict) for r in replies):
            raise RasaUnavailable(f"{self.url} answered something other than a list of replies")
        return replies

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

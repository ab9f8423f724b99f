"""Local stand-ins for the services the channels talk to: Telegram's Bot API, the Rasa REST channel, and Microsoft's
login, OpenID metadata and Bot Connector."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from tests.conftest import free_port


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Run an aiohttp app on a free loopback port; yield its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def wait_for(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll until `condition()` is truthy (and return it); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


class FakeBotApi:
    """The Telegram Bot API methods the bridge uses, recording every call.

    `fail[method]` is a list of (HTTP status, JSON body) answers given, in turn, before the method succeeds.
    """

    BOT = {"id": 900, "is_bot": True, "first_name": "Framework Assistant", "username": "fa_test_bot"}

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, dict]] = []
        self.updates: list[dict] = []
        self.fail: dict[str, list[tuple[int, dict]]] = {}
        self._update_arrived = asyncio.Event()
        self._message_id = 100
        self.app = web.Application()
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle)

    def push_update(self, update: dict) -> None:
        self.updates.append(update)
        self._update_arrived.set()

    def called(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = {key: _maybe_json(value) for key, value in (await request.post()).items()}
        self.calls.append((method, params))
        failures = self.fail.get(method)
        if failures:
            status, body = failures.pop(0)
            return web.json_response(body, status=status)
        answer = getattr(self, "_" + method.lower(), None)
        if answer is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.json_response({"ok": True, "result": await answer(params)})

    async def _getme(self, params: dict) -> dict:
        return self.BOT

    async def _getupdates(self, params: dict) -> list[dict]:
        if not self.updates:
            self._update_arrived.clear()
            wait = min(float(params.get("timeout") or 0), 0.2)
            try:
                await asyncio.wait_for(self._update_arrived.wait(), wait)
            except asyncio.TimeoutError:
                pass
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return list(self.updates)

    async def _sendmessage(self, params: dict) -> dict:
        self._message_id += 1
        return {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "text": params["text"],
        }

    async def _senddocument(self, params: dict) -> dict:
        self._message_id += 1
        return {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "document": {"file_id": "f1", "file_unique_id": "u1"},
        }

    async def _sendchataction(self, params: dict) -> bool:
        return True

    async def _answercallbackquery(self, params: dict) -> bool:
        return True

    async def _deletewebhook(self, params: dict) -> bool:
        return True

    async def _setwebhook(self, params: dict) -> bool:
        return True


def _maybe_json(value: str) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


class FakeRasa:
    """The Rasa REST channel: records each request and answers with `reply(request body)`."""

    def __init__(self, reply: Callable[[dict], list[dict]] | None = None) -> None:
        self.requests: list[dict] = []
        self.secrets: list[str | None] = []  # the bridge secret each request carried
        self.reply = reply or (lambda body: [{"recipient_id": body["sender"], "text": f"You said: {body['message']}"}])
        self.app = web.Application()
        self.app.router.add_post("/webhooks/rest/webhook", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.secrets.append(request.headers.get("X-FA-Channel-Token"))
        return web.json_response(self.reply(body))


class Staff:
    def __init__(self, name: str, role: str, team: str = "South", active: bool = True) -> None:
        self.name, self.role, self.team, self.active = name, role, team, active


def directory(channel: str, entries: dict[str, Staff]) -> Callable[[str, str], Staff | None]:
    """A staff look-up knowing only `entries` (external id -> staff) on `channel`."""

    def find_by_identity(asked_channel: str, external_id: str) -> Staff | None:
        return entries.get(external_id) if asked_channel == channel else None

    return find_by_identity

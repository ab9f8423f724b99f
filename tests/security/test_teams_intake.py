"""Teams' intake, as the review found it: the body (up to Sanic's 100 MB) was read and parsed before the token was
looked at, and after a failed key refresh every request fetched the keys again. Now a missing or forged token is
refused on the headers alone, a body over the limit is refused unread, and failed refreshes back off."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels import teams_auth
from bot.channels.teams import MAX_ACTIVITY_BYTES
from tests.bot.channels.fakes import serving
from tests.bot.channels.test_teams import OTHER_KEY, activity, post, running, token

HUGE = 200 * 1024 * 1024


async def headers_only(url: str, authorization: str | None, length: int) -> tuple[int, bytes]:
    """Send a POST's headers announcing a body of `length` bytes, send none of it, and read the answer: the server
    can answer only if it does not wait for the body."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    lines = [
        f"POST {parts.path} HTTP/1.1",
        f"Host: {parts.hostname}:{parts.port}",
        "Content-Type: application/json",
        f"Content-Length: {length}",
        *([f"Authorization: {authorization}"] if authorization is not None else []),
        "",
        "",
    ]
    writer.write("\r\n".join(lines).encode())
    await writer.drain()
    try:
        answer = await asyncio.wait_for(reader.read(), timeout=10)  # until the server closes the connection
    finally:
        writer.close()
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


def test_a_missing_or_forged_token_with_a_huge_body_is_refused_before_the_body_is_read(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            forged = f"Bearer {token(r.base + '/', key=OTHER_KEY)}"
            for authorization in (None, "Bearer", "Basic abc", forged):
                started = time.monotonic()
                assert await headers_only(r.webhook, authorization, HUGE) == (401, b"Unauthorized")
                assert time.monotonic() - started < 5
            assert r.agent.messages == []

    asyncio.run(scenario())


def test_a_valid_token_with_a_body_over_the_limit_is_refused_unread(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            valid = f"Bearer {token(r.base + '/')}"
            status, said = await headers_only(r.webhook, valid, MAX_ACTIVITY_BYTES + 1)
            assert status == 413 and b"at most" in said
            assert r.agent.messages == []
            # Within the limit, the same token's activity is answered.
            padded = activity(r.base, channelData={"tenant": {"id": r.settings.tenant_id}, "pad": "x" * 100_000})
            assert len(json.dumps(padded)) < MAX_ACTIVITY_BYTES
            assert (await post(r.webhook, padded, valid))[0] == 200
            assert len(r.agent.messages) == 1

    asyncio.run(scenario())


def test_the_token_still_binds_the_activity_once_the_body_is_read(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            elsewhere = f"Bearer {token('https://elsewhere.example/')}"
            assert (await post(r.webhook, activity(r.base), elsewhere))[0] == 401
            valid = f"Bearer {token(r.base + '/')}"
            assert (await post(r.webhook, activity(r.base, channelId="slack"), valid))[0] == 401  # not endorsed
            assert r.agent.messages == []

    asyncio.run(scenario())


def test_a_failed_key_refresh_backs_off_instead_of_every_request_fetching_again(monkeypatch):
    fetches: list[str] = []

    async def broken(request: web.Request) -> web.Response:
        fetches.append(request.path)
        return web.Response(status=500)

    async def scenario():
        app = web.Application()
        app.router.add_get("/openid", broken)
        async with serving(app) as base:
            import aiohttp

            async with aiohttp.ClientSession() as session:
                keys = teams_auth.SigningKeys(f"{base}/openid", lambda: session)
                for _ in range(50):
                    try:
                        await keys.get("key-1")
                    except teams_auth.KeysUnavailable:
                        pass
                assert len(fetches) == 1  # then 503 without fetching, until the back-off has passed
                monkeypatch.setattr(teams_auth, "KEYS_RETRY_FIRST", 0.05)
                keys._retry_at = time.monotonic()  # as if that first second had passed
                for _ in range(3):
                    try:
                        await keys.get("key-1")
                    except teams_auth.KeysUnavailable:
                        pass
                    await asyncio.sleep(0.06)
                assert len(fetches) == 3  # the second failure waits 0.1 s (twice 0.05 s): the middle try fetches not

    asyncio.run(scenario())

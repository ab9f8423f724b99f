"""The REST channel (/webhooks/rest/webhook) with every message checked, identities taken only from a bridge holding
its own channel's secret, and everyone else anonymous and rate-limited."""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.common import URGENT_ADVICE, VERIFIED_IDENTITY, sounds_urgent
from bot.input_guard import check_message
from bot.seen_messages import SeenMessages
from bot.settings import CHANNEL_TOKEN_HEADER, Settings, load_settings

# Said when the assistant produced no reply at all (e.g. the action server is restarting).
NO_ANSWER = (
    "Sorry, I couldn't answer that just now. Please send it again in a minute. If you were saving a "
    'record, check it with "my records" first: a record is saved whole or not at all. If a child is '
    "in danger now, contact the police, then LACSC (Framework 2.87)."
)
# Said to an HTTP client without a bridge's secret when this deployment gives unregistered people no guidance.
ANONYMOUS_REFUSED = (
    "This assistant is for registered Cafcass staff, through Microsoft Teams, Telegram or the terminal chat. "
    "Ask your Service Manager or an admin to register you."
)
TOO_MANY = "Too many messages in a short time. Please wait a minute and send it again."
WRONG_CHANNEL = "This bridge's secret speaks only for its own channel's ids."
# Bridges that may only be used from this machine (the terminal chat runs beside the Rasa server).
LOCAL_ONLY = ("terminal",)


def bridge_secrets(settings: Settings) -> dict[str, str]:
    """Each bridge's channel and its own secret: a secret vouches for that channel's ids and no other."""
    return {"telegram": settings.telegram_bridge_token, "terminal": settings.terminal_token}


def bridge_channel(request: Request, settings: Settings) -> str | None:
    """The channel whose bridge sent this request (it carries that channel's secret), or None for anyone else."""
    given = request.headers.get(CHANNEL_TOKEN_HEADER, "").encode()
    for channel, secret in bridge_secrets(settings).items():
        if secret and hmac.compare_digest(secret.encode(), given):
            if channel in LOCAL_ONLY and not _loopback(request.ip):
                return None
            return channel
    return None


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def sender_and_metadata(body: dict[str, Any], channel: str | None) -> tuple[str, dict[str, Any]] | None:
    """The conversation id and the metadata the actions read who is writing from; None for a bridge naming an id
    outside its own channel.

    A bridge's sender ("telegram:123") becomes the verified identity; whatever identity its metadata claims is
    replaced. Anyone else is "rest:<sender>", anonymous: no verified identity, so never a member of staff.
    """
    sender = str(body.get("sender") or "anonymous")[:200]
    if channel is None:
        return f"rest:{sender}", {"channel": "rest"}
    prefix, colon, external_id = sender.partition(":")
    if prefix != channel or not colon or not external_id:
        return None
    metadata = body.get("metadata")
    metadata = {k: v for k, v in metadata.items() if k != VERIFIED_IDENTITY} if isinstance(metadata, dict) else {}
    return sender, {**metadata, "channel": channel, VERIFIED_IDENTITY: sender}


def message_id(body: dict[str, Any], channel: str | None) -> str | None:
    """A bridge's platform message id, by which a message delivered twice is recognised and answered once; None for
    anyone else."""
    given = body.get("message_id")
    if channel is not None and isinstance(given, str) and 0 < len(given) <= 200:
        return given
    return None


class RateLimit:
    """Token buckets, one per key: `per_minute` messages in a burst, refilled evenly over a minute."""

    MAX_KEYS = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, *keys: str) -> bool:
        """Whether a message may pass under every key; it takes one token from each only when all have one."""
        now = self.clock()
        with self.lock:
            if len(self.buckets) > self.MAX_KEYS:
                self._forget_full(now)
            levels = {key: self._level(key, now) for key in keys}
            if any(level < 1 for level in levels.values()):
                for key, level in levels.items():
                    self.buckets[key] = (level, now)
                return False
            for key, level in levels.items():
                self.buckets[key] = (level - 1, now)
            return True

    def _level(self, key: str, now: float) -> float:
        level, then = self.buckets.get(key, (self.capacity, now))
        return min(self.capacity, level + (now - then) * self.refill)

    def _forget_full(self, now: float) -> None:
        for key in [k for k in self.buckets if self._level(k, now) >= self.capacity]:
            del self.buckets[key]


class GuardedRestInput(RestInput):
    """Rasa's REST channel, refusing oversized or empty messages with a clear reply before NLU runs."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)
        settings = load_settings()
        limit = RateLimit(settings.anonymous_messages_per_minute)
        seen = SeenMessages(settings.redis_url)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok"})

        @webhook.listener("after_server_stop")
        async def close(app: Any, loop: Any) -> None:
            await seen.close()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            try:
                body = request.json
            except Exception:
                body = None
            if not isinstance(body, dict):
                return response.json({"error": 'Send JSON: {"sender": "...", "message": "..."}'}, status=400)
            channel = bridge_channel(request, settings)
            named = sender_and_metadata(body, channel)
            if named is None:
                return response.json({"error": WRONG_CHANNEL}, status=403)
            sender, metadata = named
            if channel is None:
                if not limit.allow(f"sender:{sender}", f"address:{request.ip}"):
                    return response.json([{"recipient_id": sender, "text": TOO_MANY}], status=429)
                if not settings.allow_unregistered_guidance:
                    text = str(body.get("message") or "")
                    refused = f"{ANONYMOUS_REFUSED}\n\n{URGENT_ADVICE}" if sounds_urgent(text) else ANONYMOUS_REFUSED
                    return response.json([{"recipient_id": sender, "text": refused}])
            verdict = check_message(body.get("message"), settings.max_message_chars)
            if verdict.refusal is not None:
                return response.json([{"recipient_id": sender, "text": verdict.refusal}])
            platform_id = message_id(body, channel)
            if platform_id is not None and not await seen.first(sender, platform_id):
                return response.json([])  # delivered twice: answered the first time, by this server or another
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        verdict.text,
                        collector,
                        sender,
                        input_channel="rest",
                        metadata=metadata,
                        message_id=platform_id,
                    )
                )
            except BaseException:
                if platform_id is not None:
                    await seen.forget(sender, platform_id)
                raise
            return response.json(collector.messages or [{"recipient_id": sender, "text": NO_ANSWER}])

        return webhook

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        return None

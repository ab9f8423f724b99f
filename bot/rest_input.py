"""The REST channel (/webhooks/rest/webhook) with every message checked, and identities it cannot vouch for
namespaced."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.input_guard import check_message
from bot.settings import CHANNEL_TOKEN_HEADER, load_settings

# Said when the assistant produced no reply at all (e.g. the action server is restarting).
NO_ANSWER = (
    "Sorry, I couldn't answer that just now. Please send it again in a minute. If you were saving a "
    'record, check it with "my records" first: a record is saved whole or not at all. If a child is '
    "in danger now, contact the police, then LACSC (Framework 2.87)."
)


def trusted(request: Request, expected: str) -> bool:
    """Whether the request comes from one of our channel bridges (it carries the channel token, FA_CHANNEL_TOKEN)."""
    given = request.headers.get(CHANNEL_TOKEN_HEADER, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def message_id(request: Request, body: dict[str, Any], channel_token: str) -> str | None:
    """A bridge's platform message id, so a message delivered twice is recognised; None for anyone else."""
    given = body.get("message_id")
    if trusted(request, channel_token) and isinstance(given, str) and 0 < len(given) <= 200:
        return given
    return None


def sender_and_metadata(request: Request, body: dict[str, Any], channel_token: str) -> tuple[str, dict[str, Any]]:
    """A bridge's sender id ("telegram:123") and metadata stand; anyone else is "rest:<sender>" with none."""
    sender = str(body.get("sender") or "anonymous")[:200]
    if trusted(request, channel_token):
        metadata = body.get("metadata")
        return sender, metadata if isinstance(metadata, dict) else {}
    return f"rest:{sender}", {"channel": "rest"}


class GuardedRestInput(RestInput):
    """Rasa's REST channel, refusing oversized or empty messages with a clear reply before NLU runs."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)
        settings = load_settings()
        max_chars, channel_token = settings.max_message_chars, settings.channel_token

        @webhook.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            try:
                body = request.json
            except Exception:
                body = None
            if not isinstance(body, dict):
                return response.json({"error": 'Send JSON: {"sender": "...", "message": "..."}'}, status=400)
            sender, metadata = sender_and_metadata(request, body, channel_token)
            verdict = check_message(body.get("message"), max_chars)
            if verdict.refusal is not None:
                return response.json([{"recipient_id": sender, "text": verdict.refusal}])
            collector = CollectingOutputChannel()
            await on_new_message(
                UserMessage(
                    verdict.text,
                    collector,
                    sender,
                    input_channel="rest",
                    metadata=metadata,
                    message_id=message_id(request, body, channel_token),
                )
            )
            return response.json(collector.messages or [{"recipient_id": sender, "text": NO_ANSWER}])

        return webhook

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        return None

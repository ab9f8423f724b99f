"""Microsoft Teams as a Rasa input channel on the Bot Framework (the Sanic blueprint): each incoming activity's token
checked (teams_auth) before its body is read, the body limited in size, then answered through the Bot Connector
(teams_connector)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.channels import DeliveryError
from bot.channels.common import PRIVATE_CHAT_ONLY, TEXT_ONLY, StaffLookup, identify, refusal, typed_message, unavailable
from bot.channels.conversation_references import ConversationReferences
from bot.channels.notifications import deliver_forever
from bot.channels.teams_auth import TEAMS_CHANNEL_ID, KeysUnavailable, SigningKeys, TokenValidator, Unauthorized
from bot.channels.teams_connector import CHANNEL, BotConnector, TeamsOutput, conversation_reference, send_proactive
from bot.channels.teams_files import FILE_CONSENT_INVOKE, Exporter, answer_consent, case_file_export
from bot.input_guard import check_message
from bot.seen_messages import SeenMessages
from bot.settings import TeamsSettings, load_settings

log = logging.getLogger(__name__)
# The largest activity read: a message, a button press or a file consent is a few kilobytes.
MAX_ACTIVITY_BYTES = 1024 * 1024


def _unread(request: Request, answer: HTTPResponse) -> HTTPResponse:
    """Answer without reading the body: the connection is closed after the answer rather than the body drained."""
    if request.stream is not None:
        request.stream.request_max_size = 0
    return answer


def _fields(reply: Activity) -> dict[str, Any]:
    return {"type": reply.type, "text": reply.text, "attachments": reply.attachments}


def _tenant(activity: Activity) -> str | None:
    tenant = (activity.channel_data or {}).get("tenant") or {}
    return tenant.get("id") or activity.conversation.tenant_id


def _message(activity: Activity) -> str:
    """A button's payload (messageBack value), else what the person typed."""
    if isinstance(activity.value, dict) and isinstance(activity.value.get("payload"), str):
        return activity.value["payload"]
    return typed_message(activity.text or "")


class TeamsInput(InputChannel):
    """The Teams webhook, `/webhooks/teams/webhook`: the messaging endpoint of the Azure bot registration."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TeamsInput:
        """Configured from TEAMS_* environment variables (read by bot.settings); credentials.yml needs no values."""
        settings = load_settings()
        return cls(settings.teams.check(), seen=SeenMessages(settings.redis_url))

    def __init__(
        self,
        settings: TeamsSettings,
        lookup: StaffLookup | None = None,
        references: ConversationReferences | None = None,
        exporter: Exporter | None = None,
        seen: SeenMessages | None = None,
    ) -> None:
        self.settings = settings
        # Activities already answered, by id: the Bot Framework delivers one again when an answer is slow.
        self.seen = seen or SeenMessages(None)
        self.lookup = lookup
        self.references = references or ConversationReferences(settings.database_url)
        self.connector = BotConnector(settings)
        self.exporter = exporter or case_file_export
        self.validator = TokenValidator(settings, SigningKeys(settings.openid_metadata_url, self.connector.session))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        teams = Blueprint("teams_webhook", __name__)

        @teams.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.configured else "Teams is not configured"})

        # Streamed: the handler runs on the request's headers, so the token is checked before any of the body is read.
        @teams.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        stop_notifying = asyncio.Event()

        @teams.listener("after_server_start")
        async def notify(app: Any, loop: Any) -> None:
            if self.settings.configured:
                asyncio.get_running_loop().create_task(
                    deliver_forever(
                        CHANNEL,
                        lambda external_id, text: send_proactive(external_id, text, self.settings),
                        stop_notifying,
                    )
                )

        @teams.listener("after_server_stop")
        async def close(app: Any, loop: Any) -> None:
            stop_notifying.set()
            await self.seen.close()
            await self.connector.close()
            self.references.close()

        return teams

    async def receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        if not self.settings.configured:
            return _unread(request, response.text("Teams is not configured", status=503))
        try:
            token = await self.validator.check_token(request.headers.get("Authorization", ""))
        except Unauthorized as error:
            log.warning("Refused a Teams request: %s", error)
            return _unread(request, response.text("Unauthorized", status=401))
        except KeysUnavailable as error:
            log.error("Cannot check Teams tokens, the signing keys are unavailable: %s", error)
            return _unread(request, response.text("Signing keys unavailable", status=503))
        if request.stream is not None:
            request.stream.request_max_size = MAX_ACTIVITY_BYTES
        try:
            await request.receive_body()
            body = request.json
        except PayloadTooLarge:
            return response.text(f"An activity is at most {MAX_ACTIVITY_BYTES} bytes", status=413)
        except InvalidUsage:
            body = None
        if not isinstance(body, dict):
            return response.text("Not a Bot Framework activity", status=400)
        try:
            self.validator.check_activity(token, body)
        except Unauthorized as error:
            log.warning("Refused a Teams request: %s", error)
            return response.text("Unauthorized", status=401)
        activity = Activity.deserialize(body)
        if activity.channel_id != TEAMS_CHANNEL_ID:
            return response.text("This endpoint serves Microsoft Teams only", status=403)
        if self.settings.tenant_id and _tenant(activity) != self.settings.tenant_id:
            log.warning("Refused a Teams activity from tenant %s", _tenant(activity))
            return response.text("This bot serves one organisation only", status=403)
        if activity.type == ActivityTypes.message:
            await self.answer(activity, on_new_message)
        elif activity.type == ActivityTypes.invoke and activity.name == FILE_CONSENT_INVOKE:
            await self.file_consent(activity)
            return response.json({}, status=200)
        return response.text("")

    async def file_consent(self, activity: Activity) -> None:
        """The person accepted or declined an export offered as a file; only registered staff get one."""
        reference = conversation_reference(activity)
        output = TeamsOutput(self.connector, reference)
        external_id = activity.from_property.aad_object_id or activity.from_property.id
        try:
            caller = await identify(CHANNEL, external_id, self.lookup)
            if not caller.registered:
                await output.send_text_message(external_id, refusal(caller, ""))
                return

            async def send(reply: Activity) -> None:
                await self.connector.send(reference, output._activity(**_fields(reply)))

            await answer_consent(activity, external_id, self.connector.session(), send, self.exporter)
        except DeliveryError as error:
            log.error("A reply could not be delivered to Teams: %s", error)

    async def answer(self, activity: Activity, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Reply to one message: refusals and notices here, everything else from the conversation."""
        reference = conversation_reference(activity)
        output = TeamsOutput(self.connector, reference)
        message = _message(activity)
        try:
            if (activity.conversation.conversation_type or "personal") != "personal":
                await output.send_text_message(activity.from_property.id, PRIVATE_CHAT_ONLY)
                return
            if not message:
                await output.send_text_message(activity.from_property.id, TEXT_ONLY)
                return
            external_id = activity.from_property.aad_object_id or activity.from_property.id
            try:
                caller = await identify(CHANNEL, external_id, self.lookup)
            except Exception:
                log.exception("The staff directory could not be read for Teams user %s", external_id)
                await output.send_text_message(external_id, unavailable(message))
                return
            if caller.registered:
                await self._remember(external_id, reference)
            elif not self.settings.allow_unregistered:
                await output.send_text_message(external_id, refusal(caller, message))
                return
            verdict = check_message(message, self.settings.max_message_chars)
            if verdict.refusal is not None:
                await output.send_text_message(external_id, verdict.refusal)
                return
            message = verdict.text
            if activity.id and not await self.seen.first(caller.sender_id, activity.id):
                return  # delivered again: answered the first time, by this server or another
            await output.typing()
            try:
                await on_new_message(
                    UserMessage(
                        message,
                        output,
                        caller.sender_id,
                        input_channel=CHANNEL,
                        metadata=caller.metadata(),
                        message_id=activity.id,
                    )
                )
            except DeliveryError:
                raise
            except Exception:
                log.exception("The assistant could not answer a Teams message")
                if activity.id:
                    await self.seen.forget(caller.sender_id, activity.id)
                await output.send_text_message(external_id, unavailable(message))
        except DeliveryError as error:
            log.error("A reply could not be delivered to Teams: %s", error)

    async def _remember(self, external_id: str, reference: ConversationReference) -> None:
        """Keep where this person talks to the assistant, for messages it starts; if that fails, the answer goes."""
        try:
            await asyncio.to_thread(self.references.save, CHANNEL, external_id, reference.serialize())
        except SQLAlchemyError:
            log.exception(
                "The Teams conversation of %s was not saved; messages the assistant starts cannot reach "
                "them until it is",
                external_id,
            )

"""Microsoft Teams as a Rasa input channel on the Bot Framework: each incoming activity's token checked in full, replies
and proactive messages posted to the Bot Connector."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp
import jwt
from botbuilder.schema import (
    ActionTypes,
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    ConversationReference,
    HeroCard,
    TextFormatTypes,
)
from botframework.connector.auth.authentication_constants import AuthenticationConstants
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.channels import DeliveryError
from bot.channels.common import (
    CHOOSE,
    PRIVATE_CHAT_ONLY,
    TEXT_ONLY,
    StaffLookup,
    identify,
    refusal,
    typed_message,
    unavailable,
)
from bot.channels.conversation_references import ConversationReferences
from bot.channels.formatting import TEAMS_LIMIT, split_message, teams_html
from bot.channels.notifications import deliver_forever
from bot.channels.teams_files import FILE_CONSENT_INVOKE, Exporter, answer_consent, case_file_export, consent_card
from bot.input_guard import check_message
from bot.settings import TeamsSettings, load_settings

log = logging.getLogger(__name__)

CHANNEL = "teams"
TEAMS_CHANNEL_ID = "msteams"  # the Bot Framework's channelId for Microsoft Teams
CLOCK_SKEW = 300  # seconds of clock difference allowed on a token's times, as the Bot Framework SDK allows
KEYS_MAX_AGE = 24 * 3600  # signing keys are fetched again after a day
KEYS_MIN_REFRESH = 300  # a token naming an unknown key fetches the keys again at most this often
HERO_CARD = "application/vnd.microsoft.card.hero"


class Unauthorized(Exception):
    """An incoming request's token is missing or does not pass every check."""


class KeysUnavailable(Exception):
    """The signing keys could not be fetched, and none are cached."""


class SigningKeys:
    """The Bot Framework's token-signing keys (JWKS), fetched via the OpenID metadata on first use and cached."""

    def __init__(self, metadata_url: str, session: Callable[[], aiohttp.ClientSession]) -> None:
        self.metadata_url = metadata_url
        self._session = session
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    def _stale(self, kid: str) -> bool:
        age = time.monotonic() - self._fetched_at
        return age > KEYS_MAX_AGE or (kid not in self._keys and age > KEYS_MIN_REFRESH)

    async def get(self, kid: str) -> dict[str, Any]:
        """The JWK with this key id; raises Unauthorized if the issuer does not publish it."""
        if self._stale(kid):
            async with self._lock:
                if self._stale(kid):
                    await self._refresh()
        if kid not in self._keys:
            raise Unauthorized(f"the token is signed with a key that is not published (kid {kid!r})")
        return self._keys[kid]

    async def _refresh(self) -> None:
        try:
            async with self._session().get(self.metadata_url) as answer:
                answer.raise_for_status()
                jwks_uri = (await answer.json(content_type=None))["jwks_uri"]
            async with self._session().get(jwks_uri) as answer:
                answer.raise_for_status()
                keys = (await answer.json(content_type=None))["keys"]
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError) as error:
            if not self._keys:
                raise KeysUnavailable(f"{self.metadata_url}: {error!r}") from error
            log.warning(
                "Signing keys not refreshed from %s (%r); using the ones fetched before", self.metadata_url, error
            )
            return
        self._keys = {key["kid"]: key for key in keys if isinstance(key, dict) and "kid" in key}
        self._fetched_at = time.monotonic()


class TokenValidator:
    """Checks the bearer token on an incoming activity: signature, issuer, audience, times, endorsement and
    serviceUrl."""

    def __init__(self, settings: TeamsSettings, keys: SigningKeys) -> None:
        self.settings = settings
        self.keys = keys

    async def check(self, authorization: str, activity: Mapping[str, Any]) -> dict[str, Any]:
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise Unauthorized("no bearer token")
        algorithms = AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in algorithms:
                raise Unauthorized(f"the token is signed with {header.get('alg')!r}, not one of {algorithms}")
            jwk = await self.keys.get(str(header.get("kid")))
            endorsements = jwk.get("endorsements")
            if endorsements is not None and activity.get("channelId") not in endorsements:
                raise Unauthorized(f"the signing key is not endorsed for channel {activity.get('channelId')!r}")
            claims = jwt.decode(
                token,
                jwt.PyJWK(jwk, algorithm=header["alg"]).key,
                algorithms=algorithms,
                audience=self.settings.app_id,
                issuer=list(self.settings.allowed_issuers),
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(f"the token is not valid: {error}") from error
        if claims.get(AuthenticationConstants.SERVICE_URL_CLAIM) != activity.get("serviceUrl"):
            raise Unauthorized("the token's serviceurl claim does not match the activity's serviceUrl")
        return claims


def _retry_after(headers: Mapping[str, str], default: float) -> float:
    try:
        return max(float(headers.get("Retry-After", default)), 0.0)
    except ValueError:
        return default


class BotConnector:
    """Posts activities to the Bot Connector service, with a token from the login authority (client credentials)."""

    def __init__(self, settings: TeamsSettings, attempts: int = 3, backoff: float = 1.0) -> None:
        self.settings = settings
        self.attempts = attempts
        self.backoff = backoff
        self._session: aiohttp.ClientSession | None = None
        self._token = ""
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def token(self) -> str:
        """A bearer token for the Bot Connector, fetched again five minutes before it expires."""
        async with self._token_lock:
            if not self._token or time.monotonic() > self._token_expires - 300:
                form = {
                    "grant_type": "client_credentials",
                    "client_id": self.settings.app_id,
                    "client_secret": self.settings.app_password,
                    "scope": f"{AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE}/.default",
                }
                try:
                    async with self.session().post(self.settings.token_url, data=form) as answer:
                        body = await answer.json(content_type=None)
                        if answer.status != 200 or not isinstance(body, dict) or "access_token" not in body:
                            raise DeliveryError(
                                f"{self.settings.token_url} gave no token (HTTP {answer.status}): "
                                f"{body.get('error_description') if isinstance(body, dict) else body}"
                            )
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                    raise DeliveryError(f"{self.settings.token_url} gave no token: {error!r}") from error
                self._token = body["access_token"]
                self._token_expires = time.monotonic() + float(body.get("expires_in", 3600))
            return self._token

    async def send(self, reference: ConversationReference, activity: Activity) -> None:
        """Post one activity into the referenced conversation; retried on 429, 5xx and network errors."""
        url = (
            f"{reference.service_url.rstrip('/')}/v3/conversations/"
            f"{quote(reference.conversation.id, safe='')}/activities"
        )
        for attempt in itertools.count(1):
            delay = self.backoff * 2 ** (attempt - 1)
            try:
                headers = {"Authorization": f"Bearer {await self.token()}"}
                async with self.session().post(url, json=activity.serialize(), headers=headers) as answer:
                    if answer.status < 300:
                        return
                    problem = f"HTTP {answer.status}: {(await answer.text())[:300]}"
                    retry = answer.status in (401, 429) or answer.status >= 500
                    if answer.status == 401:
                        self._token = ""
                    delay = _retry_after(answer.headers, delay)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                problem, retry = repr(error), True
            if not retry or attempt >= self.attempts:
                raise DeliveryError(f"the Bot Connector did not take the message ({url}): {problem}")
            log.warning(
                "Bot Connector: %s, attempt %d of %d; retrying in %.1f s", problem, attempt, self.attempts, delay
            )
            await asyncio.sleep(delay)


def conversation_reference(activity: Activity) -> ConversationReference:
    """Where to send replies to this activity (and, later, messages the assistant starts)."""
    return ConversationReference(
        activity_id=activity.id,
        user=activity.from_property,
        bot=activity.recipient,
        conversation=activity.conversation,
        channel_id=activity.channel_id,
        service_url=activity.service_url,
        locale=activity.locale,
    )


def button_card(buttons: Sequence[Mapping[str, str]]) -> Attachment:
    """Rasa's buttons as a hero card whose messageBack actions send each button's payload back."""
    actions = [
        CardAction(
            type=ActionTypes.message_back,
            title=b["title"],
            display_text=b["title"],
            text=b["payload"],
            value={"payload": b["payload"]},
        )
        for b in buttons
    ]
    return Attachment(content_type=HERO_CARD, content=HeroCard(buttons=actions))


class TeamsOutput(OutputChannel):
    """Sends the assistant's replies into one Teams conversation."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, connector: BotConnector, reference: ConversationReference) -> None:
        self.connector = connector
        self.reference = reference

    def _activity(self, **fields: Any) -> Activity:
        return Activity(
            from_property=self.reference.bot,
            recipient=self.reference.user,
            conversation=self.reference.conversation,
            **fields,
        )

    async def typing(self) -> None:
        """Show "typing…" while the answer is worked out; the answer does not wait on it succeeding."""
        try:
            await self.connector.send(self.reference, self._activity(type=ActivityTypes.typing))
        except DeliveryError as error:
            log.info("Typing indicator not shown in Teams: %s", error)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(text, ())

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send(text, buttons)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """An export is offered as a file (the file-consent card); other custom payloads are for programs reading the
        conversation, not for the person: Teams shows nothing for them."""
        card = consent_card(json_message)
        if card is not None:
            await self.connector.send(self.reference, self._activity(type=ActivityTypes.message, attachments=[card]))

    async def _send(self, text: str, buttons: Sequence[Mapping[str, str]]) -> None:
        chunks = split_message(text, TEAMS_LIMIT, teams_html) if text.strip() else []
        if buttons and not chunks:
            chunks = [CHOOSE]
        for number, chunk in enumerate(chunks, start=1):
            activity = self._activity(type=ActivityTypes.message, text=chunk, text_format=TextFormatTypes.xml)
            if buttons and number == len(chunks):
                activity.attachments = [button_card(buttons)]
            await self.connector.send(self.reference, activity)


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
        return cls(load_settings().teams.check())

    def __init__(
        self,
        settings: TeamsSettings,
        lookup: StaffLookup | None = None,
        references: ConversationReferences | None = None,
        exporter: Exporter | None = None,
    ) -> None:
        self.settings = settings
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

        @teams.route("/webhook", methods=["POST"])
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
            await self.connector.close()
            self.references.close()

        return teams

    async def receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        if not self.settings.configured:
            return response.text("Teams is not configured", status=503)
        try:
            body = request.json
        except InvalidUsage:
            body = None
        if not isinstance(body, dict):
            return response.text("Not a Bot Framework activity", status=400)
        try:
            await self.validator.check(request.headers.get("Authorization", ""), body)
        except Unauthorized as error:
            log.warning("Refused a Teams request: %s", error)
            return response.text("Unauthorized", status=401)
        except KeysUnavailable as error:
            log.error("Cannot check Teams tokens, the signing keys are unavailable: %s", error)
            return response.text("Signing keys unavailable", status=503)
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
            await output.typing()
            try:
                await on_new_message(
                    UserMessage(message, output, caller.sender_id, input_channel=CHANNEL, metadata=caller.metadata())
                )
            except DeliveryError:
                raise
            except Exception:
                log.exception("The assistant could not answer a Teams message")
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


async def send_proactive(external_id: str, text: str, settings: TeamsSettings) -> None:
    """Send `text` to a person (AAD object id) in the Teams conversation they last wrote to the assistant from."""
    if not settings.configured:
        raise DeliveryError("Teams is not configured (TEAMS_APP_ID is not set).")
    references = ConversationReferences(settings.database_url)
    try:
        stored = await asyncio.to_thread(references.find, CHANNEL, external_id)
    finally:
        references.close()
    if stored is None:
        raise DeliveryError(
            f"No Teams conversation with {external_id} yet: they need to message the assistant in Teams first."
        )
    connector = BotConnector(settings)
    try:
        await TeamsOutput(connector, ConversationReference.deserialize(stored)).send_text_message(external_id, text)
    finally:
        await connector.close()

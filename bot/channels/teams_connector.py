"""Sending to Microsoft Teams through the Bot Connector: replies to an activity, and messages the assistant starts."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp
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
from rasa.core.channels.channel import OutputChannel

from bot.channels import DeliveryError
from bot.channels.common import CHOOSE
from bot.channels.conversation_references import ConversationReferences
from bot.channels.formatting import TEAMS_LIMIT, split_message, teams_html
from bot.channels.teams_files import consent_card
from bot.settings import TeamsSettings

log = logging.getLogger(__name__)

CHANNEL = "teams"
HERO_CARD = "application/vnd.microsoft.card.hero"


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

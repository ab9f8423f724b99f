"""The Telegram bridge: messages from Telegram (long polling or a webhook) go to the Rasa REST channel, and its replies
come back as Telegram messages."""

from __future__ import annotations

import asyncio
import base64
import hmac
import itertools
import logging
import secrets
import signal
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.channels import DeliveryError
from bot.channels.common import (
    CHOOSE,
    NOT_DELIVERED,
    PRIVATE_CHAT_ONLY,
    TEXT_ONLY,
    StaffLookup,
    identify,
    refusal,
    typed_message,
    unavailable,
)
from bot.channels.formatting import TELEGRAM_LIMIT, split_message
from bot.channels.notifications import deliver_forever
from bot.channels.rasa_rest import RasaRest, RasaUnavailable
from bot.settings import TelegramSettings

log = logging.getLogger(__name__)

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_DATA_BYTES = 64  # Bot API limit on an inline button's callback_data
KEPT_PAYLOADS = 10_000  # long button payloads remembered by short key; the oldest are forgotten first
TYPING_EVERY = 4.0  # seconds; Telegram shows "typing…" for 5 s after each sendChatAction
BUTTON_EXPIRED = "This button has expired. Please ask again."


def _seconds(period: int | timedelta) -> float:
    return period.total_seconds() if isinstance(period, timedelta) else float(period)


def merge_text_replies(replies: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Rasa splits a reply at every blank line; put plain text parts back together, as one answer."""
    merged: list[dict] = []
    for reply in replies:
        plain = reply.get("text") and not reply.get("buttons") and not reply.get("custom")
        if (
            merged
            and plain
            and merged[-1].get("text")
            and not merged[-1].get("buttons")
            and not merged[-1].get("custom")
        ):
            merged[-1]["text"] += "\n\n" + reply["text"]
        elif (
            merged
            and reply.get("buttons")
            and not reply.get("custom")
            and merged[-1].get("text")
            and not merged[-1].get("buttons")
            and not merged[-1].get("custom")
        ):
            merged[-1] = {**reply, "text": merged[-1]["text"] + "\n\n" + (reply.get("text") or "")}
        else:
            merged.append(dict(reply))
    return merged


class TelegramSender:
    """Sends the assistant's replies to a chat: HTML cut to Telegram's length, buttons as an inline keyboard,
    retried."""

    def __init__(self, bot: Bot, attempts: int = 4, backoff: float = 1.0) -> None:
        self.bot = bot
        self.attempts = attempts
        self.backoff = backoff
        self._payloads: OrderedDict[str, str] = OrderedDict()

    async def call(self, method: Callable[..., Awaitable[Any]], **kwargs: Any) -> Any:
        """One Bot API call, retried after flood control (as long as Telegram asks) and network errors (backoff)."""
        for attempt in itertools.count(1):
            try:
                return await method(**kwargs)
            except (RetryAfter, NetworkError) as error:
                if isinstance(error, BadRequest) or attempt >= self.attempts:
                    raise
                delay = (
                    _seconds(error.retry_after) if isinstance(error, RetryAfter) else self.backoff * 2 ** (attempt - 1)
                )
                log.warning(
                    "Telegram %s failed (%s), attempt %d of %d; retrying in %.1f s",
                    method.__name__,
                    error,
                    attempt,
                    self.attempts,
                    delay,
                )
                await asyncio.sleep(delay)

    async def send(self, chat_id: int, text: str, buttons: Sequence[Mapping[str, str]] = ()) -> None:
        """One reply: its text in as many messages as it needs, the buttons under the last one."""
        chunks = split_message(text, TELEGRAM_LIMIT) if text.strip() else []
        if buttons and not chunks:
            chunks = [CHOOSE]
        for number, chunk in enumerate(chunks, start=1):
            markup = self.keyboard(buttons) if buttons and number == len(chunks) else None
            await self.call(
                self.bot.send_message, chat_id=chat_id, text=chunk, parse_mode=ParseMode.HTML, reply_markup=markup
            )

    async def send_replies(self, chat_id: int, replies: Sequence[Mapping[str, Any]]) -> None:
        """All of the assistant's replies; a reply Telegram will not take is logged and the person told."""
        try:
            for reply in merge_text_replies(replies):
                document = (reply.get("custom") or {}).get("document")
                if document:
                    await self.call(
                        self.bot.send_document,
                        chat_id=chat_id,
                        document=base64.b64decode(document["content_base64"]),
                        filename=document["filename"],
                    )
                elif reply.get("text") or reply.get("buttons"):
                    await self.send(chat_id, reply.get("text") or "", reply.get("buttons") or ())
        except TelegramError as error:
            log.error("Telegram did not take a reply for chat %s: %s", chat_id, error)
            try:
                await self.call(self.bot.send_message, chat_id=chat_id, text=NOT_DELIVERED)
            except TelegramError as again:
                log.error("Telegram did not take the notice that a reply was lost, for chat %s: %s", chat_id, again)

    def keyboard(self, buttons: Sequence[Mapping[str, str]]) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(b["title"], callback_data=self.callback_data(b["payload"]))] for b in buttons]
        )

    def callback_data(self, payload: str) -> str:
        """The payload itself when it fits in callback_data and carries no entities, else a short key to it kept here
        (so a payload with entities, "/intent{...}", only ever comes from a button this bridge made)."""
        data = f"p:{payload}"
        if len(data.encode()) <= CALLBACK_DATA_BYTES and "{" not in payload:
            return data
        key = secrets.token_urlsafe(12)
        self._payloads[key] = payload
        while len(self._payloads) > KEPT_PAYLOADS:
            self._payloads.popitem(last=False)
        return f"k:{key}"

    def payload(self, data: str) -> str | None:
        """The payload a tapped button stands for; None when it is no longer known (say, after a restart)."""
        if data.startswith("p:"):
            return data[2:] if "{" not in data else None  # entities were never sent in the open: forged
        if data.startswith("k:"):
            return self._payloads.get(data[2:])
        return None

    @asynccontextmanager
    async def typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" in the chat until the block ends."""
        task = asyncio.create_task(self._keep_typing(chat_id))
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    async def _keep_typing(self, chat_id: int) -> None:
        while True:
            try:
                await self.bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
            except TelegramError as error:
                log.info("Typing indicator not shown in chat %s: %s", chat_id, error)
            await asyncio.sleep(TYPING_EVERY)


class TelegramBridge:
    """Carries each private-chat message and button tap to the Rasa REST channel and the replies back."""

    def __init__(
        self,
        settings: TelegramSettings,
        lookup: StaffLookup | None = None,
        rasa: RasaRest | None = None,
        retry_attempts: int = 4,
        retry_backoff: float = 1.0,
        notifications: bool = True,
    ) -> None:
        self.settings = settings
        self.notifications = notifications
        self.lookup = lookup
        self.rasa = rasa or RasaRest(settings.rest_url, settings.channel_token)
        self.application = self._application()
        self.sender = TelegramSender(self.application.bot, retry_attempts, retry_backoff)
        self._chat_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def _application(self) -> Application:
        builder = (
            Application.builder()
            .token(self.settings.token)
            .base_url(f"{self.settings.api_base_url}/bot")
            .base_file_url(f"{self.settings.api_base_url}/file/bot")
            .concurrent_updates(True)  # one chat's messages still go in order: see _chat_lock
            .job_queue(None)
        )
        if self.settings.mode == "webhook":
            builder = builder.updater(None)
        application = builder.build()
        private = filters.ChatType.PRIVATE
        application.add_handler(MessageHandler(private & filters.TEXT, self._on_text))
        application.add_handler(MessageHandler(private & ~filters.TEXT, self._on_other))
        application.add_handler(CallbackQueryHandler(self._on_button))
        application.add_handler(MessageHandler(~private & filters.COMMAND, self._on_group_command))
        application.add_error_handler(self._on_error)
        return application

    def _chat_lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[chat_id] = lock
        return lock

    async def handle(self, chat_id: int, user_id: int, message: str, message_id: str | None = None) -> None:
        """One message (text, command payload or button payload) from a person, answered in their chat."""
        async with self._chat_lock(chat_id):
            try:
                caller = await identify(CHANNEL, str(user_id), self.lookup)
            except Exception:
                log.exception("The staff directory could not be read for Telegram user %s", user_id)
                await self.sender.send_replies(chat_id, [{"text": unavailable(message)}])
                return
            if not caller.registered and not self.settings.allow_unregistered:
                await self.sender.send_replies(chat_id, [{"text": refusal(caller, message)}])
                return
            async with self.sender.typing(chat_id):
                try:
                    replies = await self.rasa.send(caller.sender_id, message, caller.metadata(), message_id)
                except RasaUnavailable as error:
                    log.error("The Rasa server did not answer a Telegram message: %s", error)
                    replies = [{"text": unavailable(message)}]
            await self.sender.send_replies(chat_id, replies)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = typed_message(update.effective_message.text)
        await self.handle(update.effective_chat.id, update.effective_user.id, message, f"telegram:{update.update_id}")

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        payload = self.sender.payload(query.data or "")
        try:
            await self.sender.call(query.answer, text=None if payload else BUTTON_EXPIRED)
        except TelegramError as error:
            log.warning("Telegram did not take the answer to a button tap: %s", error)
        chat = query.message.chat if query.message is not None else None
        if chat is None or chat.type != "private" or chat.id != query.from_user.id:
            return  # a button pressed anywhere but the person's own private chat with the bot is ignored
        if payload is not None:
            await self.handle(query.message.chat.id, query.from_user.id, payload, f"telegram:{update.update_id}")

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.sender.send_replies(update.effective_chat.id, [{"text": TEXT_ONLY}])

    async def _on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.sender.send_replies(update.effective_chat.id, [{"text": PRIVATE_CHAT_ONLY}])

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("A Telegram update could not be handled", exc_info=context.error)

    def webhook_app(self) -> web.Application:
        """The web server Telegram posts updates to; it refuses any request without the secret token."""
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(self.settings.webhook_path, self._on_webhook)
        return app

    async def _on_webhook(self, request: web.Request) -> web.Response:
        token = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(token.encode(), self.settings.webhook_secret.encode()):
            log.warning("Refused a webhook request without the right secret token, from %s", request.remote)
            return web.Response(status=403, text="Forbidden")
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="Not a Telegram update")
        await self.application.update_queue.put(update)
        return web.Response(text="ok")

    async def deliver(self, external_id: str, text: str) -> None:
        """A message the assistant starts (the case file's outbox), to the person's private chat."""
        try:
            await self.sender.send(int(external_id), text)
        except (TelegramError, ValueError) as error:
            raise DeliveryError(f"Telegram did not deliver the message to user {external_id}: {error}") from error

    async def run(self, stop: asyncio.Event) -> None:
        """Receive updates (long polling or webhook) until `stop` is set."""
        application = self.application
        async with application:
            await application.start()
            runner: web.AppRunner | None = None
            try:
                if self.settings.mode == "webhook":
                    runner = web.AppRunner(self.webhook_app(), access_log=None)
                    await runner.setup()
                    await web.TCPSite(runner, self.settings.listen, self.settings.port).start()
                    await self.sender.call(
                        application.bot.set_webhook,
                        url=self.settings.webhook_url,
                        secret_token=self.settings.webhook_secret,
                        allowed_updates=ALLOWED_UPDATES,
                    )
                    log.info(
                        "Telegram webhook at %s, served on %s:%s",
                        self.settings.webhook_url,
                        self.settings.listen,
                        self.settings.port,
                    )
                else:
                    await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
                    log.info("Telegram long polling as @%s", application.bot.username)
                if self.notifications:
                    notifier = asyncio.create_task(deliver_forever(CHANNEL, self.deliver, stop))
                await stop.wait()
                if self.notifications:
                    await notifier
            finally:
                if runner is not None:
                    await runner.cleanup()
                if application.updater is not None and application.updater.running:
                    await application.updater.stop()
                await application.stop()
                await self.rasa.close()


def telegram_bot(settings: TelegramSettings) -> Bot:
    """A Bot API client for these settings; it makes no request until used."""
    return Bot(
        settings.token, base_url=f"{settings.api_base_url}/bot", base_file_url=f"{settings.api_base_url}/file/bot"
    )


async def send_proactive(external_id: str, text: str, settings: TelegramSettings) -> None:
    """Send `text` to a person's private chat with the bot (its chat id is their Telegram user id)."""
    bot = telegram_bot(settings)
    try:
        async with bot:
            await TelegramSender(bot).send(int(external_id), text)
    except (TelegramError, ValueError) as error:
        raise DeliveryError(f"Telegram did not deliver the message to user {external_id}: {error}") from error


def main(settings: TelegramSettings) -> None:
    """`python -m bot telegram`: run the bridge until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request log lines contain the bot token
    try:
        settings.check()
    except ValueError as error:
        raise SystemExit(str(error)) from None
    try:
        asyncio.run(_run_until_signalled(TelegramBridge(settings)))
    except InvalidToken:
        raise SystemExit("Telegram rejected TELEGRAM_BOT_TOKEN: copy the token again from @BotFather.") from None


async def _run_until_signalled(bridge: TelegramBridge) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    await bridge.run(stop)

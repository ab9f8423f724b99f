"""The Telegram bridge, run with the real python-telegram-bot client against a fake Bot API and a fake Rasa on
loopback."""

from __future__ import annotations

import asyncio
import html
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html.parser import HTMLParser

import aiohttp
import pytest

from bot.channels import DeliveryError
from bot.channels.common import _case_file
from bot.channels.telegram import TelegramBridge, send_proactive
from bot.settings import TelegramSettings, case_file, load_settings
from tests.bot.channels.fakes import FakeBotApi, FakeRasa, Staff, directory, serving, wait_for
from tests.conftest import free_port

BRIDGE_SECRET = "the-telegram-bridges-own-secret"


@pytest.fixture(autouse=True)
def bridge_secret(monkeypatch):
    """The Telegram bridge's own secret, which the Rasa server's REST channel takes as vouching for telegram: ids."""
    monkeypatch.setenv("FA_TELEGRAM_BRIDGE_TOKEN", BRIDGE_SECRET)


TOKEN = "123456:TEST-token"
PRACTITIONER = 4242
MANAGER = 5151
LEFT = 6060  # deactivated
STRANGER = 777
STAFF = directory(
    "telegram",
    {
        str(PRACTITIONER): Staff("Priya Shah", "practitioner"),
        str(MANAGER): Staff("Sam Jones", "service_manager"),
        str(LEFT): Staff("Lee Old", "practitioner", active=False),
    },
)
REGISTER = "ask your Service Manager or an admin to register you, giving this id: "
POLICE = "If a child is at immediate risk, the practitioner should seek the assistance of the Police."


CHANNEL_TOKEN = "bridge-token"


def telegram_settings(env: dict[str, str]) -> TelegramSettings:
    """The bridge's settings as the service reads them from this environment."""
    return load_settings(env).telegram


def _user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "Test"}


def _chat(chat_id: int, kind: str = "private") -> dict:
    return {"id": chat_id, "type": kind, **({"first_name": "Test"} if kind == "private" else {"title": "Team"})}


def text_update(update_id: int, user_id: int, text: str, chat: dict | None = None) -> dict:
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat or _chat(user_id),
        "from": _user(user_id),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def button_update(update_id: int, user_id: int, data: str) -> dict:
    message = {"message_id": 1, "date": int(time.time()), "chat": _chat(user_id), "text": "Which one?"}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq{update_id}",
            "from": _user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": message,
        },
    }


@asynccontextmanager
async def bridge_running(
    api: FakeBotApi, env: dict[str, str], attempts: int = 3, lookup=STAFF
) -> AsyncIterator[TelegramBridge]:
    """The bridge, configured by `env`, running until the block ends."""
    bridge = TelegramBridge(
        telegram_settings(env), lookup=lookup, retry_attempts=attempts, retry_backoff=0.05, notifications=False
    )
    stop = asyncio.Event()
    task = asyncio.create_task(bridge.run(stop))
    await wait_for(
        lambda: task.done() or api.called("getUpdates" if bridge.settings.mode == "polling" else "setWebhook")
    )
    if task.done():
        task.result()
    try:
        yield bridge
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


@asynccontextmanager
async def running(
    rasa_reply=None,
    *,
    mode: str = "polling",
    allow_unregistered: bool = False,
    attempts: int = 3,
    rasa_up: bool = True,
    lookup=STAFF,
) -> AsyncIterator[tuple[FakeBotApi, FakeRasa, TelegramBridge]]:
    """A fake Bot API, a fake Rasa and the bridge running against both."""
    api, rasa = FakeBotApi(TOKEN), FakeRasa(rasa_reply)
    async with serving(api.app) as api_url, serving(rasa.app) as rasa_url:
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_MODE": mode,
            "TELEGRAM_API_BASE_URL": api_url,
            "TELEGRAM_WEBHOOK_URL": "https://assistant.example.org/telegram/hook",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret-Token_1",
            "TELEGRAM_WEBHOOK_PORT": str(free_port()),
            "FA_RASA_PORT": rasa_url.rsplit(":", 1)[1] if rasa_up else str(free_port()),
            "FA_ALLOW_UNREGISTERED_GUIDANCE": "true" if allow_unregistered else "",
            "FA_TELEGRAM_BRIDGE_TOKEN": CHANNEL_TOKEN,
        }
        async with bridge_running(api, env, attempts, lookup) as bridge:
            yield api, rasa, bridge


def sent_texts(api: FakeBotApi) -> list[str]:
    return [call["text"] for call in api.called("sendMessage")]


def test_polling_message_and_reply():
    async def scenario():
        def reply(body):
            return [{"recipient_id": body["sender"], "text": "*2.81* covers <this> & that"}]

        async with running(reply) as (api, rasa, _):
            api.push_update(text_update(1, PRACTITIONER, "what goes in the SM discussion?"))
            await wait_for(lambda: api.called("sendMessage"))
            assert rasa.requests == [
                {
                    "sender": f"telegram:{PRACTITIONER}",
                    "message": "what goes in the SM discussion?",
                    "metadata": {
                        "channel": "telegram",
                        "registered": True,
                        "staff_role": "practitioner",
                        "verified_identity": f"telegram:{PRACTITIONER}",
                    },
                    "message_id": "telegram:1",
                }
            ]
            assert rasa.channel_tokens == [CHANNEL_TOKEN]  # so the REST channel takes the sender id as given
            [sent] = api.called("sendMessage")
            assert sent["chat_id"] == PRACTITIONER
            assert sent["parse_mode"] == "HTML"
            assert sent["text"] == "<b>2.81</b> covers &lt;this&gt; &amp; that"
            names = [name for name, _ in api.calls]
            assert names[0] == "getMe" and "deleteWebhook" in names
            assert api.called("sendChatAction")[0] == {"chat_id": PRACTITIONER, "action": "typing"}
            assert names.index("sendChatAction") < names.index("sendMessage")
            # the update was acknowledged: a later getUpdates asks from the next update_id
            await wait_for(lambda: any(int(c.get("offset") or 0) == 2 for c in api.called("getUpdates")))

    asyncio.run(scenario())


def test_commands_map_to_payloads_in_order():
    async def scenario():
        async with running() as (api, rasa, _):
            for number, text in enumerate(["/start", "/help", "/urgent", "/somethingelse", "/start@fa_test_bot"], 1):
                api.push_update(text_update(number, MANAGER, text))
            await wait_for(lambda: len(api.called("sendMessage")) == 5)
            assert [r["message"] for r in rasa.requests] == ["/greet", "/help", "/urgent_danger", "/help", "/greet"]
            assert rasa.requests[0]["metadata"]["staff_role"] == "service_manager"

    asyncio.run(scenario())


def test_buttons_become_an_inline_keyboard_and_a_tap_sends_the_payload():
    long_payload = '/choose_topic{"topic": "strategy_discussion", "paragraphs": "2.100-2.103"}'
    assert len(long_payload.encode()) > 64

    def reply(body):
        if body["message"] == "show options":
            return [
                {
                    "recipient_id": body["sender"],
                    "text": "Did you mean:",
                    "buttons": [
                        {"title": "Yes", "payload": "/affirm"},
                        {"title": "Strategy discussion", "payload": long_payload},
                    ],
                }
            ]
        return [{"recipient_id": body["sender"], "text": "ok"}]

    async def scenario():
        async with running(reply) as (api, rasa, _):
            api.push_update(text_update(1, PRACTITIONER, "show options"))
            await wait_for(lambda: api.called("sendMessage"))
            keyboard = api.called("sendMessage")[0]["reply_markup"]["inline_keyboard"]
            assert [row[0]["text"] for row in keyboard] == ["Yes", "Strategy discussion"]
            data = [row[0]["callback_data"] for row in keyboard]
            assert all(len(d.encode()) <= 64 for d in data)
            assert data[0] == "p:/affirm"

            api.push_update(button_update(2, PRACTITIONER, data[1]))
            await wait_for(lambda: len(rasa.requests) == 2)
            assert api.called("answerCallbackQuery")[0]["callback_query_id"] == "cq2"
            assert rasa.requests[1]["message"] == long_payload
            assert rasa.requests[1]["sender"] == f"telegram:{PRACTITIONER}"

            api.push_update(button_update(3, PRACTITIONER, "k:forgotten"))
            await wait_for(lambda: len(api.called("answerCallbackQuery")) == 2)
            assert "expired" in api.called("answerCallbackQuery")[1]["text"]
            await asyncio.sleep(0.2)
            assert len(rasa.requests) == 2

    asyncio.run(scenario())


class _Visible(HTMLParser):
    """Collects visible text and checks every tag is one Telegram knows and is closed in the same message."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.open = [], []

    def handle_starttag(self, tag, attrs):
        assert tag == "b", tag
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag

    def handle_data(self, data):
        self.text.append(data)


def test_long_answer_split_on_paragraphs():
    paragraphs = [f"*2.{n}* " + " ".join(f"word{n}x{i} & <{i}>" for i in range(60)) for n in range(40)]
    answer = "\n\n".join(paragraphs)
    assert len(answer) > 3 * 4096

    async def scenario():
        def reply(body):
            return [
                {"recipient_id": body["sender"], "text": answer, "buttons": [{"title": "More", "payload": "/more"}]}
            ]

        async with running(reply) as (api, _, _bridge):
            api.push_update(text_update(1, PRACTITIONER, "everything please"))
            await wait_for(lambda: api.called("sendMessage") and "reply_markup" in api.called("sendMessage")[-1])
            messages = api.called("sendMessage")
            assert len(messages) >= 4
            visible = []
            for message in messages:
                assert len(message["text"].encode("utf-16-le")) // 2 <= 4096
                parser = _Visible()
                parser.feed(message["text"])
                parser.close()
                assert parser.open == []
                chunk = "".join(parser.text)
                # every message holds whole paragraphs: it starts and ends where a paragraph does
                assert chunk.startswith("2.") and chunk.endswith(">")
                visible.append(chunk)
            assert "\n\n".join(visible) == answer.replace("*", "")
            assert all("reply_markup" not in m for m in messages[:-1])

    asyncio.run(scenario())


def test_unknown_user_is_refused_with_the_id_to_register():
    async def scenario():
        async with running() as (api, rasa, _):
            api.push_update(text_update(1, STRANGER, "what is a LADO?"))
            api.push_update(text_update(2, LEFT, "hello"))
            await wait_for(lambda: len(api.called("sendMessage")) == 2, timeout=60)
            texts = sorted(sent_texts(api))
            assert REGISTER + str(LEFT) in texts[0] and REGISTER + str(STRANGER) in texts[1]
            assert all(POLICE not in t for t in texts)
            api.push_update(text_update(3, STRANGER, "child left alone at home, mum not answering"))
            await wait_for(lambda: len(api.called("sendMessage")) == 3)
            assert REGISTER + str(STRANGER) in sent_texts(api)[2] and POLICE in sent_texts(api)[2]
            assert rasa.requests == []

    asyncio.run(scenario())


def test_unregistered_user_gets_public_guidance_when_the_deployment_allows_it():
    async def scenario():
        async with running(allow_unregistered=True) as (api, rasa, _):
            api.push_update(text_update(1, STRANGER, "what is a LADO?"))
            await wait_for(lambda: api.called("sendMessage"))
            assert rasa.requests == [
                {
                    "sender": f"telegram:{STRANGER}",
                    "message": "what is a LADO?",
                    "metadata": {
                        "channel": "telegram",
                        "registered": False,
                        "staff_role": None,
                        "verified_identity": f"telegram:{STRANGER}",
                    },
                    "message_id": "telegram:1",
                }
            ]
            assert sent_texts(api) == ["You said: what is a LADO?"]

    asyncio.run(scenario())


def test_through_the_real_case_file(tmp_path, monkeypatch):
    """The default look-up: the case file's staff directory, in the database it is configured with."""
    from casefile import CaseFile, Identity

    url = f"sqlite:///{tmp_path / 'casefile.db'}"
    casefile = CaseFile(url)
    casefile.staff.add(
        "Sam Patel", "service_manager", "North", {"telegram": str(MANAGER)}, operator=Identity("terminal", "test-admin")
    )
    casefile.database.dispose()
    monkeypatch.setenv("CASEFILE_DATABASE_URL", url)
    case_file.cache_clear()

    async def scenario():
        async with running(lookup=None) as (api, rasa, _):
            api.push_update(text_update(1, MANAGER, "show me the discussions I agreed"))
            api.push_update(text_update(2, PRACTITIONER, "hello"))
            await wait_for(lambda: len(api.called("sendMessage")) == 2, timeout=60)
            assert rasa.requests == [
                {
                    "sender": f"telegram:{MANAGER}",
                    "message": "show me the discussions I agreed",
                    "metadata": {
                        "channel": "telegram",
                        "registered": True,
                        "staff_role": "service_manager",
                        "verified_identity": f"telegram:{MANAGER}",
                    },
                    "message_id": "telegram:1",
                }
            ]
            assert any(REGISTER + str(PRACTITIONER) in text for text in sent_texts(api))

    try:
        asyncio.run(scenario())
    finally:
        _case_file().database.dispose()
        case_file.cache_clear()


def test_flood_control_is_waited_out_then_the_reply_sent():
    async def scenario():
        async with running() as (api, _, _bridge):
            api.fail["sendMessage"] = [
                (
                    429,
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1},
                    },
                )
            ]
            started = time.monotonic()
            api.push_update(text_update(1, PRACTITIONER, "hello"))
            await wait_for(lambda: len(api.called("sendMessage")) == 2, timeout=60)
            assert time.monotonic() - started >= 1.0
            assert sent_texts(api) == ["You said: hello", "You said: hello"]

    asyncio.run(scenario())


def test_a_persistent_server_error_is_logged_and_the_user_told(caplog):
    async def scenario():
        async with running(attempts=3) as (api, _, _bridge):
            api.fail["sendMessage"] = [
                (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
            ] * 3
            api.push_update(text_update(1, PRACTITIONER, "hello"))
            await wait_for(lambda: len(api.called("sendMessage")) == 4)
            await asyncio.sleep(0.1)
            assert sent_texts(api) == ["You said: hello"] * 3 + [
                "Part of the assistant's answer could not be delivered. Please ask again."
            ]

    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram"):
        asyncio.run(scenario())
    assert any(
        "did not take a reply" in r.getMessage() and "Internal Server Error" in r.getMessage() for r in caplog.records
    )


def test_rasa_unreachable_is_said_plainly_and_urgent_messages_get_2_87():
    async def scenario():
        async with running(rasa_up=False) as (api, _, _bridge):
            api.push_update(text_update(1, PRACTITIONER, "when is the SM discussion due?"))
            await wait_for(lambda: api.called("sendMessage"))
            assert sent_texts(api) == [
                "The assistant cannot answer right now, so your message has not been read. "
                "Please try again in a few minutes."
            ]
            api.push_update(text_update(2, PRACTITIONER, "/urgent"))
            await wait_for(lambda: len(api.called("sendMessage")) == 2, timeout=60)
            urgent = html.unescape(sent_texts(api)[1])
            assert POLICE in urgent and "sought immediately and directly from the emergency services" in urgent
            assert "Framework 2.87" in urgent

    asyncio.run(scenario())


def test_webhook_refuses_requests_without_the_secret():
    async def scenario():
        async with running(mode="webhook") as (api, rasa, bridge):
            [hook] = api.called("setWebhook")
            assert hook["url"] == "https://assistant.example.org/telegram/hook"
            assert hook["secret_token"] == "s3cret-Token_1"
            assert hook["allowed_updates"] == ["message", "callback_query"]
            url = f"http://127.0.0.1:{bridge.settings.port}/telegram/hook"
            update = text_update(1, PRACTITIONER, "hello")
            async with aiohttp.ClientSession() as http:
                for headers in (
                    {},
                    {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                    {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_"},
                ):
                    async with http.post(url, json=update, headers=headers) as response:
                        assert response.status == 403
                await asyncio.sleep(0.2)
                assert rasa.requests == [] and api.called("sendMessage") == []
                async with http.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
                ) as response:
                    assert response.status == 200
            await wait_for(lambda: api.called("sendMessage"))
            assert [r["message"] for r in rasa.requests] == ["hello"]
            assert api.called("getUpdates") == []

    asyncio.run(scenario())


def test_group_chats_are_told_to_use_a_private_chat():
    async def scenario():
        async with running() as (api, rasa, _):
            api.push_update(text_update(1, PRACTITIONER, "/start", chat=_chat(-100, "supergroup")))
            await wait_for(lambda: api.called("sendMessage"))
            assert api.called("sendMessage")[0]["chat_id"] == -100
            assert "private chat" in sent_texts(api)[0]
            assert rasa.requests == []

    asyncio.run(scenario())


def test_send_proactive_to_a_private_chat():
    async def scenario():
        api = FakeBotApi(TOKEN)
        async with serving(api.app) as api_url:
            settings = telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api_url})
            await send_proactive(str(MANAGER), "Please agree the record of the *SM discussion*.", settings)
            [sent] = api.called("sendMessage")
            assert sent["chat_id"] == MANAGER and sent["text"] == "Please agree the record of the <b>SM discussion</b>."
            api.fail["sendMessage"] = [
                (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
            ]
            with pytest.raises(DeliveryError, match="blocked"):
                await send_proactive(str(MANAGER), "again", settings)

    asyncio.run(scenario())


def test_nothing_is_contacted_when_the_bridge_is_built():
    async def scenario():
        api, rasa = FakeBotApi(TOKEN), FakeRasa()
        async with serving(api.app) as api_url, serving(rasa.app) as rasa_url:
            env = {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api_url,
                "FA_RASA_PORT": rasa_url.rsplit(":", 1)[1],
            }
            TelegramBridge(telegram_settings(env))
            TelegramBridge(
                telegram_settings(
                    {
                        **env,
                        "TELEGRAM_MODE": "webhook",
                        "TELEGRAM_WEBHOOK_URL": "https://a.example.org/t",
                        "TELEGRAM_WEBHOOK_SECRET": "abc",
                    }
                )
            )
            await asyncio.sleep(0.1)
            assert api.calls == [] and rasa.requests == []

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "env, complaint",
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": "push"}, "TELEGRAM_MODE must be polling or webhook"),
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_MODE": "webhook",
                "TELEGRAM_WEBHOOK_URL": "https://a.example.org/t",
            },
            "TELEGRAM_WEBHOOK_SECRET must be",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_MODE": "webhook",
                "TELEGRAM_WEBHOOK_URL": "http://a.example.org/t",
                "TELEGRAM_WEBHOOK_SECRET": "abc",
            },
            "TELEGRAM_WEBHOOK_URL must be the public https://",
        ),
    ],
)
def test_settings_refuse_clearly(env, complaint):
    with pytest.raises(ValueError, match=complaint):
        load_settings(env).telegram.check()


@pytest.mark.conversation
def test_through_the_trained_assistant(servers):
    """The bridge before the real Rasa server: the greeting's buttons become a keyboard, and a tap is answered."""

    async def scenario():
        api = FakeBotApi(TOKEN)
        async with serving(api.app) as api_url:
            env = {
                "FA_TELEGRAM_BRIDGE_TOKEN": servers.telegram_bridge_token,  # the one the servers know
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api_url,
                "FA_RASA_HOST": servers.rasa_host,
                "FA_RASA_PORT": str(servers.rasa_port),
            }
            async with bridge_running(api, env):
                api.push_update(text_update(1, PRACTITIONER, "/start"))
                await wait_for(lambda: any("reply_markup" in m for m in api.called("sendMessage")), timeout=60)
                assert "Safeguarding Framework" in html.unescape(" ".join(sent_texts(api)))
                keyboard = next(m for m in api.called("sendMessage") if "reply_markup" in m)["reply_markup"]
                greeting = len(api.called("sendMessage"))
                first = keyboard["inline_keyboard"][0][0]
                api.push_update(button_update(2, PRACTITIONER, first["callback_data"]))
                await wait_for(lambda: len(api.called("sendMessage")) > greeting, timeout=60)
                # The first button starts the walkthrough it names, which asks its first question.
                answered = html.unescape(" ".join(sent_texts(api)[greeting:]))
                assert first["text"].rstrip("…") in answered and "?" in answered

    asyncio.run(scenario())


def test_a_document_is_sent_as_a_file_and_split_text_is_merged():
    async def scenario():
        document = {
            "filename": "ZW25P01234-discussions.docx",
            "media_type": "application/octet-stream",
            "content_base64": "UEsDBA==",
        }

        def reply(body):
            return [
                {"text": "first part"},
                {"text": "second part"},
                {"custom": {"document": document}},
                {"custom": {"decision": "no_action"}},
            ]

        async with running(reply) as (api, rasa, _):
            api.push_update(text_update(1, PRACTITIONER, "export ZW25P01234"))
            await wait_for(lambda: api.called("sendDocument"))
            assert sent_texts(api) == ["first part\n\nsecond part"]
            assert len(api.called("sendDocument")) == 1

    asyncio.run(scenario())

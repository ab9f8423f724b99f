"""Telegram button presses: only from the person's own private chat, and never a raw "/intent{...}" payload the bridge
did not make."""

from __future__ import annotations

import asyncio

from tests.bot.channels.fakes import wait_for
from tests.bot.channels.test_telegram import (  # noqa: F401
    PRACTITIONER,
    _chat,
    bridge_secret,
    button_update,
    running,
    text_update,
)


def test_a_forged_payload_with_entities_is_refused_and_a_plain_one_passes():
    async def scenario():
        async with running() as (api, rasa, _):
            api.push_update(button_update(1, PRACTITIONER, 'p:/list_records{"record": "7"}'))
            await wait_for(lambda: len(api.called("answerCallbackQuery")) == 1)
            assert "expired" in api.called("answerCallbackQuery")[0]["text"]
            api.push_update(button_update(2, PRACTITIONER, "p:/affirm"))
            await wait_for(lambda: len(rasa.requests) == 1)
            await asyncio.sleep(0.2)
            assert [r["message"] for r in rasa.requests] == ["/affirm"]

    asyncio.run(scenario())


def test_a_button_pressed_in_a_group_is_ignored():
    async def scenario():
        async with running() as (api, rasa, _):
            update = button_update(1, PRACTITIONER, "p:/affirm")
            update["callback_query"]["message"]["chat"] = _chat(-100200, "group")
            api.push_update(update)
            await wait_for(lambda: len(api.called("answerCallbackQuery")) == 1)
            await asyncio.sleep(0.3)
            assert rasa.requests == []

    asyncio.run(scenario())

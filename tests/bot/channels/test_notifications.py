"""The case file's outbox reaches the person on their channel, and nothing undelivered is marked delivered."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from bot.channels import DeliveryError
from bot.channels.notifications import deliver_pending
from casefile import CaseFile, Identity

ADMIN = Identity("terminal", "admin")


def casefile_with_a_record(tmp_path) -> CaseFile:
    casefile = CaseFile(f"sqlite:///{tmp_path / 'casefile.db'}")
    casefile.staff.add("Jo Bloggs", "practitioner", "North", {"telegram": "101"}, operator=ADMIN)
    casefile.staff.add("Sam Patel", "service_manager", "North", {"telegram": "202"}, operator=ADMIN)
    when = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    casefile.record_discussion(
        Identity("telegram", "101"),
        "ZW25P01234",
        {"where_child_is_now": "At school"},
        "Jo Bloggs",
        "Sam Patel",
        when,
        when,
        "message-1",
    )
    return casefile


def test_the_manager_is_asked_on_telegram_and_it_is_sent_once(tmp_path):
    casefile = casefile_with_a_record(tmp_path)
    sent: list[tuple[str, str]] = []

    async def send(external_id: str, text: str) -> None:
        sent.append((external_id, text))

    assert asyncio.run(deliver_pending("telegram", send, casefile)) == 1
    assert sent[0][0] == "202" and "ZW25P01234" in sent[0][1]
    assert asyncio.run(deliver_pending("telegram", send, casefile)) == 0
    assert len(sent) == 1


def test_a_failed_delivery_stays_pending(tmp_path):
    casefile = casefile_with_a_record(tmp_path)

    async def fail(external_id: str, text: str) -> None:
        raise DeliveryError("chat not found")

    assert asyncio.run(deliver_pending("telegram", fail, casefile)) == 0
    assert len(casefile.pending_notifications("telegram")) == 1

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


def test_a_follow_up_comes_due_and_its_reminder_is_delivered_once(tmp_path, monkeypatch):
    from bot.channels.notifications import release_due

    monkeypatch.setenv("FA_DIGEST_WEEKDAY", "off")
    clock = {"now": datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)}
    casefile = CaseFile(f"sqlite:///{tmp_path / 'casefile.db'}", clock=lambda: clock["now"])
    casefile.staff.add("Jo Bloggs", "practitioner", "North", {"telegram": "101"}, operator=ADMIN)
    casefile.staff.add("Sam Patel", "service_manager", "North", {"telegram": "202"}, operator=ADMIN)
    casefile.record_discussion(
        Identity("telegram", "101"),
        "ZW25P01234",
        {"action_and_timescale": "I will refer by 4pm today."},
        "Jo Bloggs",
        "Sam Patel",
        clock["now"],
        clock["now"],
        "message-1",
    )
    sent: list[tuple[str, str]] = []

    async def send(external_id: str, text: str) -> None:
        sent.append((external_id, text))

    asyncio.run(deliver_pending("telegram", send, casefile))  # the manager's request to agree
    clock["now"] = datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)
    assert release_due(casefile) == 2  # two hours before, and at the due time: both have come
    assert release_due(casefile) == 0
    assert asyncio.run(deliver_pending("telegram", send, casefile)) == 2
    reminders = [text for who, text in sent if who == "101"]
    # On Telegram a reminder carries the case reference only (FA_TELEGRAM_CASE_CONTENT), never what is to be done.
    assert len(reminders) == 2 and all("ZW25P01234" in t and "refer" not in t and "Jo" not in t for t in reminders)

"""The Teams outbox with several Rasa servers, as the review demonstrated it: every server sent every notification.
Now each is claimed before it is sent; two servers (each with its own connection pool, delivering at once in their
own threads) send each notification exactly once, on SQLite and on real PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

from bot.channels import DeliveryError
from bot.channels.notifications import deliver_pending
from casefile import CaseFile
from casefile.models import Notification
from tests.casefile.conftest import START, count, database_url, pg_database  # noqa: F401

NOTIFICATIONS = 40
OPERATOR = ("terminal", "security-tests")


def fill_outbox(url: str, clock) -> None:
    store = CaseFile(url, clock=clock)
    sam = store.staff.add("Sam Patel", "service_manager", "North", {"teams": "29:sam"}, operator=OPERATOR)
    with store.database.session() as session:
        session.add_all(
            Notification(staff_id=sam.id, text=f"notice {n}", created_at=START + timedelta(seconds=n))
            for n in range(NOTIFICATIONS)
        )
    store.database.dispose()


def test_two_servers_delivering_the_outbox_at_once_send_each_notification_once(database_url):  # noqa: F811
    fill_outbox(database_url, lambda: START)
    sent: list[tuple[str, str]] = []
    lock = threading.Lock()

    def server(name: str, delivered: list[int]) -> None:
        store = CaseFile(database_url)  # its own engine, as another Rasa server has

        async def send(external_id: str, text: str) -> None:
            await asyncio.sleep(0.01)  # a send takes a while, so the two servers overlap
            with lock:
                sent.append((name, text))

        try:
            delivered.append(asyncio.run(deliver_pending("teams", send, store)))
        finally:
            store.database.dispose()

    counts: list[int] = []
    threads = [threading.Thread(target=server, args=(name, counts)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    texts = [text for _, text in sent]
    assert sorted(texts) == sorted(f"notice {n}" for n in range(NOTIFICATIONS))  # every one, none twice
    assert sum(counts) == NOTIFICATIONS
    assert {name for name, _ in sent} == {"a", "b"}  # both servers took part
    check = CaseFile(database_url)
    assert count(check, Notification, Notification.delivered_at.is_(None)) == 0
    check.database.dispose()


def test_a_claim_keeps_others_off_until_delivered_released_or_its_lease_runs_out(database_url):  # noqa: F811
    now = [START]
    fill_outbox(database_url, lambda: now[0])
    one, two = CaseFile(database_url, clock=lambda: now[0]), CaseFile(database_url, clock=lambda: now[0])
    try:
        first = one.claim_notification("teams")
        assert first.text == "notice 0" and first.external_id == "29:sam"
        second = two.claim_notification("teams")
        assert second.text == "notice 1"  # the other server gets the next one
        assert one.claim_notification("telegram") is None  # nor does another channel get it
        two.release_notification(first.id)  # released (it could not be sent): anyone may take it again
        assert two.claim_notification("teams").id == first.id
        now[0] = START + timedelta(minutes=11)  # the claimant died: after the lease, it goes to someone else
        assert one.claim_notification("teams").text == "notice 0"
        assert one.mark_delivered(first.id) is True
        now[0] = START + timedelta(minutes=30)
        assert one.claim_notification("teams", skip={second.id}).text == "notice 2"  # never a delivered one
        assert one.claim_notification("teams").text == "notice 1"  # its lease ran out too
    finally:
        one.database.dispose()
        two.database.dispose()


def test_a_notification_that_cannot_be_sent_is_released_for_the_next_round(database_url):  # noqa: F811
    fill_outbox(database_url, lambda: START)
    store = CaseFile(database_url)
    attempts: list[str] = []

    async def fail(external_id: str, text: str) -> None:
        attempts.append(text)
        raise DeliveryError("Teams is down")

    try:
        assert asyncio.run(deliver_pending("teams", fail, store)) == 0
        assert len(attempts) == NOTIFICATIONS  # each tried once this round, not again and again
        started = time.monotonic()
        assert store.claim_notification("teams") is not None  # and free to be sent next round
        assert time.monotonic() - started < 5
    finally:
        store.database.dispose()

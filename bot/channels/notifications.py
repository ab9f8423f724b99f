"""Delivers the case file's outbox (e.g. a manager asked to agree a record, a follow-up's reminder, a manager's weekly
digest) on the channel each person uses."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.case_content import notification_text
from bot.channels import DeliveryError
from bot.settings import load_settings

log = logging.getLogger(__name__)
POLL_SECONDS = 10.0

Send = Callable[[str, str], Awaitable[None]]


async def deliver_pending(channel: str, send: Send, casefile=None) -> int:
    """Send every undelivered notification for `channel`, each claimed first so that of several servers delivering
    the outbox at once exactly one sends it; marked delivered once sent, released for a retry if it could not be."""
    if casefile is None:
        from bot.channels.common import _case_file

        casefile = _case_file()
    settings = load_settings()
    tried: set[int] = set()
    delivered = 0
    while (notification := await asyncio.to_thread(casefile.claim_notification, channel, skip=tried)) is not None:
        tried.add(notification.id)
        try:
            # On Telegram only the case reference leaves (bot/case_content.py).
            await send(notification.external_id, notification_text(channel, notification.text, settings))
        except DeliveryError as error:
            log.warning("Notification %s not delivered (will retry): %s", notification.id, error)
            await asyncio.to_thread(casefile.release_notification, notification.id)
            continue
        await asyncio.to_thread(casefile.mark_delivered, notification.id)
        delivered += 1
    return delivered


def release_due(casefile=None) -> int:
    """Write to the outbox the follow-up reminders and weekly digests whose time has come; each exactly once, however
    many servers call this at once (the case file claims each row atomically)."""
    from bot.settings import load_settings

    if casefile is None:
        from bot.channels.common import _case_file

        casefile = _case_file()
    settings = load_settings()
    released = casefile.follow_ups.release_reminders()
    if settings.digest_weekday is not None:
        released += casefile.oversight.release_digests(settings.digest_weekday, settings.digest_hour)
    return released


async def deliver_forever(channel: str, send: Send, stop: asyncio.Event, every: float = POLL_SECONDS) -> None:
    """Deliver pending notifications every `every` seconds until `stop` is set; a failure is logged and retried."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(release_due)
            await deliver_pending(channel, send)
        except Exception:  # noqa: BLE001 - the loop must outlive a database outage
            log.exception("Could not read the case file's notifications for %s", channel)
        try:
            await asyncio.wait_for(stop.wait(), every)
        except asyncio.TimeoutError:
            pass

"""The conversation store's commands for `python -m bot`: purge what is older than the retention, and erase a person's
conversations; each audited in the case file's audit log under the operator's identity, with counts and never content.

The tracker events are removed in the audit entry's own transaction when both are on one database (the default on
PostgreSQL), and otherwise in one that commits only once the audit entry is written: either way a failure to audit
leaves every event in place, so nothing is removed unaudited.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.settings import Settings, case_file, load_settings
from casefile import CaseFile
from casefile.audit import AuditNote, audited
from casefile.errors import CaseFileError

COMMAND = "conversations"
# The channels a conversation's sender id names: the staff channels, and "rest" for tokenless REST clients.
SENDER_CHANNELS = ("telegram", "teams", "terminal", "rest")
MAX_REASON_CHARS = 500


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `conversations purge` and `conversations erase --person CHANNEL:ID --reason ...`."""
    conversations = subparsers.add_parser(COMMAND, help="retention and erasure of the conversation store")
    actions = conversations.add_subparsers(dest="conversations_command", required=True)
    actions.add_parser(
        "purge", help="delete conversation events older than FA_TRACKER_RETENTION_DAYS (default 30), audited"
    )
    erase = actions.add_parser("erase", help="delete every conversation of one person, audited")
    erase.add_argument("--person", required=True, metavar="CHANNEL:ID", help="e.g. telegram:123456789 or teams:<id>")
    erase.add_argument("--reason", required=True, help="why (e.g. the erasure request's reference); kept in the audit")


def run(args: argparse.Namespace, settings: Settings | None = None, casefile: CaseFile | None = None) -> int:
    """Carry out a parsed `conversations` command; the exit code."""
    from bot.tracker_store import erase_conversations, purge_events

    settings = settings or load_settings()
    if args.conversations_command == "purge":
        days = settings.tracker_retention_days
        cutoff = time.time() - days * 86400

        def purge(connection: Connection, note: AuditNote):
            removed = purge_events(connection, cutoff)
            note.reason = (
                f"Purged {removed.events} conversation events older than {days} days; "
                f"{removed.conversations} conversations left empty and removed."
            )

        return _audited(settings, casefile, "conversations_purge", purge)
    try:
        sender_id, reason = person(args.person), why(args.reason)
    except ValueError as error:
        print(f"{error} Nothing was erased.", file=sys.stderr)
        return 2

    def erase(connection: Connection, note: AuditNote):
        removed = erase_conversations(connection, sender_id)
        note.reason = f"Erased {removed.events} conversation events of {sender_id}. Reason: {reason}"

    return _audited(settings, casefile, "conversations_erase", erase)


def person(value: str) -> str:
    """The conversation id of a person's identity on a channel ("telegram:123" is the Telegram user 123's)."""
    channel, colon, external_id = value.strip().partition(":")
    if not colon or channel not in SENDER_CHANNELS or not external_id or any(c.isspace() for c in external_id):
        raise ValueError(f"--person takes CHANNEL:ID with a channel of {', '.join(SENDER_CHANNELS)}, not {value!r}.")
    return f"{channel}:{external_id}"


def why(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise ValueError("--reason must say why (for example the erasure request's reference).")
    if len(text) > MAX_REASON_CHARS:
        raise ValueError(f"--reason is at most {MAX_REASON_CHARS} characters.")
    return text


def _audited(
    settings: Settings, casefile: CaseFile | None, action: str, work: Callable[[Connection, AuditNote], None]
) -> int:
    """work on the conversation store in a transaction committed only after its audit entry is written."""
    from bot.casefile_cli import operator

    store = casefile or case_file()
    engine = create_engine(settings.database_url, hide_parameters=True)
    # On one database the events go in the audit entry's own transaction; on two, theirs commits after it.
    one_database = make_url(store.database.url) == engine.url
    actor = operator()
    try:
        staff = store.staff.find_by_identity(actor.channel, actor.external_id)

        def audited_work(session: Session, note: AuditNote) -> AuditNote:
            note.staff_id = staff.id if staff is not None else None
            work(session.connection() if one_database else connection, note)
            return note

        with engine.begin() as connection:
            note = audited(store.database, actor, action, lambda: datetime.now(timezone.utc), audited_work)
    except CaseFileError as error:
        print(f"{error} Nothing was removed.", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:  # its message may hold what was being written: the kind only
        print(f"A database could not be reached ({type(error).__name__}); nothing was removed.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
        if casefile is None:
            store.database.dispose()
    print(note.reason)
    return 0

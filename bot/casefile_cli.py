"""The case file's commands for `python -m bot`: manage the staff directory, export records for the case file,
release a secured case file, check the audit log's hash chain and migrate the case file's database."""

from __future__ import annotations

import argparse
import os
import pwd
import sys
from datetime import timedelta
from pathlib import Path

from bot.settings import case_file
from casefile.audit import verify_chain
from casefile.database import upgrade
from casefile.drafts import DEFAULT_DRAFT_RETENTION
from casefile.errors import CaseFileError, UnknownStaff
from casefile.models import ROLES
from casefile.staff import CHANNEL_OPTIONS, STAFF_CHANNELS, registration_hint
from casefile.store import CaseFile
from casefile.views import Identity

COMMANDS = ("staff", "export", "release", "audit", "migrate", "drafts")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `staff add|list|deactivate|link|import`, `export`, `release`, `audit verify`, `migrate` and
    `drafts purge` on the top-level command parser."""
    staff = subparsers.add_parser("staff", help="manage who may use the case file")
    actions = staff.add_subparsers(dest="staff_command", required=True)

    add = actions.add_parser("add", help="register a member of staff")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--team", required=True)
    for channel, option in CHANNEL_OPTIONS.items():
        add.add_argument(option, dest=f"{channel}_id", metavar="ID", help=f"their {channel} identity")

    listing = actions.add_parser("list", help="list staff and their identities")
    listing.add_argument("--all", action="store_true", help="include deactivated staff")

    deactivate = actions.add_parser("deactivate", help="stop a member of staff using the case file")
    deactivate.add_argument("staff_id", type=int)

    link = actions.add_parser("link", help="let a member of staff use the case file from another identity")
    link.add_argument("staff_id", type=int)
    link.add_argument("--channel", required=True, choices=STAFF_CHANNELS)
    link.add_argument("--external-id", required=True)

    load = actions.add_parser("import", help="add staff from a CSV file: name,role,team,telegram_id,teams_id")
    load.add_argument("csv_file", type=Path)

    export = subparsers.add_parser("export", help="export a record or a case's records for the case file")
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--record", type=int, help="the record's number")
    which.add_argument("--case", help="the case reference")
    export.add_argument("--format", choices=("docx", "txt"), default="docx")
    export.add_argument("--out", type=Path, help="where to write it (default: its own name, here)")
    export.add_argument(
        "--as",
        dest="actor",
        metavar="CHANNEL:ID",
        help="admins only, with --reason: whose access applies (default: terminal:<your login name>)",
    )
    export.add_argument("--reason", help="why an admin acts as someone else (required with --as; audited)")

    release = subparsers.add_parser("release", help="admins: release a secured case file, giving a reason (audited)")
    release.add_argument("--case", required=True, help="the case reference")
    release.add_argument("--reason", required=True, help="why the file is released")

    subparsers.add_parser(
        "migrate", help="bring the case file's database to the newest schema (as the role owning its tables)"
    )

    audit = subparsers.add_parser("audit", help="check the case file's audit log")
    audit_actions = audit.add_subparsers(dest="audit_command", required=True)
    audit_actions.add_parser("verify", help="recompute the audit log's hash chain and name the first broken entry")

    drafts = subparsers.add_parser("drafts", help="the drafts of case-file tasks under way")
    draft_actions = drafts.add_subparsers(dest="drafts_command", required=True)
    purge = draft_actions.add_parser("purge", help="delete drafts not changed for DAYS days (default 30), audited")
    purge.add_argument("--days", type=int, default=DEFAULT_DRAFT_RETENTION.days)


def operator() -> Identity:
    """Whoever runs the command, as the staff directory's terminal identity: the account of the process's real user
    id, which no environment variable (LOGNAME, USER) can change."""
    return Identity("terminal", pwd.getpwuid(os.getuid()).pw_name)


def run(args: argparse.Namespace, casefile: CaseFile | None = None) -> int:
    """Carry out a parsed `staff`, `export`, `release`, `audit`, `migrate` or `drafts` command; the exit code."""
    store = casefile or case_file()
    try:
        if args.command == "audit":
            return _audit(store)
        if args.command == "drafts":
            purged = store.drafts.purge(operator(), timedelta(days=args.days))
            print(f"Purged {purged} draft(s) not changed for {args.days} day(s) or more.")
            return 0
        if args.command == "migrate":
            upgrade(store.database.url)
            print("The case file's database is at the newest schema.")
            return 0
        if args.command == "export":
            _export(store, args)
        elif args.command == "release":
            released = store.release_file(operator(), args.case, args.reason)
            print(f"Released the case file for {released}: it takes new records, agreements and amendments again.")
        else:
            _staff(store, args)
    except (CaseFileError, OSError) as error:
        print(error, file=sys.stderr)
        if isinstance(error, UnknownStaff) and args.command == "export":
            # At the terminal, whoever can register staff is reading: the command that does it.
            print(f"To register it: {registration_hint(_actor(args.actor))}", file=sys.stderr)
        return 1
    finally:
        if casefile is None:
            store.database.dispose()
    return 0


def _staff(casefile: CaseFile, args: argparse.Namespace) -> None:
    directory = casefile.staff
    if args.staff_command == "add":
        identities = {c: getattr(args, f"{c}_id") for c in CHANNEL_OPTIONS if getattr(args, f"{c}_id")}
        added = directory.add(args.name, args.role, args.team, identities, operator=operator())
        print(f"Added staff {added.id}: {added.described}")
    elif args.staff_command == "list":
        for entry in directory.list_staff(include_inactive=args.all):
            identities = ", ".join(f"{i.channel}:{i.external_id}" for i in entry.identities) or "no identity"
            inactive = "" if entry.staff.active else " [deactivated]"
            print(f"{entry.staff.id:>5}  {entry.staff.described}{inactive}  {identities}")
    elif args.staff_command == "deactivate":
        gone = directory.deactivate(args.staff_id, operator=operator())
        print(f"Deactivated staff {gone.id}: {gone.name}")
    elif args.staff_command == "link":
        linked = directory.link(args.staff_id, args.channel, args.external_id, operator=operator())
        print(f"Linked {args.channel} id to staff {linked.id}: {linked.name}")
    elif args.staff_command == "import":
        added = directory.import_csv(args.csv_file, operator=operator())
        print(f"Imported {len(added)} staff.")


def _audit(casefile: CaseFile) -> int:
    check = verify_chain(casefile.database)
    if check.first_broken_id is not None:
        print(
            f"Audit log broken at entry {check.first_broken_id}: it, or an entry before it, was changed or removed.",
            file=sys.stderr,
        )
        return 1
    print(f"Audit log intact: {check.entries} entries")
    return 0


def _actor(value: str | None) -> Identity:
    if value is None:
        return operator()
    channel, colon, external_id = value.partition(":")
    if not colon:
        raise CaseFileError("--as takes CHANNEL:ID, for example terminal:sam or telegram:123456789.")
    return Identity(channel, external_id)


def _export(casefile: CaseFile, args: argparse.Namespace) -> None:
    actor = _actor(args.actor)
    if args.actor is not None:
        if not (args.reason or "").strip():
            raise CaseFileError('--as needs --reason "..." saying why; nothing was done.')
        what = f"export record {args.record}" if args.record is not None else f"export the case {args.case}"
        casefile.staff.act_as(operator(), actor, args.reason, what)
    elif args.reason is not None:
        raise CaseFileError("--reason goes with --as; nothing was done.")
    document = casefile.export(actor, record_id=args.record, case_reference=args.case, fmt=args.format)
    target = args.out or Path(Path(document.filename).name)  # a case reference never names a directory
    # The export holds personal data about children and families: readable by its owner only, written only as a new
    # file (never over an existing one, nor through a symbolic link planted where it goes).
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise CaseFileError(f"{target} exists already; nothing was written. Choose another --out.") from None
    with os.fdopen(descriptor, "wb") as out:
        out.write(document.content)
    print(f"Wrote {target}")

"""Finding, showing and exporting case-file records: the records a message asks for, one in full, or a file."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.casefile_drafts import keeps_answers_in_draft
from actions.casefile_oversight import WITHOUT_AGREED, list_without_agreed_record
from actions.casefile_questions import current_draft
from actions.casefile_tasks import (
    FORM,
    LIST_LIMIT,
    awaiting,
    record_line,
    record_number,
    task_of,
)
from actions.casefile_turn import UNREACHABLE_READ, Turn, case_file, directory, is_manager, log_failure, normalised
from actions.common import button, entities_of, text_of
from bot.case_content import reference
from casefile import CaseFileError
from casefile.export import summary
from casefile.references import case_references
from casefile.views import RecordView, StaffMember
from knowledge.moments import now, parse_period

# "show the record", "show me the draft", "let me see it": the record a task is working on.
THIS_RECORD = re.compile(r"\b(the|this|that|my|our) (record|draft)\b(?!s)|\b(show|see|read) (me )?it\b")


def named_staff(text: str, staff: list[StaffMember]) -> list[StaffMember]:
    """Staff a message names: by full name in any case, or by a first name written with a capital."""
    lowered = f" {normalised(text)} "
    full = [s for s in staff if f" {s.name.lower()} " in lowered or f" {s.name.lower()}'s " in lowered]
    if full:
        return full
    words = set(re.findall(r"\b([A-Z][a-z'-]+)\b", text))
    return [s for s in staff if s.name.split()[0] in words or s.name.split()[0] + "'s" in words]


async def export(turn: Turn, record_id: int | None, case_reference: str | None) -> None:
    """The records as plain text in the conversation, and as a Word document the chat channels send as a file."""
    text = await turn.attempt(
        case_file().export, turn.actor, record_id=record_id, case_reference=case_reference, fmt="txt"
    )
    if text.error is not None:
        return
    document = await turn.attempt(
        case_file().export, turn.actor, record_id=record_id, case_reference=case_reference, fmt="docx"
    )
    exported = (
        reference("export-record", record_id) if record_id is not None else reference("export-case", case_reference)
    )
    turn.say(text.value.content.decode("utf-8"), shows=exported)
    if document.error is None:
        doc = document.value
        turn.dispatcher.utter_message(
            **exported,
            text=f"The same as a Word document: {doc.filename}",
            json_message={
                "document": {
                    "filename": doc.filename,
                    "media_type": doc.media_type,
                    "content_base64": base64.b64encode(doc.content).decode("ascii"),
                },
                # What was exported, so a channel that offers the file first (Teams) can make it again on acceptance.
                "export": {"record_id": record_id, "case_reference": case_reference},
            },
        )


@keeps_answers_in_draft
class ActionListRecords(Action):
    """The records a message asks for (by case, practitioner, dates, status), or one record in full."""

    def name(self) -> str:
        return "action_list_records"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        try:
            me = await turn.me()
        except CaseFileError as refusal:
            turn.say(str(refusal))
            return []
        except Exception:
            log_failure("The case file could not tell who is writing")
            turn.say(UNREACHABLE_READ)
            return []
        text = text_of(tracker)
        number = record_number(text, entities_of(tracker))
        if number is None and await show_current(turn, me):
            return []
        if number is not None:
            await show_record(turn, me, number)
            return []
        typed = "" if text.startswith("/") else text
        if is_manager(me) and WITHOUT_AGREED.search(typed):
            await list_without_agreed_record(turn)
            return []
        filters, described, keep = await self.filters(typed, me)
        if filters is None:
            turn.say(described)
            return []
        found = await turn.find(**filters)
        if found.error is not None:
            return []
        records = [r for r in found.value if keep(r)][::-1]
        if not records:
            turn.say(f"I found no records{described}.")
            return []
        lines = [f"{len(records)} record{'s' if len(records) != 1 else ''}{described}, most recent first:"]
        lines += [record_line(r) for r in records[:LIST_LIMIT]]
        if len(records) > LIST_LIMIT:
            lines.append(
                f"Showing the {LIST_LIMIT} most recent. To see others, narrow it down by case reference or "
                'dates, for example "between 1 and 15 March".'
            )
        buttons = [
            button(f"Agree #{r.id} {r.case_reference}", f'/agree_record{{"record": "{r.id}"}}')
            if awaiting(r, me)
            else button(f"View #{r.id} {r.case_reference}", f'/list_records{{"record": "{r.id}"}}')
            for r in records[:LIST_LIMIT]
        ]
        turn.say("\n".join(lines), buttons)
        return []

    @staticmethod
    async def filters(text: str, me: StaffMember):
        """The store's filters, how to describe them, and a check for what the store has no filter for."""
        lowered = text.lower()
        filters: dict[str, Any] = {}
        said: list[str] = []
        checks: list[Callable[[RecordView], bool]] = []
        references = case_references(text, case_file().case_reference_pattern)
        if references:
            filters["case_reference"] = references[0]
            said.append(f"on {references[0]}")
        try:
            start, end = parse_period(text, now().date())
        except ValueError as problem:
            return None, str(problem), None
        if start or end:
            filters.update(discussed_from=start, discussed_to=end)
            said.append(
                f"discussed {start:%-d %B %Y} to {end:%-d %B %Y}" if start != end else f"discussed on {start:%-d %B %Y}"
            )
        if re.search(
            r"\b(await\w*|wait\w*|pending)\b.*\b(my|me)\b|\bfor me to\b|\bmy (agreement|sign[- ]?off)\b|"
            r"\b(have|got) i got any\b|\bany records to agree\b|\brecords to agree\b",
            lowered,
        ):
            filters["awaiting_my_agreement"] = True
            said.append("awaiting your agreement")
        elif re.search(r"\b(pending|awaiting|unagreed|not (yet )?(been )?agreed|haven'?t been agreed)\b", lowered):
            checks.append(lambda r: not r.agreed)
            said.append("awaiting agreement")
        elif re.search(r"\bi( have|'ve)? agreed\b|\bagreed by me\b", lowered):
            checks.append(lambda r: r.agreed and r.agreed_by.id == me.id)
            said.append("that you agreed")
        elif re.search(r"\bagreed\b", lowered):
            checks.append(lambda r: r.agreed)
            said.append("agreed")
        if (
            re.search(r"\b(my|mine)\b(?!\s+team)|\bi recorded\b|\bi took part\b|\bi('ve| have) had\b", lowered)
            and "awaiting_my_agreement" not in filters
        ):
            checks.append(lambda r: me.id in (r.practitioner.id, r.manager.id))
            said.append("you took part in")
        others = [s for s in named_staff(text, await directory()) if s.id != me.id]
        if len(others) == 1:
            person = others[0]
            if is_manager(person):
                checks.append(lambda r: r.manager.id == person.id)
                said.append(f"with {person.name} as manager")
            else:
                filters["practitioner"] = person.id
                said.append(f"with {person.name} as practitioner")
        elif others:
            return (
                None,
                (
                    "Which of these do you mean? "
                    + ", ".join(s.described for s in others)
                    + ". Ask again with their full name."
                ),
                None,
            )
        return filters, (" " + ", ".join(said)) if said else "", lambda r: all(check(r) for check in checks)


async def show_record(turn: Turn, me: StaffMember, record_id: int, buttons: bool = True) -> None:
    """One record in full; with buttons for what the person may do with it, unless a task on it is under way."""
    found = await turn.record(record_id)
    if found.error is not None:
        return
    record: RecordView = found.value
    if not buttons:
        turn.say(summary(record), shows=reference("record", record.id))
        return
    actions = [button("Agree", f'/agree_record{{"record": "{record.id}"}}')] if awaiting(record, me) else []
    if me.id in (record.practitioner.id, record.manager.id) and record.secured is None:
        actions.append(button("Amend", f'/amend_record{{"record": "{record.id}"}}'))
    actions.append(button("Export", f'/export_records{{"record": "{record.id}"}}'))
    turn.say(summary(record), actions, shows=reference("record", record.id))


async def show_current(turn: Turn, me: StaffMember) -> bool:
    """Inside a case-file task, "show the record": the draft being recorded or the record being worked on, in full."""
    text = text_of(turn.tracker).lower()
    if turn.tracker.active_loop.get("name") != FORM or not (text.startswith("/") or THIS_RECORD.search(text)):
        return False
    chosen = turn.slot("chosen_record")
    if task_of(turn.tracker) == "record" and turn.slot("concern_identified_at"):
        turn.say("The record as it stands, not saved yet:\n\n" + await current_draft(turn), shows=reference("draft"))
        return True
    if chosen:
        await show_record(turn, me, int(chosen), buttons=False)
        return True
    return False

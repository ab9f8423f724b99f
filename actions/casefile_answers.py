"""The case-file form's answers: each reads one reply, says what was done or why not, and fills its slots."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, timezone

from actions.casefile_drafts import DRAFT, saved_before
from actions.casefile_note import SAVE_ANYWAY, correction, correction_help, note_updates
from actions.casefile_tasks import (
    CHANGEABLE,
    CONFIRMATION,
    DECISION,
    END,
    POINT_SLOTS,
    RECORD_NUMBER,
    SECURING,
    Updates,
    awaiting,
    ended,
    pick_point,
    point_options,
    task_of,
)
from actions.casefile_turn import Turn, case_file, choose, is_manager, normalised, other_parties
from actions.common import button
from casefile import CaseFileError, InvalidCaseReference, discussion_key
from casefile.points import CHOICES, LABELS, POINT_KEYS
from casefile.references import normalise_case_reference
from casefile.views import RecordView
from knowledge.moments import MomentRules, london, now, parse_date, parse_moment

# When a discussion took place or a concern was identified: a time up to five minutes after this server's clock is
# still taken as past; "20 minutes ago" is not read.
DISCUSSION_MOMENT = MomentRules(skew=timedelta(minutes=5), ago=False)


async def answer_case_reference(turn: Turn, text: str) -> Updates:
    try:
        reference = normalise_case_reference(text, case_file().case_reference_pattern)
    except InvalidCaseReference as error:
        turn.say(str(error))
        return None
    if task_of(turn.tracker) == "later":
        found = await turn.find(case_reference=reference)
        if found.error is not None:
            return END if found.final else None
        if found.value and all(record.secured is None for record in found.value):
            turn.say(f"The case file for {reference} is not secured: record a discussion or amend a record instead.")
            return END
    return {"case_reference": reference}


async def answer_other_party(turn: Turn, text: str) -> Updates:
    me = await turn.me()
    wanted = "practitioner" if is_manager(me) else "manager"
    fits = await other_parties(me)
    said = normalised(text)
    found = [s for s in fits if said in (str(s.id), s.name.lower())] or [
        s for s in fits if s.name.lower().split()[0] == said
    ]
    if len(found) == 1:
        return {"other_party": str(found[0].id)}
    if found:
        turn.say(
            f"More than one {wanted} is called that. Which one?",
            [button(s.described, s.name if [f.name for f in found].count(s.name) == 1 else str(s.id)) for s in found],
        )
        return None
    turn.say(
        f"There is no active {wanted} with that name or staff number in the staff directory. Give their full "
        "name as registered, or their staff number."
    )
    return None


async def answer_moment(turn: Turn, text: str, slot: str) -> Updates:
    try:
        moment = parse_moment(text, now(), DISCUSSION_MOMENT)
    except ValueError as problem:
        turn.say(str(problem))
        return None
    times = {
        name: datetime.fromisoformat(turn.slot(name))
        for name in ("discussed_at", "concern_identified_at")
        if turn.slot(name)
    }
    times[slot] = moment
    if len(times) == 2 and times["concern_identified_at"] > times["discussed_at"]:
        turn.say("The concern must have been identified before it was discussed with the manager.")
        return None
    return {slot: moment.isoformat()}


async def answer_point(turn: Turn, text: str, slot: str) -> Updates:
    key = POINT_SLOTS[slot]
    if key == POINT_KEYS[0]:
        note = await note_updates(turn, text, first_answer=True)
        if note is not None:
            return note
    choice = choose(text, point_options(key))
    if choice is not None:
        return {slot: choice}
    if key in CHOICES:
        turn.say(f"Please pick one of the buttons: {', '.join(words for _, words in point_options(key))}.")
        return None
    return {slot: text}


async def answer_record_confirmation(turn: Turn, text: str) -> Updates:
    fixed = correction(text)
    if fixed == {}:
        turn.say(correction_help(text) or "Please choose Save, Change a point or Cancel.")
        return None
    if fixed is not None:
        return fixed
    choice = choose(text, CONFIRMATION + [SAVE_ANYWAY])
    if choice == "cancel":
        turn.say("Cancelled: the record was not saved.")
        return ended("record", "cancelled")
    if choice == "change":
        return {"record_confirmation": "change"}
    if choice is None:
        turn.say("Please choose Save, Change a point or Cancel.")
        return None
    me = await turn.me()
    other = int(turn.slot("other_party"))
    practitioner, manager = (other, me.id) if is_manager(me) else (me.id, other)
    draft = (
        turn.actor,
        turn.slot("case_reference"),
        {key: turn.slot(slot) for slot, key in POINT_SLOTS.items()},
        practitioner,
        manager,
        datetime.fromisoformat(turn.slot("discussed_at")),
        datetime.fromisoformat(turn.slot("concern_identified_at")),
    )
    reasons = turn.slot("decision_reasons") or None
    # Confirming the same draft again (after a crash lost the reply to the first Save) returns the first record.
    started = datetime.now(timezone.utc)
    saved = await turn.attempt(
        case_file().record_discussion,
        *draft,
        discussion_key(*draft, reasons),
        reasons,
        draft_id=turn.slot(DRAFT),
        not_done="The record was not saved.",
    )
    if saved.error is not None:
        if not saved.final:
            fix = (
                'use "Change a point" to correct them, or Cancel.'
                if isinstance(saved.error, CaseFileError)
                else "press Save to try again."
            )
            turn.say(f"Your answers are kept: {fix}")
        return END if saved.final else {"record_confirmation": None}
    record: RecordView = saved.value
    if record.recorded_at < started:
        turn.say(saved_before(record))
        return ended("record", "saved", record.id)
    missing = [str(POINT_KEYS.index(p.key) + 1) for p in record.not_discussed]
    turn.say(
        f"Saved, awaiting {record.other_party.name}'s agreement (Framework 2.82). It is record {record.id} on "
        f"{record.case_reference}; {record.other_party.name} has been asked to agree it."
        + (f" The record says points {', '.join(missing)} were not discussed." if missing else "")
    )
    return ended("record", "saved", record.id)


async def answer_point_to_change(turn: Turn, text: str) -> Updates:
    said = normalised(text)
    slot = next((s for s, words in CHANGEABLE.items() if said == normalised(words)), None)
    point = pick_point(text)
    slot = slot or (f"point_{point}" if point else None)
    if slot is None:
        turn.say("Please pick what to change from the buttons.")
        return None
    return {slot: None, "point_to_change": None, "record_confirmation": None}


async def answer_chosen_record(turn: Turn, text: str) -> Updates:
    match = RECORD_NUMBER.match(text)
    if not match:
        turn.say("Please pick a record from the buttons, or give its number.")
        return None
    number = int(match.group(1))
    if task_of(turn.tracker) == "export":
        return {"chosen_record": str(number)}
    found = await turn.record(number)
    if found.error is not None:
        return END if found.final else None
    record: RecordView = found.value
    me = await turn.me()
    if task_of(turn.tracker) == "agree" and not awaiting(record, me):
        turn.say(
            f"Record {record.id} is not awaiting your agreement: it is "
            + (
                f"agreed by {record.agreed_by.name}."
                if record.agreed
                else f"awaiting agreement by {record.other_party.name}."
            )
        )
        return None
    if task_of(turn.tracker) == "amend" and me.id not in (record.practitioner.id, record.manager.id):
        turn.say("Only the practitioner or the manager who took part in the discussion can amend its record.")
        return None
    return {"chosen_record": str(record.id)}


async def agree(turn: Turn, amendment: dict[str, str] | None) -> Updates:
    agreed = await turn.attempt(
        case_file().agree,
        turn.actor,
        int(turn.slot("chosen_record")),
        amendment,
        draft_id=turn.slot(DRAFT),
        not_done="The record was not agreed.",
    )
    if agreed.error is not None:
        return END if agreed.final else None
    record: RecordView = agreed.value
    lines = [
        f"Agreed by {record.agreed_by.name} at {london(record.agreed_at)}; the record now carries both names "
        "and times (Framework 2.82):",
        f"• Recorded by {record.recorded_by.described} on {london(record.recorded_at)}",
        f"• Agreed by {record.agreed_by.described} on {london(record.agreed_at)}",
    ]
    for key in amendment or {}:
        lines.append(
            f'• Amended as you agreed it: "{LABELS[key]}" now reads: {record.point(key).shown} '
            f"(first recorded as: {record.point(key).shown_original})"
        )
    turn.say("\n".join(lines))
    return ended("agree", "agreed", record.id)


async def answer_agreement_decision(turn: Turn, text: str) -> Updates:
    choice = choose(text, DECISION)
    if choice is None:
        turn.say("Please choose Agree, Agree with an amendment or Not now.")
        return None
    if choice == "not_now":
        turn.say(
            f'Not agreed yet: record {turn.slot("chosen_record")} stays awaiting your agreement. Say "agree the '
            'record" when you are ready.'
        )
        return ended("agree", "not_now", turn.slot("chosen_record"))
    if choice == "amend":
        return {"agreement_decision": "amend"}
    return await agree(turn, None)


async def answer_amended_point(turn: Turn, text: str) -> Updates:
    point = pick_point(text)
    if point is None:
        turn.say("Please pick a point from the buttons, or give its number (1 to 12).")
        return None
    return {"amended_point": point}


async def answer_amended_text(turn: Turn, text: str) -> Updates:
    key = turn.slot("amended_point")
    value = choose(text, list(CHOICES[key].items())) if key in CHOICES else text
    if value is None:
        turn.say(f"Please pick one of the buttons: {', '.join(CHOICES[key].values())}.")
        return None
    if task_of(turn.tracker) == "agree":
        return await agree(turn, {key: value})
    return {"amended_text": value}


async def answer_amendment_reason(turn: Turn, text: str) -> Updates:
    key = turn.slot("amended_point")
    amended = await turn.attempt(
        case_file().amend,
        turn.actor,
        int(turn.slot("chosen_record")),
        key,
        turn.slot("amended_text"),
        text,
        draft_id=turn.slot(DRAFT),
        not_done="The amendment was not saved.",
    )
    if amended.error is not None:
        return END if amended.final else None
    record: RecordView = amended.value
    latest = record.point(key).amendments[-1]
    other = record.manager if latest.amended_by.id == record.practitioner.id else record.practitioner
    turn.say(
        f"Amendment saved on record {record.id} ({record.case_reference}), dated {london(latest.amended_at)} "
        f'and signed {latest.amended_by.described}.\n"{LABELS[key]}" now reads: {record.point(key).shown}\n'
        f"The original text is kept in the record: {record.point(key).shown_original}\n"
        f"Reason: {latest.reason}\n{other.name} has been told."
        + (
            f"\nThe record had been agreed, so it is no longer: it awaits {record.other_party.name}'s agreement again "
            "(Framework 2.82)."
            if record.earlier_agreements
            and not record.agreed
            and record.earlier_agreements[-1].withdrawn_at == latest.amended_at
            else ""
        )
    )
    return ended("amend", "amended", record.id)


async def answer_secure_reason(turn: Turn, text: str) -> Updates:
    return {"secure_reason": text}


async def answer_secure_confirmation(turn: Turn, text: str) -> Updates:
    choice = choose(text, SECURING)
    if choice is None:
        turn.say("Please choose Secure the file or Cancel.")
        return None
    if choice == "cancel":
        turn.say("Cancelled: the case file was not secured.")
        return ended("secure", "cancelled")
    secured = await turn.attempt(
        case_file().secure_file,
        turn.actor,
        turn.slot("case_reference"),
        turn.slot("secure_reason"),
        not_done="The case file was not secured.",
    )
    if secured.error is not None:
        return END if secured.final else None
    view = secured.value
    turn.say(
        f"The case file for {view.case_reference} is secured, on {london(view.secured_at)} by "
        f"{view.secured_by.described} (Framework 3.42-3.44). Reason: {view.reason}\nIt now takes no new "
        "records, agreements or amendments. Practitioners with records on it have been told; to update it about "
        "events that preceded the decision to pursue a review, they add a later recording (3.45)."
    )
    return ended("secure", "secured")


async def answer_event_date(turn: Turn, text: str) -> Updates:
    try:
        day = parse_date(text, now().date())
    except ValueError as problem:
        turn.say(str(problem))
        return None
    return {"event_date": day.isoformat()}


async def answer_later_recording_text(turn: Turn, text: str) -> Updates:
    added = await turn.attempt(
        case_file().add_later_recording,
        turn.actor,
        turn.slot("case_reference"),
        text,
        date.fromisoformat(turn.slot("event_date")),
        not_done="The later recording was not saved.",
    )
    if added.error is not None:
        return END if added.final else None
    later = added.value
    turn.say(
        f"Saved as later recording {later.id} on {later.case_reference}, about events on "
        f"{later.event_date.day} {later.event_date:%B %Y}. It is marked with the date it was made, "
        f'{london(later.recorded_at)}, and kept "alongside, but separate from, the original file" '
        "(Framework 3.45)."
    )
    return ended("later", "saved", later.id)


ANSWERS: dict[str, Callable[[Turn, str], Awaitable[Updates]]] = {
    "case_reference": answer_case_reference,
    "other_party": answer_other_party,
    "discussed_at": functools.partial(answer_moment, slot="discussed_at"),
    "concern_identified_at": functools.partial(answer_moment, slot="concern_identified_at"),
    **{slot: functools.partial(answer_point, slot=slot) for slot in POINT_SLOTS},
    "record_confirmation": answer_record_confirmation,
    "point_to_change": answer_point_to_change,
    "chosen_record": answer_chosen_record,
    "agreement_decision": answer_agreement_decision,
    "amended_point": answer_amended_point,
    "amended_text": answer_amended_text,
    "amendment_reason": answer_amendment_reason,
    "secure_reason": answer_secure_reason,
    "secure_confirmation": answer_secure_confirmation,
    "event_date": answer_event_date,
    "later_recording_text": answer_later_recording_text,
}

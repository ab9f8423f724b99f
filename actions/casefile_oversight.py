"""Follow-ups and oversight in conversation: what is waiting for me, the team overview, my follow-ups, marking one done
or asking for more time, a referral's written-confirmation deadlines, and cases without an agreed record."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.casefile_tasks import LIST_LIMIT, record_line
from actions.casefile_turn import UNREACHABLE_READ, Turn, case_file, log_failure
from actions.common import button, entities_of, text_of
from casefile import CaseFileError
from casefile.follow_ups import due_from, due_text
from casefile.oversight import awaiting_too_long
from casefile.views import FollowUpView
from knowledge.moments import LONDON, now, parse_moment
from knowledge.walkthroughs import REFERRAL_MOMENT

FOLLOW_UP_NUMBER = re.compile(
    r"(?:follow[- ]?up|#|\b(?:done|more time|extend|extension)\b)\s*(?:for\s+)?#?\s*(\d{1,9})", re.I
)
ANY_NUMBER = re.compile(r"\b(\d{1,9})\b")
REASON = re.compile(r"\b(?:because|as|since|reason:?|due to)\s+(.+)$", re.I | re.S)
RECORD = re.compile(r"\brecord\s*#?\s*(\d{1,9})\b", re.I)
WITHOUT_AGREED = re.compile(
    r"\b(no|without( an?)?|not got an?|lack\w* an?|missing an?)\s+agreed\s+(record|discussion)s?\b|"
    r"\bnothing agreed\b|\bno record (has been|was) agreed\b",
    re.I,
)


def follow_up_line(follow_up: FollowUpView, at: datetime) -> str:
    state = "done" if follow_up.done_at else "OVERDUE" if follow_up.overdue(at) else "open"
    return (
        f"#{follow_up.id} · {follow_up.case_reference} · {follow_up.description} · {follow_up.owner.name} · "
        f"{due_text(follow_up.due_at)} · {state}"
    )


def follow_up_buttons(follow_ups: list[FollowUpView]) -> list[dict[str, str]]:
    return [
        button(f"Done #{f.id} {f.case_reference}", f'/follow_up_done{{"follow_up": "{f.id}"}}')
        for f in follow_ups[:LIST_LIMIT]
    ]


async def _ready(turn: Turn) -> bool:
    """Whether the writer is registered staff and the case file answers; if not, they are told why."""
    try:
        await turn.me()
        return True
    except CaseFileError as refusal:
        turn.say(str(refusal))
    except Exception:
        log_failure("The case file could not tell who is writing")
        turn.say(UNREACHABLE_READ)
    return False


class ActionWaitingForMe(Action):
    """Records waiting for my agreement and follow-ups overdue (mine, or my team's if I manage one)."""

    def name(self) -> str:
        return "action_waiting_for_me"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        if not await _ready(turn):
            return []
        found = await turn.attempt(case_file().oversight.waiting_for_me, turn.actor)
        if found.error is not None:
            return []
        waiting = found.value
        if not waiting.to_agree and not waiting.overdue:
            turn.say("Nothing is waiting for you: no records to agree and no follow-ups overdue.")
            return []
        lines, buttons = [], []
        if waiting.to_agree:
            lines.append(f"Records awaiting your agreement (Framework 2.82): {len(waiting.to_agree)}")
            lines += [record_line(r) for r in waiting.to_agree[:LIST_LIMIT]]
            buttons += [
                button(f"Agree #{r.id} {r.case_reference}", f'/agree_record{{"record": "{r.id}"}}')
                for r in waiting.to_agree[:LIST_LIMIT]
            ]
        if waiting.overdue:
            lines += ["", f"Follow-ups overdue: {len(waiting.overdue)}"]
            at = datetime.now(timezone.utc)
            lines += [follow_up_line(f, at) for f in waiting.overdue[:LIST_LIMIT]]
            buttons += follow_up_buttons(list(waiting.overdue))
        turn.say("\n".join(lines).strip(), buttons)
        return []


class ActionTeamOverview(Action):
    """A manager's team: records awaiting agreement over a working day, overdue follow-ups, discussions this week."""

    def name(self) -> str:
        return "action_team_overview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        if not await _ready(turn):
            return []
        found = await turn.attempt(case_file().oversight.team_overview, turn.actor)
        if found.error is not None:
            return []
        view = found.value
        at = datetime.now(timezone.utc)
        lines = [f"Team {view.team} overview:"]
        lines += ["", f"Awaiting agreement for more than one working day: {len(view.awaiting_too_long)}"]
        lines += [record_line(r) for r in view.awaiting_too_long[:LIST_LIMIT]]
        lines += ["", f"Follow-ups overdue: {len(view.overdue)}"]
        lines += [follow_up_line(f, at) for f in view.overdue[:LIST_LIMIT]]
        lines += ["", f"Discussions this week: {len(view.this_week)}"]
        lines += [record_line(r) for r in view.this_week[:LIST_LIMIT]]
        turn.say("\n".join(lines), follow_up_buttons(list(view.overdue)))
        return []


class ActionMyFollowUps(Action):
    def name(self) -> str:
        return "action_my_follow_ups"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        if not await _ready(turn):
            return []
        found = await turn.attempt(case_file().follow_ups.mine, turn.actor)
        if found.error is not None:
            return []
        if not found.value:
            turn.say("You have no open follow-ups.")
            return []
        at = datetime.now(timezone.utc)
        lines = [f"Your open follow-ups, soonest due first: {len(found.value)}"]
        lines += [follow_up_line(f, at) for f in found.value[:LIST_LIMIT]]
        turn.say("\n".join(lines), follow_up_buttons(found.value))
        return []


def follow_up_number(text: str, entities: list[dict[str, Any]] = ()) -> int | None:
    """The follow-up a button (entity "follow_up") or the words ("done 12", "follow-up #12") name."""
    for entity in entities:
        if entity.get("entity") == "follow_up" and str(entity.get("value", "")).strip().isdigit():
            return int(str(entity["value"]).strip())
    if text.startswith("/"):
        return None
    match = FOLLOW_UP_NUMBER.search(text) or ANY_NUMBER.search(text)
    return int(match.group(1)) if match else None


class ActionFollowUpDone(Action):
    """A tap on "Done #12" (or "done 12"): the follow-up is marked done, and the marking audited."""

    def name(self) -> str:
        return "action_follow_up_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        if not await _ready(turn):
            return []
        number = follow_up_number(text_of(tracker), entities_of(tracker))
        if number is None:
            turn.say('Which follow-up? Say "done" and its number, for example "done 12".')
            return []
        done = await turn.attempt(case_file().follow_ups.mark_done, turn.actor, number, not_done="Nothing was changed.")
        if done.error is None:
            follow_up = done.value
            turn.say(f"Follow-up {follow_up.id} on {follow_up.case_reference} is marked done; no more reminders.")
        return []


class ActionFollowUpMoreTime(Action):
    """More time for a follow-up: its number, the new time and the reason, in one message."""

    def name(self) -> str:
        return "action_follow_up_more_time"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        if not await _ready(turn):
            return []
        text = text_of(tracker)
        number = follow_up_number(text)
        reason = REASON.search(text)
        head = text[: reason.start()] if reason else text
        if number is not None:
            head = re.sub(rf"#?\b{number}\b", " ", head, count=1)
        due = due_from(head, now())
        if number is None or due is None or reason is None:
            turn.say(
                "For more time, give the follow-up's number, the new time and the reason in one message, for "
                'example "more time 12 until Friday 4pm because the LA duty line was closed".'
            )
            return []
        moved = await turn.attempt(
            case_file().follow_ups.more_time,
            turn.actor,
            number,
            due,
            reason.group(1).strip(),
            not_done="Nothing was changed.",
        )
        if moved.error is None:
            follow_up = moved.value
            turn.say(
                f"Follow-up {follow_up.id} on {follow_up.case_reference} is now due {due_text(follow_up.due_at)}; "
                "the reason and the earlier time are kept. You will be reminded again."
            )
        return []


class ActionReferralFollowUps(Action):
    """A telephone referral made: its written confirmation deadlines (2.103, Appendix V, 2.108) become follow-ups."""

    def name(self) -> str:
        return "action_referral_follow_ups"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        if not await _ready(turn):
            return []
        text = text_of(tracker)
        record = RECORD.search(text)
        try:
            made_at = parse_moment(RECORD.sub(" ", text), now(), REFERRAL_MOMENT) if record else None
        except ValueError as problem:
            turn.say(str(problem))
            return []
        if record is None or made_at is None:
            turn.say(
                "Which record's case, and when was the telephone referral made? For example \"referral made by "
                'phone at 14:30 today for record 12".'
            )
            return []
        made = await turn.attempt(
            case_file().follow_ups.add_referral_deadlines,
            turn.actor,
            int(record.group(1)),
            made_at,
            not_done="No follow-ups were set.",
        )
        if made.error is None:
            lines = [
                f"Telephone referral made at {made_at.astimezone(LONDON):%H:%M on %A %-d %B %Y}. Follow-ups set for "
                "the practitioner, each reminded before and when due:"
            ]
            lines += [f"• #{f.id} {f.description}: {due_text(f.due_at)}" for f in made.value]
            turn.say("\n".join(lines))
        return []


async def list_without_agreed_record(turn: Turn) -> None:
    """A manager's team records on cases where no record is agreed yet."""
    found = await turn.attempt(case_file().oversight.query, turn.actor, status="without_agreed_record")
    if found.error is not None:
        return
    records = found.value[::-1]
    if not records:
        turn.say("Every case of your team with a recorded discussion has an agreed record.")
        return
    cases = sorted({r.case_reference for r in records})
    at = datetime.now(timezone.utc)
    lines = [f"{len(cases)} case(s) of your team without an agreed record: {', '.join(cases[:LIST_LIMIT])}."]
    lines += [
        record_line(r) + (" · over a working day" if awaiting_too_long(r, at) else "") for r in records[:LIST_LIMIT]
    ]
    turn.say("\n".join(lines))

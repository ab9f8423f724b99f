"""Recording a discussion from one pasted note: the note read into the 2.81 points, corrections by point ("point 3:
with her grandmother"), and what the draft shows before it is saved (points not discussed, sentences under no point,
the follow-ups it will set)."""

from __future__ import annotations

import re
from datetime import datetime

from actions.casefile_tasks import NOTE_SLOTS, POINT_SLOTS, Updates, point_options
from actions.casefile_turn import Turn, choose, is_manager, other_parties
from casefile import NOT_DISCUSSED, POINTS
from casefile.follow_ups import actions_in, due_text
from casefile.note_points import DECISION_LINE, choice_in, core_not_discussed, looks_like_note, read_note
from casefile.points import CHOICES, LABELS, POINT_KEYS
from casefile.views import StaffMember
from knowledge.moments import now

CORRECTION = re.compile(r"^\s*(?:point\s*)?(\d{1,2})\s*[:.)\-]\s*(\S.*)$", re.I | re.S)
SAVE_ANYWAY = ("save", "Save anyway")
__all__ = ["NOTE_SLOTS", "SAVE_ANYWAY", "correction", "correction_help", "draft_extras", "draft_points", "note_updates"]
# A note given as the answer to the first point is read as a whole note when its sentences speak to this many points.
NOTE_IN_ANSWER_POINTS = 3


async def note_updates(turn: Turn, text: str, *, first_answer: bool = False) -> Updates:
    """The slots a whole note fills: every point, when the discussion took place and with whom, if it says so."""
    if not looks_like_note(text):
        return None
    draft = read_note(text, now())
    if first_answer and len({s.point for s in draft.sentences if s.point in POINT_KEYS}) < NOTE_IN_ANSWER_POINTS:
        return None
    updates: dict[str, str | None] = {
        f"point_{key}": NOT_DISCUSSED if value is None else value for key, value in draft.points.items()
    }
    updates["note_unplaced"] = "\n".join(draft.about_discussion) or None
    updates["decision_reasons"] = draft.decision_reasons
    if draft.discussed_at is not None and not turn.slot("discussed_at"):
        updates["discussed_at"] = draft.discussed_at.isoformat()
    if not turn.slot("other_party"):
        other = await _named_other_party(turn, draft.about_discussion)
        if other is not None:
            updates["other_party"] = str(other.id)
    return updates


async def _named_other_party(turn: Turn, sentences: list[str]) -> StaffMember | None:
    """The one manager (or practitioner, for a manager) the note's sentences about the discussion name."""
    if not sentences:
        return None
    me = await turn.me()
    words = set(re.findall(r"[a-z'-]+", " ".join(sentences).lower()))
    named = [s for s in await other_parties(me) if s.name.lower().split()[0] in words]
    return named[0] if len(named) == 1 else None


def correction(text: str) -> Updates:
    """A correction of the draft by point ("point 3: with her grandmother", "2: immediate") or of the decision line
    ("decision: refer because ..."); None if the message is not one, {} if it is one that cannot be used."""
    decision = DECISION_LINE.match(text)
    if decision and text[decision.end() :].strip():
        return {"decision_reasons": text[decision.end() :].strip(), "record_confirmation": None}
    match = CORRECTION.match(text)
    if not match or not 1 <= int(match.group(1)) <= len(POINTS):
        return None
    key = POINTS[int(match.group(1)) - 1][0]
    said = match.group(2).strip()
    value = choose(said, point_options(key))
    if value is None:
        value = choice_in(key, said) if key in CHOICES else said
    if value is None:
        return {}
    return {f"point_{key}": value, "record_confirmation": None}


def correction_help(text: str) -> str | None:
    """Why a correction could not be used, if the message was one."""
    match = CORRECTION.match(text)
    if not match:
        return None
    number = int(match.group(1))
    if not 1 <= number <= len(POINTS):
        return f"There are {len(POINTS)} points (Framework 2.81): give a number from 1 to {len(POINTS)}."
    key = POINTS[number - 1][0]
    return f'Point {number}, "{LABELS[key]}", is one of: {", ".join(w for _, w in point_options(key))}.'


def draft_points(turn: Turn) -> dict[str, str | None]:
    """The draft's points as they will be stored: None where not discussed."""
    return {key: _stored(turn.slot(slot)) for slot, key in POINT_SLOTS.items()}


def _stored(value: str | None) -> str | None:
    return None if value is None or value.strip().lower() == NOT_DISCUSSED.lower() else value


def draft_extras(turn: Turn, me: StaffMember, other: StaffMember | None) -> tuple[str, bool]:
    """What the draft shows after its points, and whether core points are not discussed (then "Save anyway")."""
    lines = []
    unplaced = turn.slot("note_unplaced")
    if unplaced:
        lines += ["", "Under no point (about the discussion itself):", *(f"    {s}" for s in unplaced.split("\n"))]
    reasons = turn.slot("decision_reasons")
    lines += ["", "Decision agreed and why (Framework 3.62):", f"    {reasons or 'Not recorded'}"]
    points = draft_points(turn)
    discussed = turn.slot("discussed_at")
    if points["action_and_timescale"] and discussed:
        manager = me if is_manager(me) else other
        names = tuple(manager.name.lower().split()[:1]) if manager is not None else ()
        actions = actions_in(points["action_and_timescale"], datetime.fromisoformat(discussed), names)
        timed = [a for a in actions if a.due_at is not None]
        untimed = [a for a in actions if a.due_at is None]
        if timed:
            lines += ["", "Follow-ups it will set, each owner reminded before and when due:"]
            lines += [
                f"    • {a.text} ({'the manager' if a.owner == 'manager' else 'the practitioner'}, "
                f"{due_text(a.due_at)})"
                for a in timed
            ]
        if untimed:
            lines += ["", "No time given, so no reminder (add one to point 10 if there should be):"]
            lines += [f"    • {a.text}" for a in untimed]
    missing = core_not_discussed(points)
    if missing:
        numbers = ", ".join(f"{POINT_KEYS.index(k) + 1} ({LABELS[k].lower()})" for k in missing)
        lines += [
            "",
            f"Not discussed: {numbers}. The Framework asks the discussion to cover these (2.81); the record will "
            "say they were not discussed.",
        ]
    lines += [
        "",
        'To correct a point, write it with its number, e.g. "point 3: with her grandmother"; to record why the '
        'decision was made, "decision: ...".',
    ]
    return "\n".join(lines), bool(missing)

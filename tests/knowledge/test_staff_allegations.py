"""Allegations or concerns about a member of staff against Framework 4.13-4.25, over every combination of facts."""

from dataclasses import replace
from functools import cache
from itertools import product

import pytest

from knowledge.currency import since_then
from knowledge.decision import MissingFacts
from knowledge.staff_allegations import (
    StaffAllegationFacts,
    decide_staff_allegation,
    load_staff_allegations,
    missing_facts,
)
from tests.knowledge.conftest import assert_all_quoted

# The 4.15 list, copied by hand from the Framework.
CONCERNS = {
    "abuse_of_child_professional_access": "the possible abuse of a child by a person, with professional access to that child",
    "abuse_of_child_outside_work": "the possible abuse of a child by a member of Cafcass staff, in situations outside the arena of work",
    "physical_abuse_of_adult": "the possible physical abuse of another adult by a member of Cafcass staff",
    "child_protection_inquiry": "the involvement of a member of Cafcass staff in a child welfare (protection) inquiry by the Local Authority",
    "other_unsuitability": "any other behaviour that indicates that a staff member may be unsuitable to work with children",
}
ASKING_ORDER = {
    "concern_type": tuple(CONCERNS),
    "staff_status": ("employed", "self_employed_contractor", "board_member"),
    "received_as_complaint": (True, False),
    "registered_with_regulator": (True, False),
}
WORDS = {
    "line manager": ("4.16", "must immediately be discussed with the member of staff's line manager"),
    "chair": ("4.16", "For a Board member the discussion will be with the Chair and Chief Executive."),
    "complaints": ("4.17", "This should not be within the complaints process."),
    "regional director": ("4.18", "The regional director must be informed immediately"),
    "lado": ("4.19", "This notification should be made to the Local Authority Designated Officer."),
    "recording": ("4.20", "The recording requirements for a referral involving a staff member"),
    "strategy discussion": ("4.21", "a strategy discussion will be convened by the Local Authority or the police"),
    "three strands": ("4.22", "three related, but independent, strands"),
    "disciplinary": (
        "4.23",
        "either under the Disciplinary Procedure (for employed staff) or the contract review process",
    ),
    "work decisions": ("4.24", "will be dealt with under the Performance and Conduct policy"),
    "fairly": ("4.14", "All such matters will be investigated fairly"),
    "gscc": ("4.25", "the GSCC and the regulatory child protection bodies must be notified"),
    "senior manager": ("4.13", "the Corporate Director with safeguarding responsibility as the Senior Manager"),
}
ALWAYS = {
    "line manager",
    "lado",
    "recording",
    "strategy discussion",
    "three strands",
    "disciplinary",
    "work decisions",
    "fairly",
    "senior manager",
}
NOTE_START = {
    "employed": "Employed staff",
    "self_employed_contractor": "A self-employed contractor",
    "board_member": "A Board member",
}


def expected_outcome(f: StaffAllegationFacts) -> tuple:
    """4.13-4.25 read by hand, for facts that are all known: (code, parts quoted, whose procedure applies)."""
    abuse_of_a_child = f.concern_type in ("abuse_of_child_professional_access", "abuse_of_child_outside_work")
    parts = set(ALWAYS)
    if f.staff_status == "board_member":
        parts.add("chair")
    if f.received_as_complaint:
        parts.add("complaints")
    if abuse_of_a_child:
        parts.add("regional director")
    if f.registered_with_regulator:
        parts.add("gscc")
    code = "staff_allegation_inform_regional_director" if abuse_of_a_child else "staff_allegation_refer_lado"
    return code, frozenset(parts), f.concern_type, f.staff_status


@cache
def expected_missing(f: StaffAllegationFacts) -> tuple[str, ...]:
    unknown = [name for name in ASKING_ORDER if getattr(f, name) is None]
    needed = []
    for name in unknown:
        others = [other for other in unknown if other != name]
        for values in product(*(ASKING_ORDER[other] for other in others)):
            base = replace(f, **dict(zip(others, values)))
            if len({expected_outcome(replace(base, **{name: v})) for v in ASKING_ORDER[name]}) > 1:
                needed.append(name)
                break
    return tuple(needed)


def test_every_combination_of_facts():
    decided = 0
    for values in product(*((None, *values) for values in ASKING_ORDER.values())):
        facts = StaffAllegationFacts(*values)
        missing = missing_facts(facts)
        assert tuple(missing) == expected_missing(facts), facts
        if missing:
            with pytest.raises(MissingFacts):
                decide_staff_allegation(facts)
            continue
        decision = decide_staff_allegation(facts)
        code, parts, concern, status = expected_outcome(facts)
        assert decision.code == code, facts
        quoted = {
            part
            for part, (citation, words) in WORDS.items()
            if any(step.citation == citation and words in step.quote for step in decision.steps)
        }
        assert quoted == parts, facts
        notes = [note.name for note in since_then(step.quote for step in decision.steps)]
        assert ("gscc" in notes) is bool(facts.registered_with_regulator), facts
        assert decision.steps[0].citation == "4.15" and CONCERNS[concern] in decision.steps[0].quote
        for part in ("disciplinary", "work decisions"):
            citation, words = WORDS[part]
            (step,) = [s for s in decision.steps if s.citation == citation and words in s.quote]
            assert step.note.startswith(NOTE_START[status]), (facts, part)
        decided += 1
    assert decided == 5 * 3 * 2 * 2


def test_a_board_member_is_discussed_with_the_chair_and_chief_executive():
    decision = decide_staff_allegation(StaffAllegationFacts("other_unsuitability", "board_member", False, False))
    assert decision.headline.startswith("A Board member: the discussion is with the Chair and Chief Executive (4.16).")
    notes = [step.note for step in decision.steps if step.citation in ("4.23", "4.24") and step.note]
    assert len(notes) == 2 and all("only for employed staff" in note for note in notes)


def test_abuse_of_a_child_goes_to_the_regional_director_immediately():
    decision = decide_staff_allegation(StaffAllegationFacts("abuse_of_child_outside_work", "employed", False, False))
    assert decision.code == "staff_allegation_inform_regional_director"
    assert "regional director must be informed immediately" in decision.headline
    assert "Local Authority Designated Officer" in decision.headline


def test_the_4_25_step_stays_with_a_since_then_note_on_todays_regulator():
    decision = decide_staff_allegation(StaffAllegationFacts("other_unsuitability", "employed", False, True))
    assert any(
        step.citation == "4.25" and "General Social Care Council (GSCC)" in step.quote for step in decision.steps
    )
    assert "registered with a professional regulator" in decision.headline
    (note,) = [note for note in since_then(step.quote for step in decision.steps) if note.name == "gscc"]
    assert "Social Work England" in str(note) and "Children and Social Work Act 2017" in str(note)
    assert "Social Work England" not in " ".join(step.quote for step in decision.steps)


def test_all_four_facts_are_asked():
    assert missing_facts(StaffAllegationFacts()) == list(ASKING_ORDER)


def test_every_step_is_quoted_word_for_word():
    assert_all_quoted(load_staff_allegations().steps.values())

"""What to do with an allegation or concern that a member of Cafcass staff may be unsuitable to work with children
(Framework 4.13-4.25)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from knowledge.decision import (
    Decision,
    DecisionData,
    check_facts,
    decide_when_known,
    facts_still_needed,
    load_decision_data,
    unique,
)

DATA = Path(__file__).parent / "data" / "staff_allegations.yml"

CODES = ("staff_allegation_inform_regional_director", "staff_allegation_refer_lado")
# The five kinds of concern 4.15 lists, in its order.
CONCERN_TYPES = (
    "abuse_of_child_professional_access",
    "abuse_of_child_outside_work",
    "physical_abuse_of_adult",
    "child_protection_inquiry",
    "other_unsuitability",
)
# The kinds that implicate the member of staff in the abuse of a child (4.18).
ABUSE_OF_A_CHILD = ("abuse_of_child_professional_access", "abuse_of_child_outside_work")
STAFF_STATUS = ("employed", "self_employed_contractor", "board_member")
SUFFIX = {"employed": "employed", "self_employed_contractor": "contractor", "board_member": "board_member"}
STEPS = (
    *(f"concern_{kind}" for kind in CONCERN_TYPES),
    "discuss_with_line_manager",
    "discuss_with_chair",
    "not_the_complaints_process",
    "inform_regional_director",
    "notify_lado",
    "recording",
    "strategy_discussion",
    "three_strands",
    "strands_managed",
    *(f"{name}_{suffix}" for name in ("disciplinary", "work_decisions") for suffix in SUFFIX.values()),
    "investigated_fairly",
    "notify_regulator",
    "senior_manager",
)
HEADLINES = (
    "discuss_with_line_manager",
    "discuss_with_chair",
    "inform_regional_director",
    "notify_lado",
    "not_the_complaints_process",
    "notify_regulator",
)


@dataclass(frozen=True)
class StaffAllegationFacts:
    """What is known about the allegation or concern; None where not said yet.

    concern_type: which of the concerns listed in 4.15 (CONCERN_TYPES). staff_status: whether
    the person is "employed", a "self_employed_contractor" or a "board_member" (4.15-4.16,
    4.23-4.24). received_as_complaint: it came to Cafcass as part of a complaint (4.17).
    registered_with_regulator: the member of staff is registered with a professional regulator: the General Social
    Care Council in 2007 (4.25), Social Work England for social workers in England today (see knowledge.currency).
    Asked in today's terms so that the 4.25 step never drops out because its 2007 body has gone.
    """

    concern_type: str | None = None
    staff_status: str | None = None
    received_as_complaint: bool | None = None
    registered_with_regulator: bool | None = None


FACT_VALUES: dict[str, tuple] = {
    "concern_type": CONCERN_TYPES,
    "staff_status": STAFF_STATUS,
    "received_as_complaint": (True, False),
    "registered_with_regulator": (True, False),
}


@lru_cache(maxsize=1)
def load_staff_allegations() -> DecisionData:
    """The quoted steps and headline parts of staff_allegations.yml, checked word for word against the Framework."""
    return load_decision_data(DATA, STEPS, HEADLINES)


@cache
def _decide_known(facts: StaffAllegationFacts) -> Decision:
    steps, headlines, _ = load_staff_allegations()
    board = facts.staff_status == "board_member"
    abuse_of_a_child = facts.concern_type in ABUSE_OF_A_CHILD
    suffix = SUFFIX[facts.staff_status]
    keys = [f"concern_{facts.concern_type}", "discuss_with_line_manager"]
    lines = ["discuss_with_line_manager"]
    if board:
        keys.append("discuss_with_chair")
        lines = ["discuss_with_chair"]
    if facts.received_as_complaint:
        keys.append("not_the_complaints_process")
        lines.append("not_the_complaints_process")
    if abuse_of_a_child:
        keys.append("inform_regional_director")
        lines.append("inform_regional_director")
    keys += [
        "notify_lado",
        "recording",
        "strategy_discussion",
        "three_strands",
        "strands_managed",
        f"disciplinary_{suffix}",
        f"work_decisions_{suffix}",
        "investigated_fairly",
    ]
    lines.append("notify_lado")
    if facts.registered_with_regulator:
        keys.append("notify_regulator")
        lines.append("notify_regulator")
    keys.append("senior_manager")
    chosen = tuple(steps[key] for key in keys)
    return Decision(
        "staff_allegation_inform_regional_director" if abuse_of_a_child else "staff_allegation_refer_lado",
        " ".join(headlines[line] for line in lines),
        chosen,
        unique(s.citation for s in chosen),
    )


def missing_facts(facts: StaffAllegationFacts) -> list[str]:
    """The facts still needed for a decision, in asking order, given the ones known."""
    check_facts(facts, FACT_VALUES)
    return facts_still_needed(facts, FACT_VALUES, _decide_known)


def decide_staff_allegation(facts: StaffAllegationFacts) -> Decision:
    """What the Framework requires for an allegation or concern about a member of staff; MissingFacts if not yet
    decidable."""
    return decide_when_known(facts, FACT_VALUES, _decide_known)

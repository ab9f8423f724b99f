"""Duty screening of a new private law application (Framework 2.16-2.25, 3.67-3.69): the checks, who reviews them, and
what a concern or an urgent hearing calls for."""

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

DATA = Path(__file__).parent / "data" / "screening.yml"

# Most protective first: where several apply, the first leads and the others' headlines follow.
CODES = (
    "screening_child_protection_referral",
    "screening_concern_safety_assessment",
    "screening_urgent_hearing",
    "screening_checklist",
    "screening_public_law",
)
CONCERNS = ("none", "not_at_referral_level", "referral_level")
STEPS = (
    "section_8_applications",
    "screening_sources",
    "police_check",
    "repeat_for_other_names",
    "review",
    "review_allocated",
    "review_not_allocated",
    "before_checks",
    "before_checks_if_asked",
    "tell_the_court_in_writing",
    "safety_assessment",
    "what_a_safety_assessment_is",
    "referral_required",
    "service_manager_first",
    "not_adequate_alone",
    "public_law_confirm",
    "public_law_not_assumed",
    "public_law_register",
    "public_law_safety_assessment",
    "public_law_new_issues",
)
CHECKLIST = ("section_8_applications", "screening_sources", "police_check", "repeat_for_other_names")


@dataclass(frozen=True)
class ScreeningFacts:
    """What the duty officer knows about the application; None where not said yet.

    law: "private" or "public". screening_concern: whether any information so far (the forms,
    checks back, anything else) indicates a concern: "none", "not_at_referral_level" (a concern,
    but not at a level to require the immediate referral to LACSC, 2.24) or "referral_level".
    screening_results_received: whether the results of the checks are back.
    checks_not_possible_before_hearing: the court asks Cafcass to act before the checks can be
    done (2.22, 3.69). case_allocated: whether the case has been allocated to a practitioner (2.23).
    """

    law: str | None = None
    screening_concern: str | None = None
    screening_results_received: bool | None = None
    checks_not_possible_before_hearing: bool | None = None
    case_allocated: bool | None = None


FACT_VALUES: dict[str, tuple] = {
    "law": ("private", "public"),
    "screening_concern": CONCERNS,
    "screening_results_received": (True, False),
    "checks_not_possible_before_hearing": (True, False),
    "case_allocated": (True, False),
}


@lru_cache(maxsize=1)
def load_screening() -> DecisionData:
    """The quoted steps and outcome headlines of screening.yml, checked word for word against the Framework."""
    return load_decision_data(DATA, STEPS, CODES)


def _decision(codes: list[str], keys: list[str]) -> Decision:
    steps, headlines, _ = load_screening()
    chosen = tuple(steps[key] for key in keys)
    return Decision(
        codes[0],
        " Also: ".join(headlines[code] for code in codes),
        chosen,
        unique(step.citation for step in chosen),
    )


@cache
def _decide_known(facts: ScreeningFacts) -> Decision:
    if facts.law == "public":
        return _decision(
            ["screening_public_law"],
            [
                "public_law_confirm",
                "public_law_not_assumed",
                "public_law_register",
                "public_law_safety_assessment",
                "public_law_new_issues",
            ],
        )
    if facts.screening_concern == "referral_level":
        return _decision(
            ["screening_child_protection_referral", "screening_checklist"],
            [
                "service_manager_first",
                "referral_required",
                "before_checks_if_asked",
                "tell_the_court_in_writing",
                *CHECKLIST,
                "review",
                "not_adequate_alone",
            ],
        )
    codes: list[str] = []
    keys: list[str] = []
    if facts.screening_concern == "not_at_referral_level":
        codes.append("screening_concern_safety_assessment")
        keys += ["safety_assessment", "what_a_safety_assessment_is"]
    if facts.screening_results_received is False and facts.checks_not_possible_before_hearing:
        codes.append("screening_urgent_hearing")
        keys += ["before_checks", "tell_the_court_in_writing"]
    codes.append("screening_checklist")
    keys += [*CHECKLIST, "review_allocated" if facts.case_allocated else "review_not_allocated", "not_adequate_alone"]
    return _decision(codes, keys)


def missing_facts(facts: ScreeningFacts) -> list[str]:
    """The facts still needed for a decision, in asking order, given the ones known."""
    check_facts(facts, FACT_VALUES)
    return facts_still_needed(facts, FACT_VALUES, _decide_known)


def decide_screening(facts: ScreeningFacts) -> Decision:
    """What screening calls for on these facts; MissingFacts if an unknown fact could still change it.

    A concern at the level of a referral leads at once: the referral does not wait for the
    checks, the hearing or the allocation, so those are not asked.
    """
    return decide_when_known(facts, FACT_VALUES, _decide_known)

"""Whether Cafcass makes a police check on an application (Framework 2.17-2.22, 3.67-3.76)."""

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

DATA = Path(__file__).parent / "data" / "police_check.yml"

CODES = ("police_check", "no_police_check", "ask_la_to_confirm")
EXCLUDED = (
    "specific_issue_or_prohibited_steps",
    "parental_responsibility_not_linked_with_other_issues",
    "inherent_jurisdiction",
)
APPLICATION_TYPES = (*EXCLUDED, "other")
PUBLIC_LAW = ("public_law_confirm", "public_law_not_assumed", "public_law_register")
BEFORE_CHECKS = ("before_checks", "tell_the_court_in_writing")
CONSENT = ("written_consent", "reason_not_to_seek_consent")
RELEVANT_INDIVIDUALS = ("relevant_individuals", "relevant_individuals_include", *CONSENT)
EXTENDED_CHECKS = ("extended_checks_examples", "extended_checks_principles", *CONSENT)
STEPS = (
    "will_be_made",
    "none_of_the_three",
    "not_listed",
    *(f"excluded_{kind}" for kind in EXCLUDED),
    "judgement_criteria_later",
    "judgement_and_criteria_later",
    "screening",
    "review",
    *PUBLIC_LAW,
    "repeat_for_other_names",
    *BEFORE_CHECKS,
    *CONSENT,
    "relevant_individuals",
    "relevant_individuals_include",
    "extended_checks_examples",
    "extended_checks_principles",
)
HEADLINES = (*CODES, "no_police_check_not_listed")


@dataclass(frozen=True)
class PoliceCheckFacts:
    """The facts the police check turns on; None where the practitioner has not said yet.

    The first five decide it. law: "private" or "public". harm_raised: issues are raised as to
    risk of harm to the child (harm tick box or any other information). welfare_work_requested:
    the court requests further work on welfare grounds (a section 7 report, a Family Assistance
    Order). professional_judgement_risk: in the Cafcass officer's professional judgement an
    issue suggests a potential risk of harm and the child's interests require the check.
    application_type: one of APPLICATION_TYPES.

    The last four only add steps, when True: the court asks Cafcass to act before the checks
    can be done; an adult has been known by more than one name or address over the last five
    years, not known at the first check; further relevant individuals are identified; extended
    checks with other organisations are being considered.
    """

    law: str | None = None
    harm_raised: bool | None = None
    welfare_work_requested: bool | None = None
    professional_judgement_risk: bool | None = None
    application_type: str | None = None
    checks_not_possible_before_hearing: bool | None = None
    other_names_or_addresses: bool | None = None
    relevant_individuals_identified: bool | None = None
    extended_checks_considered: bool | None = None


FACT_VALUES: dict[str, tuple] = {
    "law": ("private", "public"),
    "harm_raised": (True, False),
    "welfare_work_requested": (True, False),
    "professional_judgement_risk": (True, False),
    "application_type": APPLICATION_TYPES,
}
ADDED_STEP_FACTS: dict[str, tuple] = {
    "checks_not_possible_before_hearing": (True, False),
    "other_names_or_addresses": (True, False),
    "relevant_individuals_identified": (True, False),
    "extended_checks_considered": (True, False),
}


@lru_cache(maxsize=1)
def load_police_check() -> DecisionData:
    """The quoted steps and outcome headlines of police_check.yml, checked word for word against the Framework."""
    return load_decision_data(DATA, STEPS, HEADLINES)


def _added_steps(facts: PoliceCheckFacts) -> list[str]:
    keys: list[str] = []
    if facts.other_names_or_addresses and facts.law == "private":
        keys.append("repeat_for_other_names")
    if facts.relevant_individuals_identified:
        keys.extend(RELEVANT_INDIVIDUALS)
    if facts.extended_checks_considered:
        keys.extend(EXTENDED_CHECKS)
    if facts.checks_not_possible_before_hearing:
        keys.extend(BEFORE_CHECKS)
    return keys


def _decision(code: str, headline: str, keys: list[str], facts: PoliceCheckFacts) -> Decision:
    data = load_police_check()
    all_steps = unique(data.steps[key] for key in [*keys, *_added_steps(facts)])
    return Decision(code, data.headlines[headline], all_steps, unique(s.citation for s in all_steps))


@cache
def _decide_known(facts: PoliceCheckFacts) -> Decision:
    if facts.law == "public":
        return _decision("ask_la_to_confirm", "ask_la_to_confirm", list(PUBLIC_LAW), facts)
    if facts.harm_raised or facts.welfare_work_requested or facts.professional_judgement_risk:
        return _decision("police_check", "police_check", ["will_be_made", "screening", "review"], facts)
    if facts.application_type in EXCLUDED:
        return _decision(
            "no_police_check",
            "no_police_check",
            [f"excluded_{facts.application_type}", "screening", "judgement_criteria_later"],
            facts,
        )
    return _decision(
        "no_police_check",
        "no_police_check_not_listed",
        ["none_of_the_three", "not_listed", "screening", "judgement_and_criteria_later"],
        facts,
    )


def missing_facts(facts: PoliceCheckFacts) -> list[str]:
    """The facts still needed for a decision, in asking order, given the ones known."""
    check_facts(facts, {**FACT_VALUES, **ADDED_STEP_FACTS})
    return facts_still_needed(facts, FACT_VALUES, _decide_known)


def decide_police_check(facts: PoliceCheckFacts) -> Decision:
    """Whether a police check is made; MissingFacts if an unknown fact could still change the answer."""
    check_facts(facts, {**FACT_VALUES, **ADDED_STEP_FACTS})
    return decide_when_known(facts, FACT_VALUES, _decide_known)

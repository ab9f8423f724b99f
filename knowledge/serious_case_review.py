"""What to do when a child has died or been seriously injured: who to tell, the referral, the Serious Case Review and
securing the files (Framework 3.28-3.48)."""

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

DATA = Path(__file__).parent / "data" / "serious_case_review.yml"

CODES = (
    "scr_child_protection_referral",
    "scr_secure_files",
    "scr_notify_service_manager",
    "scr_no_cafcass_involvement",
)
INVOLVEMENT = ("current", "closed", "none")
SCR_STATUS = ("to_be_held", "being_considered", "not_identified", "decided_against")
STEPS = (
    "inform_service_manager",
    "closed_case",
    "referral_current",
    "significant_harm_referral",
    "duty_to_refer",
    "service_manager_first",
    "notification_form",
    "support_for_staff",
    "possible_need_for_review",
    "review_anyway",
    "secure_earlier",
    "notification_of_review",
    "review_panel",
    "appointed_service_manager",
    "secure_on_notification",
    "secured_as_they_were",
    "later_recordings",
    "open_cases_copy",
    "stored_by_regional_director",
    "inform_the_court",
    "no_involvement_panel",
)
HEADLINES = (
    "referral_current",
    "referral_closed_case",
    "referral_no_involvement",
    "notify_current",
    "notify_closed_case",
    "secure_files",
    "being_considered",
    "no_involvement",
)
# The steps for each stage of the Serious Case Review, for a case known to Cafcass.
STATUS_STEPS = {
    "to_be_held": (
        "notification_of_review",
        "review_panel",
        "appointed_service_manager",
        "secure_on_notification",
        "secured_as_they_were",
        "later_recordings",
        "open_cases_copy",
        "stored_by_regional_director",
        "inform_the_court",
    ),
    "being_considered": ("secure_earlier", "review_anyway"),
    "not_identified": ("possible_need_for_review", "review_anyway"),
    "decided_against": ("review_anyway",),
}


@dataclass(frozen=True)
class SeriousCaseReviewFacts:
    """What is known after a child's death or serious injury; None where not said yet.

    cafcass_involvement: "current" (a child with whom Cafcass is currently working, 3.34),
    "closed" (a case known to Cafcass and closed, 2.11) or "none" (no Cafcass involvement, 3.33).
    child_or_other_child_at_risk: it appears that the child, or any other child, is at risk (3.34).
    scr_status: "to_be_held" (notification received that a Serious Case Review is to be held,
    3.43), "being_considered" (consideration is being given to the need for one, 3.44),
    "not_identified" (the LSCB has not so far identified a need, 3.36) or "decided_against"
    (the LSCB decides not to conduct one, 3.37).
    """

    cafcass_involvement: str | None = None
    child_or_other_child_at_risk: bool | None = None
    scr_status: str | None = None


FACT_VALUES: dict[str, tuple] = {
    "cafcass_involvement": INVOLVEMENT,
    "child_or_other_child_at_risk": (True, False),
    "scr_status": SCR_STATUS,
}


@lru_cache(maxsize=1)
def load_serious_case_review() -> DecisionData:
    """The quoted steps and headlines of serious_case_review.yml, checked word for word against the Framework."""
    return load_decision_data(DATA, STEPS, HEADLINES)


@cache
def _decide_known(facts: SeriousCaseReviewFacts) -> Decision:
    steps, headlines, _ = load_serious_case_review()
    at_risk = facts.child_or_other_child_at_risk
    if facts.cafcass_involvement == "none":
        keys = ["duty_to_refer", "service_manager_first"] if at_risk else []
        keys.append("no_involvement_panel")
        lines = ["referral_no_involvement"] if at_risk else []
        lines.append("no_involvement")
        code = "scr_child_protection_referral" if at_risk else "scr_no_cafcass_involvement"
    else:
        current = facts.cafcass_involvement == "current"
        keys = ["inform_service_manager" if current else "closed_case"]
        if at_risk:
            keys += ["referral_current" if current else "significant_harm_referral", "service_manager_first"]
        keys += ["notification_form", "support_for_staff", *STATUS_STEPS[facts.scr_status]]
        lines = ["referral_current" if current else "referral_closed_case"] if at_risk else []
        lines.append("notify_current" if current else "notify_closed_case")
        if facts.scr_status == "to_be_held":
            lines.append("secure_files")
        if facts.scr_status == "being_considered":
            lines.append("being_considered")
        if at_risk:
            code = "scr_child_protection_referral"
        elif facts.scr_status == "to_be_held":
            code = "scr_secure_files"
        else:
            code = "scr_notify_service_manager"
    chosen = tuple(steps[key] for key in keys)
    return Decision(code, " ".join(headlines[line] for line in lines), chosen, unique(s.citation for s in chosen))


def missing_facts(facts: SeriousCaseReviewFacts) -> list[str]:
    """The facts still needed for a decision, in asking order, given the ones known."""
    check_facts(facts, FACT_VALUES)
    return facts_still_needed(facts, FACT_VALUES, _decide_known)


def decide_serious_case_review(facts: SeriousCaseReviewFacts) -> Decision:
    """What the Framework requires after a child's death or serious injury; MissingFacts if not yet decidable."""
    return decide_when_known(facts, FACT_VALUES, _decide_known)

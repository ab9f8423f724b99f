"""Reads the case facts a message states (law, application, harm box, C1A, harm and when, consent, referral), for
every walkthrough at once, and says which decisions a case described without a question calls for."""

from __future__ import annotations

import re
from datetime import datetime

from knowledge.walkthroughs import Walkthrough, load_walkthroughs

# The decisions a described case is offered, in this order, and the facts that make each one apply.
TRIAGE = {
    "police_check": ("law", "application_type", "harm_raised", "question_7", "welfare_work_requested"),
    "section_120": (
        "question_7",
        "c1a_completed",
        "previously_at_risk_from_witnessing_harm",
        "still_at_risk_from_witnessing_harm",
        "other_types_of_harm",
    ),
    "referral_type": ("significant_harm", "past_significant_harm", "referral_made_at", "child_consents"),
    "screening": ("checks_not_possible_before_hearing", "screening_results_received", "case_allocated"),
}
# A message asks something when a clause ends with "?" or it opens as a question does.
QUESTION = re.compile(
    r"\?|^\s*(what|when|where|which|who|whom|why|how|do|does|did|is|are|can|could|should|would|will|must|shall|"
    r"have|has|may)\b",
    re.IGNORECASE,
)


def read_facts(text: str, now: datetime | None = None) -> dict[str, object]:
    """Every fact the message states clearly, read as each walkthrough reads it; a fact read two ways is left out."""
    found: dict[str, object] = {}
    doubtful: set[str] = set()
    for walkthrough in load_walkthroughs().values():
        for fact, value in walkthrough.extract(text, now).items():
            if fact in found and found[fact] != value:
                doubtful.add(fact)
            found.setdefault(fact, value)
    return {fact: value for fact, value in found.items() if fact not in doubtful}


def asks_something(text: str) -> bool:
    """Whether the message asks a question, rather than only describing a case."""
    return bool(QUESTION.search(text or ""))


def decisions_for(facts: dict[str, object]) -> list[tuple[Walkthrough, dict[str, object]]]:
    """The walkthroughs a case with these facts calls for, each with the facts it would start from."""
    walkthroughs = load_walkthroughs()
    chosen = []
    for name, triggers in TRIAGE.items():
        walkthrough = walkthroughs.get(name)
        if walkthrough is None or not any(f in facts for f in triggers):
            continue
        chosen.append((walkthrough, {f: v for f, v in facts.items() if f in walkthrough.facts}))
    return chosen

"""A child's death or serious injury against Framework 2.11, 2.61, 2.67, 2.81 and 3.32-3.48, over every combination of
facts."""

from dataclasses import replace
from functools import cache
from itertools import product

import pytest

from knowledge.decision import MissingFacts
from knowledge.serious_case_review import (
    SeriousCaseReviewFacts,
    decide_serious_case_review,
    load_serious_case_review,
    missing_facts,
)
from tests.knowledge.conftest import assert_all_quoted

ASKING_ORDER = {
    "cafcass_involvement": ("current", "closed", "none"),
    "child_or_other_child_at_risk": (True, False),
    "scr_status": ("to_be_held", "being_considered", "not_identified", "decided_against"),
}
# Words of each paragraph the outcome must quote, copied by hand from framework.txt.
WORDS = {
    "inform SM": ("3.34", "Practitioners must immediately inform their Service Manager"),
    "closed case": (
        "2.11",
        "Following closure, any received child welfare concerns will be dealt with by the Service Manager.",
    ),
    "3.34 referral": ("3.34", "Cafcass must make a child protection referral"),
    "2.67 referral": ("2.67", "then a referral to Children's Social Care must be made"),
    "2.61 duty": ("2.61", "Professionals in all agencies have a duty to refer a child to LACSC"),
    "SM first": ("2.81", "must first discuss this with their Service Manager"),
    "notification form": (
        "3.35",
        "Using the SCR notification form (see resource pack) the Service Manager will immediately inform",
    ),
    "support": ("3.32", "The need to provide support to those involved should be considered"),
    "possible need": ("3.36", "but the LSCB has not so far identified this"),
    "lessons": ("3.37", "Cafcass will still review the case to identify any lessons learned"),
    "secure earlier": ("3.44", "may require the case file to be secured at any earlier point"),
    "rep notifies": ("3.40", "the Cafcass representative on the LSCB will immediately notify"),
    "panel": ("3.41", "It is important for Cafcass to sit on the review panel"),
    "appointed SM": ("3.42", "to make immediate arrangements for the securing of all files and notes"),
    "secured on notification": ("3.43", "Case files must be secured as soon as notification is received"),
    "as they were": ("3.44", "in the form in which they existed at the time of the notification"),
    "later recordings": ("3.45", "the date that these recordings were made should be clearly marked"),
    "open case copy": ("3.46", "the practitioner should be given a full copy of the original file"),
    "stored": ("3.47", "The files must be securely stored by the Regional Director."),
    "court": ("3.48", "The court should be informed of the Serious Case Review"),
    "no involvement panel": ("3.33", "In cases where Cafcass has had no involvement"),
}
FILES_SECURED = (
    "rep notifies",
    "panel",
    "appointed SM",
    "secured on notification",
    "as they were",
    "later recordings",
    "open case copy",
    "stored",
    "court",
)


def expected_outcome(f: SeriousCaseReviewFacts) -> tuple:
    """3.32-3.48 (with 2.11, 2.61, 2.67, 2.81) read by hand, for facts that are all known: (code, parts quoted)."""
    at_risk = f.child_or_other_child_at_risk
    if f.cafcass_involvement == "none":
        parts = {"no involvement panel"} | ({"2.61 duty", "SM first"} if at_risk else set())
        return ("scr_child_protection_referral" if at_risk else "scr_no_cafcass_involvement"), frozenset(parts)
    parts = {"notification form", "support"}
    if f.cafcass_involvement == "current":
        parts |= {"inform SM"} | ({"3.34 referral", "SM first"} if at_risk else set())
    else:
        parts |= {"closed case"} | ({"2.67 referral", "SM first"} if at_risk else set())
    parts |= {
        "to_be_held": set(FILES_SECURED),
        "being_considered": {"secure earlier", "lessons"},
        "not_identified": {"possible need", "lessons"},
        "decided_against": {"lessons"},
    }[f.scr_status]
    if at_risk:
        code = "scr_child_protection_referral"
    elif f.scr_status == "to_be_held":
        code = "scr_secure_files"
    else:
        code = "scr_notify_service_manager"
    return code, frozenset(parts)


@cache
def expected_missing(f: SeriousCaseReviewFacts) -> tuple[str, ...]:
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


def parts_quoted(decision) -> frozenset:
    return frozenset(
        part
        for part, (citation, words) in WORDS.items()
        if any(step.citation == citation and words in step.quote for step in decision.steps)
    )


def test_every_combination_of_facts():
    decided = 0
    for values in product(*((None, *values) for values in ASKING_ORDER.values())):
        facts = SeriousCaseReviewFacts(*values)
        missing = missing_facts(facts)
        assert tuple(missing) == expected_missing(facts), facts
        if missing:
            with pytest.raises(MissingFacts):
                decide_serious_case_review(facts)
            continue
        decision = decide_serious_case_review(facts)
        known = replace(facts, **{n: v[0] for n, v in ASKING_ORDER.items() if getattr(facts, n) is None})
        code, parts = expected_outcome(known)
        assert decision.code == code, facts
        assert parts_quoted(decision) == parts, facts
        assert set(decision.citations) == {step.citation for step in decision.steps}
        decided += 1
    assert decided >= 20


def test_the_service_manager_is_told_first_in_an_open_case():
    decision = decide_serious_case_review(SeriousCaseReviewFacts("current", True, "to_be_held"))
    assert decision.steps[0].citation == "3.34"
    assert decision.steps[0].quote.startswith("Practitioners must immediately inform their Service Manager")
    assert "Cafcass must make a child protection referral (3.34)" in decision.headline
    assert "must be secured as soon as notification is received (3.43)" in decision.headline
    assert "the court should be informed of the Serious Case Review (3.48)" in decision.headline


def test_a_closed_case_says_3_34_does_not_apply_as_written():
    decision = decide_serious_case_review(SeriousCaseReviewFacts("closed", False, "not_identified"))
    assert decision.code == "scr_notify_service_manager"
    assert "3.34" not in decision.citations
    assert "does not apply as written" in decision.steps[0].note


def test_no_involvement_asks_nothing_about_the_review():
    assert missing_facts(SeriousCaseReviewFacts(cafcass_involvement="none")) == ["child_or_other_child_at_risk"]
    decision = decide_serious_case_review(SeriousCaseReviewFacts("none", False))
    assert decision.code == "scr_no_cafcass_involvement"
    assert decision.citations == ("3.33",)


def test_every_step_is_quoted_word_for_word():
    assert_all_quoted(load_serious_case_review().steps.values())

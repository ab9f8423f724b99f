"""Duty screening against Framework 2.16-2.25, 2.67, 2.81 and 3.67-3.69, over every combination of facts."""

from dataclasses import replace
from functools import cache
from itertools import product

import pytest
import yaml

from knowledge.decision import DecisionDataError, MissingFacts, load_decision_data
from knowledge.screening import CODES, DATA, STEPS, ScreeningFacts, decide_screening, load_screening, missing_facts
from tests.knowledge.conftest import assert_all_quoted

ASKING_ORDER = {
    "law": ("private", "public"),
    "screening_concern": ("none", "not_at_referral_level", "referral_level"),
    "screening_results_received": (True, False),
    "checks_not_possible_before_hearing": (True, False),
    "case_allocated": (True, False),
}
# Words of the Framework each part of the outcome must quote, copied by hand from framework.txt.
CHECKLIST = {
    "3.68": "Cafcass will receive copies of all section 8 applications from the court",
    "2.18": "In all private law applications there will be screening of:",
    "2.19": "a police check, including criminal records, domestic violence incidents",
    "2.17": "It may be necessary to repeat the process at a later stage",
    "2.23": "will review the results when they are received",
    "2.25": "it is not an adequate risk & safety assessment tool in isolation from other assessment",
}
URGENT = {
    "2.22": "when it is not possible to do the checks first (emergency applications)",
    "3.69": "the court should be made aware of this in writing and a record kept by Cafcass of what happened and why",
}
SAFETY_ASSESSMENT = {
    "2.24": "will advise the court of the need to implement a more detailed safety assessment",
    "2.31": "Safety Assessment is a more detailed process",
}
REFERRAL = {
    "2.81": "must first discuss this with their Service Manager",
    "2.67": "then a referral to Children's Social Care must be made in accordance with this procedure",
}
PUBLIC_LAW = {
    "2.21": "the Children's Guardian will ask the Local Authority to confirm the information detailed above",
    "3.67": "it must not be assumed that police checks, or any other checks, have been carried out",
    "2.24": "the Children's Guardian will need to ascertain that such an assessment has been undertaken",
    "2.77": "issues that are new, rather than issues that are already integral to the court proceedings",
}


def expected_outcome(f: ScreeningFacts) -> tuple:
    """2.16-2.25, 2.67, 2.81 and 3.67-3.69 read by hand, for facts that are all known.

    (code, the parts quoted, who reviews the results: "practitioner", "Service Manager" or None
    where the quote alone names both, whether 2.22 is conditional on the court asking).
    """
    if f.law == "public":
        return "screening_public_law", ("public",), None, False
    if f.screening_concern == "referral_level":
        # The referral does not wait for the checks, the hearing or the allocation (2.67, 2.81).
        return "screening_child_protection_referral", ("referral", "urgent", "checklist"), None, True
    parts, code = [], "screening_checklist"
    urgent = f.screening_results_received is False and f.checks_not_possible_before_hearing
    if urgent:
        parts.append("urgent")
        code = "screening_urgent_hearing"
    if f.screening_concern == "not_at_referral_level":
        parts.insert(0, "safety")
        code = "screening_concern_safety_assessment"
    parts.append("checklist")
    return code, tuple(parts), "practitioner" if f.case_allocated else "Service Manager", False


@cache
def expected_missing(f: ScreeningFacts) -> tuple[str, ...]:
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


def every_facts():
    for values in product(*((None, *values) for values in ASKING_ORDER.values())):
        yield ScreeningFacts(*values)


def quoted(decision, citation: str, words: str) -> bool:
    return any(step.citation == citation and words in step.quote for step in decision.steps)


PART_QUOTES = {
    "checklist": CHECKLIST,
    "urgent": URGENT,
    "safety": SAFETY_ASSESSMENT,
    "referral": REFERRAL,
    "public": PUBLIC_LAW,
}


def test_every_combination_of_facts():
    decided = 0
    for facts in every_facts():
        missing = missing_facts(facts)
        assert tuple(missing) == expected_missing(facts), facts
        if missing:
            with pytest.raises(MissingFacts) as raised:
                decide_screening(facts)
            assert raised.value.missing == missing
            continue
        decision = decide_screening(facts)
        known = replace(facts, **{n: v[0] for n, v in ASKING_ORDER.items() if getattr(facts, n) is None})
        code, parts, reviewer, conditional = expected_outcome(known)
        assert decision.code == code, facts
        for part, quotes in PART_QUOTES.items():
            for citation, words in quotes.items():
                assert quoted(decision, citation, words) is (part in parts), (facts, part, citation)
        review = [step for step in decision.steps if step.citation == "2.23"]
        if reviewer is None:
            assert all(not step.note for step in review)
        else:
            assert len(review) == 1 and f"the {reviewer} reviews the results" in review[0].note, facts
        before_checks = [step for step in decision.steps if step.citation == "2.22"]
        if before_checks:
            assert before_checks[0].note.startswith("If the court asks") is conditional
        assert set(decision.citations) == {step.citation for step in decision.steps}
        decided += 1
    assert decided > 30


@pytest.mark.parametrize(
    "facts, missing",
    [
        (ScreeningFacts(), list(ASKING_ORDER)),
        (ScreeningFacts(law="public"), []),
        (ScreeningFacts(law="private", screening_concern="referral_level"), []),
        (
            ScreeningFacts(law="private", screening_concern="none"),
            ["screening_results_received", "checks_not_possible_before_hearing", "case_allocated"],
        ),
        (ScreeningFacts(law="private", screening_concern="none", screening_results_received=True), ["case_allocated"]),
        (ScreeningFacts(screening_concern="referral_level"), ["law"]),
    ],
)
def test_asks_only_what_can_change_the_outcome(facts, missing):
    assert missing_facts(facts) == missing


def test_urgent_hearing_before_the_checks_are_back():
    decision = decide_screening(ScreeningFacts("private", "none", False, True, False))
    assert decision.code == "screening_urgent_hearing"
    assert "made aware of this in writing" in decision.headline
    assert [s.citation for s in decision.steps][:2] == ["2.22", "3.69"]


def test_a_concern_below_referral_level_leads_and_the_urgent_hearing_follows():
    decision = decide_screening(ScreeningFacts("private", "not_at_referral_level", False, True, True))
    assert decision.code == "screening_concern_safety_assessment"
    assert decision.headline.index("safety assessment") < decision.headline.index("in writing")
    assert decision.steps[0].citation == "2.24"


def test_referral_level_concern_starts_with_the_service_manager():
    decision = decide_screening(ScreeningFacts(law="private", screening_concern="referral_level"))
    assert decision.code == "screening_child_protection_referral"
    assert [s.citation for s in decision.steps[:2]] == ["2.81", "2.67"]
    assert "referral walkthrough" in decision.steps[1].note


def test_every_step_is_quoted_word_for_word():
    assert_all_quoted(load_screening().steps.values())


def test_the_data_is_checked_when_loaded(tmp_path):
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    data["steps"]["review"]["quote"] = "The Service Manager will review the results within one working day."
    del data["headlines"]["screening_public_law"]
    broken = tmp_path / "screening.yml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(DecisionDataError) as raised:
        load_decision_data(broken, STEPS, CODES)
    message = str(raised.value)
    assert "steps.review: not word for word in 2.23" in message
    assert "headlines missing: screening_public_law" in message


def test_unknown_values_are_refused():
    with pytest.raises(ValueError, match="screening_concern"):
        missing_facts(ScreeningFacts(screening_concern="some"))

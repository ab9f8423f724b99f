"""The police check against Framework 2.17-2.22 and 3.67-3.76, over every combination of facts."""

from dataclasses import replace
from functools import cache
from itertools import product

import pytest

from knowledge.decision import MissingFacts
from knowledge.police_check import CODES, PoliceCheckFacts, decide_police_check, load_police_check, missing_facts
from tests.knowledge.conftest import assert_all_quoted

DECIDING = {
    "law": ("private", "public"),
    "harm_raised": (True, False),
    "welfare_work_requested": (True, False),
    "professional_judgement_risk": (True, False),
    "application_type": (
        "specific_issue_or_prohibited_steps",
        "parental_responsibility_not_linked_with_other_issues",
        "inherent_jurisdiction",
        "other",
    ),
}
ADDING_STEPS = {
    "checks_not_possible_before_hearing": (True, False),
    "other_names_or_addresses": (True, False),
    "relevant_individuals_identified": (True, False),
    "extended_checks_considered": (True, False),
}
# The 2.20 list, copied by hand from the Framework.
EXCLUDED = {
    "specific_issue_or_prohibited_steps": "Applications for specific issue or prohibited steps orders",
    "parental_responsibility_not_linked_with_other_issues": (
        "Parental responsibility applications that are not linked with other issues"
    ),
    "inherent_jurisdiction": "Any application under the inherent jurisdiction",
}


def expected_outcome(f: PoliceCheckFacts) -> tuple[str, str]:
    """2.19-2.21 read by hand, for facts that are all known: (code, which rule)."""
    if f.law == "public":
        return "ask_la_to_confirm", "2.21"
    if f.harm_raised or f.welfare_work_requested or f.professional_judgement_risk:
        return "police_check", "2.19"
    if f.application_type in EXCLUDED:
        return "no_police_check", f.application_type
    return "no_police_check", "neither list"


@cache
def expected_missing(deciding: tuple) -> tuple[str, ...]:
    f = PoliceCheckFacts(*deciding)
    unknown = [name for name in DECIDING if getattr(f, name) is None]
    needed = []
    for name in unknown:
        others = [other for other in unknown if other != name]
        for values in product(*(DECIDING[other] for other in others)):
            base = replace(f, **dict(zip(others, values)))
            if len({expected_outcome(replace(base, **{name: v})) for v in DECIDING[name]}) > 1:
                needed.append(name)
                break
    return tuple(needed)


def a_completion(f: PoliceCheckFacts) -> PoliceCheckFacts:
    return replace(f, **{name: values[0] for name, values in DECIDING.items() if getattr(f, name) is None})


def has(decision, citation: str, words: str) -> bool:
    return any(step.citation == citation and words in step.quote for step in decision.steps)


def test_every_combination_of_facts():
    all_values = [(None, *values) for values in (*DECIDING.values(), *ADDING_STEPS.values())]
    decided = 0
    for values in product(*all_values):
        facts = PoliceCheckFacts(*values)
        missing = missing_facts(facts)
        assert tuple(missing) == expected_missing(values[: len(DECIDING)]), facts
        if missing:
            with pytest.raises(MissingFacts):
                decide_police_check(facts)
            continue
        decision = decide_police_check(facts)
        code, rule = expected_outcome(a_completion(facts))
        assert decision.code == code, facts
        assert {step.citation for step in decision.steps} == set(decision.citations)
        if rule == "2.21":
            assert {"2.21", "3.67"} <= set(decision.citations)
            assert has(decision, "3.67", "it must not be assumed that police checks")
        elif rule == "2.19":
            assert has(decision, "2.19", "will be made in:")
            assert has(decision, "2.18", "screening")
        elif rule == "neither list":
            assert decision.headline.startswith("Not covered by either list")
            assert '"will be made"' in decision.headline and '"will not be made"' in decision.headline
            assert has(decision, "2.19", "will be made in:") and has(decision, "2.20", "will not be made for:")
            assert not any(q in step.quote for step in decision.steps for q in EXCLUDED.values())
        else:
            assert has(decision, "2.20", EXCLUDED[rule])
            assert [q for q in EXCLUDED.values() if any(q in s.quote for s in decision.steps)] == [EXCLUDED[rule]]
        assert has(decision, "3.69", "made aware of this in writing") is (
            facts.checks_not_possible_before_hearing is True
        )
        assert has(decision, "3.69", "what happened and why") is (facts.checks_not_possible_before_hearing is True)
        repeat = facts.other_names_or_addresses is True and code != "ask_la_to_confirm"
        assert has(decision, "2.17", "over the last five years") is repeat
        assert has(decision, "3.72", "relevant individuals are identified") is (
            facts.relevant_individuals_identified is True
        )
        assert has(decision, "3.70", "extended checks") is (facts.extended_checks_considered is True)
        consent = facts.relevant_individuals_identified is True or facts.extended_checks_considered is True
        assert has(decision, "3.75", "written explicit consent") is consent
        assert has(decision, "3.76", "recorded on the case file") is consent
        decided += 1
    assert decided > 1000


@pytest.mark.parametrize(
    "facts, missing",
    [
        (PoliceCheckFacts(), list(DECIDING)),
        (PoliceCheckFacts(law="public"), []),
        (PoliceCheckFacts(law="private", harm_raised=True), []),
        (PoliceCheckFacts(welfare_work_requested=True), ["law"]),
        (
            PoliceCheckFacts(law="private", application_type="parental_responsibility_not_linked_with_other_issues"),
            ["harm_raised", "welfare_work_requested", "professional_judgement_risk"],
        ),
        (
            PoliceCheckFacts(
                law="private", harm_raised=False, welfare_work_requested=False, professional_judgement_risk=False
            ),
            ["application_type"],
        ),
    ],
)
def test_missing_facts_in_asking_order(facts, missing):
    assert missing_facts(facts) == missing


def test_pr_application_with_no_2_19_factor_gets_no_check_under_2_20():
    decision = decide_police_check(
        PoliceCheckFacts(
            law="private",
            harm_raised=False,
            welfare_work_requested=False,
            professional_judgement_risk=False,
            application_type="parental_responsibility_not_linked_with_other_issues",
        )
    )
    assert decision.code == "no_police_check"
    assert decision.to_payload()["decision"] == "no_police_check"
    assert "2.20" in decision.citations


def test_pr_application_with_harm_raised_gets_a_check():
    decision = decide_police_check(
        PoliceCheckFacts(
            law="private", harm_raised=True, application_type="parental_responsibility_not_linked_with_other_issues"
        )
    )
    assert decision.code == "police_check"


def test_urgent_hearing_before_checks_tells_the_court_in_writing():
    decision = decide_police_check(
        PoliceCheckFacts(law="private", harm_raised=True, checks_not_possible_before_hearing=True)
    )
    texts = [str(step) for step in decision.steps]
    assert any("the court should be made aware of this in writing" in text for text in texts)


def test_the_decision_codes_are_the_design_contract():
    design = ("police_check", "no_police_check", "ask_la_to_confirm")
    assert set(CODES) == set(design)
    assert {decide_police_check(PoliceCheckFacts(*values)).code for values in product(*DECIDING.values())} == set(
        design
    )


def test_unknown_application_type_is_refused():
    with pytest.raises(ValueError, match="application_type"):
        decide_police_check(PoliceCheckFacts(law="private", application_type="contact"))


def test_every_step_quotes_the_cited_paragraph_verbatim():
    steps = set()
    for values in product(*DECIDING.values()):
        facts = PoliceCheckFacts(*values, *(True,) * len(ADDING_STEPS))
        steps.update(decide_police_check(facts).steps)
    assert_all_quoted(steps)
    assert_all_quoted(load_police_check().steps.values())

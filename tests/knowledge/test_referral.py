"""Referral type and consent (2.61-2.65) and the dated steps of a referral (2.100-2.108), against the Framework."""

from dataclasses import replace
from datetime import date, datetime
from functools import cache
from itertools import product

import pytest

from knowledge.decision import MissingFacts
from knowledge.referral import (
    CODES,
    ReferralFacts,
    decide_referral_type,
    load_referral,
    missing_facts,
    referral_steps,
)
from tests.knowledge.conftest import assert_all_quoted, assert_quoted

ORDER = (
    "significant_harm",
    "needs_family_support_services",
    "promote_welfare_through_other_agency",
    "child_consents",
    "parents_consent",
    "court_consents",
)
NAMES = {"child": "the child", "parents": "the parent/s", "court": "the court"}


def expected_outcome(f: ReferralFacts) -> tuple:
    """2.61-2.65 read by hand, for facts that are all known: (code, letter, who has not consented, consider S47)."""
    if f.significant_harm:
        return "s47_child_welfare_protection", "a", (), False
    consents = zip(NAMES, (f.child_consents, f.parents_consent, f.court_consents))
    refused = tuple(who for who, agrees in consents if not agrees)
    if f.needs_family_support_services:
        return "s17_needs", "b", refused, f.child_consents is False or f.parents_consent is False
    if f.promote_welfare_through_other_agency:
        return "promoting_welfare", "c", refused, False
    return "no_referral", None, (), False


@cache
def expected_missing(f: ReferralFacts) -> tuple[str, ...]:
    unknown = [name for name in ORDER if getattr(f, name) is None]
    needed = []
    for name in unknown:
        others = [other for other in unknown if other != name]
        for values in product((True, False), repeat=len(others)):
            base = replace(f, **dict(zip(others, values)))
            if len({expected_outcome(replace(base, **{name: v})) for v in (True, False)}) > 1:
                needed.append(name)
                break
    return tuple(needed)


def test_every_combination_of_facts():
    decided = 0
    for values in product((None, True, False), repeat=len(ORDER)):
        facts = ReferralFacts(*values)
        missing = missing_facts(facts)
        assert tuple(missing) == expected_missing(facts), facts
        if missing:
            with pytest.raises(MissingFacts):
                decide_referral_type(facts)
            continue
        decision = decide_referral_type(facts)
        known = replace(facts, **{name: True for name in ORDER if getattr(facts, name) is None})
        code, letter, refused, consider_s47 = expected_outcome(known)
        assert decision.code == code, facts
        quotes = " ".join(step.quote for step in decision.steps)
        if letter:
            assert any(
                step.citation == "2.65" and f"covering letter ({letter})" in step.note for step in decision.steps
            )
            assert "initial telephone contact followed by the CAF form" in quotes
        if code == "s47_child_welfare_protection":
            assert "consent is not required from the court or by the child or parent/s" in quotes
            assert decision.steps[0].citation == "2.81"
        if code in ("s17_needs", "promoting_welfare"):
            assert "consent of the child, parent/s and the court is required" in quotes
            if refused:
                names = " and ".join(NAMES[who] for who in refused)
                assert f"Consent has not been given by {names}." in decision.headline
            else:
                assert "Consent has not been given" not in decision.headline
        assert ("require a 'S47' referral" in quotes) is consider_s47
        decided += 1
    assert decided > 50


@pytest.mark.parametrize(
    "facts, missing",
    [
        (ReferralFacts(), list(ORDER)),
        (ReferralFacts(significant_harm=True), []),
        (ReferralFacts(significant_harm=False, needs_family_support_services=True), list(ORDER[3:])),
        (
            ReferralFacts(
                significant_harm=False, needs_family_support_services=False, promote_welfare_through_other_agency=False
            ),
            [],
        ),
    ],
)
def test_missing_facts_in_asking_order(facts, missing):
    assert missing_facts(facts) == missing


def test_s17_without_the_parents_agreement_asks_to_consider_s47():
    decision = decide_referral_type(
        ReferralFacts(False, True, False, child_consents=True, parents_consent=False, court_consents=True)
    )
    assert decision.code == "s17_needs"
    assert "Consent has not been given by the parent/s." in decision.headline
    assert any("because failure to secure relevant services" in step.quote for step in decision.steps)


def test_every_referral_code_is_reachable():
    assert {
        decide_referral_type(ReferralFacts(*values)).code for values in product((True, False), repeat=len(ORDER))
    } == set(CODES)


def test_every_referral_type_step_is_verbatim():
    for values in product((True, False), repeat=len(ORDER)):
        for step in decide_referral_type(ReferralFacts(*values)).steps:
            assert_quoted(step)


def deadline(decision, words: str):
    return next(when for label, when in decision.deadlines if words in label)


def test_christmas_eve_2026_referral():
    decision = referral_steps(datetime(2026, 12, 24, 16, 55))
    assert deadline(decision, "2.103") == date(2026, 12, 29)
    assert deadline(decision, "2.108") == date(2026, 12, 29)
    assert deadline(decision, "2.104") == date(2026, 12, 31)
    assert deadline(decision, "Appendix V") == datetime(2026, 12, 25, 16, 55)
    texts = [str(step) for step in decision.steps]
    assert any("By the end of Tuesday 29 December 2026" in t and "within one working day" in t for t in texts)
    assert any("Thursday 31 December 2026" in t and "request a timescale for response" in t for t in texts)
    assert any("the day of the referral itself never counts" in t for t in texts)


@pytest.mark.parametrize(
    "made_at, one_day, three_days",
    [
        (datetime(2026, 1, 9, 17, 45), date(2026, 1, 12), date(2026, 1, 14)),  # late on a Friday
        (datetime(2026, 1, 10, 11, 0), date(2026, 1, 12), date(2026, 1, 14)),  # Saturday
        (datetime(2026, 1, 12, 23, 59), date(2026, 1, 13), date(2026, 1, 15)),  # late on a Monday
        (datetime(2026, 4, 2, 9, 0), date(2026, 4, 7), date(2026, 4, 9)),  # before Easter
        (datetime(2026, 5, 25, 10, 0), date(2026, 5, 26), date(2026, 5, 28)),  # on a bank holiday
        (datetime(2025, 12, 24, 15, 0), date(2025, 12, 29), date(2025, 12, 31)),
        (datetime(2027, 12, 24, 15, 0), date(2027, 12, 29), date(2027, 12, 31)),
    ],
)
def test_deadlines(made_at, one_day, three_days):
    decision = referral_steps(made_at)
    assert deadline(decision, "2.103") == one_day
    assert deadline(decision, "2.108") == one_day
    assert deadline(decision, "2.104") == three_days


def test_telephone_first_then_written_confirmation():
    citations = [
        step.citation for step in referral_steps(datetime(2026, 3, 2, 10, 0), discussed_with_service_manager=True).steps
    ]
    assert citations[0] == "2.101"
    assert citations.index("2.101") < citations.index("2.103")
    assert {"2.100", "2.104", "2.105", "2.106", "2.108"} <= set(citations)


def test_optional_steps_are_left_out_only_when_known_not_to_apply():
    def cites(decision, words):
        return any(words in step.quote for step in decision.steps)

    made_at = datetime(2026, 3, 2, 10, 0)
    assert cites(referral_steps(made_at), "in private law proceedings")
    assert cites(referral_steps(made_at), "without prior consultation with his/her Service Manager")
    public = referral_steps(made_at, private_law=False, discussed_with_service_manager=True)
    assert not cites(public, "in private law proceedings")
    assert not cites(public, "without prior consultation")


def test_every_referral_step_is_verbatim():
    for step in referral_steps(datetime(2026, 12, 24, 16, 55)).steps:
        assert_quoted(step)
    assert_all_quoted(load_referral().steps.values())
    payload = referral_steps(datetime(2026, 12, 24, 16, 55)).to_payload()
    assert payload["decision"] == "s47_child_welfare_protection"
    assert "2.103" in payload["citations"]

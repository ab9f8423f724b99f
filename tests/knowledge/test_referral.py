"""Referral type and consent (2.61-2.65) and the dated steps of a referral (2.100-2.108), against the Framework."""

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from functools import cache
from itertools import product

import pytest

from knowledge.decision import MissingFacts, say_deadline
from knowledge.referral import (
    CODES,
    NOT_ASKED,
    ReferralFacts,
    decide_referral_type,
    load_referral,
    missing_facts,
    referral_steps,
)
from knowledge.walkthroughs import LONDON
from tests.knowledge.conftest import assert_all_quoted, assert_quoted

ORDER = {
    "significant_harm": (True, False),
    "past_significant_harm": (True, False),
    "needs_family_support_services": (True, False),
    "promote_welfare_through_other_agency": (True, False),
    "child_consents": (True, False, NOT_ASKED),
    "parents_consent": (True, False, NOT_ASKED),
    "court_consents": (True, False, NOT_ASKED),
}
NAMES = {"child": "the child", "parents": "the parent/s", "court": "the court"}
# What the S47 outcome must record and tell, copied by hand from the Framework (2.91, 2.93-2.97, 2.99).
RECORDING = {
    "2.91": "The child should be informed of the intention to make a referral",
    "2.93": "A detailed record should be made of what the child said",
    "2.95": "It is important to record the time and date that the child welfare concern was identified",
    "2.96": "The practitioner must not ask the child to undress to check for injuries.",
    "2.97": "The recording must be signed and dated by the practitioner, and placed on the child's file.",
    "2.99": "It should be recorded whether or not parents have been informed of and agreed to the referral.",
}
PAST_HARM = {
    "2.67": "the child either has suffered, is currently suffering",
    "2.79": "even when the alleged incident was in the past, should be considered within the remit",
    "2.80": "the child either was, is or is likely to be suffering significant harm then a referral should be made",
}


def expected_outcome(f: ReferralFacts) -> tuple:
    """2.61-2.67, 2.79-2.80 read by hand, for facts that are all known.

    (code, covering letter, who is not in agreement, who has not been asked, consider S47, past harm).
    """
    if f.significant_harm:
        return "s47_child_welfare_protection", "a", (), (), False, False
    if f.past_significant_harm:
        return "s47_child_welfare_protection", "a", (), (), False, True
    consents = tuple(zip(NAMES, (f.child_consents, f.parents_consent, f.court_consents)))
    refused = tuple(who for who, agrees in consents if agrees is False)
    not_asked = tuple(who for who, agrees in consents if agrees == NOT_ASKED)
    for wanted, code, letter in (
        (f.needs_family_support_services, "s17_needs", "b"),
        (f.promote_welfare_through_other_agency, "promoting_welfare", "c"),
    ):
        if wanted and refused:
            consider = code == "s17_needs" and bool({"child", "parents"} & set(refused))
            return f"{code}_consent_refused", None, refused, (), consider, False
        if wanted:
            return code, letter, (), not_asked, False, False
    return "no_referral", None, (), (), False, False


@cache
def expected_missing(f: ReferralFacts) -> tuple[str, ...]:
    unknown = [name for name in ORDER if getattr(f, name) is None]
    needed = []
    for name in unknown:
        others = [other for other in unknown if other != name]
        for values in product(*(ORDER[other] for other in others)):
            base = replace(f, **dict(zip(others, values)))
            if len({expected_outcome(replace(base, **{name: v})) for v in ORDER[name]}) > 1:
                needed.append(name)
                break
    return tuple(needed)


def quoted(decision, citation: str, words: str) -> bool:
    return any(step.citation == citation and words in step.quote for step in decision.steps)


def test_every_combination_of_facts():
    decided = 0
    for values in product(*((None, *values) for values in ORDER.values())):
        facts = ReferralFacts(*values)
        missing = missing_facts(facts)
        assert tuple(missing) == expected_missing(facts), facts
        if missing:
            with pytest.raises(MissingFacts):
                decide_referral_type(facts)
            continue
        decision = decide_referral_type(facts)
        known = replace(facts, **{name: v[0] for name, v in ORDER.items() if getattr(facts, name) is None})
        code, letter, refused, not_asked, consider_s47, past_harm = expected_outcome(known)
        assert decision.code == code, facts
        quotes = " ".join(step.quote for step in decision.steps)
        if letter:
            assert any(
                step.citation == "2.65" and f"covering letter ({letter})" in step.note for step in decision.steps
            )
            assert "initial telephone contact followed by the CAF form" in quotes
        else:
            assert not any("covering letter (" in step.note for step in decision.steps), facts
        if code == "s47_child_welfare_protection":
            assert "consent is not required from the court or by the child or parent/s" in quotes
            assert decision.steps[0].citation == "2.81"
            assert all(quoted(decision, c, words) for c, words in RECORDING.items()), facts
        else:
            assert not quoted(decision, "2.93", RECORDING["2.93"])
        assert all(quoted(decision, c, words) is past_harm for c, words in PAST_HARM.items()), facts
        assert ("has suffered significant harm" in decision.headline) is past_harm
        if code.startswith(("s17_needs", "promoting_welfare")):
            assert "consent of the child, parent/s and the court is required" in quotes
        names = " and ".join(NAMES[who] for who in refused)
        assert (f"it has not been given by {names}:" in decision.headline) is bool(refused), facts
        asked = " and ".join(NAMES[who] for who in not_asked)
        assert (f"Consent not asked yet: ask {asked} before" in decision.headline) is bool(not_asked), facts
        assert ("Consent not asked yet" in decision.headline) is bool(not_asked), facts
        assert ("require a 'S47' referral" in quotes) is consider_s47, facts
        assert (code == "no_referral") is quoted(decision, "2.79", "The only exception relates to allegations")
        decided += 1
    assert decided > 200


@pytest.mark.parametrize(
    "facts, missing",
    [
        (ReferralFacts(), list(ORDER)),
        (ReferralFacts(significant_harm=True), []),
        (ReferralFacts(significant_harm=False, past_significant_harm=True), []),
        (
            ReferralFacts(significant_harm=False, past_significant_harm=False, needs_family_support_services=True),
            list(ORDER)[4:],
        ),
        (
            ReferralFacts(
                significant_harm=False,
                past_significant_harm=False,
                needs_family_support_services=False,
                promote_welfare_through_other_agency=False,
            ),
            [],
        ),
    ],
)
def test_missing_facts_in_asking_order(facts, missing):
    assert missing_facts(facts) == missing


def test_s17_without_the_parents_agreement_is_refused_and_asks_to_consider_s47():
    decision = decide_referral_type(
        ReferralFacts(False, False, True, False, child_consents=True, parents_consent=False, court_consents=True)
    )
    assert decision.code == "s17_needs_consent_refused"
    assert "it has not been given by the parent/s" in decision.headline
    assert any("because failure to secure relevant services" in step.quote for step in decision.steps)


def test_consent_not_asked_yet_is_not_refusal():
    decision = decide_referral_type(ReferralFacts(False, False, True, False, NOT_ASKED, NOT_ASKED, NOT_ASKED))
    assert decision.code == "s17_needs"
    assert "Consent not asked yet: ask the child and the parent/s and the court before" in decision.headline
    assert "not been given" not in decision.headline
    assert not any("not in agreement" in step.quote for step in decision.steps)


def test_the_child_abused_last_year_by_an_adult_who_has_left_is_a_s47_referral():
    """Past significant harm, not from witnessing: 2.67, 2.79 and 2.80, as the s120 pathway's other types of harm."""
    decision = decide_referral_type(ReferralFacts(significant_harm=False, past_significant_harm=True))
    assert decision.code == "s47_child_welfare_protection"
    assert {"2.67", "2.79", "2.80"} <= set(decision.citations)


def test_every_referral_code_is_reachable():
    assert {decide_referral_type(ReferralFacts(*values)).code for values in product(*ORDER.values())} == set(CODES)


def test_every_referral_type_step_is_verbatim():
    assert_all_quoted(
        {step for values in product(*ORDER.values()) for step in decide_referral_type(ReferralFacts(*values)).steps}
    )


def deadline(decision, words: str):
    return next(when for label, when in decision.deadlines if words in label)


def test_christmas_eve_2026_referral():
    decision = referral_steps(datetime(2026, 12, 24, 16, 55, tzinfo=LONDON))
    assert deadline(decision, "2.103") == date(2026, 12, 29)
    assert deadline(decision, "2.108") == date(2026, 12, 29)
    assert deadline(decision, "2.104") == date(2026, 12, 31)
    assert deadline(decision, "Appendix V") == datetime(2026, 12, 25, 16, 55, tzinfo=LONDON)
    assert say_deadline(deadline(decision, "Appendix V")) == "16:55 on Friday 25 December 2026"
    assert say_deadline(deadline(decision, "2.103")) == "Tuesday 29 December 2026"
    texts = [str(step) for step in decision.steps]
    assert any("By the end of Tuesday 29 December 2026" in t and "within one working day" in t for t in texts)
    assert any("Thursday 31 December 2026" in t and "request a timescale for response" in t for t in texts)
    assert any("the day of the referral itself never counts" in t for t in texts)


@pytest.mark.parametrize(
    "made_at, due, shown",
    [
        # The clocks go forward at 01:00 on Sunday 29 March 2026: 24 hours later is 11:00 BST.
        (datetime(2026, 3, 28, 10, 0, tzinfo=LONDON), datetime(2026, 3, 29, 11, 0), "11:00 on Sunday 29 March 2026"),
        # The clocks go back at 02:00 on Sunday 25 October 2026: 24 hours later is 09:00 GMT.
        (datetime(2026, 10, 24, 10, 0, tzinfo=LONDON), datetime(2026, 10, 25, 9, 0), "09:00 on Sunday 25 October 2026"),
        # 01:30 BST, the first of the two 01:30s that night: 24 hours later is 00:30 GMT.
        (
            datetime(2026, 10, 25, 1, 30, tzinfo=LONDON),
            datetime(2026, 10, 26, 0, 30),
            "00:30 on Monday 26 October 2026",
        ),
    ],
)
def test_24_hours_is_elapsed_time_shown_in_london_time(made_at, due, shown):
    decision = referral_steps(made_at)
    within = deadline(decision, "Appendix V")
    assert within.astimezone(timezone.utc) - made_at.astimezone(timezone.utc) == timedelta(hours=24)
    assert within.replace(tzinfo=None) == due
    assert say_deadline(within) == shown
    assert any(step.citation == "Appendix V" and step.note.startswith(f"By {shown}") for step in decision.steps)
    assert f"by {shown}" in decision.headline


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

"""Which of the three types of referral applies, whose consent it needs, and the dated steps of a child welfare
(protection) referral (Framework 2.61-2.65, 2.100-2.108)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from knowledge.decision import (
    Decision,
    DecisionData,
    Step,
    check_facts,
    decide_when_known,
    facts_still_needed,
    hours_later,
    load_decision_data,
    say_day,
    say_moment,
    unique,
)
from knowledge.working_days import COUNTING_RULE, add_working_days

DATA = Path(__file__).parent / "data" / "referral.yml"

CODES = (
    "s47_child_welfare_protection",
    "s17_needs",
    "s17_needs_consent_refused",
    "promoting_welfare",
    "promoting_welfare_consent_refused",
    "no_referral",
)
# Whether each person consents: yes, no (not in agreement, 2.63(b)), or not asked yet.
NOT_ASKED = "not_asked"
CONSENT_VALUES = (True, False, NOT_ASKED)
S47_STEPS = (
    "service_manager_first",
    "s47_consent",
    "tell_the_child",
    "mechanism",
    "covering_letter_a",
    "caf_consent",
    "not_delay",
    "record_what_the_child_said",
    "record_third_party_information",
    "record_times",
    "skin_map",
    "signed_and_dated",
    "childs_views_recorded",
    "parents_informed_recorded",
)
STEPS = (
    "service_manager_first",
    "mechanism",
    "caf_consent",
    "not_delay",
    "s47_consent",
    "s17_consent",
    "consider_s47",
    "consent_all_three",
    "has_suffered",
    "past_incident",
    "was_is_or_is_likely",
    "section_120_exception",
    "tell_the_child",
    "childs_views_recorded",
    "record_what_the_child_said",
    "record_third_party_information",
    "record_times",
    "skin_map",
    "signed_and_dated",
    "parents_informed_recorded",
    "promoting_welfare_consent",
    "duty_to_refer",
    "other_agency",
    "covering_letter_a",
    "covering_letter_b",
    "covering_letter_c",
    "inform_service_manager",
    "telephone_first",
    "information_to_give",
    "private_law_proceedings",
    "record_telephone",
    "confirm_in_writing",
    "within_24_hours",
    "caf_format",
    "service_manager_copy",
    "allocated_social_worker",
    "inform_the_court",
    "no_reply",
    "record_decisions",
)
HEADLINES = (*CODES, "s47_has_suffered", "court_refused", "consent_not_asked", "consider_s47")


@lru_cache(maxsize=1)
def load_referral() -> DecisionData:
    """The quoted steps and outcome headlines of referral.yml, checked word for word against the Framework."""
    return load_decision_data(DATA, STEPS, HEADLINES)


def _steps(*keys: str) -> tuple[Step, ...]:
    steps = load_referral().steps
    return tuple(steps[key] for key in keys)


@dataclass(frozen=True)
class ReferralFacts:
    """What is believed or suspected about the child, and who consents; None where not yet known.

    significant_harm: the child is believed or suspected to be currently suffering, or likely
    to suffer, significant harm (2.61(a)). past_significant_harm: the child has suffered
    significant harm in the past (2.67 "has suffered", 2.79 "even when the alleged incident was
    in the past", 2.80 "was"), other than past harm only from witnessing harm to others, which is
    the section 120 exception of 2.79. needs_family_support_services: the child has developmental
    and welfare needs likely only to be met through family support services (2.61(b)).
    promote_welfare_through_other_agency: the child and family are to be referred to another
    agency to promote their welfare through the common assessment framework (2.62(c)).
    child_consents, parents_consent, court_consents: True, False (not in agreement) or
    NOT_ASKED (not asked yet).
    """

    significant_harm: bool | None = None
    past_significant_harm: bool | None = None
    needs_family_support_services: bool | None = None
    promote_welfare_through_other_agency: bool | None = None
    child_consents: bool | str | None = None
    parents_consent: bool | str | None = None
    court_consents: bool | str | None = None


FACT_VALUES: dict[str, tuple] = {
    field.name: CONSENT_VALUES if field.name.endswith(("consents", "consent")) else (True, False)
    for field in fields(ReferralFacts)
}


def _consent_decision(code: str, letter: str, consent: str, facts: ReferralFacts) -> Decision:
    """A referral that needs everyone's consent: it goes ahead, waits to be asked, or is refused (2.63)."""
    headlines = load_referral().headlines
    answers = (
        ("the child", facts.child_consents),
        ("the parent/s", facts.parents_consent),
        ("the court", facts.court_consents),
    )
    refused = [who for who, agrees in answers if agrees is False]
    not_asked = [who for who, agrees in answers if agrees == NOT_ASKED]
    if refused:
        code = f"{code}_consent_refused"
        headline = headlines[code].format(who=" and ".join(refused))
        keys = [consent]
        if code == "s17_needs_consent_refused":
            if facts.child_consents is False or facts.parents_consent is False:
                headline += " " + headlines["consider_s47"]
                keys.append("consider_s47")
            else:
                headline += " " + headlines["court_refused"]
        keys += ["consent_all_three", "parents_informed_recorded"]
        steps = _steps(*keys)
        return Decision(code, headline, steps, unique(s.citation for s in steps))
    headline = headlines[code]
    keys = [consent]
    if not_asked:
        headline += " " + headlines["consent_not_asked"].format(who=" and ".join(not_asked))
        keys.append("consent_all_three")
    steps = _steps(*keys, "mechanism", f"covering_letter_{letter}", "caf_consent")
    return Decision(code, headline, steps, unique(s.citation for s in steps))


@cache
def _decide_known(facts: ReferralFacts) -> Decision:
    headlines = load_referral().headlines
    code = "s47_child_welfare_protection"
    if facts.significant_harm:
        steps = _steps(*S47_STEPS)
        return Decision(code, headlines[code], steps, unique(s.citation for s in steps))
    if facts.past_significant_harm:
        steps = _steps(S47_STEPS[0], "has_suffered", "past_incident", "was_is_or_is_likely", *S47_STEPS[1:])
        headline = f"{headlines[code]} {headlines['s47_has_suffered']}"
        return Decision(code, headline, steps, unique(s.citation for s in steps))
    if facts.needs_family_support_services:
        return _consent_decision("s17_needs", "b", "s17_consent", facts)
    if facts.promote_welfare_through_other_agency:
        return _consent_decision("promoting_welfare", "c", "promoting_welfare_consent", facts)
    steps = _steps("duty_to_refer", "other_agency", "section_120_exception")
    return Decision("no_referral", headlines["no_referral"], steps, unique(s.citation for s in steps))


def missing_facts(facts: ReferralFacts) -> list[str]:
    """The facts still needed to decide the type of referral, in asking order."""
    check_facts(facts, FACT_VALUES)
    return facts_still_needed(facts, FACT_VALUES, _decide_known)


def decide_referral_type(facts: ReferralFacts) -> Decision:
    """The type of referral (2.61-2.63), its consent and covering letter; MissingFacts if not yet decidable."""
    return decide_when_known(facts, FACT_VALUES, _decide_known)


def _timescales(referral_made_at: datetime | None) -> tuple[dict[str, str], str, tuple[tuple[str, date], ...]]:
    """The notes on the timed steps, the headline and the deadlines: dated, or running from a referral not made yet."""
    if referral_made_at is None:
        notes = {
            "2.101": "Not made yet: every timescale below runs from the telephone referral.",
            "2.103": f"Within one working day of the telephone referral. {COUNTING_RULE}",
            "Appendix V": "Within 24 hours of the telephone referral: the supervision checklist in Appendix V sets 24 "
            "hours, and meeting the earlier of the two timescales meets both.",
            "2.108": "Within one working day of the telephone referral.",
            "2.104": "If there is no reply within three working days of the telephone referral.",
        }
        headline = (
            "Child welfare (protection) referral not made yet: make it by telephone first (2.101). The written "
            "confirmation to LACSC is due within one working day of the telephone referral (2.103); the supervision "
            "checklist in Appendix V says within 24 hours."
        )
        return notes, headline, ()
    made_on = referral_made_at.date()
    one_working_day = add_working_days(made_on, 1)
    three_working_days = add_working_days(made_on, 3)
    within_24_hours = hours_later(referral_made_at, 24)
    notes = {
        "2.101": f"Referral made by telephone at {say_moment(referral_made_at)}.",
        "2.103": f"By the end of {say_day(one_working_day)}. {COUNTING_RULE}",
        "Appendix V": f"By {say_moment(within_24_hours)}: the supervision checklist in Appendix V sets 24 hours, and "
        "meeting the earlier of the two timescales meets both.",
        "2.108": f"By the end of {say_day(one_working_day)}, one working day counted from the day of the referral.",
        "2.104": f"If there is no reply by the end of {say_day(three_working_days)}, three working days counted from "
        "the day of the referral.",
    }
    headline = (
        f"Child welfare (protection) referral made at {say_moment(referral_made_at)}: confirm it in writing to "
        f"LACSC by the end of {say_day(one_working_day)} (one working day, 2.103); the supervision checklist in "
        f"Appendix V says within 24 hours, by {say_moment(within_24_hours)}."
    )
    deadlines = (
        ("Written confirmation to LACSC (2.103)", one_working_day),
        ("Followed up in writing within 24 hours (Appendix V)", within_24_hours),
        ("Service Manager has a copy of the written confirmation (2.108)", one_working_day),
        ("No reply yet: contact LACSC again in writing and ask for a timescale (2.104)", three_working_days),
    )
    return notes, headline, deadlines


def referral_steps(
    referral_made_at: datetime | None,
    *,
    private_law: bool | None = None,
    discussed_with_service_manager: bool | None = None,
) -> Decision:
    """The steps after a child welfare (protection) referral by telephone to LACSC, with their dates.

    Working-day timescales run from the day of the telephone referral; that day never counts,
    whatever the time (see knowledge.working_days). With `referral_made_at` None (not made
    yet) the steps carry no dates and say that the timescales run from the telephone referral.
    Steps that depend on a fact are left out only when the fact is known not to apply.
    """
    notes, headline, deadlines = _timescales(referral_made_at)
    steps = load_referral().steps
    keys = ["inform_service_manager"] if discussed_with_service_manager is not True else []
    keys += ["telephone_first", "information_to_give"]
    if private_law is not False:
        keys.append("private_law_proceedings")
    keys += [
        "record_telephone",
        "confirm_in_writing",
        "within_24_hours",
        "caf_format",
        "service_manager_copy",
        "allocated_social_worker",
        "inform_the_court",
        "no_reply",
        "record_decisions",
    ]
    dated = {
        "telephone_first": "2.101",
        "confirm_in_writing": "2.103",
        "within_24_hours": "Appendix V",
        "service_manager_copy": "2.108",
        "no_reply": "2.104",
    }
    steps = [replace(steps[key], note=notes[dated[key]]) if key in dated else steps[key] for key in keys]
    return Decision(
        "s47_child_welfare_protection", headline, tuple(steps), unique(s.citation for s in steps), deadlines
    )

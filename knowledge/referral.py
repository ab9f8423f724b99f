"""Which of the three types of referral applies, whose consent it needs, and the dated steps of a child welfare
(protection) referral (Framework 2.61-2.65, 2.100-2.108)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from functools import cache

from knowledge.decision import QUOTE_JOIN, Decision, Step, check_facts, decide_when_known, facts_still_needed, unique
from knowledge.working_days import COUNTING_RULE, add_working_days

CODES = ("s47_child_welfare_protection", "s17_needs", "promoting_welfare", "no_referral")

SERVICE_MANAGER_FIRST = Step(
    "Where there are concerns about possible significant harm in relation to a child, all practitioners must "
    "first discuss this with their Service Manager, except in situations where there is a need to take urgent "
    "action to secure the immediate safety of the child.",
    "2.81",
)
MECHANISM = Step(
    "For all three levels (a, b and c) of referral, the mechanism for providing information should be an "
    "initial telephone contact followed by the CAF form with relevant covering letter.",
    "2.64",
)
CAF_CONSENT = Step(
    "There is space on the CAF form to indicate what contribution has been made to the process by the child "
    "and by the parent/s, and whether the referral is with consent.",
    "2.64",
)
NOT_DELAY = Step(
    "In some circumstances, the details on the CAF form will be limited to the information available at the "
    "screening stage. This should not delay an urgent referral.",
    "2.65",
)
S47_CONSENT = Step(
    "For a 'S47 child welfare (protection)' referral, consent is not required from the court or by the child or "
    "parent/s, but the child and parent/s should be kept informed unless there are specific reasons not to do "
    "so. The court should always be kept informed of actions taken.",
    "2.63",
)
S17_CONSENT = Step("For a 's17 needs' referral, consent of the child, parent/s and the court is required.", "2.63")
CONSIDER_S47 = Step(
    "In situations where the child or parents are not in agreement then consideration needs to be given to "
    "whether the circumstances require a 'S47' referral, because failure to secure relevant services for the "
    "child may lead to possible significant harm.",
    "2.63",
)
PROMOTING_WELFARE_CONSENT = Step(
    "For a 'promoting welfare' referral within court proceedings, consent of the child, parent/s and the court "
    "is required.",
    "2.63",
)
DUTY_TO_REFER = Step(
    QUOTE_JOIN.join(
        (
            "Professionals in all agencies have a duty to refer a child to LACSC when it is believed or suspected "
            "that the child",
            "(a) either is currently suffering, or is likely to suffer significant harm (S47 Children Act 1989);",
            "(b) has developmental and welfare needs which are likely only to be met through provision of family "
            "support services (S17 Children Act 1989).",
        )
    ),
    "2.61",
)
OTHER_AGENCY = Step(
    "(c) referring a child and family to any other agency, in order to promote their welfare in relation to "
    "Every Child Matters, through use of the common assessment framework.",
    "2.62",
)
COVERING_LETTER = (
    "A covering letter should be provided making it clear for LACSC or any other agency, the level of concern "
    "and the nature of the referral. Three standard letters for (a), (b) and (c) are provided in the resource "
    "section."
)


def covering_letter(letter: str) -> Step:
    """The step naming which of the three standard covering letters goes with the CAF form."""
    return Step(
        COVERING_LETTER,
        "2.65",
        f"Use standard covering letter ({letter}) from the resource pack (II. Covering letters for referrals):",
    )


@dataclass(frozen=True)
class ReferralFacts:
    """What is believed or suspected about the child, and who consents; None where not yet known.

    significant_harm: the child is believed or suspected to be currently suffering, or likely
    to suffer, significant harm (2.61(a)). needs_family_support_services: the child has
    developmental and welfare needs likely only to be met through family support services
    (2.61(b)). promote_welfare_through_other_agency: the child and family are to be referred to
    another agency to promote their welfare through the common assessment framework (2.62(c)).
    child_consents, parents_consent, court_consents: whether each agrees to the referral.
    """

    significant_harm: bool | None = None
    needs_family_support_services: bool | None = None
    promote_welfare_through_other_agency: bool | None = None
    child_consents: bool | None = None
    parents_consent: bool | None = None
    court_consents: bool | None = None


FACT_VALUES: dict[str, tuple] = {field.name: (True, False) for field in fields(ReferralFacts)}


def _consent_decision(code: str, name: str, letter: str, consent: Step, facts: ReferralFacts) -> Decision:
    refused = [
        who
        for who, agrees in (
            ("the child", facts.child_consents),
            ("the parent/s", facts.parents_consent),
            ("the court", facts.court_consents),
        )
        if not agrees
    ]
    headline = (
        f"A '{name}' referral, with covering letter ({letter}): "
        "consent of the child, parent/s and the court is required."
    )
    if refused:
        headline += f" Consent has not been given by {' and '.join(refused)}."
    steps = [consent]
    if code == "s17_needs" and (facts.child_consents is False or facts.parents_consent is False):
        headline += " Consider whether the circumstances require a 'S47' referral."
        steps.append(CONSIDER_S47)
    steps += [MECHANISM, covering_letter(letter), CAF_CONSENT]
    return Decision(code, headline, tuple(steps), unique(s.citation for s in steps))


@cache
def _decide_known(facts: ReferralFacts) -> Decision:
    if facts.significant_harm:
        steps = (SERVICE_MANAGER_FIRST, S47_CONSENT, MECHANISM, covering_letter("a"), CAF_CONSENT, NOT_DELAY)
        return Decision(
            "s47_child_welfare_protection",
            "A 'S47 child welfare (protection)' referral, with covering letter (a): consent is not required "
            "from the court or by the child or parent/s.",
            steps,
            unique(s.citation for s in steps),
        )
    if facts.needs_family_support_services:
        return _consent_decision("s17_needs", "s17 needs", "b", S17_CONSENT, facts)
    if facts.promote_welfare_through_other_agency:
        return _consent_decision("promoting_welfare", "promoting welfare", "c", PROMOTING_WELFARE_CONSENT, facts)
    steps = (DUTY_TO_REFER, OTHER_AGENCY)
    return Decision(
        "no_referral",
        "None of the three types of referral at 2.61-2.62 applies on the facts given.",
        steps,
        unique(s.citation for s in steps),
    )


def missing_facts(facts: ReferralFacts) -> list[str]:
    """The facts still needed to decide the type of referral, in asking order."""
    check_facts(facts, FACT_VALUES)
    return facts_still_needed(facts, FACT_VALUES, _decide_known)


def decide_referral_type(facts: ReferralFacts) -> Decision:
    """The type of referral (2.61-2.63), its consent and covering letter; MissingFacts if not yet decidable."""
    return decide_when_known(facts, FACT_VALUES, _decide_known)


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _moment(moment: datetime) -> str:
    return f"{moment:%H:%M} on {_day(moment)}"


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
    within_24_hours = referral_made_at + timedelta(hours=24)
    notes = {
        "2.101": f"Referral made by telephone at {_moment(referral_made_at)}.",
        "2.103": f"By the end of {_day(one_working_day)}. {COUNTING_RULE}",
        "Appendix V": f"By {_moment(within_24_hours)}: the supervision checklist in Appendix V sets 24 hours, and "
        "meeting the earlier of the two timescales meets both.",
        "2.108": f"By the end of {_day(one_working_day)}, one working day counted from the day of the referral.",
        "2.104": f"If there is no reply by the end of {_day(three_working_days)}, three working days counted from the "
        "day of the referral.",
    }
    headline = (
        f"Child welfare (protection) referral made at {_moment(referral_made_at)}: confirm it in writing to "
        f"LACSC by the end of {_day(one_working_day)} (one working day, 2.103); the supervision checklist in "
        f"Appendix V says within 24 hours, by {_moment(within_24_hours)}."
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
    steps = []
    if discussed_with_service_manager is not True:
        steps.append(
            Step(
                "In any situation when the practitioner has made a referral of possible significant harm to Local "
                "Authority Children's Social Care without prior consultation with his/her Service Manager, the "
                "practitioner must inform the Service Manager as soon as possible.",
                "2.83",
            )
        )
    steps.append(
        Step(
            "In the first instance, the referral to Local Authority Children's Social Care should be made by "
            "telephone.",
            "2.101",
            notes["2.101"],
        )
    )
    steps.append(
        Step(
            "The practitioner should, as far as possible, be prepared to provide the following information, but "
            "lack of any element should not delay the referral:",
            "2.102",
        )
    )
    if private_law is not False:
        steps.append(
            Step(
                "in private law proceedings, inform the Local Authority Children's Social Care of the existence of "
                "the private law proceedings and the stage they have reached. It is legally permissible to send the "
                "court papers to the local authority for child protection purposes without prior leave of the court.",
                "2.102",
            )
        )
    steps += [
        Step("The practitioner must keep a record of the telephone conversation.", "2.103"),
        Step(
            "The information given must be confirmed in writing, preferably first by fax, followed up by post to "
            "Local Authority Children's Social Care within one working day.",
            "2.103",
            notes["2.103"],
        ),
        Step(
            "Where a child welfare (protection) referral is made, this is followed up in writing within 24 hours.",
            "Appendix V",
            notes["Appendix V"],
        ),
        Step(
            "The information will be in the format of a CAF form and a covering letter (see the resource pack for "
            "the standard Cafcass covering letters and the CAF form). These should be utilised unless local LSCB "
            "procedures stipulate a different format for local referrals.",
            "2.103",
        ),
        Step(
            "In all situations, the practitioner must ensure that the Service Manager receives a copy of the written "
            "confirmation of the referral that is sent to Local Authority Children's Social Care, within one "
            "working day.",
            "2.108",
            notes["2.108"],
        ),
        Step("A copy of the written information must also be sent to any allocated social worker", "2.100"),
        Step(
            "Where a referral is made the court should be informed of the steps taken at the earliest convenient "
            "opportunity.",
            "2.106",
        ),
        Step(
            "If the practitioner has not heard back from Local Authority Children's Social Care within three "
            "working days, the practitioner must contact Local Authority Children's Social Care again in writing "
            "and request a timescale for response.",
            "2.104",
            notes["2.104"],
        ),
        Step(
            "The practitioner must make a written record of the decisions taken in the course of any discussion "
            "with Local Authority Children's Social Care. Both the referral form and the record of discussions must "
            "be placed on the child's case file.",
            "2.105",
        ),
    ]
    return Decision(
        "s47_child_welfare_protection", headline, tuple(steps), unique(s.citation for s in steps), deadlines
    )

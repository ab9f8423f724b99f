"""Whether Cafcass makes a police check on an application (Framework 2.17-2.22, 3.67-3.76)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from knowledge.decision import QUOTE_JOIN, Decision, Step, check_facts, decide_when_known, facts_still_needed, unique

CODES = ("police_check", "no_police_check", "ask_la_to_confirm")

WILL_BE_MADE = (
    "a police check, including criminal records, domestic violence incidents, any MAPPA/MARAC "
    "information and any other relevant information held by the police will be made in:"
)
HARM_RAISED = (
    "any application where issues are raised as to risk of harm to the child (via the harm 'tick box' "
    "or any other information)."
)
WELFARE_WORK = (
    "any further work requested by the court on welfare grounds, including a request for a section 7 "
    "report or a Family Assistance Order (welfare is set out at para 1.5 of this document);"
)
JUDGEMENT = (
    "any application where in the professional judgement of a Cafcass officer any issue arises which "
    "suggests there is a potential risk of harm to a child, and the interests of the child concerned "
    "require the check to be made."
)
JUDGEMENT_CRITERIA = QUOTE_JOIN.join(
    (
        "Criteria to base this judgement on in each individual case may include information about:",
        "the nature of any dispute over contact and residence",
        "high-conflict relationship breakdown",
        "distress in the child",
        "any other risk factors (see 2.14)",
    )
)
WILL_NOT_BE_MADE = "Unless any of the factors in 2.19 (above) are present, a police check will not be made for:"
EXCLUDED = {
    "specific_issue_or_prohibited_steps": "Applications for specific issue or prohibited steps orders",
    "parental_responsibility_not_linked_with_other_issues": (
        "Parental responsibility applications that are not linked with other issues"
    ),
    "inherent_jurisdiction": "Any application under the inherent jurisdiction",
}
APPLICATION_TYPES = (*EXCLUDED, "other")

LATER = (
    "If a 2.19 factor arises later (for example, the court requests a section 7 report, or your "
    "professional judgement changes), a police check will be made:"
)
SCREENING = Step("In all private law applications there will be screening of:", "2.18")
REVIEW = Step(
    "The Service Manager, or the practitioner where a case has been allocated, will review the results "
    "when they are received.",
    "2.23",
)
PUBLIC_LAW = (
    Step(
        "In public law cases, the Children's Guardian will ask the Local Authority to confirm the "
        "information detailed above has already been provided, apart from the information available "
        "internally to Cafcass. Where this is not the case, the Children's Guardian will request the local "
        "authority to ensure that this information is available for the court.",
        "2.21",
    ),
    Step(
        "In public law cases, it must not be assumed that police checks, or any other checks, have been "
        "carried out by Local Authority Children's Social Care. This must be checked by the Children's "
        "Guardian. Where this information is not available, the LASC should be requested to provide it.",
        "3.67",
    ),
    Step(
        "If it is not clear whether the child's name is on the Child Protection Register², this must also be checked.",
        "3.67",
    ),
)
REPEAT_FOR_OTHER_NAMES = Step(
    "It may be necessary to repeat the process at a later stage if an adult has been known by more than one "
    "name, or if an adult has had more than one address over the last five years and the information was "
    "not known at the time of the initial check.",
    "2.17",
)
BEFORE_CHECKS = (
    Step(
        "In some cases, the court may request the assistance of Cafcass, when it is not possible to do the "
        "checks first (emergency applications) or when the information has not yet been obtained. Every "
        "effort should be made to limit these instances, because of the importance of screening situations "
        "for factors of risk.",
        "2.22",
    ),
    Step(
        "When Cafcass does work in a family situation without the benefit of this screening information, "
        "then the court should be made aware of this in writing and a record kept by Cafcass of what "
        "happened and why.",
        "3.69",
    ),
)
CONSENT = (
    Step(
        "Before making additional or extended checks the written explicit consent of the individual "
        "concerned should be obtained unless there is a good reason not to do so. The 'consent to perform "
        "checks' form is in the resource pack for this purpose. Where consent is refused, consideration "
        "should be given to seeking direction from the court.",
        "3.75",
    ),
    Step(
        "If the practitioner believes that there may be good reason not to seek consent in a particular "
        "case, the reason for that decision must be recorded on the case file.",
        "3.76",
    ),
)
RELEVANT_INDIVIDUALS = (
    Step(
        "It will also be necessary to undertake additional checks if further, relevant individuals are "
        "identified. The practitioner should make a judgment as to which other people are 'relevant', once "
        "s/he has been allocated to the case. This consideration should extend to young people as well as "
        "adults.",
        "3.72",
    ),
    Step(
        "'Relevant individuals' (adults or young people) may include for instance members of the same "
        "household as a party seeking residence or contact (whether staying or visiting). Also included "
        "would be new partners where it might be expected that the person would come into contact with the "
        "child or where the relationship might deepen so that the person would come to have more "
        "involvement with the child.",
        "3.73",
    ),
    *CONSENT,
)
EXTENDED_CHECKS = (
    Step(
        "Whilst no national protocol has been agreed, examples of other organisations with whom extended "
        "checks are sometimes made at local level include:"
        + QUOTE_JOIN
        + QUOTE_JOIN.join(("Health", "Women's Aid", "Adult Services", "Probation")),
        "3.70",
    ),
    Step(
        "When considering whether extended checks are necessary, the principles and legal context should "
        "always be considered.",
        "3.71",
    ),
    *CONSENT,
)


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


def _added_steps(facts: PoliceCheckFacts) -> list[Step]:
    steps: list[Step] = []
    if facts.other_names_or_addresses and facts.law == "private":
        steps.append(REPEAT_FOR_OTHER_NAMES)
    if facts.relevant_individuals_identified:
        steps.extend(RELEVANT_INDIVIDUALS)
    if facts.extended_checks_considered:
        steps.extend(EXTENDED_CHECKS)
    if facts.checks_not_possible_before_hearing:
        steps.extend(BEFORE_CHECKS)
    return steps


def _decision(code: str, headline: str, steps: list[Step], facts: PoliceCheckFacts) -> Decision:
    all_steps = unique([*steps, *_added_steps(facts)])
    return Decision(code, headline, all_steps, unique(s.citation for s in all_steps))


@cache
def _decide_known(facts: PoliceCheckFacts) -> Decision:
    if facts.law == "public":
        return _decision(
            "ask_la_to_confirm",
            "Public law: the Children's Guardian asks the local authority to confirm the checks, "
            "and must not assume they have been done.",
            list(PUBLIC_LAW),
            facts,
        )
    if facts.harm_raised or facts.welfare_work_requested or facts.professional_judgement_risk:
        return _decision(
            "police_check",
            "A police check will be made: at least one of the three cases in 2.19 applies.",
            [Step(QUOTE_JOIN.join((WILL_BE_MADE, HARM_RAISED, WELFARE_WORK, JUDGEMENT)), "2.19"), SCREENING, REVIEW],
            facts,
        )
    if facts.application_type in EXCLUDED:
        return _decision(
            "no_police_check",
            "No police check: none of the 2.19 factors is present and 2.20 lists this application.",
            [
                Step(QUOTE_JOIN.join((WILL_NOT_BE_MADE, EXCLUDED[facts.application_type])), "2.20"),
                SCREENING,
                Step(JUDGEMENT_CRITERIA, "2.19", LATER),
            ],
            facts,
        )
    return _decision(
        "no_police_check",
        "Not covered by either list: none of the three cases in which 2.19 says a police check "
        '"will be made" is present, and 2.20, which lists when a check "will not be made", does not '
        "list this application. The Framework sets no rule for this case; nothing in it requires a "
        "police check here.",
        [
            Step(WILL_BE_MADE, "2.19", "None of the three cases applies on the facts given:"),
            Step(WILL_NOT_BE_MADE, "2.20", "This application is not one of the three listed:"),
            SCREENING,
            Step(QUOTE_JOIN.join((JUDGEMENT, JUDGEMENT_CRITERIA)), "2.19", LATER),
        ],
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

"""The walkthroughs as conversation: questions and their reasons against the Framework, what each asks and decides, and
how answers and free text are read."""

import copy
import json
from datetime import date, datetime
from itertools import product

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import police_check, s120_pathway
from knowledge.decision import MissingFacts, Step
from knowledge.moments import LONDON
from knowledge.walkthroughs import (
    DATA,
    NOT_MADE,
    Option,
    Question,
    Walkthrough,
    WalkthroughDataError,
    load_walkthroughs,
    parse_walkthroughs,
)
from tests.knowledge.conftest import assert_quoted

MONDAY = datetime(2026, 11, 23, 16, 0, tzinfo=LONDON)  # Monday 23 November 2026, 16:00 GMT

FACTS = {
    "section_120": (
        "law",
        "question_7",
        "c1a_completed",
        "previously_at_risk_from_witnessing_harm",
        "still_at_risk_from_witnessing_harm",
        "other_types_of_harm",
        "child_remains_at_risk",
    ),
    "police_check": (
        "law",
        "harm_raised",
        "welfare_work_requested",
        "professional_judgement_risk",
        "application_type",
        "checks_not_possible_before_hearing",
        "other_names_or_addresses",
        "relevant_individuals_identified",
        "extended_checks_considered",
    ),
    "referral_type": (
        "significant_harm",
        "past_significant_harm",
        "needs_family_support_services",
        "promote_welfare_through_other_agency",
        "child_consents",
        "parents_consent",
        "court_consents",
        "referral_made_at",
        "discussed_with_service_manager",
        "law",
    ),
    "screening": (
        "law",
        "screening_concern",
        "screening_results_received",
        "checks_not_possible_before_hearing",
        "case_allocated",
    ),
    "serious_case_review": ("cafcass_involvement", "child_or_other_child_at_risk", "scr_status"),
    "staff_allegation": ("concern_type", "staff_status", "received_as_complaint", "registered_with_regulator"),
}


@pytest.fixture(scope="module")
def walkthroughs():
    return load_walkthroughs()


# ---- the shape of the API and of the data -------------------------------------------------------


def test_the_walkthroughs_and_the_facts_each_asks(walkthroughs):
    assert load_walkthroughs() is walkthroughs
    assert {name: w.facts for name, w in walkthroughs.items()} == FACTS
    for name, walkthrough in walkthroughs.items():
        assert isinstance(walkthrough, Walkthrough)
        assert walkthrough.name == name and walkthrough.title
        assert walkthrough.called.startswith("the ") and len(walkthrough.called) < len(walkthrough.title) + 10


def test_every_question_has_buttons_and_a_reason_in_the_frameworks_own_words(walkthroughs):
    for walkthrough in walkthroughs.values():
        for fact in walkthrough.facts:
            question = walkthrough.question(fact)
            assert isinstance(question, Question) and question.fact == fact
            assert question.text.endswith("?") or question.text.endswith(".)")
            assert 2 <= len(question.options) <= 6
            assert all(isinstance(o, Option) and 0 < len(o.title) <= 30 for o in question.options)
            assert len({o.title.lower() for o in question.options}) == len(question.options)
            assert all(isinstance(o.value, (str, bool)) for o in question.options)
            assert_quoted(Step(question.why_quote, question.why_cite))


def test_button_values_are_the_decision_modules_values(walkthroughs):
    s120 = walkthroughs["section_120"]
    for fact, values in s120_pathway.FACT_VALUES.items():
        assert {o.value for o in s120.question(fact).options} == set(values)
    check = walkthroughs["police_check"]
    for fact, values in {**police_check.FACT_VALUES, **police_check.ADDED_STEP_FACTS}.items():
        assert {o.value for o in check.question(fact).options} == set(values)
    assert [o.title for o in walkthroughs["section_120"].question("question_7").options] == ["Ticked yes", "Ticked no"]
    assert [o.title for o in walkthroughs["section_120"].question("c1a_completed").options] == [
        "Completed",
        "Not completed",
    ]
    assert [(o.title, o.value) for o in walkthroughs["referral_type"].question("referral_made_at").options] == [
        ("Just now", "just_now"),
        ("Not made yet", NOT_MADE),
    ]


def test_a_fact_shared_by_walkthroughs_takes_the_same_values_everywhere(walkthroughs):
    for fact in ("law", "checks_not_possible_before_hearing"):
        asked = [w.question(fact) for w in walkthroughs.values() if fact in w.facts]
        assert len(asked) > 1
        assert len({frozenset(o.value for o in q.options) for q in asked}) == 1


def test_question_for_an_unknown_fact_names_the_facts(walkthroughs):
    with pytest.raises(KeyError, match="its facts are law"):
        walkthroughs["section_120"].question("harm_raised")


def data():
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "change, problem",
    [
        (
            lambda d: d["walkthroughs"]["section_120"]["questions"]["law"].update(
                why_quote="These procedures apply in every public law case."
            ),
            "why_quote is not word for word in 2.77",
        ),
        (
            lambda d: d["walkthroughs"]["section_120"]["questions"]["question_7"].update(
                options=[["Ticked yes on the C1 or the C7 form", "yes"], ["Ticked no", "no"]]
            ),
            "longer than 30 characters",
        ),
        (
            lambda d: d["walkthroughs"]["screening"]["questions"]["case_allocated"].update(
                options=[["Allocated", "maybe"], ["No", False]]
            ),
            "has value 'maybe'",
        ),
        (
            lambda d: d["walkthroughs"]["staff_allegation"]["questions"].pop("registered_with_regulator"),
            "must ask exactly the facts",
        ),
        (lambda d: d["facts"]["law"]["extract"]["public"].append("(public law"), "bad pattern"),
        (lambda d: d["facts"]["law"]["extract"]["public"].append("%courts%"), "no term 'courts'"),
        (lambda d: d["facts"]["c1a_completed"]["values"].pop(False), "must give words for exactly"),
        (lambda d: d["negation"]["words"].append(False), "each quoted text"),
        (lambda d: d["facts"]["law"]["answers"].update(family=["family"]), "'family' is not a value of this fact"),
        (lambda d: d["walkthroughs"].pop("serious_case_review"), "walkthroughs must be exactly"),
    ],
)
def test_the_data_is_checked_when_loaded(change, problem):
    broken = copy.deepcopy(data())
    change(broken)
    with pytest.raises(WalkthroughDataError, match="walkthroughs.yml is not valid") as raised:
        parse_walkthroughs(broken)
    assert problem in str(raised.value)


def test_a_button_that_would_not_be_read_back_is_refused():
    broken = copy.deepcopy(data())
    broken["walkthroughs"]["section_120"]["questions"]["question_7"]["options"] = [
        ["Ticked yes", "no"],
        ["Ticked no", "yes"],
    ]
    with pytest.raises(WalkthroughDataError, match="the button 'Ticked yes' reads as 'yes', not 'no'"):
        parse_walkthroughs(broken)


# ---- what each walkthrough asks, and decides ----------------------------------------------------


def test_section_120_asks_and_decides_as_the_pathway_does(walkthroughs):
    walkthrough = walkthroughs["section_120"]
    names = list(s120_pathway.FACT_VALUES)
    for values in product(*((None, *v) for v in s120_pathway.FACT_VALUES.values())):
        known = {n: v for n, v in zip(names, values) if v is not None}
        facts = s120_pathway.S120Facts(*values)
        assert walkthrough.next_facts(known) == s120_pathway.missing_facts(facts)
        if not walkthrough.next_facts(known):
            assert walkthrough.decide(known) == s120_pathway.decide_s120(facts)


def test_the_first_example_message_goes_straight_to_the_right_outcome(walkthroughs):
    walkthrough = walkthroughs["section_120"]
    known = walkthrough.extract("C1A ticked yes but not filed, dad punched the 10yo", MONDAY)
    assert walkthrough.next_facts(known) == ["law"]
    known["law"] = walkthrough.parse_answer("law", "Private law")
    decision = walkthrough.decide(known)
    assert decision.code == "child_protection_referral"
    actions = [step.quote for step in decision.steps if step.citation == "Appendix III"]
    assert "Notify the court that C1A form has not been completed as required" in actions
    assert walkthrough.describe(known) == [
        "Proceedings: private law",
        "Question 7 (harm): ticked yes",
        "C1A: not completed",
        "Other types of harm (physical, sexual, emotional abuse or neglect): yes",
    ]


def test_decide_before_the_facts_are_known_names_what_to_ask(walkthroughs):
    with pytest.raises(MissingFacts) as raised:
        walkthroughs["section_120"].decide({"law": "private"})
    assert raised.value.missing[0] == "question_7"


def test_values_that_are_not_allowed_are_refused(walkthroughs):
    with pytest.raises(ValueError, match="question_7 cannot be True"):
        walkthroughs["section_120"].next_facts({"question_7": True})
    with pytest.raises(ValueError, match="c1a_completed cannot be 'no'"):
        walkthroughs["section_120"].decide({"c1a_completed": "no"})
    with pytest.raises(ValueError, match="referral_made_at cannot be 'yesterday'"):
        walkthroughs["referral_type"].next_facts({"referral_made_at": "yesterday"})


def test_facts_of_other_walkthroughs_are_ignored(walkthroughs):
    known = {"law": "public", "harm_raised": True, "scr_status": "to_be_held"}
    assert walkthroughs["section_120"].next_facts(known) == []
    assert walkthroughs["section_120"].decide(known).code == "not_applicable_public_law"


ALWAYS_ASKED = {
    "private": ["checks_not_possible_before_hearing", "other_names_or_addresses", "relevant_individuals_identified"],
    "public": ["relevant_individuals_identified"],
}


def test_police_check_always_asks_about_relevant_individuals_and_in_private_law_other_names(walkthroughs):
    """Every combination of the deciding facts: new partners and household members (3.72-3.73) are always asked, and
    in private law the urgent hearing (2.22, 3.69) and other names or addresses (2.17); extended checks never."""
    walkthrough = walkthroughs["police_check"]
    assert walkthrough.next_facts({}) == [
        "law",
        "harm_raised",
        "welfare_work_requested",
        "professional_judgement_risk",
        "application_type",
    ]
    deciding = {k: v for k, v in police_check.FACT_VALUES.items() if k != "law"}
    for law, asked in ALWAYS_ASKED.items():
        for values in product(*deciding.values()):
            known = {"law": law, **dict(zip(deciding, values))}
            assert walkthrough.next_facts(known) == asked, known
            answers = dict.fromkeys(asked, False)
            assert walkthrough.next_facts({**known, **answers}) == []
            for fact in asked:
                assert walkthrough.next_facts({**known, **answers, fact: None}) == [fact]
        assert "extended_checks_considered" not in walkthrough.next_facts({"law": law})


def test_police_check_steps_follow_the_answers_about_hearing_names_and_individuals(walkthroughs):
    walkthrough = walkthroughs["police_check"]
    base = {
        "law": "private",
        "harm_raised": True,
        "checks_not_possible_before_hearing": False,
        "other_names_or_addresses": False,
        "relevant_individuals_identified": False,
    }
    assert walkthrough.decide(base).code == "police_check"
    assert not {"2.17", "2.22", "3.69", "3.72", "3.73"} & set(walkthrough.decide(base).citations)
    for fact, cites in (
        ("checks_not_possible_before_hearing", {"2.22", "3.69"}),
        ("other_names_or_addresses", {"2.17"}),
        ("relevant_individuals_identified", {"3.72", "3.73", "3.75"}),
    ):
        assert cites <= set(walkthrough.decide({**base, fact: True}).citations), fact
    stated = walkthrough.extract("mum's new partner has moved in, and dad is also known as Jay", MONDAY)
    assert stated == {"relevant_individuals_identified": True, "other_names_or_addresses": True}
    assert walkthrough.next_facts({"law": "private", "harm_raised": True, **stated}) == [
        "checks_not_possible_before_hearing"
    ]
    question = walkthrough.question("relevant_individuals_identified")
    assert "new partner" in question.text and "household" in question.text


def test_referral_asks_when_it_was_made_only_for_a_s47_referral(walkthroughs):
    walkthrough = walkthroughs["referral_type"]
    s17 = {"significant_harm": False, "past_significant_harm": False, "needs_family_support_services": True}
    assert walkthrough.next_facts(s17) == ["child_consents", "parents_consent", "court_consents"]
    done = {**s17, "child_consents": True, "parents_consent": True, "court_consents": True}
    assert walkthrough.next_facts(done) == []
    assert walkthrough.decide(done).code == "s17_needs"
    assert walkthrough.decide(done).deadlines == ()
    assert walkthrough.next_facts({"significant_harm": True}) == ["referral_made_at", "discussed_with_service_manager"]
    assert walkthrough.next_facts({"significant_harm": True, "referral_made_at": NOT_MADE}) == []


def test_the_referral_asks_about_past_harm_and_agrees_with_the_section_120_decision(walkthroughs):
    """A child hit by an adult who has since left: the referral walkthrough and the s120 pathway both refer."""
    referral = walkthroughs["referral_type"]
    assert referral.next_facts({"significant_harm": False})[0] == "past_significant_harm"
    question = referral.question("past_significant_harm")
    assert "in the past" in question.text and question.why_cite == "2.79"
    past = {"significant_harm": False, "past_significant_harm": True, "referral_made_at": NOT_MADE}
    assert referral.decide(past).code == "s47_child_welfare_protection"
    s120 = walkthroughs["section_120"].decide(
        {
            "law": "private",
            "question_7": "yes",
            "c1a_completed": True,
            "previously_at_risk_from_witnessing_harm": False,
            "still_at_risk_from_witnessing_harm": False,
            "other_types_of_harm": True,
        }
    )
    assert s120.code == "child_protection_referral"


def test_a_s47_referral_made_on_christmas_eve_has_its_dates(walkthroughs):
    walkthrough = walkthroughs["referral_type"]
    christmas_eve = datetime(2026, 12, 24, 16, 55, tzinfo=LONDON)
    made = walkthrough.parse_answer("referral_made_at", "Just now", christmas_eve)
    assert made == "2026-12-24T16:55+00:00"
    known = {"significant_harm": True, "referral_made_at": made}
    assert walkthrough.next_facts(known, christmas_eve) == ["discussed_with_service_manager"]
    known["discussed_with_service_manager"] = walkthrough.parse_answer(
        "discussed_with_service_manager", "No", christmas_eve
    )
    decision = walkthrough.decide(known, christmas_eve)
    assert decision.code == "s47_child_welfare_protection"
    # 25 Dec Christmas Day, 26-27 the weekend, 28 the substitute Boxing Day: the first working day is Tuesday 29th.
    assert dict(decision.deadlines) == {
        "Written confirmation to LACSC (2.103)": date(2026, 12, 29),
        "Followed up in writing within 24 hours (Appendix V)": datetime(2026, 12, 25, 16, 55, tzinfo=LONDON),
        "Service Manager has a copy of the written confirmation (2.108)": date(2026, 12, 29),
        "No reply yet: contact LACSC again in writing and ask for a timescale (2.104)": date(2026, 12, 31),
    }
    citations = [step.citation for step in decision.steps]
    assert citations[0] == "2.81" and "2.83" in citations and "2.63" in citations
    assert "Tuesday 29 December 2026" in decision.headline
    assert walkthrough.describe(known)[1] == "Telephone referral: made at 16:55 on Thursday 24 December 2026"
    assert "2.83" not in walkthrough.decide({**known, "discussed_with_service_manager": True}, christmas_eve).citations


def test_a_s47_referral_not_made_yet_says_the_dates_run_from_the_telephone_referral(walkthroughs):
    decision = walkthroughs["referral_type"].decide({"significant_harm": True, "referral_made_at": NOT_MADE})
    assert decision.deadlines == ()
    assert "not made yet" in decision.headline
    notes = {step.citation: step.note for step in decision.steps if step.note}
    assert notes["2.101"].startswith("Not made yet")
    assert notes["2.103"].startswith("Within one working day of the telephone referral")
    assert all(str(year) not in " ".join(notes.values()) for year in (2025, 2026, 2027))


def test_a_public_law_referral_leaves_out_the_private_law_step(walkthroughs):
    walkthrough = walkthroughs["referral_type"]
    known = {
        "significant_harm": True,
        "referral_made_at": "2026-11-23T10:00+00:00",
        "discussed_with_service_manager": True,
    }
    private_law_step = "in private law proceedings, inform the Local Authority Children's Social Care"
    assert any(private_law_step in s.quote for s in walkthrough.decide(known, MONDAY).steps)
    assert not any(private_law_step in s.quote for s in walkthrough.decide({**known, "law": "public"}, MONDAY).steps)


def test_a_referral_cannot_have_been_made_after_now(walkthroughs):
    with pytest.raises(ValueError, match="cannot have been made after now"):
        walkthroughs["referral_type"].decide(
            {"significant_harm": True, "referral_made_at": "2026-11-23T17:00+00:00"}, MONDAY
        )


@pytest.mark.parametrize(
    "name, known, code",
    [
        ("screening", {"law": "private", "screening_concern": "referral_level"}, "screening_child_protection_referral"),
        (
            "screening",
            {
                "law": "private",
                "screening_concern": "none",
                "screening_results_received": False,
                "checks_not_possible_before_hearing": True,
                "case_allocated": False,
            },
            "screening_urgent_hearing",
        ),
        (
            "serious_case_review",
            {"cafcass_involvement": "current", "child_or_other_child_at_risk": False, "scr_status": "to_be_held"},
            "scr_secure_files",
        ),
        (
            "serious_case_review",
            {"cafcass_involvement": "none", "child_or_other_child_at_risk": False},
            "scr_no_cafcass_involvement",
        ),
        (
            "staff_allegation",
            {
                "concern_type": "physical_abuse_of_adult",
                "staff_status": "employed",
                "received_as_complaint": False,
                "registered_with_regulator": True,
            },
            "staff_allegation_refer_lado",
        ),
    ],
)
def test_the_new_walkthroughs_decide(walkthroughs, name, known, code):
    walkthrough = walkthroughs[name]
    assert walkthrough.next_facts(known) == []
    decision = walkthrough.decide(known)
    assert decision.code == code
    json.dumps(decision.to_payload())
    assert len(walkthrough.describe(known)) == len(known)


# ---- reading answers ----------------------------------------------------------------------------


def test_every_button_is_read_back_as_its_value(walkthroughs):
    for walkthrough in walkthroughs.values():
        for fact in walkthrough.facts:
            for option in walkthrough.question(fact).options:
                read = walkthrough.parse_answer(fact, option.title, MONDAY)
                assert read == ("2026-11-23T16:00+00:00" if option.value == "just_now" else option.value)
                assert walkthrough.parse_answer(fact, f"  {option.title.upper()}! ", MONDAY) == read


@pytest.mark.parametrize(
    "name, fact, reply, value",
    [
        ("section_120", "question_7", "yeah", "yes"),
        ("section_120", "question_7", "nope", "no"),
        ("section_120", "question_7", "it was ticked no", "no"),
        ("section_120", "question_7", "ticked", "yes"),
        ("section_120", "question_7", "not ticked", "no"),
        ("section_120", "question_7", "left blank", "no"),
        ("section_120", "question_7", "no idea", None),
        ("section_120", "question_7", "not sure, I'll check", None),
        ("section_120", "question_7", "yes no", None),
        ("section_120", "question_7", "blah", None),
        ("section_120", "law", "private", "private"),
        ("section_120", "law", "care proceedings", "public"),
        ("section_120", "law", "I'm the CG", "public"),
        ("section_120", "law", "a C100", "private"),
        ("section_120", "law", "dunno", None),
        ("section_120", "law", "the special guardian", None),
        ("section_120", "c1a_completed", "n/a", None),
        ("section_120", "law", "yes", None),
        ("section_120", "c1a_completed", "not filed", False),
        ("section_120", "c1a_completed", "filed", True),
        ("section_120", "c1a_completed", "it's missing", False),
        ("section_120", "c1a_completed", "hasn\u2019t been done", False),
        ("section_120", "c1a_completed", "yes but not filed", None),
        ("section_120", "c1a_completed", "True", True),
        ("section_120", "c1a_completed", "false", False),
        ("section_120", "other_types_of_harm", "yep", True),
        ("section_120", "other_types_of_harm", "nah", False),
        ("section_120", "child_remains_at_risk", "y", True),
        ("police_check", "application_type", "PR", None),
        ("police_check", "application_type", "PR only", "parental_responsibility_not_linked_with_other_issues"),
        ("police_check", "application_type", "prohibited steps", "specific_issue_or_prohibited_steps"),
        ("police_check", "application_type", "contact", "other"),
        ("police_check", "application_type", "wardship", "inherent_jurisdiction"),
        ("screening", "screening_concern", "no concerns", "none"),
        ("screening", "screening_concern", "below threshold", "not_at_referral_level"),
        ("screening", "screening_concern", "needs a referral", "referral_level"),
        ("screening", "screening_concern", "doesn't need a referral", "not_at_referral_level"),
        ("screening", "screening_results_received", "still waiting on the police", False),
        ("screening", "case_allocated", "unallocated", False),
        ("serious_case_review", "cafcass_involvement", "yes", "current"),
        ("serious_case_review", "cafcass_involvement", "no", None),
        ("serious_case_review", "cafcass_involvement", "closed last year", "closed"),
        ("serious_case_review", "cafcass_involvement", "never known to cafcass", "none"),
        ("serious_case_review", "scr_status", "they're considering one", "being_considered"),
        ("serious_case_review", "scr_status", "decided against", "decided_against"),
        ("staff_allegation", "staff_status", "self-employed", "self_employed_contractor"),
        ("staff_allegation", "staff_status", "employed", "employed"),
        ("staff_allegation", "staff_status", "she's on the board", "board_member"),
        ("staff_allegation", "concern_type", "at home, his own kids", "abuse_of_child_outside_work"),
        ("referral_type", "child_consents", "not asked", "not_asked"),
        ("referral_type", "parents_consent", "Not asked yet", "not_asked"),
        ("referral_type", "court_consents", "no", False),
        ("referral_type", "referral_made_at", "no", NOT_MADE),
        ("referral_type", "referral_made_at", "not yet", NOT_MADE),
        ("referral_type", "referral_made_at", "today at 3pm", "2026-11-23T15:00+00:00"),
        ("referral_type", "referral_made_at", "yesterday 17:30", "2026-11-22T17:30+00:00"),
        ("referral_type", "referral_made_at", "Fri 14:00", "2026-11-20T14:00+00:00"),
        ("referral_type", "referral_made_at", "23/11/2026 09:15", "2026-11-23T09:15+00:00"),
        ("referral_type", "referral_made_at", "today at 5pm", None),
        ("referral_type", "referral_made_at", "yesterday", None),
        ("referral_type", "referral_made_at", "at 3", None),
    ],
)
def test_typed_answers(walkthroughs, name, fact, reply, value):
    assert walkthroughs[name].parse_answer(fact, reply, MONDAY) == value


def test_moments_carry_british_summer_time(walkthroughs):
    summer = datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    assert walkthroughs["referral_type"].parse_answer("referral_made_at", "09:00", summer) == "2026-07-01T09:00+01:00"
    naive = datetime(2026, 7, 1, 10, 0)
    assert walkthroughs["referral_type"].parse_answer("referral_made_at", "just now", naive) == "2026-07-01T10:00+01:00"


def test_an_answer_to_an_unknown_fact_is_an_error(walkthroughs):
    with pytest.raises(KeyError):
        walkthroughs["screening"].parse_answer("question_7", "yes")


# ---- reading free text --------------------------------------------------------------------------

MESSAGES = [
    # section 120
    (
        "section_120",
        "C1A ticked yes but not filed, dad punched the 10yo",
        {"question_7": "yes", "c1a_completed": False, "other_types_of_harm": True},
    ),
    (
        "section_120",
        "dad hit mum in front of the kids 2 yrs ago, separated since",
        {"previously_at_risk_from_witnessing_harm": True},
    ),
    ("section_120", "public law, I'm the CG", {"law": "public"}),
    (
        "section_120",
        "C1A says dad hit mum in front of the kids 2 yrs ago, separated since. s120 notification or referral?",
        {"c1a_completed": True, "previously_at_risk_from_witnessing_harm": True},
    ),
    ("section_120", "harm box not ticked, no C1A", {"question_7": "no", "c1a_completed": False}),
    ("section_120", "Q7 ticked no. Dad never hit the kids.", {"question_7": "no"}),
    ("section_120", "There are no allegations that dad hit the kids", {}),
    ("section_120", "Is it a referral if dad hit the kids?", {}),
    ("section_120", "dad hit the kids?", {}),
    ("section_120", "Mum says DV in front of the children last week", {"still_at_risk_from_witnessing_harm": True}),
    (
        "section_120",
        "private law, C1A completed, mum alleges he sexually abused their daughter",
        {"law": "private", "c1a_completed": True, "other_types_of_harm": True},
    ),
    (
        "section_120",
        "the kids witnessed domestic violence years ago",
        {"previously_at_risk_from_witnessing_harm": True},
    ),
    (
        "section_120",
        "the children heard dad attacking mum before they separated",
        {"previously_at_risk_from_witnessing_harm": True},
    ),
    ("section_120", "What does section 120 mean?", {}),
    ("section_120", "no C1A filed yet and the harm box is blank", {"c1a_completed": False, "question_7": "no"}),
    ("section_120", "the 8 year old was slapped by mum's partner", {"other_types_of_harm": True}),
    ("section_120", "dad smashed up the house and the kids saw it, that was last year", {}),
    ("section_120", "the child remains at risk from dad", {"child_remains_at_risk": True}),
    ("section_120", "child no longer at risk since dad moved abroad", {"child_remains_at_risk": False}),
    ("section_120", "Question 7: yes. C1A attached.", {"question_7": "yes", "c1a_completed": True}),
    ("section_120", "no other harm alleged", {"other_types_of_harm": False}),
    ("section_120", "I'm not sure if the C1A was filed", {}),
    ("section_120", "mum's C1A is filed but dad's C1A not completed", {}),
    ("section_120", "the baby was injured, dad not allowed contact", {}),
    (
        "section_120",
        "mum hit dad in front of the children years ago",
        {"previously_at_risk_from_witnessing_harm": True},
    ),
    ("section_120", "the 14 year old hit his dad", {}),
    ("section_120", "dad threatened to hit the kids", {"other_types_of_harm": True}),
    # police check
    (
        "police_check",
        "PR application only, nothing on the C1",
        {"law": "private", "application_type": "parental_responsibility_not_linked_with_other_issues"},
    ),
    ("police_check", "no harm alleged, s7 ordered", {"harm_raised": False, "welfare_work_requested": True}),
    (
        "police_check",
        "urgent C100 in, checks not back yet, hearing at 2pm",
        {"law": "private", "checks_not_possible_before_hearing": True},
    ),
    (
        "police_check",
        "PSO and contact application, harm box ticked",
        {"law": "private", "harm_raised": True, "application_type": "other"},
    ),
    (
        "police_check",
        "specific issue order about schooling, no risk issues raised",
        {"application_type": "specific_issue_or_prohibited_steps", "harm_raised": False},
    ),
    ("police_check", "wardship application", {"application_type": "inherent_jurisdiction"}),
    ("police_check", "thinking about extended checks with probation", {"extended_checks_considered": True}),
    ("police_check", "no s7 requested", {"welfare_work_requested": False}),
    ("police_check", "the court wants a section 7 report", {"welfare_work_requested": True}),
    ("police_check", "might need a police check", {}),
    ("police_check", "harm box not ticked", {}),
    (
        "police_check",
        "historic allegations of DV, no current concerns, parents separated 3 years ago",
        {"harm_raised": True},
    ),
    # referral
    (
        "referral_type",
        "I rang the LA at 3pm today to refer, discussed with my SM first",
        {"referral_made_at": "2026-11-23T15:00+00:00", "discussed_with_service_manager": True},
    ),
    (
        "referral_type",
        "significant harm, referral not made yet",
        {"significant_harm": True, "referral_made_at": NOT_MADE},
    ),
    (
        "referral_type",
        "referred yesterday 17:30 without speaking to my manager",
        {"referral_made_at": "2026-11-22T17:30+00:00", "discussed_with_service_manager": False},
    ),
    (
        "referral_type",
        "s17 referral, mum and dad agree but the child refuses",
        {"needs_family_support_services": True, "parents_consent": True, "child_consents": False},
    ),
    ("referral_type", "no significant harm, but the family need support", {"significant_harm": False}),
    ("referral_type", "the court has not consented", {"court_consents": False}),
    ("referral_type", "I called mum at 3pm", {}),
    ("referral_type", "I'm going to ring the LA at 4pm", {"referral_made_at": NOT_MADE}),
    ("referral_type", "phoned the MASH at 09:15 on Friday", {"referral_made_at": "2026-11-20T09:15+00:00"}),
    ("referral_type", "referral made at 10:00, hearing at 2pm", {}),
    ("referral_type", "dad won't consent to the referral", {"parents_consent": False}),
    ("referral_type", "we spoke to the LA duty team at 11am yesterday", {}),
    ("referral_type", "I'm thinking of referring, haven't spoken to my SM", {"discussed_with_service_manager": False}),
    (
        "referral_type",
        "SM agreed, referral made 10:30",
        {"referral_made_at": "2026-11-23T10:30+00:00", "discussed_with_service_manager": True},
    ),
    # screening
    (
        "screening",
        "urgent C100 in, checks not back yet, hearing at 2pm",
        {"law": "private", "screening_results_received": False, "checks_not_possible_before_hearing": True},
    ),
    (
        "screening",
        "checks all back, case unallocated, no concerns",
        {"screening_concern": "none", "screening_results_received": True, "case_allocated": False},
    ),
    ("screening", "police check back, LA checks not back", {"screening_results_received": False}),
    (
        "screening",
        "concerns but below the referral threshold, case allocated to me",
        {"screening_concern": "not_at_referral_level", "case_allocated": True},
    ),
    ("screening", "I think this needs a child protection referral", {"screening_concern": "referral_level"}),
    ("screening", "it doesn't need a referral", {}),
    ("screening", "the kids are fine, no concerns from school", {}),
    # serious case review
    (
        "serious_case_review",
        "a child on my caseload has died, siblings still at risk, LSCB considering an SCR",
        {"cafcass_involvement": "current", "child_or_other_child_at_risk": True, "scr_status": "being_considered"},
    ),
    (
        "serious_case_review",
        "closed case, SCR to be held",
        {"cafcass_involvement": "closed", "scr_status": "to_be_held"},
    ),
    ("serious_case_review", "the LSCB decided not to hold an SCR", {"scr_status": "decided_against"}),
    (
        "serious_case_review",
        "no Cafcass involvement, nobody is at risk",
        {"cafcass_involvement": "none", "child_or_other_child_at_risk": False},
    ),
    ("serious_case_review", "child I'm working with was seriously injured", {"cafcass_involvement": "current"}),
    # staff allegations
    (
        "staff_allegation",
        "complaint that a self-employed FCA hit a child during a home visit",
        {
            "concern_type": "abuse_of_child_professional_access",
            "staff_status": "self_employed_contractor",
            "received_as_complaint": True,
        },
    ),
    (
        "staff_allegation",
        "board member assaulted his partner, not a complaint",
        {"concern_type": "physical_abuse_of_adult", "staff_status": "board_member", "received_as_complaint": False},
    ),
    (
        "staff_allegation",
        "colleague is employed by us and registered with the GSCC; LA doing a s47 enquiry on her family",
        {"staff_status": "employed", "registered_with_regulator": True, "concern_type": "child_protection_inquiry"},
    ),
    ("staff_allegation", "FCA hit his own son at home", {"concern_type": "abuse_of_child_outside_work"}),
    ("staff_allegation", "she's not GSCC registered", {"registered_with_regulator": False}),
    # nothing stated
    ("section_120", "hello", {}),
    ("police_check", "what's a strategy discussion?", {}),
    ("referral_type", "/decide_referral_type", {}),
    ("screening", "", {}),
    ("staff_allegation", "thanks, that's helpful", {}),
]


@pytest.mark.parametrize("name, text, facts", MESSAGES)
def test_free_text_states_only_what_it_says_clearly(walkthroughs, name, text, facts):
    assert walkthroughs[name].extract(text, MONDAY) == facts


def test_there_are_enough_realistic_messages():
    assert len(MESSAGES) >= 40
    assert sum(1 for *_, facts in MESSAGES if not facts) >= 10


# ---- nothing typed makes it fail, and only allowed values come back ----------------------------

WORDS = (
    "c1a c1 c7 ticked yes no not never filed completed dad mum hit punched in front of the kids 2 yrs ago separated "
    "since public private law cg c100 today yesterday fri 3pm 17:30 23/11/2026 09:15 referred rang la sm discussed "
    "without scr held considering closed case caseload died at risk siblings board self-employed employed complaint "
    "gscc registered s7 pr only pso contact checks back urgent hearing allocated concerns below referral threshold "
    "significant harm ? , . ; : - / ' \u2019 \U0001f600 \u0000"
).split()
TEXTS = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join))
NAMES = st.sampled_from(sorted(FACTS))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, text=TEXTS)
def test_extract_never_fails_and_gives_only_allowed_values(name, text):
    walkthrough = load_walkthroughs()[name]
    found = walkthrough.extract(text, MONDAY)
    for fact, value in found.items():
        assert fact in walkthrough.facts and walkthrough.allows(fact, value), (fact, value)
    json.dumps(found)
    walkthrough.next_facts(found, MONDAY)
    walkthrough.describe(found)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, text=TEXTS, data=st.data())
def test_parse_answer_never_fails_and_gives_only_allowed_values(name, text, data):
    walkthrough = load_walkthroughs()[name]
    fact = data.draw(st.sampled_from(walkthrough.facts))
    value = walkthrough.parse_answer(fact, text, MONDAY)
    assert value is None or walkthrough.allows(fact, value), (fact, value)

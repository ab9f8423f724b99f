"""Practice cases: every template over every combination of facts its walkthrough allows gives the decision
function's answer, round-trips through its id, names every fact that decides it, and explains every wrong choice."""

from __future__ import annotations

import random

import pytest

from knowledge.framework import load_framework
from knowledge.practice_cases import (
    FACT_VALUES,
    MAX_TITLE,
    all_cases,
    build,
    combinations,
    deciding_facts,
    feedback,
    load_templates,
    names_deciding_facts,
    practice_case,
    stated_facts,
    vignette,
)
from knowledge.walkthroughs import RULES, load_walkthroughs


def _every_vignette(name):
    """Every set of facts the walkthrough allows, in every wording: each opening and each phrasing at least once."""
    template = load_templates()[name]
    for stated in all_cases(name):
        variants = max(len(template.openings), *(len(template.phrasings[f][v]) for f, v in stated.items()))
        for i in range(variants):
            wording = {f: i % len(template.phrasings[f][v]) for f, v in stated.items()}
            yield build(name, stated, i % len(template.openings), wording)


def _decided(name, facts):
    rules = RULES[name]
    return rules.decide(rules.facts_type(**facts)).code


@pytest.mark.parametrize("name", sorted(load_templates()))
def test_every_template_over_every_fact_combination(name):
    walkthrough = load_walkthroughs()[name]
    seen = 0
    for v in _every_vignette(name):
        seen += 1
        assert v.answer == _decided(name, v.facts), v.id
        assert vignette(v.id) == v, v.id
        assert names_deciding_facts(v), (v.id, v.text)
        assert set(v.deciding) <= set(v.facts)
        assert walkthrough.next_facts(v.facts) == [] or name in ("police_check", "referral_type"), v.id
    assert seen >= len(all_cases(name))


@pytest.mark.parametrize("name", sorted(load_templates()))
def test_every_combination_is_told_by_the_facts_its_walkthrough_asks_and_keeps_its_answer(name):
    for full in combinations(name):
        stated = stated_facts(name, full)
        assert _decided(name, stated) == _decided(name, full)
        assert set(stated) <= set(FACT_VALUES[name])


@pytest.mark.parametrize("name", sorted(load_templates()))
def test_feedback_for_every_wrong_choice_says_why_citing_its_paragraph(name):
    fw = load_framework()
    for stated in all_cases(name):
        v = build(name, stated)
        for choice in v.choices:
            result = feedback(v, choice.code)
            assert result.correct == (choice.code == v.answer)
            assert set(result.why_not) == {c.code for c in v.choices} - {v.answer}
            template = load_templates()[name]
            for code, why in result.why_not.items():
                title = next(c.title for c in v.choices if c.code == code)
                assert why.startswith(f"{title}: that would need"), why
                assert all(cite in why for cite, _ in template.rules[code]), why
            assert result.rule and all(fw.quotes(cite, quote) for cite, quote in result.rule)
            assert result.framework_answer


def test_choices_are_every_outcome_with_short_titles():
    for name, template in load_templates().items():
        outcomes = {_decided(name, full) for full in combinations(name)}
        assert {c.code for c in template.choices} == outcomes
        assert all(0 < len(c.title) <= MAX_TITLE for c in template.choices)


def test_deciding_facts_change_the_answer_and_the_others_do_not():
    v = build(
        "section_120",
        {
            "law": "private",
            "question_7": "no",
            "previously_at_risk_from_witnessing_harm": True,
            "still_at_risk_from_witnessing_harm": False,
            "other_types_of_harm": False,
            "child_remains_at_risk": False,
        },
    )
    assert v.answer == "s120_notification"
    assert "question_7" not in v.deciding
    assert {"previously_at_risk_from_witnessing_harm", "child_remains_at_risk"} <= set(v.deciding)
    assert deciding_facts("section_120", {"law": "public"}) == ("law",)


def test_facts_that_settle_the_outcome_only_together_both_decide_it():
    """Child and parents both refuse a 's17 needs' referral: turning either round alone changes nothing, but each
    settles the refusal, so both decide it; the court, not asked, does not."""
    v = build(
        "referral_type",
        {
            "significant_harm": False,
            "past_significant_harm": False,
            "needs_family_support_services": True,
            "child_consents": False,
            "parents_consent": False,
            "court_consents": "not_asked",
        },
    )
    assert v.answer == "s17_needs_consent_refused"
    assert {"child_consents", "parents_consent"} <= set(v.deciding)
    assert "court_consents" not in v.deciding


# A learner's record keeps only the id: an id once given out must always rebuild the same case.
KEPT_IDS = {
    "s120-0010111-20110100": (
        "s120_notification",
        "The court has sent Cafcass the papers on a new case about two brothers, aged 4 and 9. It is a private law "
        "application: a C100 for a child arrangements order. The applicant has ticked yes at Q7, the harm box. The C1A "
        "has not been completed. The application says the children witnessed domestic violence two years ago, before "
        "the parents separated. The abuse between the adults ended when they separated, and nothing has happened "
        "since. No other type of harm is raised: no physical, sexual or emotional abuse, and no neglect. No "
        "information suggests they remain at risk now the parents live apart.",
    ),
    "scr-113-0100": (
        "scr_notify_service_manager",
        "You hear that a child has been seriously injured at home. Cafcass knew the family, but the case is closed. "
        "It appears that no child is at risk. The LSCB has decided not to conduct a Serious Case Review.",
    ),
}


@pytest.mark.parametrize("kept", sorted(KEPT_IDS))
def test_an_id_given_out_rebuilds_the_same_case(kept):
    answer, text = KEPT_IDS[kept]
    v = vignette(kept)
    assert (v.answer, v.text) == (answer, text)


def test_ids_are_compact():
    rng = random.Random(5)
    assert max(len(practice_case(rng).id) for _ in range(200)) <= 24


def test_a_no_row_case_says_the_framework_has_no_row():
    v = build(
        "section_120",
        {
            "law": "private",
            "question_7": "yes",
            "c1a_completed": True,
            "previously_at_risk_from_witnessing_harm": False,
            "still_at_risk_from_witnessing_harm": False,
            "other_types_of_harm": False,
        },
    )
    assert v.answer == "no_row_consult_service_manager"
    result = feedback(v, "no_action")
    assert not result.correct
    assert result.judgement and "no row" in result.judgement
    assert "ticked no" in result.why_not["no_action"]


def test_practice_cases_spread_over_walkthroughs_and_outcomes():
    rng = random.Random(7)
    drawn = [practice_case(rng) for _ in range(300)]
    assert {v.walkthrough for v in drawn} == set(load_templates())
    for name in load_templates():
        outcomes = {v.answer for v in drawn if v.walkthrough == name}
        assert len(outcomes) >= min(2, len(load_templates()[name].choices))
    assert all(vignette(v.id) == v for v in drawn)


def test_the_same_seed_gives_the_same_cases():
    first = [practice_case(random.Random(3), "section_120").id for _ in range(3)]
    assert len(set(first)) == 1


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "nonsense",
        "s120",
        "zz-0-0",
        "s120-9xxxxxx-0xxxxxxx",
        "s120-1xxxxxx-0xxxxxx",
        "s120-10xxxxx-00xxxxxx",
        "s120-1xxxxxx-9xxxxxxx",
        "s120-1xxxxxx-05xxxxxx",
        "s120-1xxxxxx-0zxxxxxx",
        "s120-0xxxxxx-00xxxxxx",
        "s120-10xxxxx-000xxxxx",
        "s120-1xxxxxx-00xxxxxxx",
        "S120-1xxxxxx-00xxxxxx",
        None,
    ],
)
def test_a_bad_id_is_refused(bad):
    with pytest.raises(ValueError):
        vignette(bad)


@pytest.mark.parametrize(
    "stated",
    [
        {"law": "private"},
        {"law": "public", "question_7": "yes"},
        {"law": "public", "question_7": "maybe"},
        {"court": 1},
    ],
)
def test_facts_the_walkthrough_would_not_ask_are_refused(stated):
    with pytest.raises(ValueError):
        build("section_120", stated)


def test_every_vignette_keeps_its_answer_when_its_walkthrough_asks_its_further_questions():
    """The walkthrough's own decide, with the follow-up facts it asks (the police check's further checks, the referral's
    telephone referral) answered either way, gives the vignette's answer."""
    for name in ("police_check", "referral_type"):
        walkthrough = load_walkthroughs()[name]
        for stated in all_cases(name):
            v = build(name, stated)
            for pick in (0, -1):
                known = dict(v.facts)
                while needed := walkthrough.next_facts(known):
                    options = walkthrough.question(needed[0]).options
                    value = options[pick].value
                    known[needed[0]] = "not_made" if value == "just_now" else value
                assert walkthrough.decide(known).code == v.answer, (v.id, known)


def test_a_choice_that_is_not_offered_is_refused():
    v = build("section_120", {"law": "public"})
    with pytest.raises(ValueError):
        feedback(v, "police_check")


@pytest.mark.parametrize("name", sorted(load_templates()))
def test_each_wording_states_its_own_fact_and_no_other(name):
    """Sentences are read one by one, so a wording that reads as no other fact cannot contradict another sentence."""
    template = load_templates()[name]
    walkthrough = load_walkthroughs()[name]
    for opening in template.openings:
        assert walkthrough.extract(opening) == {}, opening
    for fact, by_value in template.phrasings.items():
        for value, texts in by_value.items():
            for text in texts:
                read = walkthrough.extract(text)
                assert set(read) <= {fact} and read.get(fact, value) == value, (text, read)


def test_mixed_wordings_name_every_deciding_fact():
    rng = random.Random(11)
    for _ in range(400):
        v = practice_case(rng)
        assert names_deciding_facts(v), (v.id, v.text)


@pytest.mark.parametrize(
    "name,stated,words",
    [
        (
            "police_check",
            {
                "law": "private",
                "harm_raised": False,
                "welfare_work_requested": False,
                "professional_judgement_risk": False,
                "application_type": "other",
            },
            "no row",
        ),
        (
            "referral_type",
            {
                "significant_harm": False,
                "past_significant_harm": False,
                "needs_family_support_services": False,
                "promote_welfare_through_other_agency": True,
                "child_consents": True,
                "parents_consent": False,
                "court_consents": True,
            },
            "says no more",
        ),
        (
            "serious_case_review",
            {"cafcass_involvement": "closed", "child_or_other_child_at_risk": False, "scr_status": "not_identified"},
            "no row",
        ),
        (
            "police_check",
            {
                "law": "private",
                "harm_raised": False,
                "welfare_work_requested": False,
                "professional_judgement_risk": True,
            },
            "professional judgement",
        ),
    ],
)
def test_no_row_and_judgement_cases_say_so(name, stated, words):
    v = build(name, stated)
    assert words in feedback(v, v.answer).judgement


def test_a_plain_rule_case_has_no_judgement_note():
    v = build(
        "staff_allegation",
        {
            "concern_type": "abuse_of_child_outside_work",
            "staff_status": "employed",
            "received_as_complaint": False,
            "registered_with_regulator": False,
        },
    )
    assert v.answer == "staff_allegation_inform_regional_director"
    assert feedback(v, v.answer).judgement is None

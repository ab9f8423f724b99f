"""Case facts read from one message for every walkthrough, and the decisions a described case is offered."""

from __future__ import annotations

import json

import pytest

from knowledge.facts import asks_something, read_facts, rule_in_play, triage_answer
from knowledge.framework import load_framework
from knowledge.walkthroughs import load_walkthroughs

CASE = "contact application, mum's new partner moved in last month and the school says the 6yo has gone quiet"


def test_facts_are_read_for_every_walkthrough_at_once():
    facts = read_facts(
        "residence application, harm box ticked and the C1A says dad punched mum last spring in front of the children"
    )
    assert facts["law"] == "private"
    assert facts["question_7"] == "yes"
    assert facts["c1a_completed"] is True
    assert facts["harm_raised"] is True


@pytest.mark.parametrize(
    ("text", "law"),
    [
        ("PSO application about schooling", "private"),
        ("parental responsibility application by dad", "private"),
        ("EPO hearing this afternoon", "public"),
        ("hearing this afternoon", None),
        ("EPO application listed today", "public"),
        ("supervision order proceedings, I'm the guardian", "public"),
    ],
)
def test_the_application_says_the_law(text, law):
    assert read_facts(text).get("law") == law


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("do I need a police check", True),
        ("police check needed?", True),
        ("tell me about s120", True),
        ("PR app by dad, nothing on the forms. police check y/n", True),
        (CASE, False),
        ("C1A says dad hit mum in front of the kids two years ago, separated since", False),
    ],
)
def test_a_question_is_told_from_a_description(text, asks):
    assert asks_something(text) is asks


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("how quickly do I have to refer?", True),
        ("read me 3.45", True),
        ("pull up 2.83 pls", True),
        ("can u show me 2.19 pls", True),
        ("wat does 3.40 say exactly", True),
        ("does child abduction by a parent count as schedule one", True),
        ("grooming - meeting a child after sexual grooming, is that a listed offence", True),
        ("for an s17 referral do i need the parents consent or not", True),
        ("before i export - show me para 3.83 re addresses", True),
        ("hang on - how soon does the written confirmation go", True),
        ("Private law", False),
        ("/define_term", False),
        ("yes, there was domestic violence", False),
        ("Mother says father pushed her during handover last week.", False),
        ("Mother asked what the plan is", False),
        ("Agreed, when father returns, to refer to the LA", False),
        ("The worry is that he drinks", False),
        ("father has a caution for ABH", False),
        ("yesterday 4pm", False),
    ],
)
def test_a_reply_to_a_form_asks_something_only_by_a_question_mark_or_a_clause_opening_as_one(text, asks):
    """The narrow reading, for a message that may be a form's answer; the broad one takes "what" anywhere."""
    assert asks_something(text, answering=True) is asks


def test_the_broad_reading_takes_a_question_word_anywhere():
    assert asks_something("Mother asked what the plan is") and not asks_something("Mother asked what the plan is", True)


def test_a_described_case_is_offered_the_decisions_that_apply_with_its_facts():
    answer = triage_answer(CASE)
    assert answer is not None
    assert "Proceedings: private law" in answer.text
    assert answer.text.rstrip().endswith("Framework 2.19")
    [(title, payload)] = answer.buttons
    assert title == load_walkthroughs()["police_check"].title
    assert payload.startswith("/start_walkthrough{")
    given = json.loads(payload.removeprefix("/start_walkthrough"))
    assert given["walkthrough"] == "police_check"
    assert given["facts"]["law"] == "private"


def test_a_question_or_a_message_without_facts_gets_no_triage():
    assert triage_answer("contact application, harm box ticked - do I need a police check?") is None
    assert triage_answer("thanks, that helps") is None


def test_the_rule_in_play_is_quoted_word_for_word():
    framework = load_framework()
    for name in load_walkthroughs():
        rule = rule_in_play(name)
        assert rule is not None, name
        assert framework.quotes(rule.cite, rule.quote)


@pytest.mark.parametrize(
    ("walkthrough", "question", "cite", "words"),
    [
        (
            "police_check",
            "guardian in care proceedings, do I have to get police checks myself?",
            "2.21 3.67",
            "ublic law",
        ),
        ("police_check", "wardship application, no allegations, police check?", "2.20", "will not be made"),
        ("police_check", "contact app, harm box ticked, police check?", "2.19", "harm 'tick box'"),
        ("referral_type", "parents wont consent to an s17 referral, what now", "2.63", "s17 needs"),
    ],
)
def test_the_rule_in_play_is_the_one_the_question_turns_on(walkthrough, question, cite, words):
    rule = rule_in_play(walkthrough, question, [(f"decide_{walkthrough}", 0.9)])
    assert rule.cite in cite.split() and words in rule.quote


def test_a_walkthrough_started_by_a_button_opens_with_its_area_first_rule():
    assert rule_in_play("police_check", '/start_walkthrough{"walkthrough": "police_check"}').cite == "2.19"


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        ("her fiance has moved in with them since Christmas", "relevant_individuals_identified", True),
        ("no new partners on either side", "relevant_individuals_identified", False),
        ("the 4yo had a non-accidental injury as a baby", "past_significant_harm", True),
        ("she was sexually abused by a neighbour when she was 6", "past_significant_harm", True),
        ("the boy has never suffered significant harm", "past_significant_harm", False),
        ("the kids heard him threatening her before the separation", "previously_at_risk_from_witnessing_harm", True),
        ("the children still see the violence at weekends", "still_at_risk_from_witnessing_harm", True),
        ("the girl, 13, refused the referral", "child_consents", False),
        ("haven't asked the young person yet", "child_consents", "not_asked"),
        ("both parents have declined", "parents_consent", False),
        ("the judge approved it", "court_consents", True),
        ("concerns of neglect raised by the school", "other_types_of_harm", True),
        ("pub law, ICO", "law", "public"),
    ],
)
def test_facts_stated_in_practitioners_words_are_read(text, fact, value):
    assert read_facts(text).get(fact) == value


def test_a_past_harm_with_no_sign_of_it_is_not_read():
    assert "past_significant_harm" not in read_facts("dad wants more contact at weekends")

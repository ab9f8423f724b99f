"""The walkthrough form's actions on trackers built from rasa-sdk types."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.walkthroughs import (
    ActionExplainQuestion,
    ActionStartWalkthrough,
    ActionWalkthroughOutcome,
    ValidateWalkthroughForm,
    all_facts,
)


def run(action, tracker, domain=None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher.messages, events


def slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_start_keeps_the_facts_the_first_message_states(make_tracker):
    tracker = make_tracker("C1A ticked yes but not filed, dad punched the 10yo", "decide_section_120")
    messages, events = run(ActionStartWalkthrough(), tracker)
    set_ = slots(events)
    assert set_["walkthrough"] == "section_120"
    assert set_["question_7"] == "yes" and set_["c1a_completed"] is False and set_["other_types_of_harm"] is True
    assert "Section 120" in messages[0]["text"]


def test_required_slots_are_only_the_facts_still_needed(make_tracker):
    tracker = make_tracker(
        "Private law",
        "affirm",
        slots={"walkthrough": "section_120", "question_7": "yes", "c1a_completed": False, "other_types_of_harm": True},
    )
    needed = asyncio.run(ValidateWalkthroughForm().required_slots([], CollectingDispatcher(), tracker, {}))
    assert needed == ["law"]


def test_an_answer_is_read_from_a_button_title(make_tracker):
    tracker = make_tracker(
        "Ticked no", "deny", slots={"walkthrough": "section_120", "law": "private", "requested_slot": "question_7"}
    )
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(CollectingDispatcher(), tracker, {}))
    assert slots(events)["question_7"] == "no"


def test_an_answer_that_is_not_one_keeps_the_form_asking(make_tracker):
    tracker = make_tracker("banana", "nlu_fallback", slots={"walkthrough": "section_120", "requested_slot": "law"})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(dispatcher, tracker, {}))
    assert slots(events) == {"walkthrough": "section_120"}
    assert "didn't catch" in dispatcher.messages[0]["text"]


def test_why_do_you_ask_quotes_the_paragraph(make_tracker):
    tracker = make_tracker("why?", "why_ask", slots={"walkthrough": "section_120", "requested_slot": "question_7"})
    [message], _ = run(ActionExplainQuestion(), tracker)
    assert message["text"].startswith("Because the Framework says:") and "Framework" in message["text"]


def test_outcome_has_decision_steps_citations_reminder_and_payload(make_tracker):
    tracker = make_tracker(
        "No",
        "deny",
        slots={
            "walkthrough": "section_120",
            "law": "private",
            "question_7": "no",
            "c1a_completed": None,
            "previously_at_risk_from_witnessing_harm": False,
            "still_at_risk_from_witnessing_harm": False,
            "other_types_of_harm": False,
        },
    )
    [message], _ = run(ActionWalkthroughOutcome(), tracker)
    assert message["custom"]["decision"] == "no_action"
    assert message["text"].splitlines()[0] == "*Section 120: notification or referral*"
    assert "Based on what you told me:" in message["text"] and "1.14" in message["text"]


def test_every_fact_is_a_slot_name_once():
    facts = all_facts()
    assert len(facts) == len(set(facts)) and "law" in facts


def test_an_offence_named_mid_walkthrough_is_looked_up_and_the_question_stands(make_tracker):
    tracker = make_tracker(
        "dad's new partner has a caution for ABH",
        "offence_lookup",
        slots={"walkthrough": "police_check", "law": "private", "requested_slot": "harm_raised"},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(dispatcher, tracker, {}))
    assert "harm_raised" not in slots(events)
    assert "Section 47 | Offences Against the Person Act 1861" in dispatcher.messages[0]["text"]


def test_the_24_hour_deadline_is_shown_with_its_london_time(make_tracker):
    tracker = make_tracker(
        "Yes",
        "affirm",
        slots={
            "walkthrough": "referral_type",
            "significant_harm": True,
            "referral_made_at": "2026-03-28T10:00+00:00",
            "discussed_with_service_manager": True,
        },
    )
    [message], _ = run(ActionWalkthroughOutcome(), tracker)
    dates = message["text"].split("Dates:")[1].split("\n\n")[0]
    assert "Followed up in writing within 24 hours (Appendix V): 11:00 on Sunday 29 March 2026" in dates
    assert "Written confirmation to LACSC (2.103): Monday 30 March 2026" in dates


def test_a_step_naming_a_2007_body_is_kept_and_the_since_then_note_stands_apart(make_tracker):
    tracker = make_tracker(
        "Yes",
        "affirm",
        slots={
            "walkthrough": "staff_allegation",
            "concern_type": "other_unsuitability",
            "staff_status": "employed",
            "received_as_complaint": False,
            "registered_with_regulator": True,
        },
    )
    [message], _ = run(ActionWalkthroughOutcome(), tracker)
    steps, since_then = message["text"].split("Since then (not the Framework's words")
    assert "the GSCC and the regulatory child protection bodies must be notified" in steps
    assert "Social Work England" not in steps.split("Based on what you told me:")[0].split("\n\n", 2)[2]
    assert "Social Work England" in since_then.split("Based on what you told me:")[0]
    assert any("(Framework 4.25)" in step for step in message["custom"]["steps"])

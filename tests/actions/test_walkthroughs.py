"""The walkthrough form's actions on trackers built from rasa-sdk types."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.walkthroughs import (
    ASK_ACTIONS,
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
    assert slots(events) == {"law": None}  # not valid: the form asks again, no other rule answers
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


def test_an_offence_named_mid_walkthrough_is_looked_up_and_what_it_states_is_kept(make_tracker):
    tracker = make_tracker(
        "dad's new partner has a caution for ABH",
        "offence_lookup",
        slots={"walkthrough": "police_check", "law": "private", "requested_slot": "harm_raised"},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(dispatcher, tracker, {}))
    assert slots(events) == {"relevant_individuals_identified": True}  # "dad's new partner": both parts are used
    assert "Section 47 | Offences Against the Person Act 1861" in dispatcher.messages[0]["text"]


def test_a_question_that_answers_nothing_is_left_to_the_rules(make_tracker):
    tracker = make_tracker(
        "is ABH on the schedule?",
        "offence_lookup",
        slots={"walkthrough": "police_check", "law": "private", "requested_slot": "harm_raised"},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(dispatcher, tracker, {}))
    # Nothing filled: the form is rejected and data/rules/interjections.yml answers with action_lookup_offence.
    assert events == [] and dispatcher.messages == []


def test_a_reply_that_answers_and_asks_has_both_parts_used(make_tracker):
    tracker = make_tracker(
        "private - what is a LADO though?",
        "define_term",
        slots={"walkthrough": "police_check", "requested_slot": "law"},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(dispatcher, tracker, {}))
    assert slots(events) == {"law": "private"}
    assert "Local Authority Designated Officer" in dispatcher.messages[0]["text"]


def test_a_question_about_the_pending_fact_is_not_taken_for_its_answer(make_tracker):
    tracker = make_tracker(
        "what counts as public law?", "define_term", slots={"walkthrough": "police_check", "requested_slot": "law"}
    )
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(CollectingDispatcher(), tracker, {}))
    assert events == []


def test_the_question_comes_back_in_one_line_after_an_interjection(make_tracker):
    tracker = make_tracker("what is a LADO?", "define_term", slots={"walkthrough": "police_check"})
    tracker.events = [
        {"event": "user", "text": "what is a LADO?"},
        {"event": "action_execution_rejected", "name": "walkthrough_form"},
        {"event": "action", "name": "action_define_term"},
    ]
    [message], _ = run(ASK_ACTIONS["law"](), tracker)
    assert message["text"] == "Back to the police check: Is this a private law application, or a public law case?"
    assert [b["title"] for b in message["buttons"]][:2] == ["Private law", "Public law"]
    tracker = make_tracker("/start_walkthrough", "start_walkthrough", slots={"walkthrough": "police_check"})
    [message], _ = run(ASK_ACTIONS["law"](), tracker)
    assert not message["text"].startswith("Back to")


def test_actually_public_law_changes_the_given_fact_and_says_so(make_tracker):
    tracker = make_tracker(
        "actually it's public law, sorry",
        "inform",
        slots={"walkthrough": "section_120", "law": "private", "question_7": "yes", "requested_slot": "c1a_completed"},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(dispatcher, tracker, {}))
    assert slots(events) == {"law": "public"}
    assert dispatcher.messages[0]["text"] == "Changed: Proceedings: public law."
    tracker.slots["law"] = "public"
    needed = asyncio.run(ValidateWalkthroughForm().required_slots([], CollectingDispatcher(), tracker, {}))
    assert needed == []  # public law: s120 does not apply, nothing more to ask


def test_go_back_and_change_a_named_answer_forget_that_answer_only(make_tracker):
    given = {"walkthrough": "section_120", "law": "private", "question_7": "yes", "requested_slot": "c1a_completed"}
    tracker = make_tracker("go back", "correct_answer", slots=dict(given))
    tracker.events = [
        {"event": "slot", "name": "law", "value": "private"},
        {"event": "slot", "name": "question_7", "value": "yes"},
        {"event": "user", "text": "go back"},
    ]
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(dispatcher, tracker, {}))
    assert slots(events) == {"question_7": None}
    assert dispatcher.messages[0]["text"].startswith("Changing your answer")
    tracker = make_tracker("change my answer about the proceedings", "correct_answer", slots=dict(given))
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(CollectingDispatcher(), tracker, {}))
    assert slots(events) == {"law": None}


def test_a_button_is_the_answer_even_when_its_words_sound_urgent(make_tracker):
    tracker = make_tracker(
        "Child abuse outside work",
        "urgent_danger",
        slots={"walkthrough": "staff_allegation", "requested_slot": "concern_type"},
    )
    events = asyncio.run(ValidateWalkthroughForm().get_extraction_events(CollectingDispatcher(), tracker, {}))
    assert list(slots(events)) == ["concern_type"] and slots(events)["concern_type"] is not None


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


def test_what_an_urgent_message_states_is_kept_when_the_walkthrough_comes_back(make_tracker):
    message = "dad has just punched the 10yo and mum isn't answering, it's a private law case"
    tracker = make_tracker(message, "urgent_danger", slots={"walkthrough": "section_120", "requested_slot": "law"})
    validator = ValidateWalkthroughForm()
    assert asyncio.run(validator.get_extraction_events(CollectingDispatcher(), tracker, {})) == []  # to the rules
    tracker.events = [
        {"event": "user", "text": message},
        {"event": "action", "name": "action_urgent_guidance"},
        {"event": "action", "name": "walkthrough_form"},
    ]
    events = asyncio.run(validator.get_extraction_events(CollectingDispatcher(), tracker, {}))
    assert slots(events)["law"] == "private" and slots(events)["other_types_of_harm"] is True

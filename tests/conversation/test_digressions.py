"""Digressions inside every form through the REST channel: answered as outside it, then back in one line."""

from __future__ import annotations

import re
import uuid

import pytest

from bot.cli import send
from knowledge.walkthroughs import load_walkthroughs
from tests.conversation.test_casefile_conversation import (
    buttons,
    fresh_case,
    payloads,
    record_in_conversation,
    texts,
)

pytestmark = pytest.mark.conversation
LAW = "Is this a private law application, or a public law case?"


def chat(servers):
    sender = f"digress-{uuid.uuid4().hex[:8]}"
    return lambda message: send(servers, sender, message)


def finish(say, replies: list[dict]) -> dict:
    """The outcome, pressing the first button of each question still asked."""
    for _ in range(8):
        decision = next((r["custom"] for r in replies if "custom" in r), None)
        if decision:
            return decision
        replies = say(buttons(replies[-1:])[0])
    raise AssertionError(f"no outcome: {texts(replies)}")


def outside(servers, message: str) -> str:
    """What the assistant first says to a message outside any form."""
    return send(servers, f"outside-{uuid.uuid4().hex[:8]}", message)[0]["text"]


@pytest.mark.parametrize(
    "message", ["what is a LADO?", "show me 2.81", "is ABH on the schedule?", "what goes in the SM discussion?"]
)
def test_a_digression_in_a_walkthrough_is_answered_as_outside_it_then_the_question_comes_back(servers, message):
    say = chat(servers)
    say('/start_walkthrough{"walkthrough": "police_check"}')
    replies = say(message)
    assert outside(servers, message) in texts(replies)
    assert replies[-1]["text"] == f"Back to the police check: {LAW}"
    assert buttons(replies[-1:])[:2] == ["Private law", "Public law"]
    assert finish(say, say("Public law"))["decision"] == "ask_la_to_confirm"


def test_urgent_danger_in_a_walkthrough_comes_first_then_the_question(servers):
    say = chat(servers)
    say('/start_walkthrough{"walkthrough": "section_120"}')
    replies = say("the child has just been left home alone and mum isn't answering")
    assert "2.87" in replies[0]["text"]
    assert replies[-1]["text"] == f"Back to the section 120 decision: {LAW}"


def test_an_answer_that_also_asks_has_both_parts_used(servers):
    say = chat(servers)
    say('/start_walkthrough{"walkthrough": "police_check"}')
    replies = say("private law - what is a LADO though?")
    assert "Local Authority Designated Officer" in texts(replies)
    assert LAW not in texts(replies)  # answered: the next question is asked
    assert texts(replies[-1:]).startswith("Back to the police check: ")


def test_corrections_in_passing_revise_the_fact_and_ask_only_what_it_makes_necessary(servers):
    say = chat(servers)
    say('/start_walkthrough{"walkthrough": "section_120"}')
    say("Private law")
    replies = say("go back")
    assert "Changing your answer (Proceedings: private law)" in texts(replies) and LAW in texts(replies)
    say("Private law")
    say("Ticked yes")
    replies = say("actually it's public law, sorry")
    assert "Changed: Proceedings: public law." in texts(replies)
    decision = next(r["custom"] for r in replies if "custom" in r)
    assert decision["decision"] == "not_applicable_public_law"


def test_help_lists_every_walkthrough_and_the_case_file_only_for_staff(register, servers):
    jo = register("practitioner", "Jo")
    staff_help = texts(jo.says("help"))
    stranger_help = texts(send(servers, f"stranger-{uuid.uuid4().hex[:8]}", "what can you do"))
    for text in (staff_help, stranger_help):
        assert all(w.title in text for w in load_walkthroughs().values())
        assert "show me 2.81" in text and "what is a LADO?" in text and "is ABH on the schedule?" in text
        assert "2.87" in text
    assert "record my SM discussion" in staff_help
    assert "record my SM discussion" not in stranger_help


def test_a_question_while_recording_is_answered_and_can_be_used_as_the_answer(register, servers):
    jo, sam = register("practitioner", "Jo"), register("service_manager", "Sam")
    jo.says(f"record my SM discussion on {fresh_case()}")
    jo.says(sam.name)
    jo.says("just now")
    jo.says("yesterday 4pm")
    replies = jo.says("what is a LADO?")
    assert outside(servers, "what is a LADO?") in texts(replies)
    assert re.search(r"Back to recording your discussion on ZW\d\dP\d{5}: Point 1 of 12", texts(replies))
    assert "Use that message as my answer" in payloads(replies)
    assert "Point 2 of 12" in texts(jo.says("Use that message as my answer"))


def test_the_record_is_recalled_in_one_line_and_a_second_save_gets_the_state(register):
    jo, sam = register("practitioner", "Jo"), register("service_manager", "Sam")
    case = fresh_case()
    replies = record_in_conversation(jo, sam, case, save=False)
    replies = jo.says("what does FJC stand for?")
    assert texts(replies[-1:]) == f"Your record on {case} is not saved yet. Save it?"
    assert "Show the record" in buttons(replies)
    assert "Mother says father pushed her" in texts(jo.says("/list_records"))
    saved = texts(jo.says('/choose{"option": "save"}'))
    record_id = re.search(r"It is record (\d+) on", saved).group(1)
    again = texts(jo.says('/choose{"option": "save"}'))
    assert again.startswith(f"Already saved as record {record_id} on {case}, awaiting {sam.name}'s agreement")

    replies = sam.says(f'/agree_record{{"record": "{record_id}"}}')
    assert "Do you agree this record?" in texts(replies)
    replies = sam.says("show me 2.82")
    assert texts(replies[-1:]) == f"Record {record_id} on {case}, awaiting your agreement. Do you agree it?"
    assert len(texts(replies[-1:])) < 100
    assert "Agreed by" in texts(sam.says('/choose{"option": "agree"}'))
    assert texts(sam.says('/choose{"option": "agree"}')).startswith(f"Record {record_id} on {case} is agreed by")


def test_go_back_and_digressions_while_amending_and_exporting(register, servers):
    jo, sam = register("practitioner", "Jo"), register("service_manager", "Sam")
    case = fresh_case()
    saved = texts(record_in_conversation(jo, sam, case))
    record_id = re.search(r"It is record (\d+) on", saved).group(1)
    jo.says(f'/amend_record{{"record": "{record_id}"}}')
    jo.says("Point 12")
    assert "Which point do you want to amend?" in texts(jo.says("go back"))
    jo.says("Point 12")
    jo.says("Review at the next hearing.")
    assert "Amendment saved on record" in texts(jo.says("It was left out by mistake."))

    jo.says("export the records")
    replies = jo.says("is cruelty to a child on the list?")
    assert outside(servers, "is cruelty to a child on the list?") in texts(replies)
    assert "Back to exporting records: Which case?" in texts(replies)
    assert any("document" in (r.get("custom") or {}) for r in jo.says(case))


def test_what_an_urgent_message_says_about_the_case_is_kept_after_the_urgent_guidance(servers):
    say = chat(servers)
    say('/start_walkthrough{"walkthrough": "section_120"}')
    replies = say("dad has just punched the 10yo and mum isn't answering, it's a private law case")
    assert "2.87" in replies[0]["text"]
    assert replies[-1]["text"].startswith("Back to the section 120 decision: ")
    assert LAW not in replies[-1]["text"]  # "private law" was said: not asked again


@pytest.mark.parametrize(
    "message", ["could you bring up 2.19 please", "2.20 again?", "wat does 2.18 say", "pull up para 2.19 pls"]
)
def test_a_paragraph_asked_for_in_loose_words_in_a_walkthrough_is_shown_then_the_question_comes_back(servers, message):
    say = chat(servers)
    say('/start_walkthrough{"walkthrough": "police_check"}')
    replies = say(message)
    assert outside(servers, message) in texts(replies)
    assert replies[-1]["text"] == f"Back to the police check: {LAW}"


def test_a_question_where_the_referral_walkthrough_wants_a_time_is_answered_not_swallowed(servers):
    say = chat(servers)
    say('/start_walkthrough{"walkthrough": "referral_type"}')
    asked = texts(say("Yes"))
    assert "When did you make the telephone referral to LACSC?" in asked
    for message in ("so for a section 17 one do we need the family's consent", "could you bring up 2.103 please"):
        replies = say(message)
        assert outside(servers, message) in texts(replies)
        assert texts(replies[-1:]).startswith(
            "Back to the referral decision: When did you make the telephone referral to LACSC?"
        )


def test_the_decision_under_way_asked_for_again_goes_on_from_the_answers_given(servers):
    say = chat(servers)
    say('/start_walkthrough{"walkthrough": "section_120"}')
    say("Private law")
    replies = say("hold on, with old DV the children witnessed do I notify or refer under s120?")
    # the rule this question turns on: the exception for past harm from witnessing, not the amendment's history (2.78)
    assert "The only exception relates to allegations of past harm" in texts(replies) and "(2.79)" in texts(replies)
    assert "Your answers so far are kept" in texts(replies)
    assert texts(replies[-1:]).startswith("Back to the section 120 decision: ")
    assert LAW not in texts(replies)  # the answer given is kept, not asked again


def test_questions_in_loose_words_at_the_agreement_the_amendment_and_the_export(register, servers):
    jo, sam = register("practitioner", "Jo"), register("service_manager", "Sam")
    case = fresh_case()
    saved = texts(record_in_conversation(jo, sam, case))
    record_id = re.search(r"It is record (\d+) on", saved).group(1)

    sam.says(f'/agree_record{{"record": "{record_id}"}}')
    replies = sam.says("pull up 2.82 for me before I sign")
    assert outside(servers, "pull up 2.82 for me before I sign") in texts(replies)
    assert texts(replies[-1:]) == f"Record {record_id} on {case}, awaiting your agreement. Do you agree it?"
    assert "Agreed by" in texts(sam.says('/choose{"option": "agree"}'))

    jo.says(f'/amend_record{{"record": "{record_id}"}}')
    assert "What should it say?" in texts(jo.says("Point 12"))
    for message in (
        "what's the LSCB, I want to name it right in the amendment",
        "stalking, is that one of the listed offences",
        "sorry, who needs to agree an amendment - does the SM?",  # about the task, not a command or an answer
    ):
        replies = jo.says(message)  # a question, not the amendment's words
        assert outside(servers, message) in texts(replies)
        assert f"Back to amending the record (record {record_id}): " in texts(replies)
        assert "What should it say?" in texts(replies)
    jo.says("Review at the next hearing.")
    assert "Amendment saved on record" in texts(jo.says("It was left out by mistake."))

    jo.says("export the records")
    replies = jo.says("one sec - show me para 3.44 first")
    assert outside(servers, "one sec - show me para 3.44 first") in texts(replies)
    assert "Back to exporting records: Which case?" in texts(replies)
    assert any("document" in (r.get("custom") or {}) for r in jo.says(case))

"""The guidance actions, run on trackers built from rasa-sdk types with a CollectingDispatcher."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import (
    ActionAnswerTopic,
    ActionDefineTerm,
    ActionShowParagraph,
    ActionSuggestTopics,
    ActionUrgentGuidance,
)


def run(action, tracker) -> list[dict]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    assert events == []
    return dispatcher.messages


def test_topic_answer_cites_paragraphs(make_tracker):
    [message] = run(
        ActionAnswerTopic(), make_tracker("what does the SM discussion cover", "service_manager_discussion")
    )
    last_line = message["text"].splitlines()[-1]
    assert last_line.startswith("Framework ") and "2.81" in last_line


def test_decision_question_is_answered_from_its_area(make_tracker):
    [message] = run(ActionAnswerTopic(), make_tracker("do i need a police check, PR only", "decide_police_check"))
    assert "2.20" in message["text"]


def test_show_paragraph_reads_the_number_from_the_text(make_tracker):
    [message] = run(ActionShowParagraph(), make_tracker("what does para 3.75 say", "show_paragraph"))
    assert "written explicit consent" in message["text"]


def test_show_paragraph_from_a_button_payload_entity(make_tracker):
    tracker = make_tracker("/show_paragraph", "show_paragraph", entities=[{"entity": "paragraph", "value": "2.104"}])
    [message] = run(ActionShowParagraph(), tracker)
    assert "three working days" in message["text"]


def test_show_paragraph_without_a_number_asks_for_one(make_tracker):
    [message] = run(ActionShowParagraph(), make_tracker("show me the paragraph", "show_paragraph"))
    assert "Which paragraph?" in message["text"]


def test_define_term(make_tracker):
    [message] = run(ActionDefineTerm(), make_tracker("what's a LADO", "define_term"))
    assert "Local Authority Designated Officer" in message["text"]


def test_undefined_term_is_not_guessed(make_tracker):
    [message] = run(ActionDefineTerm(), make_tracker("what does QWERTY consent mean", "define_term"))
    assert "won't guess a definition" in message["text"]
    assert message["text"].count("*") >= 2  # then the passages that best answer the words used, with their numbers


def test_urgent_guidance_comes_first_then_the_other_question(make_tracker):
    tracker = make_tracker(
        "child left alone, do i need to tell my SM?",
        "urgent_danger",
        ranking=[("urgent_danger", 1.0), ("service_manager_discussion", 0.8)],
    )
    messages = run(ActionUrgentGuidance(), tracker)
    assert "2.87" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ['/start_walkthrough{"walkthrough": "referral_type"}']
    assert messages[0]["text"].index("left alone") < messages[0]["text"].index("immediate risk")
    assert "2.81" in messages[1]["text"]


def test_urgent_guidance_alone_when_nothing_else_was_asked(make_tracker):
    messages = run(
        ActionUrgentGuidance(),
        make_tracker("kid bleeding badly", "urgent_danger", ranking=[("urgent_danger", 1.0), ("recording", 0.2)]),
    )
    assert len(messages) == 1


def test_fallback_offers_likeliest_topics_and_paragraphs(make_tracker):
    tracker = make_tracker(
        "the thing with the meeting",
        "nlu_fallback",
        ranking=[
            ("nlu_fallback", 0.5),
            ("strategy_discussion", 0.4),
            ("child_protection_conference", 0.3),
            ("greet", 0.2),
        ],
    )
    [message] = run(ActionSuggestTopics(), tracker)
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[:2] == ["/strategy_discussion", "/child_protection_conference"]
    assert any(p.startswith("/show_paragraph") for p in payloads)
    assert payloads[-1] == "/deny"
    assert all(len(b["title"]) <= 40 for b in message["buttons"])


def test_fallback_leads_with_the_passage_when_the_ranking_is_sure_of_it(make_tracker):
    tracker = make_tracker(
        "strategy meeting thing",
        "nlu_fallback",
        ranking=[("nlu_fallback", 0.5), ("strategy_discussion", 0.4), ("child_protection_conference", 0.3)],
    )
    [message] = run(ActionSuggestTopics(), tracker)
    assert message["text"].startswith("*2.109*")
    assert "put it another way" in message["text"]
    assert message["buttons"][0]["payload"] == "/strategy_discussion"


def test_fallback_does_not_answer_a_message_outside_the_framework(make_tracker):
    tracker = make_tracker("what time is it", "nlu_fallback", ranking=[("nlu_fallback", 0.5), ("greet", 0.2)])
    [message] = run(ActionSuggestTopics(), tracker)
    assert not message["text"].startswith("*")


def test_fallback_with_nothing_to_offer_says_so(make_tracker):
    [message] = run(ActionSuggestTopics(), make_tracker("zzzz", "nlu_fallback", ranking=[("nlu_fallback", 0.5)]))
    assert "Service Manager" in message["text"] and "3.65" in message["text"]


def test_offence_lookup_action(make_tracker):
    from actions.guidance import ActionLookupOffence

    [message] = run(ActionLookupOffence(), make_tracker("SOA 2003 s9 caution 2014", "offence_lookup"))
    assert "Sexual Activity with a Child | Section 9 | Sexual Offences Act 2003" in message["text"]


def test_urgent_then_the_offence_the_message_also_asked_about(make_tracker):
    tracker = make_tracker(
        "he's here now with a knife - is s18 OAPA on the list?",
        "urgent_danger",
        ranking=[("urgent_danger", 1.0), ("offence_lookup", 0.7)],
    )
    messages = run(ActionUrgentGuidance(), tracker)
    assert "2.87" in messages[0]["text"]
    assert "Section 18" in messages[1]["text"]

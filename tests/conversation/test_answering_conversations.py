"""Through the REST channel: the passage that answers first, offences by name, and urgent action then the answer."""

from __future__ import annotations

import uuid

import pytest

from bot.cli import send
from knowledge.walkthroughs import load_walkthroughs

pytestmark = pytest.mark.conversation


def talk(settings, *messages: str) -> list[list[dict]]:
    sender = f"test-{uuid.uuid4().hex[:8]}"
    return [send(settings, sender, m) for m in messages]


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_a_precise_question_leads_with_the_paragraph_that_answers_it(servers):
    [replies] = talk(servers, "the screening results have come back but the case isn't allocated - who reviews them?")
    text = texts(replies)
    assert text.startswith("*2.23*")
    assert "The Service Manager, or the practitioner where a case has been allocated, will review the results" in text
    assert len(text) < 900
    buttons = [b for r in replies for b in r.get("buttons") or []]
    more = next(b for b in buttons if b["title"].startswith("More on "))
    [overview] = talk(servers, more["payload"])
    assert "2.18" in texts(overview) and "2.23" in texts(overview)


def test_asking_for_all_of_it_gives_the_area_overview(servers):
    [replies] = talk(servers, "tell me everything the framework says about police checks")
    text = texts(replies)
    assert all(ref in text for ref in ("2.19", "2.20", "2.21"))


@pytest.mark.parametrize(
    ("message", "row"),
    [
        ("ABH", "Assault occasioning actual bodily harm"),
        ("cruelty", "Cruelty to children"),
    ],
)
def test_an_offence_by_bare_name_reaches_the_look_up(servers, message, row):
    [replies] = talk(servers, message)
    text = texts(replies)
    assert f"• {row} |" in text
    assert "Appendix II" in text


def test_an_urgent_message_that_also_asks_gets_2_87_and_then_the_answer(servers):
    [replies] = talk(
        servers,
        "dad's outside the contact centre drunk and shouting and won't leave; he has a caution for assaulting "
        "a child years ago - is that on the schedule?",
    )
    assert "2.87" in (replies[0].get("text") or "")
    rest = texts(replies[1:])
    assert "Appendix II" in rest and "Assault" in rest


def test_a_child_going_home_tonight_to_the_person_they_disclosed_about_is_urgent(servers):
    [replies] = talk(servers, "the 8yo just disclosed that stepdad hits her and she's going home to him tonight")
    assert "2.87" in (replies[0].get("text") or "")


def test_a_decision_question_with_its_facts_states_the_rule_and_asks_only_what_is_unknown(servers):
    sender = f"test-{uuid.uuid4().hex[:8]}"
    replies = send(
        servers,
        sender,
        "residence application, harm box ticked and the C1A says dad punched mum last spring in front of the "
        "children: do I need a police check before the FHDRA?",
    )
    text = texts(replies)
    police_check = load_walkthroughs()["police_check"]
    assert "(2.19)" in text  # the rule in play, with its paragraph, before any question
    for known in ("law", "harm_raised", "application_type"):
        assert police_check.question(known).text not in text
    assert any(police_check.question(fact).text in text for fact in police_check.facts)


def test_a_decision_question_opens_with_the_rule_it_turns_on(servers):
    [replies] = talk(servers, "wardship application in the high court, nothing about risk in it - police check y/n?")
    text = texts(replies)
    assert "Unless any of the factors in 2.19 (above) are present, a police check will not be made" in text
    assert "(2.20)" in text


def test_a_question_the_classifier_is_unsure_of_gets_its_nearest_passage_and_a_way_out(servers):
    [replies] = talk(servers, "how often do practitioners get their CRB redone")
    text = texts(replies)
    assert text.startswith("*4.27*")
    assert "If that isn't what you asked, put it another way" in text


def test_a_case_described_without_a_question_gets_the_decisions_that_apply_prefilled(servers):
    sender = f"test-{uuid.uuid4().hex[:8]}"
    replies = send(
        servers,
        sender,
        "contact application, mum's new partner moved in last month and the school says the 6yo has gone quiet",
    )
    text = texts(replies)
    assert "Proceedings: private law" in text
    choices = [b for r in replies for b in r.get("buttons") or []]
    police = next(b for b in choices if b["title"].startswith("Police check"))
    started = texts(send(servers, sender, police["payload"]))
    assert "(2.19)" in started
    assert "Is this a private law application, or a public law case?" not in started


def test_a_question_about_urgent_action_in_general_is_answered_without_the_alarm(servers):
    [replies] = talk(servers, "hypothetically, if a practitioner found a child in imminent danger, what's expected?")
    text = texts(replies)
    assert not text.startswith("⚠️")
    assert "*2.87*" in text


def test_being_locked_out_of_the_laptop_is_not_urgent(servers):
    [replies] = talk(servers, "locked out of my laptop and can't get into my emails, urgent")
    assert "⚠️" not in texts(replies)

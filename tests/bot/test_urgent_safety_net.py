"""The safety net makes a message describing danger now urgent, and takes urgency away from one that is not."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.urgent_safety_net import UrgentSafetyNet


def parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    UrgentSafetyNet().process([message])
    return message


def names(message: Message) -> list[str]:
    return [r["name"] for r in message.get("intent_ranking")]


def test_danger_now_is_urgent_whatever_the_classifier_said():
    message = parsed("dad is banging on the front door and the kids are inside", [("domestic_violence", 0.7)])
    assert names(message)[:2] == ["urgent_danger", "domestic_violence"]


def test_a_question_in_general_goes_to_a_question_area_with_urgent_next():
    message = parsed(
        "what's the procedure if a child needs an ambulance on a visit",
        [("urgent_danger", 0.6), ("goodbye", 0.2), ("direct_work_with_children", 0.1)],
    )
    assert names(message) == ["direct_work_with_children", "urgent_danger", "goodbye"]
    assert message.get("intent")["name"] == "direct_work_with_children"


def test_history_alone_is_not_urgent():
    message = parsed("dad broke mum's arm in 2017, no contact since", [("urgent_danger", 0.5), ("inform", 0.3)])
    assert message.get("intent")["name"] == "inform"


def test_the_classifier_urgent_stands_when_nothing_says_otherwise():
    message = parsed("kids screaming in the background on the call", [("urgent_danger", 0.5), ("inform", 0.3)])
    assert message.get("intent")["name"] == "urgent_danger"


def test_a_child_going_home_tonight_to_the_person_they_told_of_is_urgent_whatever_the_classifier_said():
    message = parsed(
        "at the session she told me her mum's boyfriend hits her and she goes home to him tonight",
        [("domestic_violence", 0.8), ("urgent_danger", 0.1)],
    )
    assert names(message)[:2] == ["urgent_danger", "domestic_violence"]


def test_a_question_about_what_imminent_danger_means_is_not_urgent():
    message = parsed(
        "what does 'imminent danger' mean? the children are with their aunt at the moment",
        [("urgent_danger", 0.6), ("risk_assessment", 0.3)],
    )
    assert message.get("intent")["name"] == "risk_assessment"


def test_history_over_now_is_not_urgent():
    message = parsed(
        "the girl recalls dad strangling mum when she was 6; he is now in prison",
        [("urgent_danger", 0.6), ("inform", 0.3)],
    )
    assert message.get("intent")["name"] == "inform"


def test_an_emergency_that_was_admin_is_not_urgent():
    message = parsed(
        "mum said it was 'an emergency', when I called back it was about a change to the handover time",
        [("urgent_danger", 0.5), ("inform", 0.3)],
    )
    assert message.get("intent")["name"] == "inform"


def test_a_calm_concern_is_not_urgent_but_a_word_of_harm_keeps_it_urgent():
    calm = parsed(
        "dad thinks mum lets them stay up too late on school nights", [("urgent_danger", 0.5), ("inform", 0.3)]
    )
    assert calm.get("intent")["name"] == "inform"
    harm = parsed(
        "the kids stay up too late and mum's partner slapped the 4yo", [("urgent_danger", 0.5), ("inform", 0.3)]
    )
    assert harm.get("intent")["name"] == "urgent_danger"


def test_a_conviction_or_last_weeks_threat_does_not_set_aside_the_classifiers_urgent():
    for text in (
        "her ex, convicted of rape, is standing at the door of the house with the kids inside",
        "she told me last week he'd threatened her, and I've heard nothing from the house since the call cut off",
    ):
        message = parsed(text, [("urgent_danger", 0.6), ("inform", 0.3)])
        assert message.get("intent")["name"] == "urgent_danger", text


def test_the_children_said_to_be_safe_does_not_set_aside_urgent_when_someone_is_on_the_way():
    message = parsed(
        "mum says the kids are safe at school but dad is on his way there", [("urgent_danger", 0.6), ("inform", 0.3)]
    )
    assert message.get("intent")["name"] == "urgent_danger"


def test_an_everyday_account_the_classifier_took_for_urgent_goes_to_its_next_intent():
    message = parsed(
        "dad says mum is alienating the children and refusing contact",
        [("urgent_danger", 0.4), ("risk_identification", 0.3)],
    )
    assert message.get("intent")["name"] == "risk_identification"


def test_an_it_emergency_or_history_over_now_is_not_urgent():
    for text in (
        "IT emergency!! my phone has no signal in the new office and I'm on duty",
        "child was in A&E at the weekend with a broken wrist from the trampoline, discharged same day",
    ):
        message = parsed(text, [("urgent_danger", 0.5), ("inform", 0.3)])
        assert message.get("intent")["name"] == "inform", text


def test_a_sex_offender_collecting_the_child_now_is_urgent_whatever_the_classifier_said():
    message = parsed(
        "school say the man picking up the 8yo is on the sex offenders register and he's at reception",
        [("risk_to_children", 0.7), ("urgent_danger", 0.1)],
    )
    assert names(message)[:2] == ["urgent_danger", "risk_to_children"]

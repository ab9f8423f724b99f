"""Follow-ups and oversight in conversation: waiting for me, the team overview, done and more time, a referral's
deadlines, and a manager's cases without an agreed record."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from rasa_sdk.executor import CollectingDispatcher

from actions.casefile_oversight import (
    ActionFollowUpDone,
    ActionFollowUpMoreTime,
    ActionMyFollowUps,
    ActionReferralFollowUps,
    ActionTeamOverview,
    ActionWaitingForMe,
)
from actions.casefile_records import ActionListRecords
from casefile import Identity
from tests.actions import test_casefile_actions as recording
from tests.actions.test_casefile_actions import JO, SAM, SUE, buttons, run, texts

store = recording.store  # the same fixture: the case file the actions use, with four members of staff
WHEN = datetime.now(timezone.utc) - timedelta(hours=3)


def saved_record(store, action="I will refer by 4pm tomorrow; SM to check the outcome on Friday.", case="ZW25P01234"):
    return store.record_discussion(
        Identity("telegram", "201"),
        case,
        {"where_child_is_now": "At school", "action_and_timescale": action},
        "Jo Bloggs",
        "Sam Patel",
        WHEN,
        WHEN - timedelta(hours=1),
        f"key-{case}-{action}",
    )


def say(action, make_tracker, text, sender, intent="none", entities=None) -> list[dict]:
    dispatcher = CollectingDispatcher()
    run(action.run(dispatcher, make_tracker(text, intent, entities=entities, sender=sender), {}))
    return dispatcher.messages


def test_waiting_for_me_shows_records_to_agree_with_a_button(store, make_tracker):
    record = saved_record(store)
    replies = say(ActionWaitingForMe(), make_tracker, "what's waiting for me", SAM)
    assert "Records awaiting your agreement (Framework 2.82): 1" in texts(replies)
    assert buttons(replies)[0]["payload"] == f'/agree_record{{"record": "{record.id}"}}'
    assert "Nothing is waiting for you" in texts(say(ActionWaitingForMe(), make_tracker, "anything for me", JO))


def test_follow_ups_are_listed_marked_done_by_tap_and_given_more_time(store, make_tracker):
    saved_record(store)
    mine = texts(say(ActionMyFollowUps(), make_tracker, "my follow-ups", JO))
    assert "Your open follow-ups, soonest due first: 1" in mine and "I will refer by 4pm tomorrow" in mine
    [follow_up] = store.follow_ups.mine(Identity("telegram", "201"))
    asked = say(ActionFollowUpMoreTime(), make_tracker, f"more time {follow_up.id}", JO)
    assert "give the follow-up's number, the new time and the reason" in texts(asked)
    moved = say(
        ActionFollowUpMoreTime(),
        make_tracker,
        f"more time {follow_up.id} until next week because the LA duty line was closed",
        JO,
    )
    assert f"Follow-up {follow_up.id} on ZW25P01234 is now due" in texts(moved)
    refused = say(ActionFollowUpDone(), make_tracker, f"done {follow_up.id}", SUE)
    assert "not yours or your team's" in texts(refused)
    tapped = say(
        ActionFollowUpDone(),
        make_tracker,
        f'/follow_up_done{{"follow_up": "{follow_up.id}"}}',
        JO,
        entities=[{"entity": "follow_up", "value": str(follow_up.id)}],
    )
    assert f"Follow-up {follow_up.id} on ZW25P01234 is marked done" in texts(tapped)
    assert store.follow_ups.mine(Identity("telegram", "201")) == []


def test_the_team_overview_is_for_managers_and_shows_overdue_follow_ups(store, make_tracker):
    saved_record(store, action="I will refer within the hour.")
    overview = texts(say(ActionTeamOverview(), make_tracker, "team overview", SAM))
    assert "Team North overview:" in overview and "Follow-ups overdue: 1" in overview and "OVERDUE" in overview
    assert "Only Service Managers and Senior Managers" in texts(say(ActionTeamOverview(), make_tracker, "team", JO))
    assert "Follow-ups overdue: 0" in texts(say(ActionTeamOverview(), make_tracker, "team overview", SUE))


def test_a_telephone_referral_sets_its_written_confirmation_deadlines(store, make_tracker):
    record = saved_record(store)
    replies = say(
        ActionReferralFollowUps(), make_tracker, f"referral made by phone 20 minutes ago for record {record.id}", JO
    )
    shown = texts(replies)
    assert "Written confirmation to LACSC (2.103)" in shown and "(Appendix V)" in shown and "(2.108)" in shown


def test_a_manager_asks_which_cases_have_no_agreed_record(store, make_tracker):
    first = saved_record(store)
    saved_record(store, case="ZW25P05555")
    store.agree(Identity("telegram", "101"), first.id)
    replies = say(
        ActionListRecords(), make_tracker, "which of my team's cases have concerns with no agreed record?", SAM
    )
    assert "1 case(s) of your team without an agreed record: ZW25P05555." in texts(replies)

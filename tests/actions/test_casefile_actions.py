"""The case-file actions on trackers built in the test, against a case file in a temporary SQLite database."""

from __future__ import annotations

import asyncio
import base64
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.casefile_drafts import DRAFT, KEPT
from actions.casefile_form import (
    ASK_ACTIONS,
    ActionAfterCasefileTask,
    ActionFinishCasefileTask,
    ActionStartCasefileTask,
    ActionStopCasefileTask,
    ValidateCasefileForm,
)
from actions.casefile_records import ActionListRecords
from actions.casefile_tasks import FORM, FORM_SLOTS, USE_URGENT_MESSAGE, record_number, required
from actions.casefile_turn import ANONYMOUS, ANONYMOUS_REFUSED, UNREACHABLE, Turn, case_file, identity
from actions.common import button
from bot import settings
from casefile import CaseFile, Identity, NotFound
from knowledge.moments import LONDON

OPERATOR = Identity("terminal", "test-operator")
JO, SAM, NED, SUE = "telegram:201", "telegram:101", "telegram:202", "telegram:102"
STAFF = [
    ("Jo Bloggs", "practitioner", "North", "201"),
    ("Sam Patel", "service_manager", "North", "101"),
    ("Ned Stone", "practitioner", "North", "202"),
    ("Sue Moss", "service_manager", "South", "102"),
]
CASE = "ZW25P01234"


@pytest.fixture
def store(tmp_path, monkeypatch) -> CaseFile:
    """The case file the actions use, on a fresh SQLite file, with four members of staff registered on Telegram."""
    monkeypatch.setenv("CASEFILE_DATABASE_URL", f"sqlite:///{tmp_path / 'casefile.db'}")
    monkeypatch.delenv("FA_CASE_REFERENCE_PATTERN", raising=False)
    settings.case_file.cache_clear()
    casefile = case_file()
    for name, role, team, telegram_id in STAFF:
        casefile.staff.add(name, role, team, {"telegram": telegram_id}, operator=OPERATOR)
    yield casefile
    casefile.database.dispose()
    settings.case_file.cache_clear()


def run(coroutine):
    return asyncio.run(coroutine)


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons") or []]


def slot_events(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


class Conversation:
    """Drives casefile_form as Rasa does: asks the first unanswered question, reads each reply with the validator."""

    def __init__(self, make_tracker, sender: str):
        self.make_tracker = make_tracker
        self.sender = sender
        self.slots: dict = {}
        self.active = False

    def tracker(self, text: str, intent: str, entities=None, message_id: str = "m-1", previous: str = ""):
        tracker = self.make_tracker(
            text,
            intent,
            entities=entities,
            slots=dict(self.slots),
            sender=self.sender,
            active_loop=FORM if self.active else None,
        )
        vouched = {"verified_identity": self.sender}
        tracker.events = (
            [{"event": "user", "text": previous, "message_id": "m-0", "metadata": vouched}] if previous else []
        ) + [{"event": "user", "text": text, "message_id": message_id, "metadata": vouched}]
        return tracker

    def start(self, text: str, intent: str, entities=None) -> list[dict]:
        dispatcher = CollectingDispatcher()
        events = run(ActionStartCasefileTask().run(dispatcher, self.tracker(text, intent, entities), {}))
        self.slots.update(slot_events(events))
        self.active = bool(self.slots.get("casefile_task"))
        return dispatcher.messages

    @property
    def actor(self) -> Identity:
        return Identity(*self.sender.split(":"))

    @property
    def answers(self) -> dict:
        """The slots as the actions see them: the tracker's, with the answers kept in the case file's draft."""
        draft = self.slots.get(DRAFT)
        return {**self.slots, **(case_file().drafts.read(self.actor, draft).answers if draft else {})}

    def set_answers(self, answers: dict) -> None:
        case_file().drafts.update(self.actor, self.slots[DRAFT], answers)

    @property
    def question(self) -> str | None:
        answers = self.answers
        probe = self.make_tracker("", "none", slots=answers)
        return next((s for s in required(probe) if answers.get(s) is None), None)

    def ask(self) -> list[dict]:
        dispatcher = CollectingDispatcher()
        self.slots["requested_slot"] = self.question
        run(ASK_ACTIONS[self.question]().run(dispatcher, self.tracker("", "none"), {}))
        return dispatcher.messages

    def answer(
        self, text: str, intent: str = "nlu_fallback", message_id: str = "m-1", previous: str = "", entities=None
    ) -> list[dict]:
        dispatcher = CollectingDispatcher()
        # The question the validator asked for last, as Rasa keeps it; the first after the task starts.
        self.slots["requested_slot"] = self.slots.get("requested_slot") or self.question
        tracker = self.tracker(text, intent, entities=entities, message_id=message_id, previous=previous)
        events = run(ValidateCasefileForm().run(dispatcher, tracker, {}))
        assert all(e["value"] is None for e in events if e.get("event") == "slot" and e["name"] in KEPT), events
        self.slots.update(slot_events(events))
        if self.slots.get("requested_slot") is None:
            self.active = False
        return dispatcher.messages


POINT_ANSWERS = {
    "point_nature_of_concerns": "Mother says father hit her in front of the children last week.",
    "point_level_of_risk": "Recent",
    "point_where_child_is_now": "With mother at the maternal grandmother's address.",
    "point_referral_needed": "Yes: referral to LACSC by telephone today.",
    "point_referral_grounds": "The child is, or may be at risk of suffering significant harm",
    "point_action_and_timescale": "Jo refers by 4pm today; Sam checks the outcome tomorrow.",
}


def record_discussion(
    make_tracker, sender: str = JO, other: str = "Sam Patel", case: str = CASE, message_id: str = "m-save"
) -> tuple[Conversation, list[dict]]:
    """A discussion recorded in conversation up to the summary; returns the conversation and the summary shown."""
    talk = Conversation(make_tracker, sender)
    talk.start(f"record my SM discussion on {case}", "record_discussion")
    assert talk.answers["case_reference"] == case
    talk.answer(other)
    talk.answer("just now")
    talk.answer("yesterday 4pm")
    while talk.question and talk.question.startswith("point_"):
        talk.answer(POINT_ANSWERS.get(talk.question, "Not discussed"))
    assert talk.question == "record_confirmation"
    return talk, talk.ask()


def saved(talk: Conversation, message_id: str = "m-save") -> list[dict]:
    return talk.answer("Save", message_id=message_id)


def test_an_unregistered_sender_is_refused_and_nothing_is_stored(store, make_tracker):
    talk = Conversation(make_tracker, "telegram:999")
    replies = talk.start(f"record my SM discussion on {CASE}", "record_discussion")
    assert "You are not registered to use the case file" in texts(replies)
    assert "give your Service Manager or administrator this id: 999 (your Telegram id)" in texts(replies)
    assert "python -m bot" not in texts(replies)  # never an administrator's command
    assert talk.slots["casefile_task"] is None and not talk.active
    assert store.find_records(Identity("telegram", "201")) == []

    dispatcher = CollectingDispatcher()
    run(
        ActionListRecords().run(
            dispatcher, make_tracker("list records", "list_records", sender="rest:telegram:201"), {}
        )
    )
    assert ANONYMOUS_REFUSED in texts(dispatcher.messages)
    assert "telegram:201" not in texts(dispatcher.messages)


def test_the_identity_is_the_one_the_channel_vouched_for_never_the_sender_id_alone(make_tracker):
    def tracker(sender: str, vouched: object) -> object:
        made = make_tracker("my records", "list_records", sender=sender)
        made.events = [{"event": "user", "text": "my records", "metadata": {"verified_identity": vouched}}]
        return made

    assert identity(tracker("teams:29:1a-b", "teams:29:1a-b")) == Identity("teams", "29:1a-b")
    assert identity(tracker("terminal:sam", "terminal:sam")) == Identity("terminal", "sam")
    assert identity(make_tracker("x", "greet", sender="telegram:101", verified=False)) == ANONYMOUS
    assert identity(tracker("telegram:101", "telegram:102")) == ANONYMOUS  # vouched for someone else
    assert identity(tracker("rest:telegram:101", "rest:telegram:101")) == ANONYMOUS  # "rest" names no one
    assert identity(tracker("telegram:101", None)) == ANONYMOUS
    assert identity(tracker("default", "default")) == ANONYMOUS


def test_a_practitioner_records_a_discussion_and_it_is_saved_awaiting_agreement(store, make_tracker):
    talk, summary = record_discussion(make_tracker)
    shown = texts(summary)
    assert "Practitioner: Jo Bloggs (practitioner, North)" in shown
    assert "Manager: Sam Patel (Service Manager, North)" in shown
    assert "3. Where the child is now:\n    With mother at the maternal grandmother's address." in shown
    assert "4. What the family has been told:\n    Not discussed" in shown
    assert [b["title"] for b in buttons(summary)] == ["Save", "Change a point", "Cancel"]

    replies = saved(talk)
    assert "Saved, awaiting Sam Patel's agreement (Framework 2.82)" in texts(replies)
    assert talk.slots["casefile_task"] is None
    [record] = store.find_records(Identity("telegram", "201"), case_reference=CASE)
    assert record.status == "awaiting agreement"
    assert record.practitioner.name == "Jo Bloggs" and record.manager.name == "Sam Patel"
    assert record.point("level_of_risk").current == "recent"
    assert record.point("referral_grounds").current == "significant_harm"
    assert record.point("what_family_told").current is None
    assert record.concern_identified_at < record.discussed_at
    identified = record.concern_identified_at.astimezone(LONDON)
    assert (identified.hour, identified.minute) == (16, 0)
    assert identified.date() == datetime.now(LONDON).date() - timedelta(days=1)
    [notice] = store.pending_notifications("telegram")
    assert notice.external_id == "101" and f"record {record.id}" in notice.text


def test_a_manager_records_with_the_practitioner_as_the_other_party(store, make_tracker):
    talk, _ = record_discussion(make_tracker, sender=SAM, other="Jo")
    assert "Saved, awaiting Jo Bloggs's agreement" in texts(saved(talk))
    [record] = store.find_records(Identity("telegram", "101"))
    assert record.recorded_by.name == "Sam Patel" and record.practitioner.name == "Jo Bloggs"


def test_the_same_confirming_message_twice_saves_one_record(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    slots = dict(talk.slots)
    first = saved(talk, message_id="telegram-update-77")
    talk.slots, talk.active = slots, True
    second = saved(talk, message_id="telegram-update-77")
    [record] = store.find_records(Identity("telegram", "201"))
    assert "Saved, awaiting" in texts(first)
    assert texts(second).startswith("Already saved: this record was saved on ")
    assert f"as record {record.id} on {CASE}, awaiting Sam Patel's agreement (Framework 2.82)" in texts(second)
    assert "It was not saved a second time." in texts(second)
    assert talk.slots["casefile_task"] is None


def test_confirming_again_after_a_crash_lost_the_reply_saves_one_record(store, make_tracker):
    """The reply to Save never arrived (the action or Rasa server died after the commit), so the person presses Save
    again: a new message with a new id, but the same draft, so the record saved the first time is returned."""
    talk, _ = record_discussion(make_tracker)
    slots = dict(talk.slots)
    saved(talk, message_id="rest-message-1")
    talk.slots, talk.active = dict(slots), True
    again = saved(talk, message_id="rest-message-2")
    assert "Already saved" in texts(again) and "It was not saved a second time." in texts(again)
    assert len(store.find_records(Identity("telegram", "201"))) == 1
    assert len(store.pending_notifications("telegram")) == 1
    assert talk.slots[DRAFT] is None and talk.slots["casefile_task"] is None
    with pytest.raises(NotFound):  # the saved draft, kept without its answers for the second Save, is gone now
        store.drafts.read(talk.actor, slots[DRAFT])


def test_the_same_draft_from_another_person_is_their_own_record(store, make_tracker):
    jo, _ = record_discussion(make_tracker)
    ned, _ = record_discussion(make_tracker, sender=NED)
    ned.set_answers({slot: jo.answers[slot] for slot in ("discussed_at", "concern_identified_at")})
    assert "Saved, awaiting" in texts(saved(jo)) and "Saved, awaiting" in texts(saved(ned))
    assert len(store.find_records(Identity("telegram", "101"))) == 2


def test_change_a_point_asks_that_point_again_then_the_summary(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    talk.answer("Change a point")
    assert talk.question == "point_to_change"
    offered = [b["payload"] for b in buttons(talk.ask())]
    assert "Point 3" in offered and "When it took place" in offered
    talk.answer("Point 3")
    assert talk.question == "point_where_child_is_now"
    assert "Point 3 of 12 (Framework 2.81): Where the child is now." in texts(talk.ask())
    talk.answer("With father since Sunday.")
    assert talk.question == "record_confirmation"
    saved(talk)
    [record] = store.find_records(Identity("telegram", "201"))
    assert record.point("where_child_is_now").current == "With father since Sunday."


def test_a_malformed_case_reference_gets_the_stores_message_and_is_asked_again(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    replies = talk.start("record my SM discussion on case 12345678", "record_discussion")
    assert "That is not a case reference" in texts(replies)
    assert talk.question == "case_reference"
    assert "That is not a case reference" in texts(talk.answer("ZW25-1234"))
    assert talk.question == "case_reference"
    talk.answer("zw25p01234")
    assert talk.answers["case_reference"] == CASE


def test_unknown_manager_and_times_in_the_wrong_order_are_asked_again(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(f"record my SM discussion on {CASE}", "record_discussion")
    assert [b["payload"] for b in buttons(talk.ask())] == ["Sam Patel"]  # the managers in Jo's team
    assert "no active manager with that name" in texts(talk.answer("Mary Poppins"))
    assert "no active manager" in texts(talk.answer("Ned Stone"))  # a practitioner, not a manager
    talk.answer("Sue Moss")  # another Cafcass manager, when the Service Manager is not available (2.81)
    talk.answer("yesterday 09:00")
    assert "identified before it was discussed" in texts(talk.answer("today 08:00"))
    assert "give the time as well as the day" in texts(talk.answer("yesterday")).lower()
    assert talk.question == "concern_identified_at"


def test_only_the_buttons_answer_a_point_with_set_choices(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(f"record my SM discussion on {CASE}", "record_discussion")
    for reply in ("Sam Patel", "just now", "yesterday 4pm", "Some concerns"):
        talk.answer(reply)
    assert talk.question == "point_level_of_risk"
    assert [b["title"] for b in buttons(talk.ask())] == ["Immediate", "Recent", "Previous", "Not discussed"]
    assert "Please pick one of the buttons" in texts(talk.answer("quite high"))
    talk.answer("immediate")
    assert talk.answers["point_level_of_risk"] == "immediate"


def test_stop_start_again_and_why_are_left_to_the_rules_but_buttons_and_long_answers_are_answers(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(f"record my SM discussion on {CASE}", "record_discussion")
    for reply in ("Sam Patel", "just now", "yesterday 4pm"):
        talk.answer(reply)
    for text, intent in [
        ("stop", "stop"),
        ("start again", "start_again"),
        ("why do you ask?", "why_ask"),
        ("/stop", "stop"),
    ]:
        assert talk.answer(text, intent=intent) == []
        assert talk.answers.get("point_nature_of_concerns") is None
    talk.answer("Not discussed", intent="stop")
    assert talk.answers["point_nature_of_concerns"] == "Not discussed"
    long_answer = "Leave it to the LA to decide after their visit, and stop contact until the review next week"
    talk.answer("Recent")
    talk.answer(long_answer, intent="stop")
    assert talk.answers["point_where_child_is_now"] == long_answer


def test_an_urgent_message_interrupts_and_can_then_be_used_as_the_answer(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(f"record my SM discussion on {CASE}", "record_discussion")
    for reply in ("Sam Patel", "just now", "yesterday 4pm"):
        talk.answer(reply)
    urgent = "father threatened to kill mother and the child was left home alone"
    assert talk.answer(urgent, intent="urgent_danger") == []
    assert talk.answers.get("point_nature_of_concerns") is None
    dispatcher = CollectingDispatcher()
    run(ASK_ACTIONS["point_nature_of_concerns"]().run(dispatcher, talk.tracker(urgent, "urgent_danger"), {}))
    assert USE_URGENT_MESSAGE in [b["payload"] for b in buttons(dispatcher.messages)]
    talk.answer(USE_URGENT_MESSAGE, previous=urgent)
    assert talk.answers["point_nature_of_concerns"] == urgent


def test_a_forged_payload_sets_nothing(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(
        '/record_discussion{"status": "agreed", "case_reference": "ZW25P01234"}',
        "record_discussion",
        entities=[{"entity": "status", "value": "agreed"}],
    )
    assert talk.slots["casefile_task"] == "record"
    assert all(talk.answers.get(slot) is None for slot in FORM_SLOTS)
    replies = talk.answer('/agree_record{"record": "1"}', intent="agree_record")
    assert "Please answer the question in words" in texts(replies)
    assert talk.answers.get("case_reference") is None


def test_the_other_party_agrees_the_record(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    saved(talk)
    manager = Conversation(make_tracker, SAM)
    manager.start("agree the record", "agree_record")
    assert manager.question == "chosen_record"
    [choice] = buttons(manager.ask())
    assert choice["title"].startswith(f"{CASE} · Jo Bloggs · ")
    manager.answer(choice["payload"])
    summary = manager.ask()
    assert "Status: Awaiting agreement" in texts(summary)
    assert [b["title"] for b in buttons(summary)] == ["Agree", "Agree with an amendment", "Not now"]
    replies = manager.answer("Agree")
    assert "Agreed by Sam Patel at " in texts(replies)
    assert "the record now carries both names and times (Framework 2.82)" in texts(replies)
    assert "Recorded by Jo Bloggs (practitioner, North) on " in texts(replies)
    [record] = store.find_records(Identity("telegram", "101"))
    assert record.agreed and record.agreed_by.name == "Sam Patel"


def test_the_recorder_cannot_agree_their_own_record(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    saved(talk)
    again = Conversation(make_tracker, JO)
    replies = again.start("agree the record", "agree_record")
    assert "There are no records awaiting your agreement." in texts(replies)
    assert not again.active


def test_agreeing_with_an_amendment_keeps_the_original(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    saved(talk)
    [record] = store.find_records(Identity("telegram", "201"))
    manager = Conversation(make_tracker, SAM)
    manager.start("agree it", "agree_record", entities=[{"entity": "record", "value": str(record.id)}])
    assert manager.answers["chosen_record"] == str(record.id)
    manager.answer("Agree with an amendment")
    assert manager.question == "amended_point"
    manager.answer("Point 10")
    assert "reads now: Jo refers by 4pm today" in texts(manager.ask())
    replies = manager.answer("Jo refers by 3pm today; Sam checks the outcome tomorrow.")
    assert "Agreed by Sam Patel" in texts(replies)
    agreed = store.get_record(Identity("telegram", "101"), record.id)
    point = agreed.point("action_and_timescale")
    assert point.current == "Jo refers by 3pm today; Sam checks the outcome tomorrow."
    assert point.original == "Jo refers by 4pm today; Sam checks the outcome tomorrow."
    assert point.amendments[0].on_agreement


def test_an_amendment_is_dated_and_keeps_the_original(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    saved(talk)
    [record] = store.find_records(Identity("telegram", "201"))
    amender = Conversation(make_tracker, JO)
    amender.start(f"amend record {record.id}", "amend_record")
    amender.answer("3")
    amender.answer("With father since Sunday.")
    replies = amender.answer("I recorded the wrong address.")
    assert "Amendment saved on record" in texts(replies)
    assert "The original text is kept in the record: With mother at the maternal grandmother's address." in texts(
        replies
    )
    point = store.get_record(Identity("telegram", "201"), record.id).point("where_child_is_now")
    assert point.current == "With father since Sunday."
    assert point.amendments[0].reason == "I recorded the wrong address."


def test_amending_an_agreed_record_asks_for_agreement_again(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    saved(talk)
    [record] = store.find_records(Identity("telegram", "201"))
    store.agree(Identity("telegram", "101"), record.id)
    amender = Conversation(make_tracker, JO)
    amender.start(f"amend record {record.id}", "amend_record")
    amender.answer("3")
    amender.answer("With father since Sunday.")
    assert amender.answers["amended_text"] == "With father since Sunday." and amender.slots["amended_text"] is None
    replies = texts(amender.answer("I recorded the wrong address."))
    assert "The record had been agreed, so it is no longer: it awaits Sam Patel's agreement again" in replies
    assert amender.slots[DRAFT] is None
    manager = Conversation(make_tracker, SAM)
    manager.start("agree the record", "agree_record")
    [choice] = buttons(manager.ask())
    manager.answer(choice["payload"])
    assert "Agreed by Sam Patel" in texts(manager.answer("Agree"))
    again = store.get_record(Identity("telegram", "201"), record.id)
    assert again.agreed and [a.agreed_by.name for a in again.earlier_agreements] == ["Sam Patel"]


def test_the_answers_are_in_the_draft_and_the_conversation_holds_only_its_id(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    draft_id = talk.slots[DRAFT]
    assert all(talk.slots.get(slot) is None for slot in KEPT)
    draft = store.drafts.read(Identity("telegram", "201"), draft_id)
    assert (
        draft.task == "record"
        and draft.answers["point_nature_of_concerns"] == POINT_ANSWERS["point_nature_of_concerns"]
    )
    # Someone else given Jo's draft id (a forged slot) finds no draft: the task stops and shows nothing of it.
    ned = Conversation(make_tracker, NED)
    ned.slots, ned.active = {**talk.slots}, True
    replies = ned.answer("Save", message_id="m-ned")
    assert texts(replies).startswith("The answers of this task are no longer kept")
    assert ned.slots["casefile_task"] is None and ned.slots[DRAFT] is None
    assert store.find_records(Identity("telegram", "202")) == []
    assert store.drafts.read(Identity("telegram", "201"), draft_id).answers == draft.answers


def test_stopping_a_task_deletes_its_draft(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    draft_id = talk.slots[DRAFT]
    events = run(ActionStopCasefileTask().run(CollectingDispatcher(), talk.tracker("stop", "stop"), {}))
    assert {"event": "slot", "timestamp": None, "name": DRAFT, "value": None} in events
    with pytest.raises(NotFound):
        store.drafts.read(Identity("telegram", "201"), draft_id)


def _seed(store: CaseFile) -> dict:
    """Four records: Jo's and Ned's, on two cases, in March and April 2025, one of them agreed."""
    jo, ned, sam = Identity("telegram", "201"), Identity("telegram", "202"), Identity("telegram", "101")
    points = {"nature_of_concerns": "Concerns."}
    made = {}
    for name, who, case, day in [
        ("jo_march", jo, CASE, 5),
        ("ned_march", ned, CASE, 12),
        ("jo_april", jo, "LV25C00123", 33),
        ("jo_other_case", jo, "LV25C00123", 14),
    ]:
        when = datetime(2025, 2, 28, 10, 0, tzinfo=timezone.utc) + timedelta(days=day)
        practitioner = "Jo Bloggs" if who == jo else "Ned Stone"
        made[name] = store.record_discussion(
            who, case, points, practitioner, "Sam Patel", when, when - timedelta(hours=3), f"seed-{name}"
        )
    store.agree(sam, made["jo_march"].id)
    return made


def list_records(make_tracker, sender: str, text: str, entities=None) -> list[dict]:
    dispatcher = CollectingDispatcher()
    run(ActionListRecords().run(dispatcher, make_tracker(text, "list_records", sender=sender, entities=entities), {}))
    return dispatcher.messages


def listed(messages: list[dict]) -> list[int]:
    return [int(line.split(" ")[0][1:]) for line in texts(messages).splitlines() if line.startswith("#")]


def test_finding_records_by_case_person_dates_and_status(store, make_tracker):
    made = _seed(store)
    ids = {name: view.id for name, view in made.items()}
    assert listed(list_records(make_tracker, SAM, f"show me the SM discussions on {CASE}")) == [
        ids["ned_march"],
        ids["jo_march"],
    ]
    assert listed(list_records(make_tracker, SAM, f"show me the discussions I agreed on case {CASE}")) == [
        ids["jo_march"]
    ]
    assert listed(list_records(make_tracker, SAM, "records awaiting my agreement")) == [
        ids["jo_april"],
        ids["jo_other_case"],
        ids["ned_march"],
    ]
    assert listed(list_records(make_tracker, SAM, "which discussions did Ned record in march 2025")) == [
        ids["ned_march"]
    ]
    assert listed(list_records(make_tracker, SAM, "list SM discussions between 1 and 15 March 2025")) == [
        ids["jo_other_case"],
        ids["ned_march"],
        ids["jo_march"],
    ]
    assert listed(list_records(make_tracker, NED, "show my discussion records")) == [ids["ned_march"]]
    assert "I found no records" in texts(list_records(make_tracker, SUE, f"show records on {CASE}"))
    awaiting = list_records(make_tracker, SAM, "records awaiting my agreement")
    assert buttons(awaiting)[0]["payload"] == f'/agree_record{{"record": "{ids["jo_april"]}"}}'


def test_a_record_in_full_from_its_button(store, make_tracker):
    made = _seed(store)
    record = made["jo_march"]
    replies = list_records(
        make_tracker,
        JO,
        f'/list_records{{"record": "{record.id}"}}',
        entities=[{"entity": "record", "value": str(record.id)}],
    )
    assert f"Record {record.id}: discussion on" in texts(replies)
    assert "Agreed by: Sam Patel (Service Manager, North)" in texts(replies)
    assert "Export" in [b["title"] for b in buttons(replies)]
    refused = list_records(make_tracker, SUE, f"show record {record.id}")
    assert f"You cannot see record {record.id}" in texts(refused)


def test_at_most_ten_records_are_listed_with_a_hint(store, make_tracker):
    jo = Identity("telegram", "201")
    start = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
    for n in range(12):
        store.record_discussion(
            jo,
            CASE,
            {"nature_of_concerns": f"Concern {n}"},
            "Jo Bloggs",
            "Sam Patel",
            start + timedelta(days=n),
            start,
            f"many-{n}",
        )
    replies = list_records(make_tracker, JO, f"list all discussions on {CASE}")
    assert len(listed(replies)) == 10 and "12 records" in texts(replies)
    assert "Showing the 10 most recent" in texts(replies)
    assert len(buttons(replies)) == 10


def test_export_gives_the_text_and_a_word_document(store, make_tracker):
    import docx

    _seed(store)
    talk = Conversation(make_tracker, JO)
    talk.start(f"export the records for {CASE} as a word doc", "export_records")
    assert talk.question is None
    dispatcher = CollectingDispatcher()
    run(ActionFinishCasefileTask().run(dispatcher, talk.tracker("", "none"), {}))
    shown = texts(dispatcher.messages)
    assert f"Case {CASE}: record of discussion with the Service Manager (Framework 2.81-2.82)" in shown
    [payload] = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    document = payload["document"]
    assert document["filename"] == f"{CASE}-discussions.docx"
    assert document["media_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    opened = docx.Document(io.BytesIO(base64.b64decode(document["content_base64"])))
    assert any(CASE in p.text for p in opened.paragraphs)


def test_securing_a_file_then_recording_is_refused_and_a_later_recording_is_kept_apart(store, make_tracker):
    first, _ = record_discussion(make_tracker)
    saved(first)
    manager = Conversation(make_tracker, SAM)
    manager.start(f"secure the file for {CASE}, there's going to be an SCR", "secure_file")
    manager.answer("Notification of a Serious Case Review received from the LSCB.")
    assert [b["title"] for b in buttons(manager.ask())] == ["Secure the file", "Cancel"]
    assert f"The case file for {CASE} is secured" in texts(manager.answer("Secure the file"))

    second, _ = record_discussion(make_tracker, message_id="m-second")
    second.set_answers({"point_future_work": "A different discussion: the same draft again would be the first record."})
    replies = saved(second, message_id="m-second")
    assert f"The case file for {CASE} was secured on" in texts(replies)
    assert "The record was not saved." in texts(replies)
    assert second.slots["casefile_task"] is None
    assert len(store.find_records(Identity("telegram", "201"))) == 1

    later = Conversation(make_tracker, JO)
    later.start(f"add a later recording to {CASE}", "add_later_recording")
    later.answer("yesterday")
    replies = later.answer("Phone call from the school on the day before the review was decided.")
    assert "marked with the date it was made" in texts(replies)
    assert '"alongside, but separate from, the original file" (Framework 3.45)' in texts(replies)
    view = store.case_file(Identity("telegram", "201"), CASE)
    assert view.later_recordings[0].event_date == date.today() - timedelta(days=1)


def test_a_practitioner_cannot_secure_a_file(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(f"secure file {CASE}", "secure_file")
    talk.answer("SCR")
    replies = talk.answer("Secure the file")
    assert "Only a Service Manager, a Senior Manager or an admin can secure a case file" in texts(replies)
    assert "The case file was not secured." in texts(replies)


def test_when_the_database_is_down_the_person_is_told_nothing_was_saved(store, make_tracker, monkeypatch):
    talk, _ = record_discussion(make_tracker)
    monkeypatch.setenv("CASEFILE_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/casefile")
    settings.case_file.cache_clear()
    replies = saved(talk)
    assert texts(replies) == UNREACHABLE
    assert "couldn't reach the case file" in texts(replies) and "nothing was saved" in texts(replies)
    assert talk.slots["casefile_task"] == "record" and talk.slots["requested_slot"] == "record_confirmation"
    start = Conversation(make_tracker, JO).start(f"record my SM discussion on {CASE}", "record_discussion")
    assert "couldn't reach the case file" in texts(start)
    assert "couldn't reach" in texts(list_records(make_tracker, JO, "list records"))


def test_record_numbers_are_read_from_the_message():
    assert record_number("show record 12", []) == 12
    assert record_number("/list_records", [{"entity": "record", "value": "7"}]) == 7
    assert record_number('/list_records{"record": "7"}', []) is None


def test_a_question_inside_a_task_is_left_to_the_rules_and_the_task_comes_back_in_one_line(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(f"record my SM discussion on {CASE}", "record_discussion")
    for reply in ("Sam Patel", "just now", "yesterday 4pm"):
        talk.answer(reply)
    assert talk.answer("what is a LADO?", intent="define_term") == []
    assert talk.answers.get("point_nature_of_concerns") is None
    # An answer that names an offence is what was discussed, not a question.
    talk.answer("Father has a caution for ABH", intent="offence_lookup")
    assert talk.answers["point_nature_of_concerns"] == "Father has a caution for ABH"
    tracker = talk.tracker("what does 2.81 say?", "show_paragraph")
    tracker.events += [{"event": "action", "name": "action_show_paragraph"}]
    dispatcher = CollectingDispatcher()
    run(ASK_ACTIONS["point_level_of_risk"]().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["text"].startswith(f"Back to recording your discussion on {CASE}: Point 2 of 12")


def test_the_record_is_shown_in_full_once_then_recalled_in_one_line(store, make_tracker):
    talk, summary = record_discussion(make_tracker)
    assert "Please check the record before it is saved" in texts(summary)
    assert [b["payload"] for b in buttons(summary)][0] == '/choose{"option": "save"}'
    replies = talk.answer("hmm let me think", intent="nlu_fallback")
    assert "Please choose Save" in texts(replies)
    tracker = talk.tracker("hmm let me think", "nlu_fallback")
    tracker.events = [{"event": "slot", "name": "requested_slot", "value": "record_confirmation"}] + tracker.events
    dispatcher = CollectingDispatcher()
    run(ASK_ACTIONS["record_confirmation"]().run(dispatcher, tracker, {}))
    assert texts(dispatcher.messages) == f"Your record on {CASE} is not saved yet. Save it?"
    assert "Show the record" in [b["title"] for b in buttons(dispatcher.messages)]
    dispatcher = CollectingDispatcher()
    shown = talk.tracker("/list_records", "list_records")
    run(ActionListRecords().run(dispatcher, shown, {}))
    assert "The record as it stands, not saved yet" in texts(dispatcher.messages)
    assert "Mother says father hit her" in texts(dispatcher.messages)


def test_the_agreement_is_recalled_in_one_line_and_a_second_tap_gets_the_state(store, make_tracker):
    talk, _ = record_discussion(make_tracker)
    saved(talk)
    [record] = store.find_records(Identity("telegram", "201"))
    manager = Conversation(make_tracker, SAM)
    entities = [{"entity": "record", "value": record.id}]
    manager.start(f'/agree_record{{"record": "{record.id}"}}', "agree_record", entities)
    assert "Status: Awaiting agreement" in texts(manager.ask())
    tracker = manager.tracker("what is a LADO?", "define_term")
    tracker.events = [{"event": "slot", "name": "requested_slot", "value": "agreement_decision"}] + tracker.events
    dispatcher = CollectingDispatcher()
    run(ASK_ACTIONS["agreement_decision"]().run(dispatcher, tracker, {}))
    assert texts(dispatcher.messages) == f"Record {record.id} on {CASE}, awaiting your agreement. Do you agree it?"
    replies = manager.answer(
        '/choose{"option": "agree"}', intent="choose", entities=[{"entity": "option", "value": "agree"}]
    )
    assert "Agreed by Sam Patel" in texts(replies)
    assert manager.slots["casefile_done"] == f"agree:agreed:{record.id}"
    dispatcher = CollectingDispatcher()
    again = manager.tracker('/choose{"option": "agree"}', "choose")
    run(ActionAfterCasefileTask().run(dispatcher, again, {}))
    assert texts(dispatcher.messages).startswith(f"Record {record.id} on {CASE} is agreed by Sam Patel on ")
    dispatcher = CollectingDispatcher()
    run(ActionAfterCasefileTask().run(dispatcher, talk.tracker('/choose{"option": "save"}', "choose"), {}))
    assert texts(dispatcher.messages).startswith(f"Already saved as record {record.id} on {CASE}, agreed by Sam")


def test_go_back_asks_the_previous_question_again(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(f"record my SM discussion on {CASE}", "record_discussion")
    for reply in ("Sam Patel", "just now", "yesterday 4pm"):
        talk.answer(reply)
    assert "Going back one question" in texts(talk.answer("go back", intent="correct_answer"))
    assert talk.question == "concern_identified_at"
    talk.answer("today 09:10")
    assert talk.question == "point_nature_of_concerns"


def test_a_discussion_time_is_asked_for_as_a_time_not_as_minutes_ago(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(f"record my SM discussion on {CASE}", "record_discussion")
    talk.answer("Sam Patel")
    replies = talk.answer("20 minutes ago")
    assert "Please give the time as well as the day" in texts(replies)
    assert talk.question == "discussed_at"
    talk.answer("just now")
    assert talk.question == "concern_identified_at"


def test_a_long_reply_is_one_message_which_each_channel_cuts_to_its_own_limit(make_tracker):
    dispatcher = CollectingDispatcher()
    text = "\n\n".join(f"Record {n}: " + "x" * 90 for n in range(100))
    Turn(dispatcher, make_tracker("", "none")).say(text, [button("Export")])
    assert [m["text"] for m in dispatcher.messages] == [text]
    assert dispatcher.messages[0]["buttons"] == [{"title": "Export", "payload": "Export"}]

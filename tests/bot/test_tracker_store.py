"""The tracker store keeps each message's work bounded by starting a new segment, carrying slots over."""

from __future__ import annotations

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import DatabaseTrackerStore, needs_new_segment, segment_start

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet]
slots:
  walkthrough:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
""")


def conversation(turns: int, with_form: bool = False) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        SlotSet("walkthrough", "section_120"),
    ]
    for n in range(turns):
        events += [
            UserUttered(f"hello {n}", {"name": "greet", "confidence": 1.0}),
            ActionExecuted("utter_greet"),
            BotUttered("hi"),
            ActionExecuted("action_listen"),
        ]
    if with_form:
        events.insert(-1, ActiveLoop("walkthrough_form"))
    return DialogueStateTracker.from_events("someone", events, slots=DOMAIN.slots)


def test_a_short_segment_is_left_alone():
    assert not needs_new_segment(conversation(5))


def test_a_long_segment_between_turns_starts_a_new_one_with_the_slots():
    tracker = conversation(40)
    assert needs_new_segment(tracker)
    events = segment_start(tracker)
    assert isinstance(events[0], SessionStarted)
    assert SlotSet("walkthrough", "section_120") in events
    assert events[-1] == ActionExecuted("action_listen")


def test_never_in_the_middle_of_a_form():
    assert not needs_new_segment(conversation(40, with_form=True))


def test_saved_and_read_back_the_tracker_is_bounded_and_keeps_its_slots(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    store = DatabaseTrackerStore(domain=DOMAIN)

    async def scenario():
        tracker = conversation(40)
        await store.save(tracker)
        bounded = await store.retrieve("someone")
        full = await store.retrieve_full_tracker("someone")
        return bounded, full

    bounded, full = asyncio.run(scenario())
    assert len(bounded.events) < 10
    assert bounded.get_slot("walkthrough") == "section_120"
    assert len(full.events) > 160


def test_sqlite_writes_ahead_on_pooled_connections_and_a_second_store_reads_what_the_first_saved(tmp_path, monkeypatch):
    import sqlalchemy as sa

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    first = DatabaseTrackerStore(domain=DOMAIN)
    asyncio.run(first.save(conversation(3)))
    with first.session_scope() as session:
        assert session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL: synced at checkpoints
    indexes = {i["name"] for i in sa.inspect(first.engine).get_indexes("events")}
    assert {"ix_events_sender_type_event_id", "ix_events_sender_event_id"} <= indexes  # found without a scan
    assert "ix_events_sender_type_time" not in indexes
    second = DatabaseTrackerStore(domain=DOMAIN)  # as a restarted server would open it
    again = asyncio.run(second.retrieve("someone"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello 0", "hello 1", "hello 2"]


def test_a_conversation_with_no_session_start_is_read_back_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    store = DatabaseTrackerStore(domain=DOMAIN)
    events = [
        ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet", "confidence": 1.0}),
        ActionExecuted("utter_greet"),
        BotUttered("hello"),
        ActionExecuted("action_listen"),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events("no-session", events, slots=DOMAIN.slots)))
    again = asyncio.run(store.retrieve("no-session"))
    assert [type(e) for e in again.events] == [type(e) for e in events]


def test_an_unreachable_database_fails_the_turn_and_keeps_nothing_in_memory(pg_server, monkeypatch):
    import pytest
    from rasa.core.agent import Agent
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from bot.tracker_store import ConversationStoreUnreachable
    from tests.conftest import free_port, pg_url

    monkeypatch.setenv("DATABASE_URL", pg_url(pg_server()))
    store = DatabaseTrackerStore(domain=DOMAIN)
    wrapped = Agent._create_tracker_store(store, DOMAIN)  # as Rasa wraps every tracker store
    asyncio.run(wrapped.save(conversation(3)))
    reachable = store.engine, store.sessionmaker

    # PostgreSQL stopped: nothing listens on the port any more.
    stopped = f"postgresql://postgres@127.0.0.1:{free_port()}/stopped"
    store.engine = create_engine(stopped, hide_parameters=True, connect_args={"connect_timeout": 3})
    store.sessionmaker = sessionmaker(bind=store.engine)
    with pytest.raises(ConversationStoreUnreachable, match="Can't reach the conversation store"):
        asyncio.run(wrapped.get_or_create_tracker("someone"))
    with pytest.raises(ConversationStoreUnreachable):
        asyncio.run(wrapped.retrieve_full_tracker("someone"))
    with pytest.raises(ConversationStoreUnreachable):
        asyncio.run(wrapped.save(conversation(4)))
    with pytest.raises(ConversationStoreUnreachable):
        asyncio.run(wrapped.keys())
    assert wrapped._fallback_tracker_store is None  # no conversation was kept in the server's memory

    store.engine.dispose()
    store.engine, store.sessionmaker = reachable  # back up: the conversation is as it was before the outage
    again = asyncio.run(wrapped.retrieve("someone"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello 0", "hello 1", "hello 2"]
    store.engine.dispose()


def test_other_tracker_stores_keep_rasas_fallback():
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import InMemoryTrackerStore

    class Broken(InMemoryTrackerStore):
        async def retrieve(self, sender_id):
            raise ConnectionError("down")

    wrapped = Agent._create_tracker_store(Broken(DOMAIN), DOMAIN)
    assert asyncio.run(wrapped.retrieve("someone")) is None


def stored_rows(store, sender: str) -> list[dict]:
    import json

    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id)
        return [json.loads(row.data) for row in rows]


def form_turn(words: str, asked: str, offer: bool = False) -> list:
    from actions.casefile_tasks import USE_URGENT_MESSAGE

    return [
        UserUttered(words, {"name": "inform", "confidence": 1.0}, message_id=f"m{len(words)}"),
        ActionExecuted("casefile_form"),
        BotUttered(
            asked,
            {"buttons": [{"title": USE_URGENT_MESSAGE, "payload": USE_URGENT_MESSAGE}] if offer else []},
            {"case_content": "message"},
        ),
        ActionExecuted("action_listen"),
    ]


def test_case_content_is_stored_as_a_reference_and_answers_in_a_case_file_form_without_their_words(
    tmp_path, monkeypatch
):
    import json

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    store = DatabaseTrackerStore(domain=DOMAIN)
    shown = BotUttered(
        "Record 12 on ZW25P01234: Jo Bloggs and the father's conviction",
        {
            "buttons": [{"title": "Agree", "payload": '/agree_record{"record": "12"}'}],
            "custom": {"document": {"content_base64": "UEsDBBQ="}},
        },
        {"case_content": "record:12"},
    )
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("show record 12", {"name": "list_records", "confidence": 1.0}),
        ActionExecuted("action_list_records"),
        shown,
        BotUttered("Walkthroughs answer from the Framework alone"),  # a guidance message: no reference, kept
        ActionExecuted("action_listen"),
        UserUttered("record a discussion", {"name": "record_discussion", "confidence": 1.0}),
        ActionExecuted("casefile_form"),
        ActiveLoop("casefile_form"),
        ActionExecuted("action_listen"),
        *form_turn("the father was convicted of assault", "When was the concern identified?"),
    ]
    tracker = DialogueStateTracker.from_events("someone", events, slots=DOMAIN.slots)
    asyncio.run(store.save(tracker))
    rows = stored_rows(store, "someone")
    text = json.dumps(rows)
    for content in ("Jo Bloggs", "conviction", "UEsDBBQ", "agree_record", "convicted of assault"):
        assert content not in text
    assert "[record 12 shown]" in [r.get("text") for r in rows]
    assert "Walkthroughs answer from the Framework alone" in text
    assert "record a discussion" in text  # said before the form began
    answer = [r for r in rows if r["event"] == "user"][-1]
    assert answer["text"] == "[answer in a case-file task, not kept]"
    assert answer["parse_data"]["intent"]["name"] == "inform" and answer["message_id"] == "m35"
    assert tracker.events[-4].text == "the father was convicted of assault"  # the tracker itself is untouched


def test_an_answer_the_form_offers_to_use_is_kept_for_one_turn_only(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    store = DatabaseTrackerStore(domain=DOMAIN)
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("record a discussion", {"name": "record_discussion", "confidence": 1.0}),
        ActionExecuted("casefile_form"),
        ActiveLoop("casefile_form"),
        ActionExecuted("action_listen"),
        *form_turn("the child was hit and is in danger", "If that was your answer, press the button.", offer=True),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events("someone", events, slots=DOMAIN.slots)))
    again = asyncio.run(store.retrieve("someone"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)][-1] == "the child was hit and is in danger"
    for event in form_turn("Use that message as my answer", "What was discussed?"):
        again.update(event)
    asyncio.run(store.save(again))
    assert "the child was hit" not in json.dumps(stored_rows(store, "someone"))

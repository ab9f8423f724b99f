"""The case-file form keeps its answers in the case file's draft, not in the conversation store: a discussion is
recorded through the real servers, then every event stored for the conversation is searched for the point text, the
names and the offence named, and none is found; only the draft's id was kept, and the saved draft holds no answers."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import create_engine, select, text

from casefile import CaseFile
from casefile.models import Draft
from tests.conversation.conftest import registrar
from tests.conversation.test_casefile_conversation import POINT_QUESTION, fresh_case, payloads, texts

pytestmark = pytest.mark.conversation

OFFENCE = "assault occasioning actual bodily harm"
ANSWERS = {
    1: f"Mother says father pushed her at handover; he has a conviction for {OFFENCE}.",
    2: "Recent",
    3: "Staying with her aunt Mavis Okonjo-Trent in Leeds.",
    5: "Yes: referral to LACSC about the baby Kelechi.",
    10: "Referral to LACSC by telephone today; manager checks the outcome tomorrow.",
}
SECRETS = (OFFENCE, "Mavis Okonjo-Trent", "Kelechi", "pushed her at handover", "Referral to LACSC by telephone")


@pytest.fixture(scope="module")
def recorded(servers):
    """Jo records a discussion with Sam in conversation; the events stored for Jo, and the case file's drafts."""
    store = CaseFile(servers.casefile_database_url)
    register = registrar(store, servers)
    jo, sam = register("practitioner", "Jo"), register("service_manager", "Sam")
    case = fresh_case()
    assert "Which manager did you discuss it with" in texts(jo.says(f"record my SM discussion on {case}"))
    assert "When did the discussion take place" in texts(jo.says(sam.name))
    assert "When was the concern first identified" in texts(jo.says("just now"))
    replies = jo.says("yesterday 4pm")
    for number in range(1, 13):
        assert POINT_QUESTION.search(texts(replies)).group(1) == str(number), replies
        replies = jo.says(ANSWERS.get(number, "Not discussed"))
    summary = texts(replies)
    assert payloads(replies)[-3:] == [f'/choose{{"option": "{o}"}}' for o in ("save", "change", "cancel")]
    with store.database.session() as session:
        [draft] = session.execute(select(Draft).where(Draft.answers.contains("Mavis"))).scalars().all()
        draft_id, answers_before_save = draft.id, json.loads(draft.answers)
    saved = texts(jo.says("Save"))
    with store.database.session() as session:
        after = session.get(Draft, draft_id)
        left = None if after is None else (after.answers, after.saved_record_id)
    store.database.dispose()
    engine = create_engine(servers.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name, data FROM events WHERE sender_id = :jo ORDER BY id"),
            {"jo": f"terminal:{jo.sender}"},
        ).all()
    engine.dispose()
    return {
        "sam": sam,
        "summary": summary,
        "saved": saved,
        "draft_id": draft_id,
        "answers_before_save": answers_before_save,
        "left": left,
        "events": [(type_name, json.loads(data)) for type_name, data in rows],
    }


def test_the_answers_were_taken_shown_and_saved(recorded):
    assert "Mavis Okonjo-Trent" in recorded["summary"] and OFFENCE in recorded["summary"]
    assert re.search(r"Saved, awaiting .*'s agreement \(Framework 2\.82\)", recorded["saved"])
    assert recorded["answers_before_save"]["point_where_child_is_now"] == ANSWERS[3]
    record_id = int(re.search(r"It is record (\d+) on", recorded["saved"]).group(1))
    assert recorded["left"] == ("{}", record_id), "the saved draft keeps no answers, only the record's number"


def test_no_stored_event_holds_the_point_text_names_or_offence(recorded):
    events = recorded["events"]
    assert len(events) > 50 and {"user", "bot", "slot", "action"} <= {type_name for type_name, _ in events}
    stored = json.dumps([data for _type, data in events], ensure_ascii=False)
    for content in (*SECRETS, recorded["sam"].name):
        assert content not in stored, content


def test_the_only_slot_of_the_task_with_a_value_is_the_draft_id(recorded):
    slots = [(data["name"], data["value"]) for type_name, data in recorded["events"] if type_name == "slot"]
    form_answers = [name for name, value in slots if value is not None and name.startswith(("point_", "case_ref"))]
    assert form_answers == []
    assert ("casefile_draft", recorded["draft_id"]) in slots
    assert ("casefile_draft", None) in slots  # forgotten once the task ended

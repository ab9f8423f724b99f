"""No second copy of the case file in the conversation store: after a discussion is recorded, shown and exported
through the real servers, no stored event holds its point text, the names of the people in it, or the export."""

from __future__ import annotations

import base64
import json
import re

import pytest
from sqlalchemy import create_engine, text

from casefile import CaseFile
from tests.conversation.conftest import registrar
from tests.conversation.test_casefile_conversation import fresh_case, record_in_conversation, texts

pytestmark = pytest.mark.conversation

# What the practitioner answers to points 1, 3 and 10 (tests.conversation.test_casefile_conversation).
POINT_TEXT = (
    "Mother says father pushed her",
    "maternal grandmother",
    "Referral to LACSC by telephone",
    "manager checks the outcome tomorrow",
)


@pytest.fixture(scope="module")
def conversation(servers):
    """Jo records a discussion with Sam, both see it, and Jo exports it; what was said, and what was stored."""
    store = CaseFile(servers.casefile_database_url)
    register = registrar(store, servers)
    jo, sam = register("practitioner", "Jo"), register("service_manager", "Sam")
    case = fresh_case()
    saved = texts(record_in_conversation(jo, sam, case))
    record_id = re.search(r"record (\d+) on", saved).group(1)
    replies = {
        "shown": jo.says(f"show record {record_id}"),
        "exported": jo.says(f"export record {record_id}"),
        "agreeing": sam.says("agree the record"),
    }
    store.database.dispose()
    engine = create_engine(servers.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT sender_id, data FROM events WHERE sender_id IN (:jo, :sam) ORDER BY id"),
            {"jo": f"terminal:{jo.sender}", "sam": f"terminal:{sam.sender}"},
        ).all()
    engine.dispose()
    return jo, sam, record_id, replies, [json.loads(data) for _sender, data in rows]


def test_the_person_saw_the_record_and_got_the_export(conversation):
    jo, sam, record_id, replies, _stored = conversation
    assert POINT_TEXT[0] in texts(replies["shown"]) and sam.name in texts(replies["shown"])
    assert any((r.get("custom") or {}).get("document") for r in replies["exported"]), replies["exported"]


def test_no_message_in_the_store_holds_the_records_text_names_or_export(conversation):
    jo, sam, record_id, replies, stored = conversation
    messages = [e for e in stored if e["event"] in ("user", "bot")]
    kept = json.dumps(messages)
    for content in (*POINT_TEXT, jo.name, sam.name, "Case reference:"):
        assert content not in kept
    document = next(r["custom"]["document"] for r in replies["exported"] if (r.get("custom") or {}).get("document"))
    assert document["content_base64"][:40] not in json.dumps(stored)
    assert base64.b64decode(document["content_base64"])[:2] == b"PK"  # a real Word file was made, and not kept
    said = [e["text"] for e in messages if e["event"] == "bot"]
    assert f"[record {record_id} shown]" in said and f"[record {record_id} exported]" in said
    answers = [e for e in messages if e["event"] == "user" and e["text"] == "[answer in a case-file task, not kept]"]
    assert len(answers) >= 12 and all(e["parse_data"]["intent"] for e in answers)


def test_no_slot_in_the_store_holds_the_records_text_or_names(conversation):
    jo, sam, _record_id, _replies, stored = conversation
    slots = json.dumps([e for e in stored if e["event"] == "slot"])
    for content in (*POINT_TEXT, sam.name):
        assert content not in slots

"""No case content to Telegram: every action the action server runs is called for a Telegram user whose conversation
holds a record's names and text, and nothing but case references and status comes back."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from bot.action_server import TOKEN_HEADER
from bot.case_content import NOT_ON_TELEGRAM, ON_TELEGRAM, notification_text
from bot.settings import load_settings
from casefile import CaseFile, Identity
from tests.security.conftest import post

OPERATOR = Identity("terminal", "security-tests")
POINT = "Mother reports father hit her in front of the children last week."
CASE = "ZW25P01234"
PRIVATE = [
    "Sam Patel",
    "Jo Bloggs",
    "Sam",
    "Jo",
    "Mother reports",
    "father hit",
    "Yes: referral",
    "docx",
    "base64",
    "UEsDB",
]


@pytest.fixture(scope="module")
def telegram_manager(action_server) -> tuple[str, int]:
    """Sam, a service manager on Telegram, with a record of a discussion with Jo on CASE; (sender, record id)."""
    store = CaseFile(action_server.casefile_database_url)
    sam = store.staff.add("Sam Patel", "service_manager", "North", {"telegram": "101"}, operator=OPERATOR)
    jo = store.staff.add("Jo Bloggs", "practitioner", "North", {"terminal": "jo"}, operator=OPERATOR)
    now = datetime.now(timezone.utc)
    saved = store.record_discussion(
        Identity("terminal", "jo"),
        CASE,
        {"nature_of_concerns": POINT, "referral_needed": "Yes: referral to LACSC by telephone today."},
        jo.id,
        sam.name,
        now - timedelta(hours=1),
        now - timedelta(hours=3),
        "security-telegram-1",
    )
    store.database.dispose()
    return "telegram:101", saved.id


def call(action: str, sender: str, record_id: int, vouched: bool = True) -> dict:
    """The action call the Rasa server makes after "export record N" in a conversation holding a draft's text."""
    message = {"text": f"export record {record_id}", "intent": {"name": "list_records"}, "entities": []}
    metadata = {"verified_identity": sender} if vouched else {}
    return {
        "next_action": action,
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": {"casefile_task": "record", "point_nature_of_concerns": POINT, "case_reference": CASE},
            "latest_message": message,
            "events": [{"event": "user", "text": message["text"], "parse_data": message, "metadata": metadata}],
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.21",
    }


def action_names(settings) -> list[str]:
    request = urllib.request.Request(
        settings.action_url.replace("/webhook", "/actions"), headers={TOKEN_HEADER: settings.action_token}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return [entry["name"] for entry in json.loads(response.read())]


def test_every_action_answers_a_telegram_user_with_references_and_status_only(action_server, telegram_manager):
    sender, record_id = telegram_manager
    names = action_names(action_server)
    assert "action_list_records" in names and "validate_casefile_form" in names and len(names) > 20
    secret = {TOKEN_HEADER: action_server.action_token}
    for name in names:
        status, answer = post(action_server.action_url, call(name, sender, record_id), secret)
        said = json.dumps(answer)
        for private in PRIVATE:
            assert private not in said, (name, private)
        if status == 200:
            assert not any(r.get("attachment") for r in answer["responses"]), name
    status, answer = post(action_server.action_url, call("action_list_records", sender, record_id), secret)
    assert answer["responses"] == [
        {
            "text": f"Your case file records:\n{CASE} (record {record_id}): awaiting agreement\n\n{ON_TELEGRAM}",
            "case_content": "message",  # kept by the conversation store as a reference only
        }
    ]
    assert {"event": "active_loop", "name": None} in answer["events"]


def test_the_same_person_on_the_terminal_sees_the_record(action_server, telegram_manager):
    _, record_id = telegram_manager
    status, answer = post(
        action_server.action_url,
        call("action_list_records", "terminal:jo", record_id),
        {TOKEN_HEADER: action_server.action_token},
    )
    assert status == 200 and "Sam Patel" in json.dumps(answer)
    # Marked by the action server, so the conversation store keeps "[record N shown]" and not the record.
    assert [r["case_content"] for r in answer["responses"]] == [f"record:{record_id}"]


def test_case_content_none_sends_not_even_references():
    settings = load_settings({"FA_TELEGRAM_CASE_CONTENT": "none"})
    assert CASE not in notification_text("telegram", f"Sam Patel has secured the case file for {CASE}.", settings)
    assert NOT_ON_TELEGRAM.startswith("The case file is not available on Telegram")
    with pytest.raises(ValueError, match="FA_TELEGRAM_CASE_CONTENT"):
        load_settings({"FA_TELEGRAM_CASE_CONTENT": "everything"})


def test_notifications_on_telegram_carry_the_reference_only():
    settings = load_settings({})
    text = f"Sam Patel has secured the case file for {CASE} (Framework 3.42-3.44)."
    assert notification_text("telegram", text, settings) == (
        f"There is news for you on the case file about {CASE}. Open it in Microsoft Teams or the terminal chat."
    )
    assert notification_text("teams", text, settings) == text

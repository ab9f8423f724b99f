"""The greeting and help on trackers built in the test: everything a person can do, the case file only for staff."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.help import ActionGreet, ActionHelp
from bot import settings
from casefile import Identity
from knowledge.walkthroughs import load_walkthroughs

EXAMPLES = ("what goes in the SM discussion?", "show me 2.81", "what is a LADO?", "is ABH on the schedule?")


@pytest.fixture
def staff(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEFILE_DATABASE_URL", f"sqlite:///{tmp_path / 'casefile.db'}")
    settings.case_file.cache_clear()
    casefile = settings.case_file()
    casefile.staff.add("Jo Bloggs", "practitioner", "North", {"telegram": "201"}, operator=Identity("terminal", "t"))
    yield casefile
    casefile.database.dispose()
    settings.case_file.cache_clear()


def said(action, make_tracker, sender: str) -> dict:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, make_tracker("help", "help", sender=sender), {}))
    [message] = dispatcher.messages
    return message


@pytest.mark.parametrize("action", [ActionHelp(), ActionGreet()])
def test_help_and_greeting_list_everything_and_the_case_file_only_for_registered_staff(staff, make_tracker, action):
    registered = said(action, make_tracker, "telegram:201")
    stranger = said(action, make_tracker, "telegram:999")
    for message in (registered, stranger):
        text = message["text"]
        assert "March 2007" in text
        for example in EXAMPLES:
            assert example in text
        assert all(w.title in text for w in load_walkthroughs().values())
        assert "2.87" in text  # urgent danger
        titles = [b["title"] for b in message["buttons"]]
        assert "A child is in danger now" in titles and len(titles) == len(load_walkthroughs()) + 1
    assert "record my SM discussion" in registered["text"] and "agree the record" in registered["text"]
    assert "case file" not in stranger["text"]
    assert "python -m bot" not in registered["text"] + stranger["text"]


def test_help_says_since_then_notes_stand_apart(staff, make_tracker):
    assert "Since then" in said(ActionHelp(), make_tracker, "telegram:201")["text"]

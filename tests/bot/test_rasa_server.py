"""The Rasa server's action-reply check: the same schema and error as Rasa's, with the validator built once."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa_server import install, reply_validator, validate_action_result

GOOD = {
    "events": [{"event": "slot", "name": "walkthrough", "value": "section_120", "timestamp": None}],
    "responses": [{"text": "Framework 2.81", "buttons": [{"title": "2.81", "payload": "/show_paragraph"}]}],
}
BAD = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": ["not an object"]},
    {"events": [{"event": "slot", "name": 7}]},
]


def test_accepts_what_rasa_accepts():
    action = RemoteAction("action_answer_topic", None)
    assert RemoteAction._validate_action_result(action, GOOD) is True
    assert validate_action_result(action, GOOD) is True


@pytest.mark.parametrize("reply", BAD)
def test_refuses_what_rasa_refuses_with_rasas_message(reply):
    action = RemoteAction("action_answer_topic", None)
    with pytest.raises(jsonschema.ValidationError) as rasas:
        RemoteAction._validate_action_result(action, reply)
    with pytest.raises(jsonschema.ValidationError) as ours:
        validate_action_result(action, reply)
    assert ours.value.message == rasas.value.message


def test_install_replaces_rasas_check_and_builds_the_validator_once(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    install()
    assert RemoteAction._validate_action_result is validate_action_result
    assert reply_validator() is reply_validator()

"""Faults mid-conversation: a restarted Rasa server resumes from the tracker store; a dead action server is reported."""

from __future__ import annotations

import os
import uuid

import pytest

from bot.cli import send, start_action_server, start_rasa_server, stop_servers
from bot.rest_input import NO_ANSWER
from bot.settings import load_settings
from tests.conftest import free_port

pytestmark = pytest.mark.conversation


@pytest.fixture
def own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("FA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("FA_RASA_PORT", str(free_port()))
    monkeypatch.setenv("FA_ACTION_PORT", str(free_port()))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return load_settings()


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


def test_a_restarted_rasa_server_carries_on_the_walkthrough(own_settings, model_file):
    sender = f"fault-{uuid.uuid4().hex[:6]}"
    actions = start_action_server(own_settings)
    server = start_rasa_server(own_settings, model_file)
    try:
        send(own_settings, sender, "/decide_section_120")
        assert "Question 7" in texts(send(own_settings, sender, "Private law"))
        stop_servers([server])
        server = start_rasa_server(own_settings, model_file)
        assert "C1A" in texts(send(own_settings, sender, "Ticked yes"))
    finally:
        stop_servers([server, actions])


def test_a_dead_action_server_is_reported_and_the_walkthrough_resumes(own_settings, model_file):
    sender = f"fault-{uuid.uuid4().hex[:6]}"
    actions = start_action_server(own_settings)
    server = start_rasa_server(own_settings, model_file)
    try:
        send(own_settings, sender, "/decide_section_120")
        stop_servers([actions])
        replies = send(own_settings, sender, "Private law")
        assert texts(replies) == NO_ANSWER
        actions = start_action_server(own_settings)
        assert "Question 7" in texts(send(own_settings, sender, "Private law"))
    finally:
        stop_servers([server, actions])

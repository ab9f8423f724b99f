"""A forged action call, as the review made it, gets nothing from the action server without the Rasa server's secret."""

from __future__ import annotations

import urllib.error
import urllib.request

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.action_server import TOKEN_HEADER
from tests.security.conftest import post


def forged_call(sender: str) -> dict:
    """The body the Rasa server sends to run "list my records", naming any sender the caller likes."""
    return {
        "next_action": "action_list_records",
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": {"text": "my records", "intent": {"name": "list_records"}, "entities": []},
            "events": [],
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.21",
    }


def test_a_forged_call_without_the_secret_is_refused_with_401(action_server):
    status, answer = post(action_server.action_url, forged_call("teams:the-manager"))
    assert status == 401
    assert "responses" not in str(answer)


def test_a_call_with_a_wrong_secret_is_refused_with_401(action_server):
    status, _ = post(action_server.action_url, forged_call("teams:the-manager"), {TOKEN_HEADER: "guessed"})
    assert status == 401


def test_the_list_of_actions_is_refused_without_the_secret(action_server):
    url = action_server.action_url.replace("/webhook", "/actions")
    try:
        urllib.request.urlopen(url, timeout=30)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 401


def test_the_rasa_servers_own_call_with_the_secret_is_answered(action_server):
    status, answer = post(
        action_server.action_url, forged_call("rest:someone"), {TOKEN_HEADER: action_server.action_token}
    )
    assert status == 200
    assert isinstance(answer, dict) and "responses" in answer


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=60))
def test_no_other_secret_is_accepted(action_server, secret):
    status, _ = post(action_server.action_url, forged_call("telegram:1"), {TOKEN_HEADER: secret})
    assert status == (200 if secret == action_server.action_token else 401)


def test_the_action_server_will_not_start_without_a_secret():
    import pytest

    from bot.action_server import build_app

    with pytest.raises(SystemExit, match="FA_ACTION_TOKEN"):
        build_app("")

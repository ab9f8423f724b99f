"""The REST channel takes a sender id as given only from a bridge showing the channel token."""

from types import SimpleNamespace

from bot.rest_input import message_id, sender_and_metadata, trusted
from bot.settings import CHANNEL_TOKEN_HEADER

BODY = {"sender": "telegram:42", "message": "hi", "metadata": {"channel": "telegram"}, "message_id": "telegram:7"}


def request(headers: dict[str, str]) -> SimpleNamespace:
    return SimpleNamespace(headers=headers)


def test_a_bridge_with_the_token_is_trusted():
    bridge = request({CHANNEL_TOKEN_HEADER: "s3cret"})
    assert trusted(bridge, "s3cret")
    assert sender_and_metadata(bridge, BODY, "s3cret") == ("telegram:42", {"channel": "telegram"})
    assert message_id(bridge, BODY, "s3cret") == "telegram:7"


def test_anyone_else_is_namespaced():
    for headers, token in (
        ({}, "s3cret"),
        ({CHANNEL_TOKEN_HEADER: "guess"}, "s3cret"),
        ({CHANNEL_TOKEN_HEADER: ""}, ""),
    ):
        other = request(headers)
        assert not trusted(other, token)
        assert sender_and_metadata(other, BODY, token) == ("rest:telegram:42", {"channel": "rest"})
        assert message_id(other, BODY, token) is None

"""The REST channel's own rules, without servers: which secret vouches for which ids, what metadata stands, and the
anonymous rate limit; fuzzed."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from bot.rest_input import CHANNEL_TOKEN_HEADER as TOKEN_HEADER
from bot.rest_input import RateLimit, bridge_channel, message_id, sender_and_metadata
from bot.settings import load_settings

SETTINGS = load_settings({"FA_TELEGRAM_BRIDGE_TOKEN": "tg-secret", "FA_TERMINAL_TOKEN": "term-secret"})


def request(secret: str | None, ip: str = "127.0.0.1") -> SimpleNamespace:
    return SimpleNamespace(headers={TOKEN_HEADER: secret} if secret is not None else {}, ip=ip)


def test_each_secret_vouches_for_its_own_channel_and_the_terminal_only_from_this_machine():
    assert bridge_channel(request("tg-secret"), SETTINGS) == "telegram"
    assert bridge_channel(request("term-secret"), SETTINGS) == "terminal"
    assert bridge_channel(request("term-secret", ip="::1"), SETTINGS) == "terminal"
    assert bridge_channel(request("term-secret", ip="10.1.2.3"), SETTINGS) is None
    assert bridge_channel(request("tg-secret", ip="10.1.2.3"), SETTINGS) == "telegram"
    for other in (None, "", "guess", "tg-secret ", "TG-SECRET"):
        assert bridge_channel(request(other), SETTINGS) is None


def test_an_unset_secret_vouches_for_nobody():
    assert bridge_channel(request(""), load_settings({})) is None


def test_a_bridge_names_only_its_own_channels_ids_and_its_word_replaces_any_claimed_identity():
    body = {"sender": "telegram:42", "metadata": {"verified_identity": "teams:boss", "registered": True}}
    assert sender_and_metadata(body, "telegram") == (
        "telegram:42",
        {"verified_identity": "telegram:42", "registered": True, "channel": "telegram"},
    )
    for sender in ("teams:42", "terminal:42", "42", "telegram:", "telegramx:42"):
        assert sender_and_metadata({"sender": sender}, "telegram") is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4),
    max_leaves=12,
)


KEYS = st.sampled_from(["sender", "metadata", "message", "message_id", "verified_identity"])


@given(body=st.dictionaries(KEYS, JSON))
def test_no_body_makes_a_tokenless_client_anyone(body):
    sender, metadata = sender_and_metadata(body, None)
    assert sender.startswith("rest:")
    assert metadata == {"channel": "rest"}
    assert message_id(body, None) is None


@given(sender=st.text(max_size=50), claimed=st.text(max_size=50))
def test_a_bridges_vouched_identity_is_always_its_own_sender_on_its_own_channel(sender, claimed):
    named = sender_and_metadata({"sender": sender, "metadata": {"verified_identity": claimed}}, "telegram")
    if named is not None:
        assert named[0].startswith("telegram:") and named[1]["verified_identity"] == named[0]


def test_the_rate_limit_holds_per_key_and_refills_over_a_minute():
    now = [0.0]
    limit = RateLimit(3, clock=lambda: now[0])
    assert [limit.allow("sender:a", "address:x") for _ in range(4)] == [True, True, True, False]
    assert not limit.allow("sender:b", "address:x")  # a new sender from the same address
    assert limit.allow("sender:c", "address:y")
    now[0] += 20  # a third of a minute: one message more
    assert limit.allow("sender:a", "address:x")
    assert not limit.allow("sender:a", "address:x")

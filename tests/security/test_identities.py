"""Only a channel that authenticates a person makes them a member of staff: the review's tokenless REST client
naming a registered id, forged metadata, and one bridge's secret claiming another channel's ids all get nothing."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from actions.casefile_turn import ANONYMOUS_REFUSED
from bot.cli import send
from bot.rest_input import CHANNEL_TOKEN_HEADER as TOKEN_HEADER
from bot.rest_input import TOO_MANY, WRONG_CHANNEL
from casefile import CaseFile, Identity
from tests.security.conftest import post

pytestmark = pytest.mark.conversation

OPERATOR = Identity("terminal", "security-tests")


def texts(replies: object) -> str:
    return "\n".join(r.get("text", "") for r in replies) if isinstance(replies, list) else str(replies)


@pytest.fixture(scope="module")
def manager(open_servers) -> str:
    """A registered service manager known at the terminal as this id, and (as data made before "rest" was
    withdrawn) by the same id on the REST channel."""
    store = CaseFile(open_servers.casefile_database_url)
    user = f"sam-{uuid.uuid4().hex[:8]}"
    staff = store.staff.add(f"Sam {user}", "service_manager", "South", {"terminal": user}, operator=OPERATOR)
    with store.database.session() as session:
        session.execute(
            sa.text(
                "INSERT INTO staff_identities (staff_id, channel, external_id, created_at) "
                "VALUES (:staff, 'rest', :user, :now)"
            ),
            {"staff": staff.id, "user": user, "now": datetime.now(timezone.utc).replace(tzinfo=None)},
        )
    store.database.dispose()
    return user


def test_the_terminal_user_reaches_their_case_file(open_servers, manager):
    replies = send(open_servers, manager, "show my records")
    assert ANONYMOUS_REFUSED not in texts(replies)
    assert "not registered" not in texts(replies)


def test_a_tokenless_client_naming_a_registered_id_is_anonymous(open_servers, manager):
    for sender in (manager, f"terminal:{manager}"):
        status, replies = post(open_servers.rest_url, {"sender": sender, "message": "show my records"})
        assert status == 200
        assert replies[0]["recipient_id"] == f"rest:{sender}"
        assert ANONYMOUS_REFUSED in texts(replies)


def test_metadata_claiming_an_identity_is_not_taken_from_a_client(open_servers, manager):
    body = {
        "sender": f"terminal:{manager}",
        "message": "show my records",
        "metadata": {"verified_identity": f"rest:terminal:{manager}", "channel": "terminal"},
    }
    status, replies = post(open_servers.rest_url, body)
    assert status == 200 and ANONYMOUS_REFUSED in texts(replies)


def test_one_bridges_secret_cannot_claim_another_channels_ids(open_servers, manager):
    secret = {TOKEN_HEADER: open_servers.telegram_bridge_token}
    for sender in (f"terminal:{manager}", "teams:29:1a-b", manager):
        status, answer = post(open_servers.rest_url, {"sender": sender, "message": "show my records"}, secret)
        assert status == 403 and answer == {"error": WRONG_CHANNEL}


def test_an_anonymous_client_gets_guidance_then_is_rate_limited(open_servers):
    status, replies = post(open_servers.rest_url, {"sender": "someone", "message": "show me 2.81"})
    assert status == 200 and "2.81" in texts(replies)
    statuses = [
        post(open_servers.rest_url, {"sender": f"anyone-{n}", "message": "hello"})[0] for n in range(8)
    ]  # a new sender each time: the limit per address still holds
    assert 429 in statuses
    status, replies = post(open_servers.rest_url, {"sender": "someone", "message": "hello"})
    assert status == 429 and texts(replies) == TOO_MANY


def test_on_telegram_the_case_file_gives_references_and_status_only(open_servers):
    from bot.case_content import ON_TELEGRAM

    store = CaseFile(open_servers.casefile_database_url)
    telegram_id = str(uuid.uuid4().int % 10**9)
    store.staff.add(f"Tam {telegram_id}", "practitioner", "South", {"telegram": telegram_id}, operator=OPERATOR)
    store.database.dispose()
    secret = {TOKEN_HEADER: open_servers.telegram_bridge_token}
    sender = f"telegram:{telegram_id}"
    for message in ("record my SM discussion on ZW25P01234", "export record 1", "show my records", "Save"):
        status, replies = post(open_servers.rest_url, {"sender": sender, "message": message}, secret)
        assert status == 200
        said = texts(replies)
        assert f"Tam {telegram_id}" not in said and "attachment" not in str(replies)
        assert said.count(ON_TELEGRAM) <= 1, said
        if message != "Save":
            assert ON_TELEGRAM in said, (message, said)

"""The case file's database credentials stay out of the internet-facing Rasa server: the review found the case file
defaulting to the Rasa server's own database and credentials. Now the Rasa server process is started without
CASEFILE_DATABASE_URL and reaches the case file only through the action server, behind the action server's secret."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.casefile_client import CaseFileUnavailable, RemoteCaseFile
from bot.channels.notifications import deliver_pending
from bot.cli import rasa_env, rasa_server_env
from bot.settings import load_settings
from casefile import CaseFile, Identity, NotFound
from casefile.models import Notification
from tests.casefile.conftest import START
from tests.casefile.test_store import HOUR, POINTS
from tests.conftest import free_port

CASEFILE_URL = "postgresql://casefile_app:s3cret-casefile-password@db.internal/casefile"
OPERATOR = Identity("terminal", "security-tests")


def test_the_rasa_server_gets_no_case_file_credentials_and_the_action_server_keeps_them(monkeypatch):
    monkeypatch.setenv("CASEFILE_DATABASE_URL", CASEFILE_URL)
    settings = load_settings()
    rasa = rasa_server_env(settings)
    assert "CASEFILE_DATABASE_URL" not in rasa
    assert not [name for name, value in rasa.items() if "s3cret-casefile-password" in value]
    assert rasa["FA_CASEFILE_SERVICE_URL"] == f"http://{settings.action_host}:{settings.action_port}"
    assert int(rasa["SANIC_REQUEST_MAX_SIZE"]) == 1024 * 1024
    assert rasa_env(settings)["CASEFILE_DATABASE_URL"] == CASEFILE_URL  # the action server's
    # Whatever DATABASE_URL the Rasa server has (its conversations), its case file is the action server's.
    from bot import settings as settings_module

    settings_module.case_file.cache_clear()
    try:
        monkeypatch.setattr(os, "environ", {**rasa, "DATABASE_URL": "postgresql://tracker@db/tracker"})
        assert isinstance(settings_module.case_file(), RemoteCaseFile)
    finally:
        settings_module.case_file.cache_clear()


@pytest.fixture
def remote(action_server):
    """The case file behind the really started action server, as the Rasa server reaches it, and that case file."""
    store = CaseFile(action_server.casefile_database_url)
    for name, role, identity in (
        ("Sam Patel", "service_manager", {"teams": "29:sam"}),
        ("Jo Bloggs", "practitioner", {"telegram": "201"}),
    ):
        if store.staff.find_by_identity(*next(iter(identity.items()))) is None:
            store.staff.add(name, role, "North", identity, operator=OPERATOR)
    yield RemoteCaseFile(f"http://{action_server.action_host}:{action_server.action_port}", action_server.action_token)
    store.database.dispose()


def test_the_rasa_servers_channels_use_the_case_file_through_the_action_server(remote, action_server):
    store = CaseFile(action_server.casefile_database_url)
    try:
        assert remote.staff.find_by_identity("teams", "29:sam").name == "Sam Patel"
        assert remote.staff.find_by_identity("teams", "29:nobody") is None
        saved = store.record_discussion(
            ("telegram", "201"), "ZW25P01234", POINTS, "Jo Bloggs", "Sam Patel", START - HOUR, START - 2 * HOUR, "k1"
        )
        sent: list[tuple[str, str]] = []

        async def send(external_id: str, text: str) -> None:
            sent.append((external_id, text))

        import asyncio

        assert asyncio.run(deliver_pending("teams", send, remote)) == 1  # Sam is asked to agree, on Teams
        assert sent[0][0] == "29:sam" and "ZW25P01234" in sent[0][1]
        with store.database.session() as session:
            assert session.query(Notification).filter(Notification.delivered_at.is_(None)).count() == 0
        assert remote.follow_ups.release_reminders() > 0  # the record's follow-up is long due: its reminders
        assert remote.follow_ups.release_reminders() == 0  # once

        document = remote.export(Identity("teams", "29:sam"), record_id=saved.id)
        assert document.filename.endswith(".docx") and document.content.startswith(b"PK")
        with pytest.raises(NotFound, match="that you can see"):  # the case file's own refusal, as it words it
            remote.export(Identity("teams", "29:sam"), case_reference="ZW25P07777")
        with pytest.raises(CaseFileUnavailable):  # only Teams exports come this way
            remote.export(Identity("telegram", "201"), record_id=saved.id)
    finally:
        store.database.dispose()


def test_without_the_action_servers_secret_the_case_file_calls_are_refused(remote, action_server):
    base = f"http://{action_server.action_host}:{action_server.action_port}"
    for token in ("", "a-guess"):
        with pytest.raises(CaseFileUnavailable, match="HTTP 401"):
            RemoteCaseFile(base, token).staff.find_by_identity("teams", "29:sam")
    with pytest.raises(CaseFileUnavailable, match="HTTP 404"):
        remote.call("record_discussion", {})  # nothing but the channels' few calls is offered


@pytest.mark.conversation
def test_the_running_rasa_server_process_has_no_case_file_url(model_file, tmp_path, monkeypatch):
    from bot.cli import start_servers, stop_servers

    casefile_db = tmp_path / "the-case-files-own.db"
    monkeypatch.setenv("FA_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("FA_RASA_PORT", str(free_port()))
    monkeypatch.setenv("FA_ACTION_PORT", str(free_port()))
    monkeypatch.setenv("CASEFILE_DATABASE_URL", f"sqlite:///{casefile_db}")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    actions, rasa = start_servers(load_settings(), model_file)
    try:
        rasa_environ = Path(f"/proc/{rasa.pid}/environ").read_bytes()
        actions_environ = Path(f"/proc/{actions.pid}/environ").read_bytes()
        assert str(casefile_db).encode() not in rasa_environ
        assert b"FA_CASEFILE_SERVICE_URL=" in rasa_environ
        assert str(casefile_db).encode() in actions_environ
    finally:
        stop_servers([actions, rasa])

"""The review's smaller findings: export files, var/, the Redis client's timeouts."""

from __future__ import annotations

import getpass
import os
import stat

import pytest

from bot.cli import main, make_var_dir
from bot.settings import load_settings
from casefile import CaseFile, Identity
from tests.casefile.conftest import START
from tests.casefile.test_store import HOUR, POINTS


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    return exit_.value.code


@pytest.fixture
def record_id(tmp_path, monkeypatch) -> int:
    url = f"sqlite:///{tmp_path / 'casefile.db'}"
    monkeypatch.setenv("CASEFILE_DATABASE_URL", url)
    store = CaseFile(url)
    operator = Identity("terminal", "security-tests")
    store.staff.add("Sam Patel", "service_manager", "North", {"terminal": getpass.getuser()}, operator=operator)
    store.staff.add("Jo Bloggs", "practitioner", "North", {"telegram": "201"}, operator=operator)
    saved = store.record_discussion(
        ("telegram", "201"), "ZW25P01234", POINTS, "Jo Bloggs", "Sam Patel", START - HOUR, START - 2 * HOUR, "low-1"
    )
    store.database.dispose()
    return saved.id


def test_an_export_is_a_new_file_for_its_owner_only(record_id, tmp_path, capsys):
    out = tmp_path / "record.docx"
    assert run("export", "--record", str(record_id), "--out", str(out)) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert run("export", "--record", str(record_id), "--out", str(out)) == 1  # never over an existing file
    assert "exists already" in capsys.readouterr().err


def test_an_export_does_not_follow_a_planted_link(record_id, tmp_path):
    elsewhere = tmp_path / "somebody-elses-file"
    elsewhere.write_text("theirs")
    link = tmp_path / "link.docx"
    link.symlink_to(elsewhere)
    assert run("export", "--record", str(record_id), "--out", str(link)) == 1
    assert elsewhere.read_text() == "theirs"


def test_var_is_for_the_services_own_user_only(tmp_path):
    settings = load_settings({"FA_VAR_DIR": str(tmp_path / "var")})
    make_var_dir(settings)
    assert stat.S_IMODE(os.stat(settings.var_dir).st_mode) == 0o700
    settings.var_dir.chmod(0o755)
    make_var_dir(settings)
    assert stat.S_IMODE(os.stat(settings.var_dir).st_mode) == 0o700


def test_the_redis_client_gives_up_instead_of_waiting_for_ever():
    from bot.lock_store import REDIS_TIMEOUT_SECONDS, ConversationLockStore

    client = ConversationLockStore(redis_url="redis://127.0.0.1:6379/0")._redis()
    kwargs = client.connection_pool.connection_kwargs
    assert (
        kwargs["socket_timeout"] == REDIS_TIMEOUT_SECONDS and kwargs["socket_connect_timeout"] == REDIS_TIMEOUT_SECONDS
    )

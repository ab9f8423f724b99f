"""Shared test fixtures: a tracker made from rasa-sdk types, and the real servers on free local ports."""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
# Nothing a test does writes into the checkout's var/.
os.environ["FA_VAR_DIR"] = tempfile.mkdtemp(prefix="fa-test-var-")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def fresh_case_file():
    """Each test builds the process's case file from its own environment."""
    from bot.settings import case_file

    case_file.cache_clear()
    yield
    case_file.cache_clear()


@pytest.fixture
def make_tracker():
    """A rasa-sdk Tracker whose latest message is `text`, classified as `intent`, from `sender` as its channel
    vouched for (unless `verified` is False)."""
    from rasa_sdk import Tracker

    def make(
        text: str,
        intent: str,
        ranking: list[tuple[str, float]] | None = None,
        entities: list[dict] | None = None,
        slots: dict | None = None,
        active_loop: str | None = None,
        sender: str = "test-user",
        verified: bool = True,
    ) -> Tracker:
        ranking = ranking or [(intent, 0.95)]
        message = {
            "text": text,
            "intent": {"name": intent, "confidence": ranking[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "entities": entities or [],
        }
        # The user event as the Rasa server stores it: the channel that authenticated the sender vouches for it.
        metadata = {"verified_identity": sender} if verified else {}
        events = [{"event": "user", "text": text, "parse_data": message, "metadata": metadata}]
        return Tracker(
            sender,
            slots or {},
            message,
            events,
            False,
            None,
            {"name": active_loop} if active_loop else {},
            "action_listen",
        )

    return make


@pytest.fixture(scope="session")
def model_file() -> Path:
    from bot.cli import model_path
    from bot.settings import load_settings

    path = model_path(load_settings())
    if not path.exists():
        pytest.fail(f"No trained model for the current data ({path.name}): run `make test`, which trains first.")
    return path


@pytest.fixture(scope="session")
def servers(model_file, tmp_path_factory):
    """The action server and the Rasa server, really started, on free ports with their own var/."""
    from bot.cli import start_servers, stop_servers
    from bot.settings import load_settings

    var_dir = tmp_path_factory.mktemp("var")
    env = {
        "FA_VAR_DIR": str(var_dir),
        "FA_RASA_PORT": str(free_port()),
        "FA_ACTION_PORT": str(free_port()),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    settings = load_settings()
    processes = start_servers(settings, model_file)
    yield load_settings()  # with the secrets made at start-up
    stop_servers(processes)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))


def pg_url(database: str) -> str:
    return f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{database}"


def _admin_connection():
    import psycopg2

    connection = psycopg2.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", connect_timeout=3)
    connection.autocommit = True
    return connection


@pytest.fixture(scope="session")
def pg_server():
    """A way to make and drop throwaway databases on the local PostgreSQL server, or a skip saying why not."""
    import psycopg2

    try:
        _admin_connection().close()
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} as user postgres: {error}".strip())
    made: list[str] = []

    def create() -> str:
        name = f"fa_casefile_test_{os.getpid()}_{secrets.token_hex(4)}"
        connection = _admin_connection()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        made.append(name)
        return name

    yield create
    connection = _admin_connection()
    with connection.cursor() as cursor:
        for name in made:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()

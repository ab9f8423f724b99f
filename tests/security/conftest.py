"""What the security tests share: the action server really started on a free port, with its own case file."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

from tests.conftest import free_port


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    """The action server (no model needed) on a free port; yields its settings, with the secret it was started with."""
    from bot.cli import start_action_server, stop_servers
    from bot.settings import load_settings

    env = {
        "FA_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "FA_ACTION_PORT": str(free_port()),
        "FA_ACTION_TOKEN": "the-rasa-servers-secret",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    settings = load_settings()
    process = start_action_server(settings)
    yield settings
    stop_servers([process])
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def post(url: str, body: dict, headers: dict[str, str] | None = None) -> tuple[int, object]:
    """POST JSON; the status and the decoded answer, whatever the status."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def open_servers(model_file, tmp_path_factory):
    """Both servers, really started, for a deployment that gives anonymous REST clients guidance at 5 a minute."""
    from bot.cli import start_servers, stop_servers
    from bot.settings import load_settings

    env = {
        "FA_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "FA_RASA_PORT": str(free_port()),
        "FA_ACTION_PORT": str(free_port()),
        "FA_ALLOW_UNREGISTERED_GUIDANCE": "1",
        "FA_ANONYMOUS_MESSAGES_PER_MINUTE": "5",
        "FA_TELEGRAM_BRIDGE_TOKEN": "the-telegram-bridges-secret",
    }
    saved = {k: os.environ.get(k) for k in (*env, "DATABASE_URL", "CASEFILE_DATABASE_URL")}
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CASEFILE_DATABASE_URL", None)
    processes = start_servers(load_settings(), model_file)
    yield load_settings()
    stop_servers(processes)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value

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

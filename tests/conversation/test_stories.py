"""Rasa's own checks: the training data validates, and the test stories run without a prediction error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import ROOT

pytestmark = pytest.mark.conversation


def rasa(*args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "FA_ACTION_URL": "http://127.0.0.1:1/webhook",
        "PATH": "/usr/bin:/bin",
        "RASA_CACHE_DIRECTORY": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )


def test_training_data_validates_without_warnings(tmp_path):
    result = rasa(
        "data",
        "validate",
        "--fail-on-warnings",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_conversation_stories_pass(model_file, tmp_path):
    out = tmp_path / "results"
    result = rasa(
        "test",
        "core",
        "--model",
        str(model_file),
        "--stories",
        "tests/stories",
        "--fail-on-prediction-errors",
        "--out",
        str(out),
        "--endpoints",
        "endpoints.yml",
        tmp_path=tmp_path,
    )
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, detail + result.stdout[-3000:] + result.stderr[-3000:]

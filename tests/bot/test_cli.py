"""The model cache key and the settings read from the environment."""

from __future__ import annotations

import shutil

from bot.cli import MODEL_INPUTS, model_hash
from bot.settings import ROOT, load_settings


def copy_model_inputs(target):
    for name in MODEL_INPUTS:
        source = ROOT / name
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)


def test_model_hash_changes_with_training_data(tmp_path):
    copy_model_inputs(tmp_path)
    before = model_hash(tmp_path)
    assert model_hash(tmp_path) == before
    (tmp_path / "data" / "nlu" / "extra.yml").write_text('version: "3.1"\nnlu: []\n')
    assert model_hash(tmp_path) != before


def test_model_hash_changes_with_the_intent_classifier_code(tmp_path):
    copy_model_inputs(tmp_path)
    before = model_hash(tmp_path)
    with (tmp_path / "bot" / "intent_classifier.py").open("a") as code:
        code.write("\n")
    assert model_hash(tmp_path) != before


def test_defaults_need_no_server_or_token():
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("var/tracker.db")
    assert settings.rest_url == "http://127.0.0.1:5005/webhooks/rest/webhook"
    assert settings.action_url == "http://127.0.0.1:5055/webhook"


def test_environment_overrides():
    settings = load_settings({"DATABASE_URL": "postgresql://u@127.0.0.1/fa", "FA_RASA_PORT": "6000"})
    assert settings.database_url == "postgresql://u@127.0.0.1/fa"
    assert settings.rasa_port == 6000

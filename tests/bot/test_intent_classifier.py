"""The intent classifier trains, saves and loads through Rasa's model storage, and ranks every intent."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_classifier import ARRAYS_FILE, RANKING_LENGTH, IntentClassifier

EXAMPLES = {
    "police_check": [
        "do I need a police check",
        "when are police checks made",
        "PNC check on a PR application",
        "police check for public law",
    ],
    "mappa": [
        "what is MAPPA",
        "which offenders are under MAPPA",
        "cafcass and MAPPA meetings",
        "MAPPA level 3 what does it mean for us",
    ],
    "greet": ["hello", "hi there", "good morning", "hiya"],
}


def training_data() -> TrainingData:
    return TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    )


def trained(tmp_path) -> tuple[LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_classifier")
    context = ExecutionContext(graph_schema=None, node_name="intent_classifier")
    IntentClassifier.create({}, storage, resource, context).train(training_data())
    return storage, resource


def test_a_trained_classifier_is_loaded_and_ranks_intents(tmp_path):
    storage, resource = trained(tmp_path)
    classifier = IntentClassifier.load({}, storage, resource, ExecutionContext(graph_schema=None))
    messages = [Message(data={"text": "is a police check needed on my case"}), Message(data={"text": "hello!"})]
    classifier.process(messages)
    assert messages[0].get("intent")["name"] == "police_check"
    assert messages[1].get("intent")["name"] == "greet"
    ranking = messages[0].get("intent_ranking")
    assert [r["name"] for r in ranking][0] == "police_check"
    assert len(ranking) == min(RANKING_LENGTH, len(EXAMPLES))
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_a_long_message_is_not_more_certain_for_being_long(tmp_path):
    storage, resource = trained(tmp_path)
    classifier = IntentClassifier.load({}, storage, resource, ExecutionContext(graph_schema=None))
    short, long = Message(data={"text": "MAPPA"}), Message(data={"text": " ".join(["MAPPA"] * 50)})
    classifier.process([short, long])
    assert long.get("intent")["confidence"] == pytest.approx(short.get("intent")["confidence"])


def test_empty_or_garbled_text_still_gets_a_ranking(tmp_path):
    storage, resource = trained(tmp_path)
    classifier = IntentClassifier.load({}, storage, resource, ExecutionContext(graph_schema=None))
    messages = [Message(data={"text": ""}), Message(data={"text": "\u0000\u202e%%%" * 100})]
    classifier.process(messages)
    assert all(m.get("intent")["name"] in EXAMPLES for m in messages)


def test_the_loaded_classifier_ranks_exactly_as_the_trained_one(tmp_path):
    storage, resource = trained(tmp_path)
    fresh = IntentClassifier.create({}, storage, Resource("again"), ExecutionContext(graph_schema=None))
    fresh.train(training_data())
    loaded = IntentClassifier.load({}, storage, resource, ExecutionContext(graph_schema=None))
    texts = ["police check on a PR application?", "MAPPA level 3", "hiya", "something else entirely"]
    assert np.allclose(fresh.pipeline.predict_proba(texts), loaded.pipeline.predict_proba(texts))


def test_saved_arrays_that_do_not_match_the_vocabulary_are_refused(tmp_path):
    storage, resource = trained(tmp_path)
    with storage.write_to(resource) as model_dir:
        arrays = dict(np.load(model_dir / ARRAYS_FILE))
        arrays["coef"] = arrays["coef"][:, :-1]
        np.savez(model_dir / ARRAYS_FILE, **arrays)
    with pytest.raises(ValueError, match="retrain"):
        IntentClassifier.load({}, storage, resource, ExecutionContext(graph_schema=None))


def test_saved_arrays_are_read_without_pickle(tmp_path):
    storage, resource = trained(tmp_path)
    with storage.write_to(resource) as model_dir:
        np.savez(model_dir / ARRAYS_FILE, words_idf=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        IntentClassifier.load({}, storage, resource, ExecutionContext(graph_schema=None))

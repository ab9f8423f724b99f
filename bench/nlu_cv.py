"""Cross-validation of the NLU pipeline on the training data, sweeping the fallback thresholds.

Usage: .venv/bin/python -m bench.nlu_cv [--config config.yml] [--folds 3]
Splits data/nlu into folds (per intent, fixed seed), trains the pipeline with the fallback off
on all folds but one, parses the one left out, and prints macro-F1, the share of fallbacks and
the share of confident wrong intents at each (threshold, ambiguity) pair. A fallback counts as
a miss. This chose the FallbackClassifier settings in config.yml; the held-out sets in
bench/data are not used. Takes about 5 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml
from rasa.utils.log_utils import configure_structlog

from bench.nlu_bench import macro_f1

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("LOG_LEVEL", "WARNING")


SETTINGS = [
    (0.0, 0.0),
    (0.15, 0.02),
    (0.2, 0.02),
    (0.2, 0.05),
    (0.25, 0.02),
    (0.25, 0.05),
    (0.3, 0.02),
    (0.3, 0.05),
    (0.35, 0.05),
    (0.4, 0.05),
    (0.5, 0.1),
]


def without_fallback(config: Path, scratch: Path) -> Path:
    """The pipeline with the FallbackClassifier's thresholds at zero, so every ranking is kept."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for component in data["pipeline"]:
        if component["name"] == "FallbackClassifier":
            component.update(threshold=0.0, ambiguity_threshold=0.0)
    path = scratch / "config.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def folds_of(count: int) -> list[list[tuple[str, str]]]:
    from rasa.shared.nlu.training_data.loading import load_data

    by_intent = defaultdict(list)
    for message in load_data(str(ROOT / "data" / "nlu")).intent_examples:
        by_intent[message.get("intent")].append(message.get("text"))
    rng = random.Random(7)
    folds: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    for intent, texts in sorted(by_intent.items()):
        texts = sorted(texts)
        rng.shuffle(texts)
        for index, text in enumerate(texts):
            folds[index % count].append((intent, text))
    return folds


def write_nlu(path: Path, examples: list[tuple[str, str]]) -> None:
    grouped = defaultdict(list)
    for intent, text in examples:
        grouped[intent].append(text)
    data = {
        "version": "3.1",
        "nlu": [
            {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)} for intent, texts in grouped.items()
        ],
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=10_000), encoding="utf-8")


async def parse_all(model: Path, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def decide(parsed: dict, threshold: float, ambiguity: float) -> str:
    """What the FallbackClassifier would let through; the urgent safety net's intent always stands."""
    if parsed["intent"]["name"] == "urgent_danger":
        return "urgent_danger"
    ranking = [r for r in parsed["intent_ranking"] if r["name"] != "nlu_fallback"]
    top = ranking[0]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    if top["confidence"] < threshold or top["confidence"] - second < ambiguity:
        return "nlu_fallback"
    return top["name"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()
    folds = folds_of(args.folds)
    results: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        config = without_fallback(args.config.resolve(), scratch)
        for k, held in enumerate(folds):
            train_file = scratch / f"train{k}.yml"
            write_nlu(train_file, [example for j, fold in enumerate(folds) if j != k for example in fold])
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "rasa",
                    "train",
                    "nlu",
                    "--config",
                    str(config),
                    "--nlu",
                    str(train_file),
                    "--out",
                    str(scratch),
                    "--fixed-model-name",
                    f"fold{k}",
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            logging.disable(logging.WARNING)
            configure_structlog(logging.WARNING)
            parsed = asyncio.run(parse_all(scratch / f"fold{k}.tar.gz", [text for _, text in held]))
            results += [(intent, p) for (intent, _), p in zip(held, parsed)]
    print(f"{len(results)} examples, {args.folds}-fold cross-validation of {args.config.name}")
    print(f"{'threshold':>10}{'ambiguity':>10}{'macro-F1':>10}{'fallback':>10}{'wrong':>10}")
    for threshold, ambiguity in SETTINGS:
        pairs = [(gold, decide(p, threshold, ambiguity)) for gold, p in results]
        f1, _ = macro_f1(pairs)
        fallback = sum(p == "nlu_fallback" for _, p in pairs) / len(pairs)
        wrong = sum(g != p and p != "nlu_fallback" for g, p in pairs) / len(pairs)
        print(f"{threshold:10.2f}{ambiguity:10.2f}{f1:10.3f}{fallback:10.1%}{wrong:10.1%}")


if __name__ == "__main__":
    main()

"""Benchmark on the held-out questions: intent macro-F1, share of answers citing a correct paragraph, and plain BM25.

Usage: .venv/bin/python bench/nlu_bench.py [--show-errors] [--heldout FILE ...] [--model FILE]
The held-out sets (bench/data/heldout_*.yml) are never trained on. The model is the one
`make train` built for the current data unless --model names another. An answer "cites a correct paragraph" when the
passages the assistant would cite for the predicted intent include one the question lists;
BM25 is scored on its top passage alone, as if it answered with the best hit.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

import yaml
from rasa.utils.log_utils import configure_structlog

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from knowledge.answers import define  # noqa: E402
from knowledge.framework import load_framework  # noqa: E402
from knowledge.search import framework_index  # noqa: E402
from knowledge.topics import topic_answer, topic_for_intent  # noqa: E402
from knowledge.urgent import urgent_guidance  # noqa: E402

HELDOUT = sorted((ROOT / "bench" / "data").glob("heldout_*.yml"))


def cited_by_assistant(intent: str, text: str) -> set[str]:
    """The passages the assistant's answer to this message would cite, given the predicted intent."""
    fw = load_framework()
    topic = topic_for_intent(intent)
    if topic:
        cites = topic_answer(topic).citations
    elif intent == "urgent_danger":
        cites = urgent_guidance().citations
    elif intent == "show_paragraph":
        cites = tuple(fw.references_in(text))
    elif intent == "define_term":
        answer = define(text)
        cites = answer.citations if answer else ()
    elif intent == "offence_lookup":
        cites = ("Appendix II",)
    else:
        cites = ()
    return {c.removeprefix("box:") for c in cites}


def macro_f1(pairs: list[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    labels = sorted({gold for gold, _ in pairs})
    scores = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return sum(scores.values()) / len(scores), scores


async def predict(model: Path, texts: list[str]) -> tuple[list[str], float]:
    """The predicted intents, and the seconds the parsing took (the model loaded and warmed first)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    await agent.parse_message("hello")
    started = time.perf_counter()
    predictions = []
    for text in texts:
        parsed = await agent.parse_message(text)
        predictions.append(parsed["intent"]["name"])
    return predictions, time.perf_counter() - started


def report(heldout: Path, questions: list[dict], predicted: list[str], elapsed: float, show_errors: bool) -> None:
    pairs = [(q["intent"], p) for q, p in zip(questions, predicted)]
    f1, per_intent = macro_f1(pairs)
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    with_cites = [(q, p) for q, p in zip(questions, predicted) if q.get("cites")]
    ours = sum(bool(cited_by_assistant(p, q["text"]) & set(q["cites"])) for q, p in with_cites)
    index = framework_index()
    bm25 = 0
    for q, _ in with_cites:
        hits = index.search(q["text"], limit=1)
        bm25 += bool(hits and hits[0].passage.ref.removeprefix("box:") in set(q["cites"]))
    fallbacks = Counter(p for p in predicted)["nlu_fallback"]

    print(f"\nHeld-out questions: {len(questions)} ({len(with_cites)} with citations), {heldout.relative_to(ROOT)}")
    print(f"{'':34}{'assistant':>10}{'BM25':>10}")
    print(f"{'intent macro-F1':34}{f1:10.3f}{'-':>10}")
    print(f"{'intent accuracy':34}{accuracy:10.3f}{'-':>10}")
    print(f"{'answers citing a correct paragraph':34}{ours / len(with_cites):10.1%}{bm25 / len(with_cites):10.1%}")
    print(f"{'unsure (offered choices instead)':34}{fallbacks / len(questions):10.1%}{'-':>10}")
    print(f"parse time {elapsed / len(questions) * 1000:.1f} ms per question")
    weakest = sorted(per_intent.items(), key=lambda kv: kv[1])[:8]
    print("weakest intents (F1): " + ", ".join(f"{k} {v:.2f}" for k, v in weakest))
    if show_errors:
        for q, p in zip(questions, predicted):
            if q["intent"] != p:
                print(f"  {q['intent']:>30} -> {p:<30} {q['text']}")


def main() -> None:
    from bot.cli import model_path
    from bot.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--heldout", type=Path, nargs="+", default=HELDOUT)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    configure_structlog(logging.WARNING)  # Rasa logs each parse through structlog, unfiltered unless configured
    model = args.model or model_path(load_settings())
    print(f"Model: {model.name}")
    for heldout in args.heldout:
        questions = yaml.safe_load(heldout.resolve().read_text(encoding="utf-8"))["questions"]
        predicted, elapsed = asyncio.run(predict(model, [q["text"] for q in questions]))
        report(heldout.resolve(), questions, predicted, elapsed, args.show_errors)


if __name__ == "__main__":
    main()

"""Chooses the passage ranker's signal weights on the development sets, and checks the choice carries over between them.

Usage: .venv/bin/python -m bench.tune_ranker [--heldout FILE ...] [--model FILE]
For every development question the trained model puts in a question area, each signal's scores are computed once; then
every weighting on a coarse grid is scored by how often the top passage is one that answers. It prints the weights in
knowledge/passages.py and the best on the grid, over all the sets and across them (chosen on one half of the sets,
scored on the other), so a choice that only fits the sets it was chosen on shows. Never give it a held-out set that is
still to be measured once: that set would become a development set.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
from pathlib import Path

import numpy as np
import yaml
from rasa.utils.log_utils import configure_structlog

from bench.nlu_bench import HELDOUT, gold_passages, predict
from knowledge.passages import WEIGHTS, passage_ranker
from knowledge.topics import topic_for_intent

SIGNALS = ("model", "questions", "sentences", "bm25", "prior")
GRID = {
    "model": (0.5, 0.8, 1.2, 1.6, 2.0),
    "questions": (0.3, 0.6, 1.0),
    "sentences": (0.2, 0.4, 0.8),
    "bm25": (0.3, 0.6, 1.0),
    "prior": (0.6, 1.2, 1.8),
}


def signal_matrices(model: Path, sets: list[Path]) -> tuple[dict[str, np.ndarray], list[set[int]], list[str]]:
    """Each signal's scores for every question (rows) and passage (columns), the passages that answer each question,
    and the set each question came from."""
    ranker = passage_ranker()
    citations = [ref.removeprefix("box:") for ref in ranker.refs]
    rows: dict[str, list[np.ndarray]] = {name: [] for name in SIGNALS}
    answers, origins = [], []
    for path in sets:
        questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        rankings, _ = asyncio.run(predict(model, [q["text"] for q in questions]))
        for question, ranking in zip(questions, rankings):
            gold = set(gold_passages(question))
            if not gold or not ranking or not topic_for_intent(ranking[0][0]):
                continue
            found = ranker.signals(question["text"], ranking)
            for name in SIGNALS:
                rows[name].append(found[name])
            answers.append({i for i, citation in enumerate(citations) if citation in gold})
            origins.append(path.name)
    return {name: np.vstack(values) for name, values in rows.items()}, answers, origins


def accuracy(weights: dict[str, float], signals: dict[str, np.ndarray], answers: list[set[int]], rows) -> float:
    """The share of the chosen rows whose top passage answers the question."""
    top = sum(weights[name] * signals[name][rows] for name in SIGNALS).argmax(axis=1)
    return float(np.mean([int(t) in answers[r] for t, r in zip(top, rows)]))


def main() -> None:
    from bot.cli import model_path
    from bot.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--heldout", type=Path, nargs="+", default=HELDOUT)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    configure_structlog(logging.WARNING)
    model = args.model or model_path(load_settings())
    signals, answers, origins = signal_matrices(model, [p.resolve() for p in args.heldout])
    everything = np.arange(len(answers))
    grid = [dict(zip(SIGNALS, values)) for values in itertools.product(*(GRID[name] for name in SIGNALS))]
    names = sorted(set(origins))
    halves = (
        np.array([i for i, o in enumerate(origins) if o in names[: len(names) // 2]]),
        np.array([i for i, o in enumerate(origins) if o in names[len(names) // 2 :]]),
    )
    print(f"Questions in a question area: {len(answers)} from {', '.join(names)}")
    print(f"{'weights in knowledge/passages.py':44}{accuracy(WEIGHTS, signals, answers, everything):8.1%}  {WEIGHTS}")
    best = max(grid, key=lambda w: accuracy(w, signals, answers, everything))
    print(f"{'best on the grid, all sets':44}{accuracy(best, signals, answers, everything):8.1%}  {best}")
    if all(len(h) for h in halves):
        for chosen_on, scored_on in (halves, halves[::-1]):
            chosen = max(grid, key=lambda w: accuracy(w, signals, answers, chosen_on))
            print(
                f"{'chosen on one half, scored on the other':44}{accuracy(chosen, signals, answers, scored_on):8.1%}  "
                f"(today's weights {accuracy(WEIGHTS, signals, answers, scored_on):.1%})  {chosen}"
            )


if __name__ == "__main__":
    main()

"""Measures how many sentences of practitioners' notes are placed under the right Framework 2.81 point.

`python -m bench.note_points` reads the 60 labelled notes in bench/data/note_points_eval.txt (never trained on) and
prints the share of sentences placed correctly, by point, with every misplaced sentence. `--cv` instead
cross-validates on the training examples (casefile/data/note_points.yml): that is the figure to tune on.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from casefile.note_points import ABOUT_DISCUSSION, place, split_sentences, train, training_examples
from casefile.points import POINT_KEYS

EVAL = Path(__file__).parent / "data" / "note_points_eval.txt"
LABELS = {"0": ABOUT_DISCUSSION, **{str(n): key for n, key in enumerate(POINT_KEYS, start=1)}}
TARGET = 0.90


def read_eval(path: Path = EVAL) -> list[list[tuple[str, str]]]:
    """The notes, each a list of (sentence, label)."""
    notes: list[list[tuple[str, str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.strip() == "---":
            notes.append([])
            continue
        number, sentence = (part.strip() for part in line.split("|", 1))
        notes[-1].append((sentence, LABELS[number]))
    return notes


def score(pairs: list[tuple[str, str, str]]) -> None:
    right = sum(1 for _, expected, got in pairs if expected == got)
    share = right / len(pairs)
    print(f"sentences placed under the right point: {right}/{len(pairs)} = {share:.1%} (target {TARGET:.0%})")
    by_point = Counter(expected for _, expected, _ in pairs)
    right_by_point = Counter(expected for _, expected, got in pairs if expected == got)
    for label in [ABOUT_DISCUSSION, *POINT_KEYS]:
        if by_point[label]:
            print(f"  {label:22} {right_by_point[label]:3}/{by_point[label]:3}")
    wrong = [(s, e, g) for s, e, g in pairs if e != g]
    if wrong:
        print("misplaced (each shown under its point in the draft before saving):")
        for sentence, expected, got in wrong:
            print(f"  [{expected} -> {got}] {sentence}")


def evaluate() -> None:
    notes = read_eval()
    classifier = train(training_examples())
    pairs = []
    split_apart = 0
    for note in notes:
        # The note as one pasted paragraph: split into sentences as the assistant does, then placed.
        sentences = split_sentences(" ".join(sentence for sentence, _ in note))
        if sentences != [sentence for sentence, _ in note]:
            split_apart += 1
            sentences = [sentence for sentence, _ in note]
        placed = place(sentences, classifier)
        pairs += [(sentence, label, p.point) for (sentence, label), p in zip(note, placed)]
    print(f"notes whose sentences were not split as labelled: {split_apart}")
    print(f"{len(notes)} notes")
    score(pairs)


def cross_validate(folds: int = 5, seed: int = 7) -> None:
    examples = training_examples()
    random.Random(seed).shuffle(examples)
    pairs = []
    for fold in range(folds):
        held = examples[fold::folds]
        kept = [e for i, e in enumerate(examples) if i % folds != fold]
        classifier = train(kept)
        predicted = classifier.predict([text for text, _ in held])
        pairs += [(text, label, got) for (text, label), got in zip(held, predicted)]
    print(f"{folds}-fold cross-validation on {len(examples)} training examples")
    score(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="cross-validate on the training examples instead")
    args = parser.parse_args()
    cross_validate() if args.cv else evaluate()


if __name__ == "__main__":
    main()

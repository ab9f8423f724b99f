"""Decisions from one message: start each walkthrough from the facts a case message states, answer the questions it
still asks truthfully, and count the right decisions and the questions asked.

Usage: .venv/bin/python -m bench.decisions_bench [FILE ...]   (default bench/data/decisions_heldout.yml)
Each case is {text, walkthrough, facts, decision}: `facts` holds every fact of that walkthrough, truthfully.
A fact the reader got wrong stays wrong (nothing asks again), as in the conversation.
"""

from __future__ import annotations

import argparse
import statistics
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from knowledge.facts import read_facts
from knowledge.walkthroughs import load_walkthroughs

ROOT = Path(__file__).resolve().parent.parent


DECISIONS = ROOT / "bench" / "data" / "decisions_heldout.yml"
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=ZoneInfo("Europe/London"))  # a Wednesday afternoon


def truthful(walkthrough, fact: str, value: object) -> object:
    """The answer a practitioner gives to the fact's question: its button, or "just now" for a referral made."""
    if fact == "referral_made_at" and value == "just_now":
        return walkthrough.parse_answer(fact, "just_now", NOW)
    return value


def measure(path: Path, show: bool) -> None:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    walkthroughs = load_walkthroughs()
    right, asked, errors = 0, [], []
    for case in cases:
        walkthrough = walkthroughs[case["walkthrough"]]
        known = {f: v for f, v in read_facts(case["text"], NOW).items() if f in walkthrough.facts}
        questions = 0
        while True:
            needed = walkthrough.next_facts(known, NOW)
            if not needed:
                break
            fact = needed[0]
            value = case["facts"].get(fact)
            if value is None or fact in known:
                break
            known[fact] = truthful(walkthrough, fact, value)
            questions += 1
        try:
            code = walkthrough.decide(known, NOW).code
        except Exception as error:  # a fact the truth does not give: no decision
            code = f"undecided ({type(error).__name__})"
        asked.append(questions)
        right += code == case["decision"]
        if code != case["decision"]:
            errors.append((case["text"], case["decision"], code))
    print(f"\nDecisions from one message: {len(cases)} cases, {path.name}")
    print(f"  right decision when the remaining questions are answered truthfully: {right / len(cases):.1%}")
    print(f"  questions asked: mean {statistics.mean(asked):.2f}, at most {max(asked)}")
    if show:
        for text, expected, got in errors:
            print(f"  {expected:>28} -> {got:<28} {text[:100]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", type=Path, nargs="*", default=[DECISIONS])
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    for path in args.files:
        measure(path.resolve(), args.show_errors)


if __name__ == "__main__":
    main()

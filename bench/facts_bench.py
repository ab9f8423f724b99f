"""Fact reader benchmark: precision and recall per fact on written case messages with labelled facts.

Usage: .venv/bin/python -m bench.facts_bench [FILE ...]   (default bench/data/facts_heldout.yml)
Each case is {text, facts}: the facts the message states, by walkthrough fact name. A fact read with the labelled
value is right; read with another value, wrong; read but not labelled, wrong too (a fact the message does not state);
labelled but not read, missed. Labels "yes"/"no", true/false and the other values compare as the walkthroughs store
them; a referral labelled "just_now" is right when any time was read.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import yaml

from knowledge.facts import read_facts
from knowledge.walkthroughs import moment_of

ROOT = Path(__file__).resolve().parent.parent


FACTS = ROOT / "bench" / "data" / "facts_heldout.yml"
# Labels a set's writers gave a fact under another name: a new partner or household member is what the police check
# walkthrough reads as further relevant individuals (3.73).
ALIASES = {"new_partner_or_household_member": "relevant_individuals_identified"}


def same(fact: str, label: object, read: object) -> bool:
    if fact == "referral_made_at" and label == "just_now":
        return moment_of(read) is not None
    if fact == "question_7":
        return str(label).lower() == str(read).lower()
    return label == read


def measure(path: Path) -> None:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    right, wrong, missed = Counter(), Counter(), Counter()
    for case in cases:
        labelled = {ALIASES.get(k, k): v for k, v in (case.get("facts") or {}).items() if v is not None}
        read = read_facts(case["text"])
        for fact, value in read.items():
            if fact in labelled and same(fact, labelled[fact], value):
                right[fact] += 1
            else:
                wrong[fact] += 1
        for fact in labelled:
            if fact not in read:
                missed[fact] += 1
            elif not same(fact, labelled[fact], read[fact]):
                missed[fact] += 1
    print(f"\nFact reader on {len(cases)} cases, {path.name}")
    print(f"{'fact':42}{'precision':>10}{'recall':>10}{'labelled':>10}")
    names = sorted(set(right) | set(wrong) | set(missed))
    for fact in names:
        found = right[fact] + wrong[fact]
        labelled = right[fact] + missed[fact]
        precision = f"{right[fact] / found:10.1%}" if found else f"{'-':>10}"
        recall = f"{right[fact] / labelled:10.1%}" if labelled else f"{'-':>10}"
        print(f"{fact:42}{precision}{recall}{labelled:10d}")
    total_found = sum(right.values()) + sum(wrong.values())
    total_labelled = sum(right.values()) + sum(missed.values())
    print(
        f"{'all facts':42}{sum(right.values()) / max(total_found, 1):10.1%}"
        f"{sum(right.values()) / max(total_labelled, 1):10.1%}{total_labelled:10d}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", type=Path, nargs="*", default=[FACTS])
    for path in parser.parse_args().files:
        measure(path.resolve())


if __name__ == "__main__":
    main()

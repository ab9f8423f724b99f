"""Practice-case benchmark: over generated vignettes (a fixed seed, spread over every walkthrough), the share whose
wording names every fact that decides them, and the share whose expected answer is the decision function's.

Usage: .venv/bin/python -m bench.vignettes [--count N] [--seed S] [--show]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter

import yaml

from knowledge import walkthroughs
from knowledge.practice_cases import load_templates, names_deciding_facts, practice_case, vignette
from knowledge.walkthroughs import RULES, load_walkthroughs


def decision_code(walkthrough: str, facts) -> str:
    """The decision function's outcome for the vignette's facts, asked afresh."""
    rules = RULES[walkthrough]
    return rules.decide(rules.facts_type(**facts)).code


def read_back(drawn) -> tuple[int, int]:
    """Of the deciding facts the walkthrough can read from free text at all, how many it reads, rightly, from the
    vignette's wording: an independent look at whether the wording states them."""
    readers = load_walkthroughs()
    patterns = yaml.safe_load(walkthroughs.DATA.read_text(encoding="utf-8"))["facts"]
    readable = read = 0
    for v in drawn:
        found = readers[v.walkthrough].extract(v.text)
        for fact in v.deciding:
            if patterns[fact].get("extract"):
                readable += 1
                read += found.get(fact) == v.facts[fact]
    return readable, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--show", action="store_true", help="print each vignette that fails")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = sorted(load_templates())
    drawn = [practice_case(rng, names[i % len(names)]) for i in range(args.count)]
    named = [names_deciding_facts(v) for v in drawn]
    agreed = [v.answer == decision_code(v.walkthrough, v.facts) for v in drawn]
    rebuilt = [vignette(v.id) == v for v in drawn]
    readable, read = read_back(drawn)
    print(f"vignettes: {len(drawn)} (seed {args.seed})")
    for name, count in sorted(Counter(v.walkthrough for v in drawn).items()):
        outcomes = len({v.answer for v in drawn if v.walkthrough == name})
        print(f"  {name}: {count} vignettes, {outcomes} different outcomes")
    print(f"wording names every deciding fact: {sum(named)}/{len(drawn)} = {sum(named) / len(drawn):.0%}")
    print(f"expected answer = decision function: {sum(agreed)}/{len(drawn)} = {sum(agreed) / len(drawn):.0%}")
    print(f"id rebuilds the same vignette: {sum(rebuilt)}/{len(drawn)} = {sum(rebuilt) / len(drawn):.0%}")
    print(
        f"deciding facts the walkthrough's own reader finds in the wording: {read}/{readable} "
        f"= {read / max(readable, 1):.0%} (of those it has patterns to read)"
    )
    if args.show:
        for v, ok_named, ok_agreed in zip(drawn, named, agreed):
            if not (ok_named and ok_agreed):
                print(f"\n{v.id} named={ok_named} agreed={ok_agreed}\n{v.text}")


if __name__ == "__main__":
    main()

"""Measures the Appendix II offence lookup on realistic police-check and practitioner queries.

Run: .venv/bin/python -m bench.offence_bench [--rest]   (queries in bench/data/offence_queries.yml)
Prints top-answer accuracy, recall of every expected row, negatives answered with a match
(must be 0), lookup latency, and each query that missed. With --rest it also sends every query, as the first
message of its own conversation, through the REST channel of freshly started servers, and counts the replies that
reach the look-up and quote the expected row first, and the negatives whose reply lists a row.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

import yaml

from knowledge.offence_answers import row_line
from knowledge.offence_schedule import load_schedule, lookup

ROOT = Path(__file__).resolve().parent.parent


QUERIES = ROOT / "bench" / "data" / "offence_queries.yml"
TIMING_ROUNDS = 5


def row_key(ref: str, acts: dict[str, str]) -> str:
    """A bench row reference ("OAPA1861 s47", "CL Murder") as the schedule's row key."""
    if ref.startswith("CL "):
        return f"{ref[3:]}, Common Law"
    found = re.fullmatch(r"(\S+) s(\d+)", ref)
    if not found or found.group(1) not in acts:
        raise SystemExit(f"bench row reference {ref!r} is not '<act code> s<N>' or 'CL <offence>'")
    return f"Section {found.group(2)}, {acts[found.group(1)]}"


def load_queries() -> list[dict]:
    data = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    keys = {row.key for row in load_schedule().rows}
    queries = []
    for item in data["queries"]:
        expect = [row_key(ref, data["acts"]) for ref in item["expect"]]
        top = [row_key(ref, data["acts"]) for ref in item.get("top", item["expect"])]
        unknown = [k for k in expect + top if k not in keys]
        if unknown:
            raise SystemExit(f"bench query {item['q']!r} expects rows not in Appendix II: {unknown}")
        queries.append({"q": item["q"], "expect": expect, "top": top, "round": item.get("round", 1)})
    return queries


def measure(title: str, queries: list[dict]) -> None:
    """Print accuracy, recall and false matches over these queries, then each one that missed."""
    positives = [q for q in queries if q["expect"]]
    top_right, expected_rows, found_rows, false_matches, misses = 0, 0, 0, [], []
    for item in queries:
        keys = [m.row.key for m in lookup(item["q"]).matches]
        if not item["expect"]:
            if keys:
                false_matches.append((item["q"], keys[:3]))
            continue
        right = bool(keys) and keys[0] in item["top"]
        top_right += right
        expected_rows += len(item["expect"])
        found_rows += sum(k in keys for k in item["expect"])
        if not right or not all(k in keys for k in item["expect"]):
            misses.append((item["q"], item["expect"], keys[:4]))
    print(f"\n{title}: {len(queries)} queries ({len(positives)} on the schedule, {len(queries) - len(positives)} not)")
    print(f"  top-answer accuracy: {top_right}/{len(positives)} = {top_right / len(positives):.1%}")
    print(f"  recall of expected rows: {found_rows}/{expected_rows} = {found_rows / expected_rows:.1%}")
    print(f"  negatives answered with a match: {len(false_matches)} (must be 0)")
    for query, expect, got in misses:
        print(f"  MISS {query!r}\n       expected {expect}\n       got      {got}")
    for query, got in false_matches:
        print(f"  FALSE MATCH {query!r}: {got}")


def through_rest(queries: list[dict]) -> None:
    """Each query through the REST channel of real servers: does the conversation reach the look-up?"""
    import os
    import tempfile
    import uuid

    from bot.cli import model_path, send, start_servers, stop_servers
    from bot.settings import load_settings

    rows = {row.key: row for row in load_schedule().rows}
    with tempfile.TemporaryDirectory() as var_dir:
        os.environ["FA_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)
        settings = load_settings()
        processes = start_servers(settings, model_path(settings))
        try:
            reached = top_right = false_rows = 0
            misses = []
            positives = [q for q in queries if q["expect"]]
            for item in queries:
                replies = send(settings, f"bench-{uuid.uuid4().hex[:10]}", item["q"])
                text = "\n".join(r.get("text") or "" for r in replies)
                lines = [line for line in text.splitlines() if line.startswith("• ") and " | " in line]
                if not item["expect"]:
                    false_rows += bool(lines)
                    continue
                reached += bool(lines)
                right = bool(lines) and any(lines[0] == row_line(rows[key]) for key in item["top"])
                top_right += right
                if not right:
                    misses.append((item["q"], lines[:1] or text[:80].replace("\n", " ")))
        finally:
            stop_servers(processes)
    print(f"\nThrough the REST channel: {len(queries)} queries, each the first message of a conversation")
    print(f"  reached the look-up: {reached}/{len(positives)} = {reached / len(positives):.1%}")
    print(f"  top row quoted first: {top_right}/{len(positives)} = {top_right / len(positives):.1%}")
    print(f"  negatives answered with a row: {false_rows}")
    for query, got in misses:
        print(f"  MISS {query!r}: {got}")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rest", action="store_true", help="also send every query through the REST channel")
    args = parser.parse_args()
    queries = load_queries()
    started = time.perf_counter()
    lookup("warm-up")
    build_seconds = time.perf_counter() - started
    for item in queries:
        lookup(item["q"])
    timings = []
    for _ in range(TIMING_ROUNDS):
        for item in queries:
            started = time.perf_counter()
            lookup(item["q"])
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()

    measure("All queries", queries)
    measure("Round 1 (written before the lookup, then used to fix gaps)", [q for q in queries if q["round"] == 1])
    measure("Round 2 (written after tuning, not tuned on)", [q for q in queries if q["round"] == 2])
    print(
        f"\nlookup latency over {len(timings)} lookups after warm-up: "
        f"p50 {statistics.median(timings):.2f} ms, p95 {timings[int(0.95 * (len(timings) - 1))]:.2f} ms, "
        f"max {timings[-1]:.2f} ms (first call, building the pipeline: {build_seconds:.1f} s)"
    )
    if args.rest:
        through_rest(queries)


if __name__ == "__main__":
    main()

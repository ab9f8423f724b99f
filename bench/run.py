"""Benchmark: training time, server start-up time, server memory (RSS) and REST latency at 1 and 10 conversations.

Usage: .venv/bin/python -m bench.run [--no-train] [--messages N]
Starts its own servers on free ports with a throw-away var/ directory; prints one table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.perf import free_port, percentile, rss_mb
from bot.cli import model_path, send, start_servers, stop_servers, train
from bot.settings import load_settings

MESSAGES = [
    "hello",
    "what should my discussion with the service manager cover",
    "how fast do I confirm a referral in writing",
    "show me 2.81",
    "what does LADO stand for",
    "do I need a police check for a PR application",
    "what's the skin map for",
    "who do I tell if a staff member is accused of hurting a child",
    "thanks",
]


def conversation(settings, count: int, latencies: list[float], errors: list[str]) -> None:
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    for i in range(count):
        started = time.perf_counter()
        try:
            send(settings, sender, MESSAGES[i % len(MESSAGES)])
            latencies.append((time.perf_counter() - started) * 1000)
        except OSError as error:
            errors.append(str(error))


def load(settings, concurrent: int, per_conversation: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=conversation, args=(settings, per_conversation, latencies, errors))
        for _ in range(concurrent)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "mean": statistics.mean(latencies),
        "throughput": len(latencies) / elapsed,
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-train", action="store_true", help="reuse the cached model; do not time training")
    parser.add_argument("--messages", type=int, default=40, help="messages per conversation")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update({"FA_VAR_DIR": scratch, "FA_RASA_PORT": str(free_port()), "FA_ACTION_PORT": str(free_port())})
        os.environ.pop("DATABASE_URL", None)
        settings = load_settings()
        training = None
        if not args.no_train:
            os.environ["FA_MODELS_DIR"] = str(Path(scratch) / "models")
            settings = load_settings()
            started = time.perf_counter()
            train(settings)
            training = time.perf_counter() - started
        model = model_path(settings)
        if not model.exists():
            raise SystemExit("No model: run `make train` first, or drop --no-train.")

        started = time.perf_counter()
        processes = start_servers(settings, model)
        startup = time.perf_counter() - started
        try:
            send(settings, "bench-warm-up", "hello")
            one = load(settings, 1, args.messages)
            ten = load(settings, 10, args.messages)
            memory = {name: rss_mb(p.pid) for name, p in zip(("action server", "Rasa server"), processes)}
        finally:
            stop_servers(processes)

    print(f"Framework Assistant benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")
    print(
        f"training time            {training:8.1f} s"
        if training is not None
        else "training time            (not measured)"
    )
    print(f"server start-up          {startup:8.1f} s  (action server + Rasa server, until both answer)")
    for name, mb in memory.items():
        print(f"RSS {name:<20} {mb:8.0f} MB")
    for label, result in (("1 conversation", one), ("10 conversations", ten)):
        print(
            f"{label:<18} p50 {result['p50']:6.0f} ms  p95 {result['p95']:6.0f} ms  "
            f"mean {result['mean']:6.0f} ms  {result['throughput']:6.1f} msg/s  errors {result['errors']}"
        )


if __name__ == "__main__":
    main()

"""Load benchmark: simulated practitioners holding mixed conversations, on one server and on two replicas.

Each practitioner asks questions, walks through a decision and looks up offences. Prints, for
10, 50 and 100 practitioners at once: p50/p95/p99 reply time, throughput, errors, and memory
per process; for one Rasa server (SQLite) and for two replicas sharing PostgreSQL and Redis.
Then the capacity of one server: new conversations arrive at a steady rate (each practitioner
pausing THINK seconds between messages), rising step by step; the highest rate whose replies
keep p95 under 500 ms with no errors is the capacity, in conversations per second.

Usage: .venv/bin/python -m bench.load [--practitioners 10 50 100] [--no-replicas] [--no-capacity]
Needs PostgreSQL and Redis on 127.0.0.1 for the replicas (as `make test` does).
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.perf import free_port, percentile, post, rss_mb
from bot.cli import model_path, start_servers, stop_servers
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


CONVERSATION = [
    "hi",
    "what should the discussion with my service manager cover?",
    "/decide_section_120",
    "Private law",
    "Ticked yes",
    "Completed",
    "No",
    "No",
    "No",
    "is ABH on the schedule?",
    "show me 2.103",
    "what does LADO stand for",
    "thanks",
]


class Replies:
    """Reply times and errors of many practitioners' threads."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def converse(self, url: str, think: float = 0.0) -> None:
        """One practitioner's whole conversation, pausing `think` seconds between messages."""
        me = f"load-{uuid.uuid4().hex[:8]}"
        for index, message in enumerate(CONVERSATION):
            if index and think:
                time.sleep(think)
            started = time.perf_counter()
            try:
                post(url, me, message)
                with self._lock:
                    self.times.append((time.perf_counter() - started) * 1000)
            except OSError as error:
                with self._lock:
                    self.errors.append(str(error))

    def summary(self) -> dict:
        return {
            "p50": percentile(self.times, 0.5),
            "p95": percentile(self.times, 0.95),
            "p99": percentile(self.times, 0.99),
            "errors": len(self.errors),
        }


def practitioners(urls: list[str], count: int) -> dict:
    """`count` practitioners at once, each sending the whole conversation, spread over the servers."""
    replies = Replies()
    servers = itertools.cycle(urls)
    threads = [threading.Thread(target=replies.converse, args=(next(servers),)) for _ in range(count)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {**replies.summary(), "rps": len(replies.times) / elapsed, "conversations_per_s": count / elapsed}


THINK = 2.0
CAPACITY_P95_MS = 500
RATES = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0]
STEP_S = 30


def arrivals(url: str, rate: float, seconds: float = STEP_S, think: float = THINK) -> dict:
    """New conversations starting every 1/rate seconds for `seconds`, each pausing `think` between messages."""
    replies = Replies()
    threads = []
    began = time.perf_counter()
    for n in range(int(seconds * rate)):
        time.sleep(max(0.0, began + n / rate - time.perf_counter()))
        thread = threading.Thread(target=replies.converse, args=(url, think))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return replies.summary()


def capacity(env: dict[str, str]) -> None:
    saved = dict(os.environ)
    os.environ.update(env, FA_RASA_PORT=str(free_port()), FA_ACTION_PORT=str(free_port()))
    settings = load_settings()
    processes = start_servers(settings, model_path(settings))
    try:
        post(settings.rest_url, "warm-up", "hello")
        print(
            f"\nCapacity of one Rasa server and one action server (SQLite): conversations arriving at a steady "
            f"rate for {STEP_S} s, {THINK:.0f} s between a practitioner's messages"
        )
        best = 0.0
        for rate in RATES:
            r = arrivals(settings.rest_url, rate)
            print(
                f"  {rate:4.1f} conversations/s ({rate * len(CONVERSATION):4.1f} msg/s): p50 {r['p50']:5.0f} ms  "
                f"p95 {r['p95']:5.0f} ms  p99 {r['p99']:5.0f} ms  errors {r['errors']}"
            )
            if r["p95"] >= CAPACITY_P95_MS or r["errors"]:
                break
            best = rate
        print(
            f"  capacity: {best:.1f} conversations/s ({best * len(CONVERSATION):.0f} messages/s) "
            f"with p95 under {CAPACITY_P95_MS} ms"
        )
    finally:
        stop_servers(processes)
        os.environ.clear()
        os.environ.update(saved)


def run(label: str, replicas: int, env: dict[str, str], counts: list[int]) -> None:
    saved = dict(os.environ)
    processes, urls = [], []
    try:
        for _ in range(replicas):
            os.environ.update(env, FA_RASA_PORT=str(free_port()), FA_ACTION_PORT=str(free_port()))
            settings = load_settings()
            processes += start_servers(settings, model_path(settings))
            urls.append(settings.rest_url)
        for url in urls:
            post(url, "warm-up", "hello")
        print(f"\n{label}")
        for count in counts:
            r = practitioners(urls, count)
            print(
                f"  {count:>3} practitioners: p50 {r['p50']:6.0f} ms  p95 {r['p95']:6.0f} ms  p99 {r['p99']:6.0f} ms"
                f"  {r['rps']:5.1f} msg/s  {r['conversations_per_s']:5.2f} conversations/s  errors {r['errors']}"
            )
        memory = ", ".join(
            f"{'action' if i % 2 == 0 else 'Rasa'} server {rss_mb(p.pid):.0f} MB" for i, p in enumerate(processes)
        )
        print(f"  memory: {memory}")
    finally:
        stop_servers(processes)
        os.environ.clear()
        os.environ.update(saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--practitioners", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--no-replicas", action="store_true", help="one server only")
    parser.add_argument("--no-capacity", action="store_true", help="skip the capacity search")
    args = parser.parse_args()
    # Load comes as anonymous REST clients from one address: guidance on, and their rate limit out of the way.
    os.environ.setdefault("FA_ALLOW_UNREGISTERED_GUIDANCE", "1")
    os.environ.setdefault("FA_ANONYMOUS_MESSAGES_PER_MINUTE", "6000")
    print(
        f"Load benchmark {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores; "
        f"each practitioner sends {len(CONVERSATION)} messages (questions, a walkthrough, look-ups)"
    )
    with tempfile.TemporaryDirectory() as scratch:
        one = {"FA_VAR_DIR": scratch}
        for key in ("DATABASE_URL", "REDIS_URL", "CASEFILE_DATABASE_URL"):
            os.environ.pop(key, None)
        run("One Rasa server and one action server (SQLite)", 1, one, args.practitioners)
        if not args.no_replicas:
            import psycopg2

            name = f"fa_load_{secrets.token_hex(4)}"
            admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
            admin.autocommit = True
            admin.cursor().execute(f'CREATE DATABASE "{name}"')
            try:
                two = {
                    "FA_VAR_DIR": scratch,
                    "DATABASE_URL": f"postgresql://postgres@127.0.0.1/{name}",
                    "REDIS_URL": "redis://127.0.0.1:6379/13",
                }
                run(
                    "Two replicas, each with an action server, sharing PostgreSQL and Redis", 2, two, args.practitioners
                )
            finally:
                admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()
        if not args.no_capacity:
            capacity({"FA_VAR_DIR": str(Path(scratch) / "capacity")})


if __name__ == "__main__":
    main()

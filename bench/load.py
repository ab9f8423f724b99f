"""Load benchmark: simulated practitioners holding mixed conversations, on one server and on two replicas.

Each practitioner asks questions, walks through a decision and looks up offences. Prints, for
10, 50 and 100 practitioners at once: p50/p95/p99 reply time, throughput, errors, and memory
per process; for one Rasa server (SQLite) and for two replicas sharing PostgreSQL and Redis.

Usage: .venv/bin/python bench/load.py [--practitioners 10 50 100] [--no-replicas]
Needs PostgreSQL and Redis on 127.0.0.1 for the replicas (as `make test` does).
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.perf import free_port, percentile, post, rss_mb  # noqa: E402
from bot.cli import model_path, start_servers, stop_servers  # noqa: E402
from bot.settings import load_settings  # noqa: E402

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


def practitioners(urls: list[str], count: int) -> dict:
    """`count` practitioners at once, each sending the whole conversation, spread over the servers."""
    times: list[float] = []
    errors: list[str] = []
    servers = itertools.cycle(urls)
    lock = threading.Lock()

    def practitioner(url: str) -> None:
        me = f"load-{uuid.uuid4().hex[:8]}"
        for message in CONVERSATION:
            started = time.perf_counter()
            try:
                post(url, me, message)
                with lock:
                    times.append((time.perf_counter() - started) * 1000)
            except OSError as error:
                with lock:
                    errors.append(str(error))

    threads = [threading.Thread(target=practitioner, args=(next(servers),)) for _ in range(count)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "p99": percentile(times, 0.99),
            "rps": len(times) / elapsed, "errors": len(errors), "conversations_per_s": count / elapsed}


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
            print(f"  {count:>3} practitioners: p50 {r['p50']:6.0f} ms  p95 {r['p95']:6.0f} ms  p99 {r['p99']:6.0f} ms"
                  f"  {r['rps']:5.1f} msg/s  {r['conversations_per_s']:5.2f} conversations/s  errors {r['errors']}")
        memory = ", ".join(f"{'action' if i % 2 == 0 else 'Rasa'} server {rss_mb(p.pid):.0f} MB"
                           for i, p in enumerate(processes))
        print(f"  memory: {memory}")
    finally:
        stop_servers(processes)
        os.environ.clear()
        os.environ.update(saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--practitioners", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--no-replicas", action="store_true", help="one server only")
    args = parser.parse_args()
    os.environ.setdefault("FA_CHANNEL_TOKEN", secrets.token_urlsafe(16))
    print(f"Load benchmark {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores; "
          f"each practitioner sends {len(CONVERSATION)} messages (questions, a walkthrough, look-ups)")
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
                two = {"FA_VAR_DIR": scratch, "DATABASE_URL": f"postgresql://postgres@127.0.0.1/{name}",
                       "REDIS_URL": "redis://127.0.0.1:6379/13"}
                run("Two replicas, each with an action server, sharing PostgreSQL and Redis", 2, two,
                    args.practitioners)
            finally:
                admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()


if __name__ == "__main__":
    main()

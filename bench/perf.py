"""Performance benchmark against Rasa's own starter bot, trained and served the same way.

Prints, for the Framework Assistant and the reference (`rasa init`'s starter bot):
reply time by turn band over one 500-turn conversation; p50/p95/p99 and throughput at 1, 10
and 50 concurrent conversations; RSS; start-up time; training time; and the ratios ours/reference.

Usage: .venv/bin/python -m bench.perf [--turns 500] [--messages 30] [--no-train]
Takes about 15 minutes on a 2-core machine. Servers run on free loopback ports.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bot.cli import model_path, start_servers, stop_servers, train
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


OURS = [
    "hello",
    "what should my discussion with the service manager cover",
    "show me 2.81",
    "what does LADO stand for",
    "is ABH on the schedule?",
    "how fast do I confirm a referral in writing",
    "who do I tell if a member of staff is accused of hurting a child",
    "thanks",
]
REFERENCE = ["hello", "I am sad", "yes", "bye", "are you a bot?", "great", "no", "I am happy"]
BANDS = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def post(url: str, sender: str, message: str) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@dataclass
class Result:
    name: str
    training_s: float | None = None
    startup_s: float = 0.0
    rss_mb: dict[str, float] = field(default_factory=dict)
    bands: list[float] = field(default_factory=list)
    load: dict[int, dict[str, float]] = field(default_factory=dict)


def measure(result: Result, url: str, messages: list[str], turns: int, per_conversation: int) -> None:
    sender = f"long-{uuid.uuid4().hex[:6]}"
    latencies = []
    for turn in range(turns):
        started = time.perf_counter()
        post(url, sender, messages[turn % len(messages)])
        latencies.append((time.perf_counter() - started) * 1000)
    result.bands = [statistics.mean(latencies[i : i + BANDS]) for i in range(0, len(latencies), BANDS)]
    for concurrent in (1, 10, 50):
        times: list[float] = []
        errors: list[str] = []

        def conversation(times: list[float] = times, errors: list[str] = errors) -> None:
            me = f"load-{uuid.uuid4().hex[:8]}"
            for n in range(per_conversation):
                started = time.perf_counter()
                try:
                    post(url, me, messages[n % len(messages)])
                    times.append((time.perf_counter() - started) * 1000)
                except OSError as error:
                    errors.append(str(error))

        threads = [threading.Thread(target=conversation) for _ in range(concurrent)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        result.load[concurrent] = {
            "p50": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "p99": percentile(times, 0.99),
            "rps": len(times) / elapsed,
            "errors": len(errors),
        }


def run_ours(scratch: Path, args) -> Result:
    result = Result("Framework Assistant")
    os.environ.update(
        {
            "FA_VAR_DIR": str(scratch / "var"),
            "FA_RASA_PORT": str(free_port()),
            "FA_ACTION_PORT": str(free_port()),
            # Measured as anonymous REST clients from one address: guidance on, their rate limit out of the way.
            "FA_ALLOW_UNREGISTERED_GUIDANCE": "1",
            "FA_ANONYMOUS_MESSAGES_PER_MINUTE": "6000",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    if not args.no_train:
        # From cold, as the reference is: no model and no Rasa training cache.
        os.environ["FA_MODELS_DIR"] = str(scratch / "models")
        os.environ["RASA_CACHE_DIRECTORY"] = str(scratch / "rasa-cache")
    settings = load_settings()
    if not args.no_train:
        started = time.perf_counter()
        train(settings)
        result.training_s = time.perf_counter() - started
    started = time.perf_counter()
    processes = start_servers(settings, model_path(settings))
    result.startup_s = time.perf_counter() - started
    try:
        post(settings.rest_url, "warm-up", "hello")
        measure(result, settings.rest_url, OURS, args.turns, args.messages)
        result.rss_mb = {"Rasa server": rss_mb(processes[1].pid), "action server": rss_mb(processes[0].pid)}
    finally:
        stop_servers(processes)
    return result


def run_reference(scratch: Path, args) -> Result:
    result = Result("starter bot (rasa init)")
    project = scratch / "starter"
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("RASA_CACHE_DIRECTORY", None)  # its own, under the project, removed below
    rasa = [sys.executable, "-m", "rasa"]
    project.mkdir()
    subprocess.run(
        rasa + ["init", "--no-prompt", "--init-dir", str(project)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # `rasa init` trains once; time a training from cold, as ours is timed.
    shutil.rmtree(project / "models", ignore_errors=True)
    shutil.rmtree(project / ".rasa", ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        rasa + ["train", "--fixed-model-name", "reference"],
        cwd=project,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    result.training_s = time.perf_counter() - started
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        rasa + ["run", "--model", "models/reference.tar.gz", "--interface", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the reference server stopped while starting") from None
                time.sleep(0.5)
        result.startup_s = time.perf_counter() - started
        post(url, "warm-up", "hello")
        measure(result, url, REFERENCE, args.turns, args.messages)
        result.rss_mb = {"Rasa server": rss_mb(server.pid)}
    finally:
        stop_servers([server])
    return result


def report(ours: Result, reference: Result) -> None:
    def ratio(a: float | None, b: float | None) -> str:
        return f"{a / b:6.2f}x" if a and b else "     -"

    print(f"\nBenchmark {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores: ours vs reference (ours/reference)")
    print(f"{'':34}{'ours':>12}{'reference':>12}{'ratio':>9}")
    print(
        f"{'training time (s)':34}{ours.training_s or 0:12.0f}{reference.training_s or 0:12.0f}"
        f"{ratio(ours.training_s, reference.training_s):>9}"
    )
    print(
        f"{'start-up time (s)':34}{ours.startup_s:12.1f}{reference.startup_s:12.1f}"
        f"{ratio(ours.startup_s, reference.startup_s):>9}"
    )
    print(
        f"{'RSS Rasa server (MB)':34}{ours.rss_mb['Rasa server']:12.0f}{reference.rss_mb['Rasa server']:12.0f}"
        f"{ratio(ours.rss_mb['Rasa server'], reference.rss_mb['Rasa server']):>9}"
    )
    print(f"{'RSS action server (MB)':34}{ours.rss_mb.get('action server', 0):12.0f}{'-':>12}")
    print("\nOne long conversation, mean reply (ms) by turn band:")
    for index, (a, b) in enumerate(zip(ours.bands, reference.bands)):
        label = f"turns {index * BANDS + 1}-{(index + 1) * BANDS}"
        print(f"  {label:32}{a:12.0f}{b:12.0f}{ratio(a, b):>9}")
    print(
        f"  {'last band / first band':32}{ours.bands[-1] / ours.bands[0]:12.2f}"
        f"{reference.bands[-1] / reference.bands[0]:12.2f}"
    )
    print("\nConcurrent conversations:")
    for concurrent in (1, 10, 50):
        a, b = ours.load[concurrent], reference.load[concurrent]
        print(
            f"  {concurrent:>2} conversations  ours p50 {a['p50']:5.0f} p95 {a['p95']:5.0f} p99 {a['p99']:5.0f} ms "
            f"{a['rps']:5.1f} msg/s err {a['errors']} | reference p50 {b['p50']:5.0f} p95 {b['p95']:5.0f} "
            f"p99 {b['p99']:5.0f} ms {b['rps']:5.1f} msg/s err {b['errors']} | throughput {ratio(a['rps'], b['rps'])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--messages", type=int, default=30, help="messages per conversation in the load tests")
    parser.add_argument("--no-train", action="store_true", help="reuse our cached model (training not timed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        ours = run_ours(Path(scratch), args)
        reference = run_reference(Path(scratch), args)
    report(ours, reference)


if __name__ == "__main__":
    main()

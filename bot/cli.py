"""Command line of the service: train the model (cached by a hash of its inputs), run, serve and chat."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pwd
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.settings import CHANNEL_TOKEN_HEADER, ROOT, Settings, load_settings

# The trained intent classifier is saved in the format its own code writes, so that code is an input too.
MODEL_INPUTS = ("config.yml", "domain.yml", "data", "bot/intent_classifier.py")
KEEP_MODELS = 3


def model_hash(root: Path = ROOT) -> str:
    """A hash of everything training reads, plus the Rasa version, naming the trained model."""
    import rasa

    digest = hashlib.sha256(f"rasa=={rasa.__version__}\n".encode())
    for name in MODEL_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(settings: Settings) -> Path:
    return settings.models_dir / f"{model_hash()}.tar.gz"


# The largest request the Rasa server reads (Sanic's default is 100 MB): a message is at most FA_MAX_MESSAGE_CHARS.
RASA_REQUEST_MAX_BYTES = 1024 * 1024

# Secrets made at start-up when unset, so `run` and `serve` need no configuration: the Rasa server's key to the
# action server, and the terminal chat's key to the REST channel.
GENERATED_SECRETS = ("FA_ACTION_TOKEN", "FA_TERMINAL_TOKEN", "FA_TELEGRAM_BRIDGE_TOKEN")


def ensure_secrets() -> None:
    """Make each start-up secret that is not set, in this process's environment (the servers inherit it)."""
    for name in GENERATED_SECRETS:
        if not os.environ.get(name):
            os.environ[name] = secrets.token_urlsafe(32)


def rasa_env(settings: Settings) -> dict[str, str]:
    """The environment of the servers this command starts: this process's, with the settings they share."""
    ensure_secrets()
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["FA_ACTION_URL"] = settings.action_url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def rasa_server_env(settings: Settings) -> dict[str, str]:
    """The Rasa server's environment: no case-file database (CASEFILE_DATABASE_URL is withheld), which its channels
    reach through the action server instead (FA_CASEFILE_SERVICE_URL), and Sanic's request limit at 1 MB."""
    env = rasa_env(settings)
    env.pop("CASEFILE_DATABASE_URL", None)
    env["FA_CASEFILE_SERVICE_URL"] = f"http://{settings.action_host}:{settings.action_port}"
    env["SANIC_REQUEST_MAX_SIZE"] = str(RASA_REQUEST_MAX_BYTES)
    return env


def train(settings: Settings) -> Path:
    """Train unless a model for exactly these inputs exists; return the model's path."""
    target = model_path(settings)
    if target.exists():
        print(f"Model up to date: {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        return target
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            str(settings.models_dir),
            "--fixed-model-name",
            target.name[:-7],
        ],
        cwd=ROOT,
        env=rasa_env(settings),
        check=True,
    )
    print(f"Trained {target.name} in {time.monotonic() - started:.0f} s")
    for old in sorted(settings.models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)[:-KEEP_MODELS]:
        old.unlink()
    return target


def _wait_until_up(url: str, process: subprocess.Popen, name: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The {name} stopped while starting (exit code {process.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise SystemExit(f"The {name} did not start within {timeout:.0f} s ({url}).")


def make_var_dir(settings: Settings) -> None:
    """var/ (conversations, the case file, logs), readable by the service's own user only."""
    settings.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings.var_dir.chmod(0o700)


def start_action_server(settings: Settings) -> subprocess.Popen:
    """The action server, once it answers on its health endpoint."""
    make_var_dir(settings)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server"], cwd=ROOT, env=rasa_env(settings), start_new_session=True
    )
    try:
        _wait_until_up(f"http://{settings.action_host}:{settings.action_port}/health", process, "action server")
    except BaseException:
        stop_servers([process])
        raise
    return process


def start_rasa_server(settings: Settings, model: Path) -> subprocess.Popen:
    """The Rasa server with this model, once it answers."""
    make_var_dir(settings)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.rasa_server",
            "run",
            "--model",
            str(model),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
            "--interface",
            settings.rasa_host,
            "--port",
            str(settings.rasa_port),
            "--log-file",
            str(settings.var_dir / "rasa.log"),
        ],
        cwd=ROOT,
        env=rasa_server_env(settings),
        start_new_session=True,
    )
    try:
        _wait_until_up(f"http://{settings.rasa_host}:{settings.rasa_port}/", process, "Rasa server")
    except BaseException:
        stop_servers([process])
        raise
    return process


def start_servers(settings: Settings, model: Path) -> list[subprocess.Popen]:
    """Start the action server, then the Rasa server; return both once they answer."""
    actions = start_action_server(settings)
    try:
        return [actions, start_rasa_server(settings, model)]
    except BaseException:
        stop_servers([actions])
        raise


def stop_servers(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in reversed(processes):
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def send(settings: Settings, user: str, message: str) -> list[dict]:
    """One message from the terminal user `user` ("terminal:<user>") through the REST channel; the replies.

    The terminal's own secret (FA_TERMINAL_TOKEN, accepted from this machine only) vouches for terminal: ids.
    """
    secret = settings.terminal_token or load_settings().terminal_token
    request = urllib.request.Request(
        settings.rest_url,
        data=json.dumps({"sender": f"terminal:{user}", "message": message}).encode(),
        headers={"Content-Type": "application/json", CHANNEL_TOKEN_HEADER: secret},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def terminal_user() -> str:
    """Whoever runs the terminal chat, by the account of the process's real user id (not LOGNAME or USER, which anyone
    can set): the id `staff add --terminal-user` registers."""
    return pwd.getpwuid(os.getuid()).pw_name


def chat(settings: Settings, user: str) -> None:
    """A conversation in the terminal; buttons are numbered, and typing a number taps one."""
    print("Framework Assistant. Type a message; a number picks a button; Ctrl-C or /quit to leave.")
    buttons: list[dict] = []
    for reply in send(settings, user, "/greet"):
        buttons = _show(reply) or buttons
    while True:
        try:
            line = input("\nyou> ").strip()
        except EOFError:
            return
        if line in ("/quit", "/exit"):
            return
        if not line:
            continue
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            line = buttons[int(line) - 1]["payload"]
        buttons = []
        try:
            replies = send(settings, user, line)
        except (urllib.error.URLError, OSError) as error:
            print(f"(the assistant did not answer: {error})")
            continue
        for reply in replies:
            buttons = _show(reply) or buttons


def _show(reply: dict) -> list[dict]:
    if reply.get("text"):
        print("\nassistant> " + reply["text"])
    for number, button in enumerate(reply.get("buttons", []), start=1):
        print(f"  [{number}] {button['title']}")
    return reply.get("buttons", [])


def run(settings: Settings, interactive: bool) -> None:
    model = train(settings)
    processes = start_servers(settings, model)
    print(f"Rasa server on {settings.rest_url}, action server on {settings.action_url}")
    if not interactive and settings.telegram.token:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "bot", "telegram"], cwd=ROOT, env=rasa_env(settings), start_new_session=True
            )
        )
        print("Telegram bridge started")
    try:
        if interactive:
            chat(settings, user=terminal_user())
        else:
            while all(p.poll() is None for p in processes):
                time.sleep(1)
            raise SystemExit("A server stopped; stopping the other.")
    except KeyboardInterrupt:
        print()
    finally:
        stop_servers(processes)
        print("Stopped.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("train", help="train the model if its inputs changed")
    commands.add_parser("run", help="train if needed, start both servers and chat in the terminal")
    commands.add_parser("serve", help="train if needed and start both servers (REST on 127.0.0.1:5005)")
    commands.add_parser("model-path", help="print the path of the model for the current inputs")
    commands.add_parser("telegram", help="run the Telegram bridge to the Rasa server (TELEGRAM_* settings)")
    commands.add_parser("teams-package", help="build the Teams app package zip (TEAMS_APP_ID)").add_argument(
        "--out", type=Path, default=ROOT / "dist", help="directory for the zip (default: dist/)"
    )
    from bot import casefile_cli, conversations_cli

    casefile_cli.add_commands(commands)
    conversations_cli.add_commands(commands)
    args = parser.parse_args(argv)
    if args.command in casefile_cli.COMMANDS:
        raise SystemExit(casefile_cli.run(args))
    if args.command == conversations_cli.COMMAND:
        raise SystemExit(conversations_cli.run(args))
    settings = load_settings()
    if args.command == "train":
        train(settings)
    elif args.command == "run":
        run(settings, interactive=True)
    elif args.command == "serve":
        run(settings, interactive=False)
    elif args.command == "model-path":
        print(model_path(settings))
    elif args.command == "telegram":
        from bot.channels import telegram

        telegram.main(settings.telegram)
    elif args.command == "teams-package":
        from bot.channels import teams_package

        teams_package.main(args.out, settings.teams)

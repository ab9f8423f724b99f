"""Urgent recogniser benchmark: recall on messages describing danger now, false alarms on the rest.

Usage: .venv/bin/python -m bench.urgent_bench [FILE ...] [--model FILE] [--show-errors]
(default bench/data/urgent_heldout.yml: `messages: [{text, urgent}]`). Prints the keyword recogniser alone
(knowledge/urgent.py) and the whole NLU of the trained model (the classifier with the safety net beneath it), which
is what decides whether 2.87 is sent first.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path

import yaml

from knowledge.urgent import urgent_signals

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")


URGENT = ROOT / "bench" / "data" / "urgent_heldout.yml"


async def nlu_says_urgent(model: Path, texts: list[str]) -> list[bool]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    found = []
    for text in texts:
        parsed = await agent.parse_message(text)
        found.append(parsed["intent"]["name"] == "urgent_danger")
    return found


def report(title: str, messages: list[dict], said: list[bool], show: bool) -> None:
    urgent = [m for m, s in zip(messages, said) if m["urgent"]]
    calm = [m for m, s in zip(messages, said) if not m["urgent"]]
    caught = sum(s for m, s in zip(messages, said) if m["urgent"])
    alarms = sum(s for m, s in zip(messages, said) if not m["urgent"])
    print(
        f"  {title}: recall {caught}/{len(urgent)} = {caught / max(len(urgent), 1):.1%}, "
        f"false alarms {alarms}/{len(calm)} = {alarms / max(len(calm), 1):.1%}"
    )
    if show:
        for m, s in zip(messages, said):
            if bool(s) != bool(m["urgent"]):
                print(f"    {'MISSED' if m['urgent'] else 'FALSE ALARM':>11}  {m['text']}")


def main() -> None:
    from rasa.utils.log_utils import configure_structlog

    from bot.cli import model_path
    from bot.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", type=Path, nargs="*", default=[URGENT])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    configure_structlog(logging.WARNING)
    model = args.model or model_path(load_settings())
    for path in args.files:
        messages = yaml.safe_load(path.resolve().read_text(encoding="utf-8"))["messages"]
        print(f"\nUrgent messages: {len(messages)}, {path.name}")
        report("recogniser alone", messages, [bool(urgent_signals(m["text"])) for m in messages], args.show_errors)
        said = asyncio.run(nlu_says_urgent(model, [m["text"] for m in messages]))
        report("whole NLU (model)", messages, said, args.show_errors)


if __name__ == "__main__":
    main()

"""Guided learning paths through the Framework: each step a passage word for word, a plain-words note from the
glossary, the jargon notes or the Framework's own definitions, and a check question the passage answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.answers import load_jargon
from knowledge.framework import load_framework

DATA = Path(__file__).parent / "data" / "learning_paths.yml"
MAX_OPTION = 30  # characters on a check question's button
STEPS_PER_PATH = (4, 6)
OPTIONS_PER_CHECK = (2, 4)


class LearningPathDataError(ValueError):
    """learning_paths.yml is missing, malformed, or quotes the Framework other than word for word."""


@dataclass(frozen=True)
class Check:
    """A question the step's passage alone answers: its buttons, the index of the right one, and the passage's cite."""

    prompt: str
    options: tuple[str, ...]
    answer: int
    decided_by: str


@dataclass(frozen=True)
class PathStep:
    """One passage of the Framework word for word with its number, a note in plain words, and a check question."""

    cite: str
    quote: str
    note: str
    check: Check


@dataclass(frozen=True)
class GuidedPath:
    """A short sequence of steps through one area of the Framework."""

    key: str
    title: str
    area: str
    steps: tuple[PathStep, ...]


@dataclass(frozen=True)
class StepFeedback:
    """Whether the check was answered right, and the passage that decides it, word for word with its number."""

    correct: bool
    cite: str
    quote: str


def _words(text: Any) -> str:
    return " ".join(str(text).split())


def _note(spec: Any, where: str, problems: list[str]) -> str:
    """A note built only from the glossary, the jargon notes or a quoted Framework definition, never free text."""
    parts = spec if isinstance(spec, list) else [spec]
    rendered = []
    framework = load_framework()
    jargon = load_jargon()
    for part in parts:
        if not isinstance(part, dict) or len(part) != 1:
            problems.append(f"{where}: a note is glossary: TERM, jargon: TERM or define: {{cite, quote}}, not {part!r}")
            continue
        ((kind, value),) = part.items()
        if kind == "glossary":
            if value not in framework.glossary:
                problems.append(f"{where}: {value!r} is not in the Framework's glossary")
                continue
            rendered.append(f"{value}: {framework.glossary[value]} (Framework glossary).")
        elif kind == "jargon":
            entry = jargon.get(value)
            if entry is None:
                problems.append(f"{where}: {value!r} is not in jargon.yml")
                continue
            stands = f" ({entry['stands_for']})" if entry.get("stands_for") else ""
            first = entry["quotes"][0]
            rendered.append(f"{value}{stands}: “{_words(first['quote'])}” ({first['cite']}).")
        elif kind == "define":
            cite, quote = str((value or {}).get("cite", "")), _words((value or {}).get("quote", ""))
            if not framework.quotes(cite, quote):
                problems.append(f"{where}: the definition is not word for word in {cite}: {quote[:60]!r}")
                continue
            rendered.append(f"In the Framework's words: “{quote}” ({cite}).")
        else:
            problems.append(f"{where}: a note comes from glossary, jargon or define, not {kind!r}")
    return " ".join(rendered)


def _check(data: Any, cite: str, where: str, problems: list[str]) -> Check:
    if not isinstance(data, dict) or not isinstance(data.get("prompt"), str):
        problems.append(f"{where}: needs a prompt, options and the index of the right answer")
        return Check("", (), 0, cite)
    raw = data.get("options") or ()
    if not all(isinstance(o, str) for o in raw):
        problems.append(f"{where}: each option must be text (quote it): {raw!r}")
    options = tuple(_words(o) for o in raw)
    low, high = OPTIONS_PER_CHECK
    if not low <= len(options) <= high:
        problems.append(f"{where}: needs {low}-{high} options, found {len(options)}")
    if len({o.lower() for o in options}) != len(options):
        problems.append(f"{where}: two options say the same")
    for option in options:
        if not option or len(option) > MAX_OPTION:
            problems.append(f"{where}: an option must be 1-{MAX_OPTION} characters: {option!r}")
    answer = data.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(options):
        problems.append(f"{where}: answer must be the index of one of the {len(options)} options, not {answer!r}")
        answer = 0
    decided_by = str(data.get("decided_by", cite))
    if decided_by != cite:
        problems.append(f"{where}: decided_by is {decided_by}, but a check is answered by its own passage ({cite})")
    return Check(_words(data["prompt"]), options, answer, decided_by)


def _step(data: Any, where: str, problems: list[str]) -> PathStep:
    if not isinstance(data, dict) or not isinstance(data.get("quote"), str) or "cite" not in data:
        problems.append(f"{where}: needs a cite, a quote, a note and a check")
        return PathStep("", "", "", Check("", (), 0, ""))
    cite, quote = str(data["cite"]), _words(data["quote"])
    framework = load_framework()
    if not framework.passages(cite):
        problems.append(f"{where}: cites {cite}, which is not in the Framework")
    elif not framework.quotes(cite, quote):
        problems.append(f"{where}: not word for word in {cite}: {quote[:70]!r}")
    note = _note(data.get("note"), f"{where}.note", problems)
    if not note:
        problems.append(f"{where}: needs a note from the glossary, the jargon notes or a quoted definition")
    return PathStep(cite, quote, note, _check(data.get("check"), cite, f"{where}.check", problems))


def parse_paths(data: Any) -> dict[str, GuidedPath]:
    """The paths the YAML document describes; LearningPathDataError lists everything wrong with it."""
    if not isinstance(data, dict) or not isinstance(data.get("paths"), dict) or not isinstance(data.get("areas"), dict):
        raise LearningPathDataError("learning_paths.yml must map `areas` and `paths`")
    problems: list[str] = []
    areas = data["areas"]
    paths = {}
    low, high = STEPS_PER_PATH
    for key, entry in data["paths"].items():
        where = f"paths.{key}"
        if not isinstance(entry, dict) or not isinstance(entry.get("title"), str):
            problems.append(f"{where}: needs a title, an area, the words that ask for it, and steps")
            continue
        if entry.get("area") not in areas:
            problems.append(f"{where}: area {entry.get('area')!r} is not one of the areas {sorted(areas)}")
        asks = entry.get("asks")
        if not isinstance(asks, list) or not asks or not all(isinstance(a, str) and a.strip() for a in asks):
            problems.append(f"{where}: `asks` must list the words that ask for this path")
        steps_data = entry.get("steps") or []
        if not low <= len(steps_data) <= high:
            problems.append(f"{where}: needs {low}-{high} steps, found {len(steps_data)}")
        steps = tuple(_step(s, f"{where}.steps[{i}]", problems) for i, s in enumerate(steps_data))
        paths[key] = GuidedPath(key, _words(entry["title"]), str(entry.get("area")), steps)
    if problems:
        raise LearningPathDataError("learning_paths.yml is not valid:\n- " + "\n- ".join(problems))
    return paths


def _read() -> dict:
    try:
        return yaml.safe_load(DATA.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LearningPathDataError(f"cannot read {DATA}: {error}") from error


@lru_cache(maxsize=1)
def load_paths() -> dict[str, GuidedPath]:
    """Every guided path by key, checked word for word against the Framework once (LearningPathDataError if not)."""
    return parse_paths(_read())


@lru_cache(maxsize=1)
def areas() -> dict[str, str]:
    """The learning areas, key to title, that paths and practice cases are filed under (for progress by area)."""
    data = _read()
    return {str(key): _words(title) for key, title in (data.get("areas") or {}).items()}


@lru_cache(maxsize=1)
def _asking() -> tuple[tuple[re.Pattern, str], ...]:
    """Each phrase that asks for a path, as a whole-word pattern, longest first."""
    load_paths()
    phrases = [(_words(a).lower(), key) for key, entry in _read()["paths"].items() for a in entry["asks"]]
    phrases.sort(key=lambda item: -len(item[0]))
    return tuple((re.compile(r"\b" + re.escape(p).replace(r"\ ", r"\s+") + r"\b"), key) for p, key in phrases)


def path_for(text: str) -> GuidedPath | None:
    """The path a message asks for ("teach me screening", "what should I know in my first month?"); None if none.

    The longest phrase found decides, so "the section 120 notification" finds section 120, not referrals.
    """
    if not isinstance(text, str):
        return None
    said = " ".join(text[:500].lower().replace("\u2019", "'").split())
    for pattern, key in _asking():
        if pattern.search(said):
            return load_paths()[key]
    return None


def mark(step: PathStep, chosen: int) -> StepFeedback:
    """Whether `chosen` (an option's index) answers the step's check; either way, the passage that decides it.

    ValueError if `chosen` is not the index of one of its options.
    """
    if isinstance(chosen, bool) or not isinstance(chosen, int) or not 0 <= chosen < len(step.check.options):
        raise ValueError(f"choose one of the {len(step.check.options)} options (0-{len(step.check.options) - 1})")
    return StepFeedback(chosen == step.check.answer, step.check.decided_by, step.quote)

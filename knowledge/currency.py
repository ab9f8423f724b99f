"""The "since then" notes: which bodies and processes named in the March 2007 Framework have gone, and what replaced
them, shown apart from the Framework's own words wherever an answer quotes them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.framework import FrameworkDataError, load_framework

CURRENCY = Path(__file__).parent / "data" / "currency.yml"
HEADING = "Since then (not the Framework's words; it is quoted as written in March 2007):"
_YEAR = re.compile(r"\b(19|20)\d\d\b")
FIELDS = ("body", "mentions", "replaced_by", "since_then", "sources")


@dataclass(frozen=True)
class SinceThen:
    """One body or process of 2007 that has gone: what replaced it, and on what authority."""

    name: str
    body: str
    mentions: tuple[re.Pattern, ...]
    replaced_by: str
    since_then: str
    sources: tuple[str, ...]

    def named_in(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.mentions)

    def __str__(self) -> str:
        return f"{self.body}: {self.since_then} (Source: {'; '.join(self.sources)}.)"


@dataclass(frozen=True)
class Currency:
    """The edition the assistant quotes, and the notes on what has changed since."""

    edition: str
    notes: tuple[SinceThen, ...]


def _note(name: str, entry: object, problems: list[str]) -> SinceThen | None:
    if not isinstance(entry, dict) or set(FIELDS) - set(entry):
        problems.append(f"{name}: needs {', '.join(FIELDS)}")
        return None
    mentions = []
    for pattern in entry["mentions"] if isinstance(entry["mentions"], list) else []:
        try:
            mentions.append(re.compile(str(pattern)))
        except re.error as error:
            problems.append(f"{name}: bad pattern {pattern!r}: {error}")
    if not mentions:
        problems.append(f"{name}: mentions must list at least one pattern")
    sources = tuple(" ".join(str(s).split()) for s in entry["sources"] or ())
    if not sources or not all(_YEAR.search(source) for source in sources):
        problems.append(f"{name}: every source must be a statute or official guidance with its date (a year)")
    note = SinceThen(
        name,
        " ".join(str(entry["body"]).split()),
        tuple(mentions),
        " ".join(str(entry["replaced_by"]).split()),
        " ".join(str(entry["since_then"]).split()),
        sources,
    )
    framework = load_framework()
    passages = [*framework.paragraphs, *framework.boxes, *framework.appendices]
    if mentions and not any(note.named_in(f"{p.title}\n{p.text}") for p in passages):
        problems.append(f"{name}: the Framework never names it, so the note would never be shown")
    return note


def parse_currency(data: object) -> Currency:
    """The notes a YAML document describes; FrameworkDataError lists everything wrong with it."""
    if not isinstance(data, dict) or not isinstance(data.get("notes"), dict) or not data.get("edition"):
        raise FrameworkDataError(f"{CURRENCY.name} must give the edition and map `notes`")
    problems: list[str] = []
    notes = tuple(n for n in (_note(name, entry, problems) for name, entry in data["notes"].items()) if n)
    if problems:
        raise FrameworkDataError(f"{CURRENCY.name} is not valid:\n- " + "\n- ".join(problems))
    return Currency(" ".join(str(data["edition"]).split()), notes)


@lru_cache(maxsize=1)
def load_currency(path: Path = CURRENCY) -> Currency:
    """The edition and the "since then" notes, validated once."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FrameworkDataError(f"cannot read {path}: {error}") from error
    return parse_currency(data)


def since_then(texts: Iterable[str]) -> list[SinceThen]:
    """The notes on every body or process the given Framework text names, in the file's order."""
    joined = "\n".join(texts)
    return [note for note in load_currency().notes if note.named_in(joined)]


def since_then_lines(texts: Iterable[str]) -> list[str]:
    """The "Since then" block for an answer quoting these texts: a blank line, the heading and one line a note; or
    nothing if they name nothing that has changed."""
    notes = since_then(texts)
    return ["", HEADING, *(f"• {note}" for note in notes)] if notes else []

"""The shape every Framework decision takes (code, headline, quoted steps, citations, deadlines), how missing facts are
found, and how a decision's quoted steps are read from its data file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from itertools import product
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from knowledge.framework import load_framework

QUOTE_JOIN = " … "

REMINDER = (
    "This is decision support: the decision, and accountability for it, stay with you and your "
    "Service Manager. “Assessments and judgments must be made on an individual case-by-case basis "
    "along with decisions on the actions to be taken.” (Framework 1.14) A defensible decision means "
    "“not working in isolation or taking the most critical decisions on your own” and "
    "“appropriate use of managers and resources provided by the organisation and its partners” "
    "(Framework 1.16)."
)


@dataclass(frozen=True)
class Step:
    """One thing to do: the Framework's own words, where they are, and any note in plain words.

    `quote` is verbatim Framework text; where it joins several passages of the same paragraph
    they are separated by QUOTE_JOIN. `note` is ours (a date, or which case applies), never
    a paraphrase of the rule.
    """

    quote: str
    citation: str
    note: str = ""

    @property
    def fragments(self) -> tuple[str, ...]:
        return tuple(self.quote.split(QUOTE_JOIN))

    def __str__(self) -> str:
        quoted = f"“{self.quote}” (Framework {self.citation})"
        return f"{self.note} {quoted}" if self.note else quoted


@dataclass(frozen=True)
class Decision:
    """What the Framework requires on the facts given, and where it says so."""

    code: str
    headline: str
    steps: tuple[Step, ...]
    citations: tuple[str, ...]
    deadlines: tuple[tuple[str, date], ...] = ()

    def to_payload(self) -> dict[str, Any]:
        """The custom JSON payload an outcome message carries, which programs reading the conversation rely on:
        {"decision": code, "citations": [...], "steps": [...]} (README.md, Architecture)."""
        return {"decision": self.code, "citations": list(self.citations), "steps": [str(s) for s in self.steps]}


def say_day(day: date) -> str:
    """A day as a deadline says it: "Tuesday 29 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def say_moment(moment: datetime) -> str:
    """A moment as a deadline says it, in its own time zone's local time: "16:55 on Friday 25 December 2026"."""
    return f"{moment:%H:%M} on {say_day(moment)}"


def say_deadline(when: date) -> str:
    """A deadline's day, with its time when it has one."""
    return say_moment(when) if isinstance(when, datetime) else say_day(when)


def hours_later(moment: datetime, hours: int) -> datetime:
    """The moment `hours` of elapsed time later, in the same time zone's local time (across a clock change too)."""
    if moment.tzinfo is None:
        return moment + timedelta(hours=hours)
    return (moment.astimezone(timezone.utc) + timedelta(hours=hours)).astimezone(moment.tzinfo)


class MissingFacts(ValueError):
    """A decision was asked for before the facts that decide it were known."""

    def __init__(self, missing: list[str]):
        super().__init__("facts still needed, in asking order: " + ", ".join(missing))
        self.missing = missing


def unique(items) -> tuple:
    """The items in first-seen order, each once."""
    return tuple(dict.fromkeys(items))


def check_facts(facts: Any, allowed: Mapping[str, tuple]) -> None:
    """Fail loudly if a fact has a value outside the ones allowed (None means not yet known)."""
    for field in fields(facts):
        value = getattr(facts, field.name)
        if field.name in allowed and value is not None and value not in allowed[field.name]:
            raise ValueError(f"{field.name} must be one of {allowed[field.name]} or None, not {value!r}")


def _completions(facts: Any, allowed: Mapping[str, tuple]) -> tuple[list[str], list[Any]]:
    known = {field.name: getattr(facts, field.name) for field in fields(facts)}
    unknown = [name for name in allowed if known[name] is None]
    choices = product(*(allowed[name] for name in unknown))
    return unknown, [type(facts)(**{**known, **dict(zip(unknown, values))}) for values in choices]


def facts_still_needed(facts: Any, allowed: Mapping[str, tuple], decide: Callable[[Any], Decision]) -> list[str]:
    """The unknown facts, in the order `allowed` lists them, whose answer can still change the decision."""
    unknown, completions = _completions(facts, allowed)
    decided = [(tuple(getattr(c, name) for name in unknown), decide(c)) for c in completions]
    needed = []
    for i, name in enumerate(unknown):
        first: dict[tuple, Decision] = {}
        for values, decision in decided:
            seen = first.setdefault(values[:i] + values[i + 1 :], decision)
            if seen is not decision and seen != decision:
                needed.append(name)
                break
    return needed


def decide_when_known(facts: Any, allowed: Mapping[str, tuple], decide: Callable[[Any], Decision]) -> Decision:
    """The decision, once no unknown fact can change it; otherwise MissingFacts naming what to ask."""
    check_facts(facts, allowed)
    _, completions = _completions(facts, allowed)
    first, *others = [decide(completion) for completion in completions]
    if any(other is not first and other != first for other in others):
        raise MissingFacts(facts_still_needed(facts, allowed, decide))
    return first


class DecisionDataError(ValueError):
    """A decision's data file is missing, malformed, or does not quote the Framework word for word."""


def _quoted_step(name: str, entry: Any, problems: list[str]) -> Step:
    if not isinstance(entry, dict) or not isinstance(entry.get("citation"), str):
        problems.append(f"steps.{name}: needs a quote and a citation, found {entry!r}")
        return Step("", "")
    passages = entry.get("quote")
    passages = [passages] if isinstance(passages, str) else passages
    if not passages or not all(isinstance(p, str) and p.strip() for p in passages):
        problems.append(f"steps.{name}: the quote must be text, or a list of passages")
        return Step("", "")
    passages = [" ".join(p.split()) for p in passages]
    framework = load_framework()
    for passage in passages:
        if not framework.quotes(entry["citation"], passage):
            problems.append(f"steps.{name}: not word for word in {entry['citation']}: {passage[:70]!r}")
    return Step(QUOTE_JOIN.join(passages), entry["citation"], " ".join(str(entry.get("note", "")).split()))


class DecisionData(NamedTuple):
    """A decision's data file once checked: its quoted steps, its headlines, and any tables it holds besides."""

    steps: dict[str, Step]
    headlines: dict[str, str]
    tables: dict[str, Any]


def load_decision_data(
    path: Path, step_names: Iterable[str], headline_names: Iterable[str], table_names: Iterable[str] = ()
) -> DecisionData:
    """The quoted steps, the headlines and the named tables a decision's YAML file holds, checked against the Framework.

    The file maps `steps` names to a quote (one passage, or a list of passages of the same
    paragraph, shown joined by QUOTE_JOIN), its citation and an optional note, and `headlines`
    names to text; each of `table_names` is a further top-level key the decision reads itself
    (a table that names steps rather than quoting). Every passage must stand word for word in the
    paragraph it cites and every name the decision uses must be there; DecisionDataError lists
    everything wrong.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DecisionDataError(f"cannot read {path}: {error}") from error
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("steps"), dict)
        or not isinstance(data.get("headlines"), dict)
    ):
        raise DecisionDataError(f"{path.name} must map `steps` and `headlines`")
    problems: list[str] = []
    steps = {name: _quoted_step(name, entry, problems) for name, entry in data["steps"].items()}
    headlines = {name: " ".join(str(text).split()) for name, text in data["headlines"].items()}
    for kind, wanted, found in (("steps", step_names, steps), ("headlines", headline_names, headlines)):
        missing = sorted(set(wanted) - set(found))
        unused = sorted(set(found) - set(wanted))
        if missing:
            problems.append(f"{kind} missing: {', '.join(missing)}")
        if unused:
            problems.append(f"{kind} not used by the decision: {', '.join(unused)}")
    table_names = tuple(table_names)
    extra = sorted(set(data) - {"steps", "headlines", *table_names})
    if extra:
        problems.append(f"not used by the decision: {', '.join(extra)}")
    for name in table_names:
        if name not in data:
            problems.append(f"missing: {name}")
    if problems:
        raise DecisionDataError(f"{path.name} is not valid:\n- " + "\n- ".join(problems))
    return DecisionData(steps, headlines, {name: data[name] for name in table_names})

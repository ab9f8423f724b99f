"""The answer to each practical question area, built from verbatim Framework quotes with their citations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.answers import Answer, citation_line
from knowledge.currency import since_then_lines
from knowledge.framework import Framework, FrameworkDataError, load_framework

TOPICS = Path(__file__).parent / "data" / "topics.yml"
MAX_TITLE = 30
# Next steps a topic may offer besides other topics: the intent and its button title.
NEXT_STEPS = {
    "urgent_danger": "A child is in danger now",
    "offence_lookup": "Check an offence",
    "decide_section_120": "s120: decide for my case",
    "decide_police_check": "Police check: my case",
    "decide_referral_type": "Which referral: my case",
}


@dataclass(frozen=True)
class Quote:
    cite: str
    quote: str


@dataclass(frozen=True)
class Topic:
    name: str  # the intent that asks about it
    title: str
    cites: tuple[str, ...]
    lead: str
    points: tuple[Quote, ...]
    timescales: tuple[Quote, ...] = ()
    related: tuple[str, ...] = ()


def _quotes(entries: list[dict] | None) -> tuple[Quote, ...]:
    return tuple(Quote(str(e["cite"]), str(e["quote"]).strip()) for e in entries or ())


def validate_topics(topics: dict[str, Topic], framework: Framework) -> None:
    """Every quote must stand word for word in the passage it cites; fail naming each one that does not."""
    problems = []
    for topic in topics.values():
        if len(topic.title) > MAX_TITLE:
            problems.append(f"{topic.name}: title longer than {MAX_TITLE} characters")
        if not topic.points:
            problems.append(f"{topic.name}: no points")
        for cite in topic.cites:
            if not framework.passages(cite):
                problems.append(f"{topic.name}: cites {cite}, which is not in the Framework")
        for quote in (*topic.points, *topic.timescales):
            if not framework.quotes(quote.cite, quote.quote):
                problems.append(f"{topic.name}: not found word for word in {quote.cite}: {quote.quote[:80]!r}")
        for name in topic.related:
            if name not in topics and name not in NEXT_STEPS:
                problems.append(f"{topic.name}: related topic {name} does not exist")
    if problems:
        raise FrameworkDataError(f"{TOPICS.name} is not valid:\n- " + "\n- ".join(problems))


@lru_cache(maxsize=1)
def load_topics(path: Path = TOPICS) -> dict[str, Topic]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    topics = {
        name: Topic(
            name=name,
            title=entry["title"],
            cites=tuple(str(c) for c in entry["cites"]),
            lead=entry["lead"].strip(),
            points=_quotes(entry.get("points")),
            timescales=_quotes(entry.get("timescales")),
            related=tuple(entry.get("related", ())),
        )
        for name, entry in data["topics"].items()
    }
    validate_topics(topics, load_framework())
    return topics


def _short(cite: str) -> str:
    return f"box after {cite[4:]}" if cite.startswith("box:") else cite


def topic_answer(name: str) -> Answer:
    """The answer for a question area: what it covers, the Framework's words point by point, the timescales."""
    topics = load_topics()
    topic = topics[name]
    lines = [f"*{topic.title}*", topic.lead, ""]
    lines += [f"• {q.quote} ({_short(q.cite)})" for q in topic.points]
    if topic.timescales:
        lines += ["", "Timescales: " + "; ".join(f"{q.quote} ({_short(q.cite)})" for q in topic.timescales)]
    lines += since_then_lines(q.quote for q in (*topic.points, *topic.timescales))
    lines += ["", citation_line(topic.cites)]
    buttons = tuple((topics[r].title if r in topics else NEXT_STEPS[r], f"/{r}") for r in topic.related)
    return Answer("\n".join(lines), topic.cites, buttons)


# A question about one's own case is answered from its question area.
DECISION_TOPICS = {
    "decide_section_120": "section_120",
    "decide_police_check": "police_check",
    "decide_referral_type": "referral_types",
}


def topic_for_intent(intent: str | None) -> str | None:
    """The question area an intent asks about, or None if it is not about one."""
    if not intent:
        return None
    name = DECISION_TOPICS.get(intent, intent)
    return name if name in load_topics() else None

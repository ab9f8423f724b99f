"""Recognises a child in imminent danger (Framework 2.87) and states what to do first, then who to tell."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.currency import since_then_lines
from knowledge.framework import Framework, load_framework

PATTERNS = Path(__file__).parent / "data" / "urgent.yml"


@dataclass(frozen=True)
class UrgentSignal:
    situation: str  # immediate_risk, emergency_medical or child_left_alone
    words: str  # what in the message matched


def _compiled(patterns: list[str], where: str) -> list[re.Pattern]:
    try:
        return [re.compile(p, re.IGNORECASE | re.DOTALL) for p in patterns]
    except re.error as error:
        raise ValueError(f"{PATTERNS.name}: bad pattern under {where}: {error}") from error


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern]]:
    data = yaml.safe_load(PATTERNS.read_text(encoding="utf-8"))
    return {situation: _compiled(entry["patterns"], situation) for situation, entry in data["situations"].items()}


@lru_cache(maxsize=1)
def _not_danger() -> dict[str, list[re.Pattern]]:
    data = yaml.safe_load(PATTERNS.read_text(encoding="utf-8"))
    return {kind: _compiled(patterns, kind) for kind, patterns in data["not_danger"].items()}


# A past event told as history ("left home alone in 2019") is not danger now, unless the message also says now.
PAST = re.compile(
    r"\b((back\s+)?in\s+(19|20)\d\d|last\s+(year|month|summer|winter|spring|autumn|christmas|easter|new\s+year)|\d+\s+(years?|yrs?|months?)\s+ago|"
    r"years\s+ago|a\s+(few|couple\s+of)\s+(years|months)\s+ago|in\s+the\s+past|as\s+a\s+(child|baby|toddler)|"
    r"historic(al)?|previously|years\s+back|a\s+while\s+(ago|back)|"
    r"when\s+(he|she|they|i|the\s+(kids|children|boys|girls))\s+(was|were)\s+(little|younger|small|babies|toddlers|a\s+baby|\d+))\b",
    re.IGNORECASE,
)
# Words that place the clause they are in in the past, though too common to set a whole message aside as history.
PAST_IN_CLAUSE = re.compile(
    r"\b(last\s+week(end)?|(at|over)\s+the\s+weekend|the\s+other\s+day|used\s+to|(was|were|would)\s+often|once\s+(\w+ed|hit|held|threw|took|left|put|burnt|cut|beat|broke|tried)|since\s+(19|20)\d\d|convicted|"
    r"conviction|cautioned|remembers?\s+(seeing|being|when))\b",
    re.IGNORECASE,
)
NOW = re.compile(
    r"\b(now|tonight|today|at\s+the\s+moment|currently|just|still|this\s+(morning|afternoon|evening)|tonite|2nite|2night|"
    r"2day|rite\s+now)\b",
    re.IGNORECASE,
)
# Words of harm or of someone on the way: a message holding any of them is never taken for a calm concern.
HARM = re.compile(
    r"\b(hit\w*|hurt\w*|beat\w*|punch\w*|kick\w*|slap\w*|strangl\w*|chok\w*|knife|weapon|gun|kill\w*|threat\w*|"
    r"abus\w*|assault\w*|rap(e|ed)|sexual\w*|bruis\w*|injur\w*|bleed\w*|alone|missing|drunk|"
    r"overdos\w*|suicid\w*|danger\w*|scared|afraid|terrified|police|999|ambulance|fire|breath\w*|grabbed|snatch\w*|"
    r"took|taken|airport|flight|cut|fgm|blood|unconscious|screaming|heading|on\s+(his|her|their)\s+way|outside|door|"
    r"turned\s+up|flames|smoke|smash\w*|stab(bed|bing|s)?|burn\w*|scald\w*|drown\w*|jump\w*|ledge|balcony|seizure|fitting|floppy|"
    r"limp|collapsed|unresponsive|pills|tablets|psychotic|barricad\w*)\b",
    re.IGNORECASE,
)
# Phrases that only sound urgent: a saying, office IT or admin, a weapon locked away, a teenager home alone a while,
# an injury treated and healing.
SOUNDS_URGENT_ONLY = ("sayings", "admin", "kept_safe", "old_enough", "treated")
CLAUSE_END = re.compile(r"[.;!?,\n]|\s-\s")


def _without_over_now(text: str) -> str:
    for pattern in _not_danger()["over_now"]:
        text = pattern.sub(" ", text)
    return text


def _told_as_history(text: str, start: int, end: int) -> bool:
    """Whether the clause holding the match places it in the past, and nothing in the message says it is now (but for
    what is over now: "now in prison", "now sober")."""
    if NOW.search(_without_over_now(text)):
        return False
    before = [m.end() for m in CLAUSE_END.finditer(text, 0, start)]
    after = CLAUSE_END.search(text, end)
    clause = text[before[-1] if before else 0 : after.start() if after else len(text)]
    return bool(PAST.search(clause) or PAST_IN_CLAUSE.search(clause))


def _sounds_urgent_only(text: str, start: int, end: int) -> bool:
    """Whether the words matched are part of a phrase that only sounds urgent (an idiom, office IT, admin, a weapon
    locked away, a teenager home alone a while, an injury treated and healing)."""
    return any(
        m.start() < end and start < m.end()
        for patterns in (_not_danger()[kind] for kind in SOUNDS_URGENT_ONLY)
        for pattern in patterns
        for m in pattern.finditer(text)
    )


def _danger_now(text: str, start: int, end: int) -> bool:
    return not _told_as_history(text, start, end) and not _sounds_urgent_only(text, start, end)


def asked_in_general(text: str) -> bool:
    """Whether the message asks about danger in general or as a supposition ("if a child were..."), not now."""
    return not NOW.search(text) and any(p.search(text) for p in _not_danger()["in_general"])


def not_danger_now(text: str) -> bool:
    """Whether a message the classifier took for danger is, by its own words, not danger now: a question in
    general or a supposition, history with nothing said to be happening now (or what is over now: a prison term,
    sobriety, or history with what is over now: treated and discharged, a plan now in place), what is over now or a
    calm concern with no word of harm, or a saying, IT or admin, or a weapon locked away, that only sounds urgent.
    Only for a message in which the recogniser finds no danger now."""
    if not text or urgent_signals(text):
        return False
    over_now = any(p.search(text) for p in _not_danger()["over_now"])
    history = PAST.search(text) or (over_now and PAST_IN_CLAUSE.search(text))
    if asked_in_general(text) or (history and (over_now or not NOW.search(text))):
        return True
    calm = not NOW.search(text) and any(p.search(text) for p in _not_danger()["calm"])
    if not HARM.search(text) and (over_now or calm):
        return True
    return any(p.search(text) for kind in SOUNDS_URGENT_ONLY for p in _not_danger()[kind])


def urgent_signals(text: str) -> list[UrgentSignal]:
    """Each kind of imminent danger the message describes; empty when it describes none.

    Button payloads ("/intent...") are never free text and are not read; an event the message tells as past
    history, with nothing said to be happening now, is not danger now; nor is a question about danger in general,
    or a phrase that only sounds urgent (a saying, office IT, admin).
    """
    if not text or text.lstrip().startswith("/"):
        return []
    text = text[:5000]
    if asked_in_general(text):
        return []
    signals = []
    for situation, patterns in _patterns().items():
        for pattern in patterns:
            match = next((m for m in pattern.finditer(text) if _danger_now(text, m.start(), m.end())), None)
            if match:
                signals.append(UrgentSignal(situation, match.group(0)))
                break
    return signals


@dataclass(frozen=True)
class UrgentGuidance:
    text: str
    citations: tuple[str, ...]
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)


# Then, once the child is safe: who to tell, what to record, and the written follow-up of the referral.
FOLLOW_UP = (
    ("2.83", "In any situation"),
    ("2.95", "It is important to record"),
    ("2.103", "The information given must be confirmed in writing"),
    ("2.108", "In all situations, the practitioner must ensure"),
    ("2.106", "Where a referral is made the court should be informed"),
)
REFERRAL_STEPS = ("Referral: steps and dates", '/start_walkthrough{"walkthrough": "referral_type"}')


def _as_sentence(item: str) -> str:
    """A list item of the source as a sentence: without the list's trailing "; and" or ";"."""
    item = item.strip().removesuffix(" and").strip().rstrip(";").strip()
    return item if item.endswith(".") else item + "."


def _first_sentence(paragraph_text: str, starting: str) -> str:
    start = paragraph_text.index(starting)
    end = paragraph_text.find(". ", start)
    return paragraph_text[start : end + 1 if end != -1 else None].strip()


def urgent_guidance(framework: Framework | None = None, situations: list[str] | None = None) -> UrgentGuidance:
    """The 2.87 guidance word for word, the situation described first, then who to tell and what to record."""
    fw = framework or load_framework()
    p287 = fw.paragraph("2.87").text.replace("\n", " ")
    intro, rest = p287.split(":", 1)
    parts = [_as_sentence(b) for b in rest.split("•") if b.strip()]
    bullets = {
        "immediate_risk": parts[0],
        "emergency_medical": parts[1],
        "child_left_alone": parts[2],
    }
    order = list(dict.fromkeys((situations or []) + list(bullets)))
    lines = [
        "⚠️ Urgent action to protect a child (Framework 2.87)",
        f"{intro.strip()}:",
        *[f"• {bullets[s]}" for s in order],
        "",
        "Then:",
        *(f"• {_first_sentence(fw.paragraph(ref).text, start)} ({ref})" for ref, start in FOLLOW_UP),
        "For the dated steps of the referral (2.100-2.108, Appendix V), tap the button.",
    ]
    cited = ("2.87", *(ref for ref, _ in FOLLOW_UP))
    lines += since_then_lines(lines)
    lines += ["", "Framework " + ", ".join(cited)]
    return UrgentGuidance("\n".join(lines), cited, (REFERRAL_STEPS,))

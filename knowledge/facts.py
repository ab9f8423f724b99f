"""Reads the case facts a message states (law, application, harm box, C1A, harm and when, consent, referral), for
every walkthrough at once, and says which decisions a case described without a question calls for."""

from __future__ import annotations

import json
import re
from datetime import datetime

from knowledge.answers import Answer, citation_line
from knowledge.topics import Quote, load_topics
from knowledge.walkthroughs import Walkthrough, load_walkthroughs

# The decisions a described case is offered, in this order, and the facts that make each one apply.
TRIAGE = {
    "police_check": ("law", "application_type", "harm_raised", "question_7", "welfare_work_requested"),
    "section_120": (
        "question_7",
        "c1a_completed",
        "previously_at_risk_from_witnessing_harm",
        "still_at_risk_from_witnessing_harm",
        "other_types_of_harm",
    ),
    "referral_type": ("significant_harm", "past_significant_harm", "referral_made_at", "child_consents"),
    "screening": ("checks_not_possible_before_hearing", "screening_results_received", "case_allocated"),
}
# The question area whose first quote states the rule each walkthrough applies.
RULE_AREAS = {
    "section_120": "section_120",
    "police_check": "police_check",
    "referral_type": "referral_types",
    "screening": "screening",
    "serious_case_review": "serious_case_review",
    "staff_allegation": "allegations_against_staff",
}
# A message asks something when it has a "?", a question word, a request ("tell me", "explain") or a modal question
# ("do I", "should we"), anywhere.
QUESTION = re.compile(
    r"\?|\b(what|whats|when|where|which|who|whom|why|how|whether|wondering|unsure|not sure)\b|"
    r"^\s*(tell|explain|show|give|list|define|walk|help|is|are|can|could|should|would|will|must|shall|may|"
    r"have|has|do|does|did)\b|\b(do|does|did|should|can|could|must|shall|would|will|need|have|has|is|are)\s+"
    r"(i|we|they|you|cafcass|guardians?|parents?|the|a|an|it|there)\b|\bam i\b|\by/n\b",
    re.IGNORECASE,
)
# Where words may answer a form's question ("yes, there was domestic violence", what was said at a point of the
# record), a message asks something only by a "?", or by a clause that opens as a question or a request: a
# question word ("what's", "wat does"), a verb before its subject ("is that", "do I", "can u"), or a request
# ("show me", "pull up", "remind me"). A clause opens the message, or follows a stop, a comma, a dash or "and",
# "but", "sorry"... A question word in the middle of the message counts only with its verb ("when do", "how soon
# does"), so that "agreed, when father returns, to refer" answers; a verb before "I", "we" or "you" counts
# anywhere ("for an s17 referral do I need ...").
_WH = r"what|what's|whats|wat|wot|how|when|where|why|who|who's|whos|whose|which"
_AUX = (
    r"is|isn't|are|aren't|was|were|does|doesn't|do|don't|did|didn't|can|can't|could|should|must|shall|will|would|"
    r"may|has|have|need|am"
)
_SUBJECT = r"i|we|you|u|they|he|she|it|this|that|these|those|there|the|a|an|my|our|his|her|their|its|any|anything"
_REQUEST = (
    r"show|read|explain|define|quote|display|open|pull up|bring up|look up|tell me|remind me|give me|let me see|"
    r"lemme see|meaning of"
)
_CLAUSE = (
    r"(?:^|[.;:!,?(\u2014\u2013]\s*|\s[-=/]+\s*|\b(?:and|but|also|though|btw|so|or|then|sorry|quick question|"
    r"quick one|hang on|hold on|just)\s+)"
)
_ASKING = re.compile(
    rf"\?|^\W*(?:{_WH})\b|^\W*(?:{_AUX})\s+\w|{_CLAUSE}(?:(?:{_WH})(?:\s+\w+)?\s+(?:{_AUX})\b|(?:{_WH})'s\b|"
    rf"(?:{_AUX})\s+(?:{_SUBJECT})\b|(?:{_REQUEST})\b)|\b(?:{_AUX})\s+(?:i|we|you|u)\s+\w",
    re.IGNORECASE,
)


def read_facts(text: str, now: datetime | None = None) -> dict[str, object]:
    """Every fact the message states clearly, read as each walkthrough reads it; a fact read two ways is left out."""
    found: dict[str, object] = {}
    doubtful: set[str] = set()
    for walkthrough in load_walkthroughs().values():
        for fact, value in walkthrough.extract(text, now).items():
            if fact in found and found[fact] != value:
                doubtful.add(fact)
            found.setdefault(fact, value)
    return {fact: value for fact, value in found.items() if fact not in doubtful}


def asks_something(text: str, answering: bool = False) -> bool:
    """Whether the message asks a question, rather than only describing a case.

    `answering`: the message replies to a form's question, which words may answer, so only a "?" or a clause
    opening as a question or request counts (_ASKING), not a question word anywhere. A button's payload ("/...")
    asks nothing.
    """
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return False
    return bool((_ASKING if answering else QUESTION).search(text))


# A question about doing something, not a request to do it: "who has to agree an amendment?", "when should the
# record be made?", "does the SM need to sign it?"; never "how do I amend a record", "can you export ...", nor one
# that asks for records ("which records need my agreement?") or names one ("is record 12 agreed?").
_ASKS_ABOUT = re.compile(
    r"(?:^|[.;:!,?\u2014\u2013]\s*|\s-+\s*)(?:who|whom|whose|why|when|which|where|how (?:long|soon|often|quickly|many)|"
    r"what|does|do (?!i\b|we\b)|is|are|must|should|has|have|need)\b",
    re.IGNORECASE,
)
_ASKS_TO_DO = re.compile(
    r"\b(?:can|could|would|will) (?:you|u|i|we)\b|\bhow (?:do|can|should) (?:i|we)\b|\bhow to\b|\bplease\b|"
    r"\bpls\b|\b(?:i|we) (?:want|need|would like|'d like) to\b|\blet me\b|\bi'd like\b|"
    r"\b(?:what|which) (?:of )?(?:my |the )?records?\b|\brecord (?:no\.? ?|number )?#?\d|#\d|"
    r"\b[A-Z]{2}\d{2}[A-Z]\d{5}\b",
    re.IGNORECASE,
)


def asks_about_rather_than_to_do(text: str) -> bool:
    """Whether a message is a question about a task ("who has to agree an amendment - does the SM need to?")
    rather than a request to do it ("can you amend record 12?", "how do I export the records?")."""
    text = (text or "").strip()
    if not text or text.startswith("/") or _ASKS_TO_DO.search(text):
        return False
    return "?" in text and bool(_ASKS_ABOUT.search(text))


def decisions_for(facts: dict[str, object]) -> list[tuple[Walkthrough, dict[str, object]]]:
    """The walkthroughs a case with these facts calls for, each with the facts it would start from."""
    walkthroughs = load_walkthroughs()
    chosen = []
    for name, triggers in TRIAGE.items():
        walkthrough = walkthroughs.get(name)
        if walkthrough is None or not any(f in facts for f in triggers):
            continue
        chosen.append((walkthrough, {f: v for f, v in facts.items() if f in walkthrough.facts}))
    return chosen


def rule_in_play(
    walkthrough: str, question: str = "", intent_ranking: list[tuple[str, float]] | None = None
) -> Quote | None:
    """The Framework's words for the rule a walkthrough applies, with its paragraph: of its area's quotes, the one
    whose passage best answers the question that started it (of a paragraph's quotes, the one sharing most words
    with the question); its area's first quote when there is no question to go by (a button)."""
    from knowledge.passages import passage_ranker
    from knowledge.search import tokens

    topic = load_topics().get(RULE_AREAS.get(walkthrough, ""))
    if not topic or not topic.points:
        return None
    if not question.strip() or question.lstrip().startswith("/"):
        return topic.points[0]
    ranked = [p.citation for p in passage_ranker().rank(question, intent_ranking, limit=len(passage_ranker().refs))]
    asked = set(tokens(question))

    def order(index: int) -> tuple[int, int, int]:
        quote = topic.points[index]
        place = ranked.index(quote.cite) if quote.cite in ranked else len(ranked)
        return place, -len(asked & set(tokens(quote.quote))), index

    return topic.points[min(range(len(topic.points)), key=order)]


def start_payload(walkthrough: Walkthrough, facts: dict[str, object]) -> str:
    """The button payload that starts a walkthrough with the facts already read."""
    return "/start_walkthrough" + json.dumps({"walkthrough": walkthrough.name, "facts": facts}, separators=(",", ":"))


def triage_answer(text: str, now: datetime | None = None) -> Answer | None:
    """For a case described without a question: the facts read, and the decisions that apply as buttons, each
    starting its walkthrough from those facts. None when the message asks something or states no case facts."""
    if not text or text.lstrip().startswith("/") or asks_something(text):
        return None
    facts = read_facts(text, now)
    chosen = decisions_for(facts)
    if not chosen:
        return None
    lines = ["From what you describe:"]
    seen: set[str] = set()
    for walkthrough, known in chosen:
        for line in walkthrough.describe({f: v for f, v in known.items() if f not in seen}):
            lines.append(f"• {line}")
        seen |= set(known)
    lines += ["", "These decisions apply to a case like this; each starts from what you have said:"]
    cites = []
    for walkthrough, _ in chosen:
        rule = rule_in_play(walkthrough.name)
        if rule:
            cites.append(rule.cite)
    lines += ["", citation_line(cites)] if cites else []
    buttons = tuple((walkthrough.title, start_payload(walkthrough, known)) for walkthrough, known in chosen)
    return Answer("\n".join(lines), tuple(cites), buttons)

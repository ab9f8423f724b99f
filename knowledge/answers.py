"""What the assistant says from the Framework's text: passages asked for by number, and terms explained."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.currency import since_then_lines
from knowledge.framework import Framework, FrameworkDataError, load_framework

JARGON = Path(__file__).parent / "data" / "jargon.yml"
MAX_PASSAGES = 6


@dataclass(frozen=True)
class Answer:
    """What the assistant says: text that names its Framework paragraphs, and buttons to go on."""

    text: str
    citations: tuple[str, ...]
    buttons: tuple[tuple[str, str], ...] = field(default=())  # (title, payload)


def citation_line(cites: tuple[str, ...] | list[str]) -> str:
    """ "Framework 2.19, 2.20, Appendix III": how every guidance answer names its sources."""
    shown = [f"(box after {c[4:]})" if c.startswith("box:") else c for c in cites]
    return "Framework " + ", ".join(dict.fromkeys(shown))


def passages_answer(refs: list[str], framework: Framework | None = None) -> Answer:
    """The text of each paragraph or appendix asked for, word for word, with its heading."""
    fw = framework or load_framework()
    blocks, cited, unknown = [], [], []
    for ref in refs[:MAX_PASSAGES]:
        found = fw.passages(ref)
        if not found:
            unknown.append(ref)
            continue
        for passage in found:
            heading = f" ({passage.title})" if passage.title else ""
            blocks.append(f"*{passage.ref}*{heading}\n{passage.text}")
            for footnote in passage.footnotes:
                blocks.append(footnote)
        cited.append(ref)
        for box in fw.passages(f"box:{ref}"):
            blocks.append(f"*{box.title}* (after {ref})\n{box.text}")
    if unknown:
        ranges = ", ".join(f"{first}-{last}" for first, last in fw.section_ranges())
        blocks.append(
            f"There is no {', '.join(unknown)} in the Framework. Its paragraphs run {ranges}, "
            f"with Appendices {fw.appendices[0].ref[9:]}-{fw.appendices[-1].ref[9:]}."
        )
    if len(refs) > MAX_PASSAGES:
        blocks.append(f"(Showing the first {MAX_PASSAGES}; ask for the rest by number.)")
    notes = since_then_lines(blocks)
    if notes:
        blocks.append("\n".join(notes[1:]))
    if cited:
        blocks.append(citation_line(cited))
    return Answer("\n\n".join(blocks), tuple(cited))


@lru_cache(maxsize=1)
def load_jargon(path: Path = JARGON) -> dict[str, dict]:
    """Terms practitioners use that the Framework uses without defining, each explained by its own quotes."""
    fw = load_framework()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = []
    for term, entry in data["terms"].items():
        for quote in entry["quotes"]:
            if not fw.quotes(str(quote["cite"]), quote["quote"]):
                problems.append(f"{term}: not word for word in {quote['cite']}: {quote['quote'][:60]!r}")
    if problems:
        raise FrameworkDataError(f"{path.name} is not valid:\n- " + "\n- ".join(problems))
    return data["terms"]


def define(text: str, framework: Framework | None = None) -> Answer | None:
    """The glossary's definition, or the Framework's own words about a term it uses; None if neither has it.

    Where several terms appear ("child protection plan" and "Child"), the longest one is explained.
    """
    fw = framework or load_framework()
    words = re.findall(r"[A-Za-z0-9']+", text)
    candidates = {_key(" ".join(words[i : i + n])) for n in (1, 2, 3, 4, 5) for i in range(len(words) - n + 1)}
    found: list[tuple[int, Answer]] = []
    for term, definition in fw.glossary.items():
        if _key(term) in candidates:
            found.append((len(_key(term)), Answer(f"*{term}*: {definition}\n\nFramework, Glossary", ("Glossary",))))
    for term, entry in load_jargon().items():
        keys = [k for k in (_key(t) for t in [term, *entry.get("aliases", [])]) if k in candidates]
        if keys:
            found.append((max(len(k) for k in keys), _jargon_answer(term, entry)))
    return max(found, key=lambda item: item[0])[1] if found else None


# "what's the FJC", "who is the LADO?", "what does LACSC stand for", "meaning of FAO", "FJC?", "LSCB = ?": the words
# that may name the term asked about (a term of the glossary or of the jargon list, checked after).
_TERM = r"[\w'/&-]+(?:\s+[\w'/&-]+){0,3}?"
_TERM_ASKED = re.compile(
    rf"(?:^|[.;:!,?(\u2014\u2013]\s*|\s-+\s*|\b(?:sorry|so|and|but|or|just|again)\s+)(?:what|wat|who)"
    rf"(?:'s|s|\s+is|\s+are|\s+was|\s+does|\s+do)?\s+(?:an?\s+|the\s+)?(?P<a>{_TERM})\s*"
    rf"(?:\bstands?\s+for\b|\bmeans?\b|\bexactly\b|\bagain\b|[,?.!;:\-\u2013\u2014(]|$)|"
    rf"^\W*(?P<b>{_TERM})\s*=?\s*\?|\bmeaning of\s+(?:an?\s+|the\s+)?(?P<c>{_TERM})\s*(?:[,?.!;:]|$)|"
    rf"\b(?P<d>[A-Za-z]{{2,8}})\s+stands?\s+for\b",
    re.IGNORECASE,
)


def asks_what_term_means(text: str) -> bool:
    """Whether a message asks what a term the glossary or the jargon list explains means ("what's the FJC, I need
    to put it in the correction"), the term named on its own rather than inside a longer question."""
    if text.lstrip().startswith("/"):
        return False
    terms = {_key(t) for t in load_framework().glossary}
    terms |= {_key(t) for term, entry in load_jargon().items() for t in [term, *entry.get("aliases", [])]}
    for match in _TERM_ASKED.finditer(text):
        named = next((g for g in match.groups() if g), "")
        if _key(named) in terms:
            return True
    return False


def _key(term: str) -> str:
    return re.sub(r"[^a-z0-9]", "", term.lower())


def _jargon_answer(term: str, entry: dict) -> Answer:
    lines = [f"*{term}*" + (f" ({entry['stands_for']})" if entry.get("stands_for") else ""), ""]
    lines += [f"• {q['quote']} ({q['cite']})" for q in entry["quotes"]]
    cites = tuple(dict.fromkeys(str(q["cite"]) for q in entry["quotes"]))
    lines += ["", citation_line(cites)]
    return Answer("\n".join(lines), cites)


REPLY_BUDGET = 900  # characters a question's answer keeps to unless all of it is asked for
QUOTE_BUDGET = 620  # of which the quoted passages
SECOND_PASSAGE = 0.75  # the second passage is quoted too when it scores at least this share of the first
# A message the classifier is unsure of is answered with its nearest passage when the ranking is at least this sure
# (of a possible 1) and the message is this like a practitioners' question that passage answers (cosine). Chosen on
# the development sets: nine in ten answered so were right, and few messages outside the Framework are answered.
NEAREST_PASSAGE_FLOOR = 0.35
NEAREST_QUESTION_FLOOR = 0.35
NOT_WHAT_YOU_ASKED = "\n\nIf that isn't what you asked, put it another way, or type 'help'."
UNDEFINED_TERM = "The Framework's glossary doesn't define that, and I won't guess a definition. What it says:\n\n"
WALKTHROUGHS = ("decide_section_120", "decide_police_check", "decide_referral_type")


def _quoted(ref: str, question: str, budget: int, framework: Framework) -> str:
    """The passage word for word, or, when it is longer than the budget, its sentences closest to the question."""
    from knowledge.passages import passage_ranker, sentences
    from knowledge.search import tokens

    whole = " ".join(p.text for p in framework.passages(ref))
    if len(whole) <= budget:
        return whole
    asked = set(tokens(question))
    idf = passage_ranker().bm25.idf
    parts = sentences(whole)

    def weight(part: str) -> float:
        overlap = sum(idf.get(t, 0.0) for t in asked & set(tokens(part)))
        return overlap if overlap or not part.endswith(":") else -1.0

    order = sorted(range(len(parts)), key=lambda i: (-weight(parts[i]), i))
    chosen: list[int] = []
    used = 0
    for i in order:
        if used + len(parts[i]) > budget and chosen:
            continue
        chosen.append(i)
        used += len(parts[i]) + 3
        if used >= budget:
            break
    return " … ".join(parts[i] for i in sorted(chosen))


def question_answer(
    question: str,
    intent_ranking: list[tuple[str, float]] | None = None,
    framework: Framework | None = None,
    already: tuple[str, ...] = (),
    only_if_sure: bool = False,
) -> Answer | None:
    """The answer to a question: the one or two passages that answer it, word for word with their numbers, then a
    line naming the question area, with buttons to the area's overview, the next-best paragraphs and the walkthrough.
    Passages `already` quoted in the same reply are not quoted again. None if no passage matches at all, or, when
    `only_if_sure`, if the best is not sure enough (NEAREST_PASSAGE_FLOOR, NEAREST_QUESTION_FLOOR).
    """
    from knowledge.passages import passage_ranker
    from knowledge.topics import NEXT_STEPS, load_topics, topic_for_intent

    fw = framework or load_framework()
    ranked = passage_ranker().rank(question, intent_ranking, limit=4 + len(already))
    ranked = [passage for passage in ranked if passage.ref not in already][:4]
    if not ranked:
        return None
    if only_if_sure and (
        ranked[0].score < NEAREST_PASSAGE_FLOOR or ranked[0].closest_question < NEAREST_QUESTION_FLOOR
    ):
        return None
    quoted = [ranked[0]]
    if len(ranked) > 1 and ranked[1].score >= SECOND_PASSAGE * ranked[0].score:
        quoted.append(ranked[1])
    budget = QUOTE_BUDGET // len(quoted)
    blocks = []
    for passage in quoted:
        found = fw.passages(passage.ref)
        title = found[0].title if found else ""
        heading = f"*{passage.citation}*" + (f" ({title})" if title and not passage.ref.startswith("box:") else "")
        if passage.ref.startswith("box:"):
            heading = f"*{title}* (box after {passage.citation})"
        blocks.append(f"{heading}\n{_quoted(passage.ref, question, budget, fw)}")
    cites = tuple(dict.fromkeys(p.citation for p in quoted))
    topics = load_topics()
    area = next((topic_for_intent(name) for name, _ in intent_ranking or () if topic_for_intent(name)), None)
    if area is None:
        area = next((name for name, t in topics.items() if quoted[0].citation in t.cites), None)
    notes = since_then_lines(blocks)
    line = citation_line(cites) + (f'. More in "{topics[area].title}".' if area else ".")
    text = "\n\n".join(blocks) + ("\n" + "\n".join(notes) if notes else "") + "\n\n" + line
    buttons: list[tuple[str, str]] = []
    if area:
        buttons.append((f"More on {topics[area].title}", f"/{area}"))
    for passage in ranked[len(quoted) :][:2]:
        found = fw.passages(passage.ref)
        title = found[0].title if found and not passage.ref.startswith("box:") else ""
        buttons.append((f"{passage.citation} {title}".strip(), f'/show_paragraph{{"paragraph": "{passage.citation}"}}'))
    if area:
        for step in topics[area].related:
            if step in WALKTHROUGHS:
                buttons.append((NEXT_STEPS[step], f"/{step}"))
    return Answer(text, cites, tuple(buttons))


def nearest_answer(text: str, ranking: list[tuple[str, float]] | None) -> Answer | None:
    """For a message the classifier is unsure of: the passages that answer it when their ranking is sure enough,
    with a line inviting the person to put it another way; None when it is not (then the likeliest areas are offered).
    """
    answer = question_answer(text, ranking, only_if_sure=True)
    if answer is None:
        return None
    return Answer(answer.text + NOT_WHAT_YOU_ASKED, answer.citations, answer.buttons)


def undefined_term_answer(text: str, ranking: list[tuple[str, float]] | None) -> Answer | None:
    """For a term the glossary does not define: said so, then the passages that best answer the words used."""
    answer = question_answer(text, ranking)
    if answer is None:
        return None
    return Answer(UNDEFINED_TERM + answer.text, answer.citations, answer.buttons)

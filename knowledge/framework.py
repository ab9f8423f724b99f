"""The Framework as structured data: paragraphs, boxes, glossary and appendices, loaded and validated once."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "framework.json"
SOURCE = Path(__file__).parent / "source" / "framework.txt"

# The source numbers two paragraphs 1.14; any other repeated number is an ingest error.
EXPECTED_DUPLICATES = {"1.14": 2}
SECTIONS = ("1", "2", "3", "4")
APPENDICES = ("I", "II", "III", "IV", "V")
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}

_PARAGRAPH_REF = re.compile(r"(?<![\d.])([1-4])\.(\d{1,3})(?:\s*(?:-|–|to)\s*(?:([1-4])\.)?(\d{1,3}))?(?!\.?\d)")
_APPENDIX_REF = re.compile(r"\bappendix\s+(iv|v|i{1,3}|[1-5])\b", re.IGNORECASE)

# Words that ask to see a paragraph named in the message ("show me", "pull up", "what does 2.82 say", "check")...
_SEEING = re.compile(
    r"\b(show|see|read|pull|bring|open|display|quote|check|look|say|says|said|text|wording|words|verbatim|exactly)\b",
    re.IGNORECASE,
)
# ...and the words around a paragraph's number that ask for nothing else ("para 2.18 quickly?", "2.19 pls").
_FILLER = set(
    "para paras paragraph paragraphs please pls plz quickly quick again the me can could u you i whats what's what "
    "in at of framework full appendix".split()
)


def asks_for_paragraph(text: str) -> bool:
    """Whether a message asks to see a paragraph or appendix it names by number: "can u show me 2.19 pls",
    "pull up 2.83", "what's 2.81 again", "para 2.18?", "2.19?"; not "under 2.87 do I call the police?"."""
    if text.lstrip().startswith("/"):
        return False
    rest = _APPENDIX_REF.sub(" ", _PARAGRAPH_REF.sub(" ", text))
    if rest == text:
        return False
    if _SEEING.search(rest):
        return True
    return len([w for w in re.findall(r"[a-z']+", rest.lower()) if w not in _FILLER]) == 0


class FrameworkDataError(ValueError):
    """The structured Framework is missing, stale or inconsistent with its source."""


@dataclass(frozen=True)
class Passage:
    """One citable piece of the Framework: a paragraph, a box or table, or an appendix."""

    ref: str  # "2.81", "box:2.33", "Appendix II"
    title: str  # the heading it sits under, or the box / appendix title
    text: str
    section: str = ""
    footnotes: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        """How an answer names this passage: "2.81", "the box after 2.33", "Appendix II"."""
        if self.ref.startswith("box:"):
            return f"the box after {self.ref[4:]}"
        return self.ref


_MARKUP = re.compile(r"[*•|]|^\s*-\s+|</?u>", re.MULTILINE)


def normalise(text: str) -> str:
    """Text as compared for quoting: no list markers or emphasis, curly quotes straight, spaces folded."""
    text = _MARKUP.sub(" ", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def _order(number: str) -> tuple[int, int]:
    major, minor = number.split(".")
    return int(major), int(minor)


class Framework:
    """Read-only access to every citable passage of the Framework."""

    def __init__(self, data: dict):
        self.sha256 = data["sha256"]
        self.paragraphs = [
            Passage(p["number"], p["heading"] or "", p["text"], p["section"], tuple(p.get("footnotes", ())))
            for p in data["paragraphs"]
        ]
        self.boxes = [Passage(f"box:{b['after']}", b["title"], b["text"], b["section"] or "") for b in data["boxes"]]
        self.appendices = [Passage(f"Appendix {a['number']}", a["title"], a["text"]) for a in data["appendices"]]
        self.glossary = {g["term"]: g["definition"] for g in data["glossary"]}
        self._by_ref: dict[str, list[Passage]] = {}
        for passage in [*self.paragraphs, *self.boxes, *self.appendices]:
            self._by_ref.setdefault(passage.ref, []).append(passage)

    def passages(self, ref: str) -> list[Passage]:
        """Every passage with this reference ("1.14" has two); empty if there is none."""
        return list(self._by_ref.get(ref, []))

    def paragraph(self, number: str) -> Passage:
        """The paragraph with this number (the first, where the source repeats a number)."""
        found = self._by_ref.get(number)
        if not found:
            raise KeyError(f"no paragraph {number} in the Framework")
        return found[0]

    def appendix(self, number: str) -> Passage:
        return self.paragraph(f"Appendix {number}")

    def text_of(self, ref: str) -> str:
        """All the text under a reference, boxes that follow a paragraph included."""
        return "\n".join(p.text for p in self.passages(ref))

    def quotes(self, ref: str, quote: str) -> bool:
        """Whether `quote` stands word for word in the passage(s) under `ref`, its heading included."""
        needle = normalise(quote)
        return bool(needle) and any(
            needle in normalise(p.text) or needle in normalise(p.title) for p in self.passages(ref)
        )

    def section_ranges(self) -> list[tuple[str, str]]:
        """The first and last paragraph number of each section."""
        ranges: dict[str, list[str]] = {}
        for p in self.paragraphs:
            ranges.setdefault(p.ref.split(".")[0], []).append(p.ref)
        return [(refs[0], refs[-1]) for refs in ranges.values()]

    def paragraph_range(self, first: str, last: str) -> list[Passage]:
        low, high = _order(first), _order(last)
        return [p for p in self.paragraphs if low <= _order(p.ref) <= high]

    def references_in(self, text: str) -> list[str]:
        """The paragraph and appendix references a message asks for, in the order given.

        "2.81" and "para 2.81", ranges "2.100-2.103" / "2.81 to 2.84", and "appendix V" /
        "appendix 5". Numbers that are not in the Framework are returned too, so the caller
        can say they do not exist.
        """
        found: list[tuple[int, str]] = []
        for m in _PARAGRAPH_REF.finditer(text):
            first = f"{m.group(1)}.{int(m.group(2))}"
            if m.group(4) is None:
                found.append((m.start(), first))
                continue
            last = f"{m.group(3) or m.group(1)}.{int(m.group(4))}"
            inside = self.paragraph_range(first, last) if _order(first) <= _order(last) else []
            refs = list(dict.fromkeys(p.ref for p in inside)) or [first]
            found.extend((m.start(), r) for r in refs[:12])
        for m in _APPENDIX_REF.finditer(text):
            number = m.group(1).upper()
            found.append((m.start(), f"Appendix {ROMAN.get(number, number)}"))
        return list(dict.fromkeys(ref for _, ref in sorted(found, key=lambda item: item[0])))


def validate(data: dict, source_text: str | None) -> None:
    """Fail loudly, naming what is wrong, if the data is not a whole and faithful Framework."""
    problems: list[str] = []
    if source_text is not None:
        digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
        if digest != data.get("sha256"):
            problems.append("framework.json is stale: re-run `python -m knowledge.ingest`")
    counts: dict[str, int] = {}
    for p in data.get("paragraphs", []):
        counts[p["number"]] = counts.get(p["number"], 0) + 1
        if not p.get("text", "").strip():
            problems.append(f"paragraph {p['number']} has no text")
    for number, count in counts.items():
        if count != EXPECTED_DUPLICATES.get(number, 1):
            problems.append(f"paragraph {number} appears {count} times")
    for number, count in EXPECTED_DUPLICATES.items():
        if counts.get(number, 0) != count:
            problems.append(f"paragraph {number} should appear {count} times, found {counts.get(number, 0)}")
    for section in SECTIONS:
        minors = sorted(_order(n)[1] for n in counts if n.split(".")[0] == section)
        if not minors:
            problems.append(f"section {section} has no paragraphs")
            continue
        missing = sorted(set(range(1, minors[-1] + 1)) - set(minors))
        if missing:
            problems.append(f"section {section} is missing " + ", ".join(f"{section}.{m}" for m in missing))
    numbers = [a["number"] for a in data.get("appendices", [])]
    if tuple(numbers) != APPENDICES:
        problems.append(f"appendices should be {', '.join(APPENDICES)}; found {', '.join(numbers) or 'none'}")
    if not data.get("glossary"):
        problems.append("the glossary is empty")
    if problems:
        raise FrameworkDataError("Framework data is not valid:\n- " + "\n- ".join(problems))


@lru_cache(maxsize=1)
def load_framework(path: Path = DATA, source: Path = SOURCE) -> Framework:
    """The validated Framework; raises FrameworkDataError if anything is missing or stale."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FrameworkDataError(f"cannot read {path}: {error}") from error
    validate(data, source.read_text(encoding="utf-8") if source.exists() else None)
    return Framework(data)

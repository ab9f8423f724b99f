"""Turns the Framework's source text into the structured data the assistant answers from.

Run `python -m knowledge.ingest` after replacing knowledge/source/framework.txt with a
revised Framework: it rewrites knowledge/data/framework.json (paragraphs with their
section and heading, the unnumbered boxes and tables, the glossary and the appendices)
and the offence schedule. Loading (knowledge.framework) validates what this writes.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

SOURCE = Path(__file__).parent / "source" / "framework.txt"
OUTPUT = Path(__file__).parent / "data" / "framework.json"

SECTION_LINE = re.compile(r"^([1-4]) ([A-Z].*)$")
PARAGRAPH_LINE = re.compile(r"^(?:[-•]\s+)?([1-4])\.(\d{1,3})\s+(.*)$")
BULLET_LINE = re.compile(r"^\s*(?:[-•]|\d+\.|\([a-z0-9]+\))\s+")
APPENDIX_MARK = "Cafcass Safeguarding Framework"
APPENDIX_LIST_LINE = re.compile(r"^\s*(?:-\s+)?(I|II|III|IV|V)\.\s")
APPENDIX_NUMBERS = ["I", "II", "III", "IV", "V"]
TAG = re.compile(r"<[^>]+>")
FOOTNOTE_LINE = re.compile(r"^[¹²³]\s")
EMPHASIS = re.compile(r"(\*\*|\*|</?u>)")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def clean(line: str) -> str:
    """One source line as plain text: no markup, tables' cells and list items on their own lines."""
    line = LINK.sub(r"\1", line)
    line = re.sub(r"</?(li|p|tr)[^>]*>", "\n", line)
    line = TAG.sub(" ", line)
    line = EMPHASIS.sub("", line)
    line = line.replace("⇒", "\n•").replace("\t", " | ")
    parts = [re.sub(r"\s+", " ", p).strip() for p in line.split("\n")]
    return "\n".join(p for p in parts if p)


def is_heading(line: str) -> bool:
    """A heading is a short capitalised line that does not end a sentence or introduce a list."""
    text = line.strip()
    if not text or BULLET_LINE.match(text) or PARAGRAPH_LINE.match(text):
        return False
    if len(text) > 120 or text[-1] in ".:;," or not text[0].isupper():
        return False
    return True


def _bullet(line: str) -> str:
    text = clean(line)
    if BULLET_LINE.match(line):
        text = "• " + BULLET_LINE.sub("", text, count=1)
    return text


def parse_glossary(lines: list[str]) -> list[dict]:
    entries = []
    for line in lines:
        if "\t" not in line:
            continue
        term, definition = line.split("\t", 1)
        entries.append({"term": term.strip(), "definition": clean(definition)})
    footnotes = [clean(line) for line in lines if line.startswith("¹")]
    for entry in entries:
        if entry["definition"].endswith("¹") and footnotes:
            entry["definition"] = entry["definition"].rstrip("¹ ").strip()
            entry["note"] = footnotes[0].lstrip("¹ ").strip()
    return entries


def parse_body(lines: list[str]) -> tuple[list[dict], list[dict], list[dict]]:
    """Numbered paragraphs, the sections they sit in, and the unnumbered blocks between them."""
    sections: list[dict] = []
    paragraphs: list[dict] = []
    boxes: list[dict] = []
    section = heading = None
    current: dict | None = None
    box: dict | None = None
    blank_run = 0

    def close_box():
        nonlocal box
        if box and box["text"]:
            box["text"] = "\n".join(box["text"])
            boxes.append(box)
        box = None

    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            blank_run += 1
            continue
        after_gap, blank_run = blank_run > 0, 0
        match_section = SECTION_LINE.match(line)
        match_paragraph = PARAGRAPH_LINE.match(line)
        if match_section and not match_paragraph:
            close_box()
            section = {"number": match_section.group(1), "title": clean(match_section.group(2))}
            sections.append(section)
            heading, current = section["title"], None
            continue
        if match_paragraph and section and match_paragraph.group(1) == section["number"]:
            close_box()
            number = f"{match_paragraph.group(1)}.{match_paragraph.group(2)}"
            current = {
                "number": number,
                "section": f"{section['number']} {section['title']}",
                "heading": heading,
                "lines": [clean(match_paragraph.group(3))],
            }
            paragraphs.append(current)
            continue
        if after_gap and is_heading(line):
            close_box()
            title = clean(line)
            if "\t" in line:
                title = " / ".join(cell.strip() for cell in title.split("|") if cell.strip())
            else:
                heading = title
            current = None
            box = {
                "title": title,
                "after": paragraphs[-1]["number"] if paragraphs else None,
                "section": f"{section['number']} {section['title']}" if section else None,
                "text": [],
            }
            continue
        if FOOTNOTE_LINE.match(line) and current is not None:
            current.setdefault("footnotes", []).append(clean(line))
        elif current is not None:
            current["lines"].append(_bullet(line))
        elif box is not None:
            box["text"].append(_bullet(line))
    close_box()
    for paragraph in paragraphs:
        paragraph["text"] = "\n".join(line for line in paragraph.pop("lines") if line)
    _attach_footnotes(paragraphs)
    return sections, paragraphs, boxes


def _attach_footnotes(paragraphs: list[dict]) -> None:
    """A footnote sits wherever the page broke; it belongs to the paragraph bearing its mark."""
    for holder in paragraphs:
        for note in holder.pop("footnotes", []):
            mark = note[0]
            owner = next((p for p in paragraphs if mark in p["text"]), holder)
            owner.setdefault("footnotes", []).append(note)


def parse_appendices(lines: list[str]) -> list[dict]:
    blocks: list[list[str]] = []
    for line in lines:
        if line.strip() == APPENDIX_MARK:
            blocks.append([])
        elif blocks:
            blocks[-1].append(line)
    if len(blocks) != len(APPENDIX_NUMBERS):
        raise ValueError(f"expected {len(APPENDIX_NUMBERS)} appendices, found {len(blocks)}")
    appendices = []
    for number, block in zip(APPENDIX_NUMBERS, blocks):
        body = [
            line for line in block if line.strip() and line.strip() != "APPENDIX" and not APPENDIX_LIST_LINE.match(line)
        ]
        title = clean(body[0])
        text = "\n".join(_bullet(line) for line in body[1:])
        appendices.append({"number": number, "title": title, "text": text})
    return appendices


def ingest(source: Path = SOURCE) -> dict:
    raw = source.read_text(encoding="utf-8")
    lines = raw.splitlines()
    glossary_start = next(i for i, line in enumerate(lines) if line.strip() == "Glossary" and i > 150)
    body_start = next(i for i, line in enumerate(lines) if SECTION_LINE.match(line) and i > glossary_start)
    appendix_start = next(i for i, line in enumerate(lines) if line.strip() == APPENDIX_MARK)
    sections, paragraphs, boxes = parse_body(lines[body_start:appendix_start])
    return {
        "source": source.name,
        "sha256": hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        "sections": sections,
        "paragraphs": paragraphs,
        "boxes": boxes,
        "glossary": parse_glossary(lines[glossary_start + 1 : body_start]),
        "appendices": parse_appendices(lines[appendix_start:]),
    }


def main() -> None:
    from knowledge.offence_schedule import write_schedule

    data = ingest()
    OUTPUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{OUTPUT}: {len(data['paragraphs'])} paragraphs, {len(data['boxes'])} boxes, "
        f"{len(data['glossary'])} glossary terms, {len(data['appendices'])} appendices"
    )
    schedule = write_schedule()
    print(f"offence schedule: {len(schedule['rows'])} rows")


if __name__ == "__main__":
    main()

"""The structured Framework: every paragraph present once (1.14 twice), faithful to the source, and citable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from knowledge.framework import FrameworkDataError, load_framework, normalise, validate
from knowledge.ingest import SOURCE, ingest

LAST_PARAGRAPH = {"1": 28, "2": 114, "3": 92, "4": 31}  # as the source prints them


@pytest.fixture(scope="module")
def fw():
    return load_framework()


def test_every_numbered_paragraph_is_there_once_and_1_14_twice(fw):
    numbers = [p.ref for p in fw.paragraphs]
    expected = [f"{s}.{n}" for s, last in LAST_PARAGRAPH.items() for n in range(1, last + 1)]
    expected.insert(expected.index("1.14"), "1.14")
    assert numbers == expected


def test_the_stored_data_is_what_the_source_ingests_to():
    stored = json.loads((Path(SOURCE).parent.parent / "data" / "framework.json").read_text())
    assert stored == ingest()


def test_every_paragraph_in_the_source_is_in_the_data(fw):
    source = SOURCE.read_text(encoding="utf-8")
    first_words = re.findall(r"^(?:[-•]\s+)?([1-4]\.\d{1,3})[ \t]+(\S+(?:[ \t]+\S+){0,2})", source, re.MULTILINE)
    assert len(first_words) == len(fw.paragraphs)
    for number, words in first_words:
        assert any(normalise(words) in normalise(p.text) for p in fw.passages(number)), number


@pytest.mark.parametrize(
    "ref,words",
    [
        ("2.82", "An agreed record of the discussion should be kept on the case file."),
        ("2.103", "within one working day"),
        ("2.104", "within three working days"),
        ("2.87", "if a child has been left alone, the practitioner should act to protect the child"),
        ("3.75", "written explicit consent"),
        ("4.19", "Local Authority Designated Officer"),
        ("box:2.33", "A chronology of previous contacts and concerns should be prepared"),
        ("box:2.67", "there are no absolute criteria to rely on"),
        ("box:4.6", "Under no circumstances will Cafcass practitioners interview children in their cars."),
        ("box:1.24", "Tier 4"),
        ("Appendix III", "Notify the court that C1A form has not been completed as required"),
        (
            "Appendix V",
            "Where a child welfare (protection) referral is made, this is followed up in writing within 24 hours.",
        ),
    ],
)
def test_paragraphs_boxes_and_appendices_quote_the_source(fw, ref, words):
    assert fw.quotes(ref, words)


def test_a_quote_that_is_not_in_the_paragraph_is_refused(fw):
    assert not fw.quotes("2.103", "within two working days")
    assert not fw.quotes("2.103", "")
    assert not fw.quotes("9.99", "anything")


def test_headings_and_sections(fw):
    p = fw.paragraph("2.81")
    assert p.title == "Communication with Service Manager"
    assert p.section == "2 Safeguarding Children and Families"
    assert [x.title for x in fw.passages("1.14")] == [
        "Who is accountable for safeguarding children within Cafcass?",
        "Accountability and 'defensible decision-making'",
    ]
    assert fw.paragraph("3.42").title == "The securing of case files"


def test_footnotes_stay_with_the_paragraph_that_marks_them(fw):
    assert fw.paragraph("2.18").footnotes and not fw.paragraph("2.19").footnotes
    assert "child protection plan" in fw.paragraph("3.67").footnotes[0]


def test_glossary(fw):
    assert fw.glossary["LACSC"].startswith("Local Authority Children's Social Care")
    assert fw.glossary["FCA"] == "Family Court Adviser (employed Cafcass practitioner)"
    assert len(fw.glossary) == 31


@pytest.mark.parametrize(
    "text,refs",
    [
        ("show me 2.81", ["2.81"]),
        ("what does para 3.75 say", ["3.75"]),
        ("read me appendix V", ["Appendix V"]),
        ("appendix 2 please", ["Appendix II"]),
        ("2.100-2.103", ["2.100", "2.101", "2.102", "2.103"]),
        ("paragraphs 2.81 to 2.84", ["2.81", "2.82", "2.83", "2.84"]),
        ("2.104?", ["2.104"]),
        ("case ZW25P01234 2.9.5", []),
        ("section 47 of the children act", []),
    ],
)
def test_references_in_a_message(fw, text, refs):
    assert fw.references_in(text) == refs


def _broken(data: dict, change) -> dict:
    copy = json.loads(json.dumps(data))
    change(copy)
    return copy


@pytest.mark.parametrize(
    "change,complaint",
    [
        (lambda d: d["paragraphs"].pop(100), "missing 2.72"),
        (lambda d: d["paragraphs"].append(dict(d["paragraphs"][50])), "appears 2 times"),
        (lambda d: d["paragraphs"].pop(14), "should appear 2 times"),
        (lambda d: d["appendices"].pop(), "appendices should be"),
        (lambda d: d["glossary"].clear(), "glossary is empty"),
        (lambda d: d.update(sha256="0" * 64), "stale"),
    ],
)
def test_loading_fails_loudly_naming_what_is_wrong(change, complaint):
    data = ingest()
    source = SOURCE.read_text(encoding="utf-8")
    validate(data, source)
    with pytest.raises(FrameworkDataError, match=re.escape(complaint)):
        validate(_broken(data, change), source)

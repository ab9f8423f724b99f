"""Checks that every topic answer in knowledge/data/topics.yml quotes the Framework verbatim, from the paragraph it
cites."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "knowledge" / "source" / "framework.txt"
TOPICS_FILE = ROOT / "knowledge" / "data" / "topics.yml"

TOPIC_INTENTS = {
    "screening",
    "police_check",
    "risk_identification",
    "safety_assessment",
    "common_assessment_framework",
    "referral_types",
    "referral_to_lacsc",
    "service_manager_discussion",
    "child_protection_register",
    "discussion_with_child",
    "recording",
    "involving_parents",
    "strategy_discussion",
    "unresolved_concerns",
    "case_terminology",
    "domestic_violence",
    "direct_work_with_children",
    "local_safeguarding_children_boards",
    "mappa",
    "marac",
    "child_protection_conference",
    "serious_case_review",
    "information_sharing",
    "extended_checks",
    "allegations_against_staff",
    "staff_care",
    "tiers_of_need",
    "defensible_decisions",
    "accountability",
    "human_rights",
    "supervision",
    "section_120",
    "significant_harm",
    "risk_to_children",
}
DECISION_INTENTS = {"decide_section_120", "decide_police_check", "decide_referral_type"}
OTHER_INTENTS = {
    "urgent_danger",
    "show_paragraph",
    "define_term",
    "offence_lookup",
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "help",
    "bot_challenge",
    "out_of_scope",
}
ALL_INTENTS = TOPIC_INTENTS | DECISION_INTENTS | OTHER_INTENTS
TOPIC_KEYS = {"title", "cites", "lead", "points", "timescales", "related"}
APPENDICES = ["I", "II", "III", "IV", "V"]

FOOTNOTE_LINE = re.compile(r"^[¹²³]\s")
PARAGRAPH_LINE = re.compile(r"^(?:[-•]\s+)?([1-4]\.\d{1,3})\s")
SECTION_LINE = re.compile(r"^[1-4] [A-Z]")
APPENDIX_MARK = "Cafcass Safeguarding Framework"
LIST_MARKER = re.compile(r"^\s*(?:[-•]\s+)+")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MARKUP = re.compile(r"<[^>]+>|[•⇒]")
WORD = "A-Za-z0-9"


def normalise(text: str) -> str:
    """Text as words only: list markers, bullets, tags and emphasis marks dropped, whitespace collapsed."""
    text = "\n".join(LIST_MARKER.sub("", line) for line in text.splitlines())
    text = MARKUP.sub(" ", LINK.sub(r"\1", text)).replace("*", "")
    return " ".join(text.split())


@lru_cache(maxsize=1)
def source_lines() -> tuple[str, ...]:
    """The Framework's lines, without the footnotes that sit wherever a page broke."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    return tuple(line for line in lines if not FOOTNOTE_LINE.match(line))


def cited_regions(cite: str) -> list[tuple[int, str]]:
    """Where a cite may be quoted from, as (first line, normalised text) for each place it names.

    A paragraph runs from its number to the next numbered paragraph, section or appendix;
    "box:N" is what follows paragraph N's first line up to that same end; "Appendix N" runs
    from its "Cafcass Safeguarding Framework" title page to the next one. A number the
    Framework uses twice (1.14) names both places.
    """
    lines = source_lines()
    starts, appendix = [], iter(APPENDICES)
    for index, line in enumerate(lines):
        paragraph = PARAGRAPH_LINE.match(line)
        if paragraph:
            starts.append((index, paragraph.group(1)))
        elif SECTION_LINE.match(line):
            starts.append((index, None))
        elif line.strip() == APPENDIX_MARK:
            starts.append((index, f"Appendix {next(appendix)}"))
    ends = [index for index, _ in starts[1:]] + [len(lines)]
    box = cite.startswith("box:")
    wanted = cite.removeprefix("box:")
    skip = 1 if box else 0
    return [
        (start + skip, normalise("\n".join(lines[start + skip : end])))
        for (start, name), end in zip(starts, ends)
        if name == wanted and not (box and name.startswith("Appendix"))
    ]


def quoted_in(cite: str, quote: str) -> bool:
    """Whether the quote is a run of whole words inside the cited region."""
    pattern = re.compile(rf"(?<![{WORD}]){re.escape(normalise(quote))}(?![{WORD}])")
    return any(pattern.search(text) for _, text in cited_regions(cite))


@lru_cache(maxsize=1)
def topics() -> dict:
    """The topics from knowledge/data/topics.yml, by intent."""
    data = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    assert data["version"] == 1
    return data["topics"]


def all_quotes():
    for intent, topic in topics().items():
        for kind in ("points", "timescales"):
            for number, item in enumerate(topic.get(kind, []), 1):
                yield pytest.param(item["cite"], item["quote"], id=f"{intent}-{kind}-{number}")


# The region helper itself, checked against the Framework text.


def test_paragraph_region_runs_to_the_next_numbered_paragraph():
    [(_, text)] = cited_regions("2.104")
    assert text.startswith("2.104 If the practitioner has not heard back")
    assert text.endswith("request a timescale for response.")


def test_paragraph_region_runs_across_a_page_break():
    [(_, text)] = cited_regions("2.15")
    assert text.endswith("A relevant adult is defined at 3.73 (below).")


def test_box_region_starts_after_the_paragraph_line():
    [(_, text)] = cited_regions("box:2.33")
    assert text.startswith("KEY ELEMENTS FOR CAF/CASS SAFETY ASSESSMENTS")
    assert "Use the CAF form to identify needs beyond immediate safety issues." in text
    assert "The CAF is a mechanism" not in text


def test_appendix_region_is_its_own_appendix():
    [(_, text)] = cited_regions("Appendix III")
    assert "Pathway for action on receipt of private law applications" in text
    assert "Serious Case Review Flowchart" not in text


def test_last_paragraph_stops_before_the_appendices():
    [(_, text)] = cited_regions("4.31")
    assert text.endswith("must be fully recorded.")


def test_the_framework_numbers_1_14_twice():
    assert len(cited_regions("1.14")) == 2


def test_a_footnote_does_not_split_a_list():
    assert quoted_in("3.70", "include:\n- Health\n- Women's Aid\n- Adult Services\n- Probation")


def test_quotes_that_are_not_the_framework_are_rejected():
    assert quoted_in("2.103", "within one working day")
    assert not quoted_in("2.103", "within two working days")
    assert not quoted_in("2.103", "within three working days")  # 2.104's words, not 2.103's
    assert not quoted_in("2.104", "within three work")  # a cut must end on a whole word
    assert not quoted_in("box:2.33", "This work is sometimes undertaken by Cafcass")  # 2.33 itself
    assert not quoted_in("9.99", "Cafcass")


# The topic data.


def test_every_topic_intent_has_an_entry_and_nothing_else():
    assert set(topics()) == TOPIC_INTENTS


@pytest.mark.parametrize("intent", sorted(TOPIC_INTENTS))
def test_topic_shape(intent):
    topic = topics()[intent]
    assert set(topic) <= TOPIC_KEYS and {"title", "cites", "lead", "points", "related"} <= set(topic)
    assert 0 < len(topic["title"]) <= 30
    lead = topic["lead"]
    assert lead.endswith(".") and ". " not in lead and "\n" not in lead, "lead is one sentence"
    assert 3 <= len(topic["points"]) <= 10
    if "timescales" in topic:
        assert topic["timescales"], "omit timescales rather than leave them empty"
    for item in topic["points"] + topic.get("timescales", []):
        assert set(item) == {"cite", "quote"}


@pytest.mark.parametrize("intent", sorted(TOPIC_INTENTS))
def test_cites_are_real_and_in_reading_order(intent):
    topic = topics()[intent]
    cites = topic["cites"]
    for cite in cites:
        regions = cited_regions(cite)
        assert regions and all(text for _, text in regions), f"{cite} is not in the Framework"
    assert len(set(cites)) == len(cites)
    positions = [cited_regions(cite)[-1][0] for cite in cites]
    assert positions == sorted(positions), f"{cites} is not in reading order"
    used = {item["cite"] for item in topic["points"] + topic.get("timescales", [])}
    assert used == set(cites), "cites lists exactly the paragraphs the points and timescales quote"


@pytest.mark.parametrize("intent", sorted(TOPIC_INTENTS))
def test_related_names_other_real_intents(intent):
    related = topics()[intent]["related"]
    assert 1 <= len(related) <= 3 and len(set(related)) == len(related)
    assert set(related) <= ALL_INTENTS - {intent}


@pytest.mark.parametrize(("cite", "quote"), all_quotes())
def test_quote_is_verbatim_from_its_paragraph(cite, quote):
    assert "..." not in quote.replace("[...]", "") and "…" not in quote, "no elisions"
    assert quoted_in(cite, quote), f"not found verbatim in {cite}: {normalise(quote)!r}"


@pytest.mark.parametrize(
    "intent, cite, words",
    [
        ("referral_to_lacsc", "Appendix V", "this is followed up in writing within 24 hours"),
        ("section_120", "Appendix III", "Box ticked no C1A form not required None"),
        ("section_120", "Appendix III", "relates to other types of harm (physical, sexual, emotional abuse"),
        ("screening", "2.17", "if an adult has been known by more than one name"),
        ("recording", "2.75", "full information is available in the child's file"),
        ("recording", "2.82", "An agreed record of the discussion should be kept on the case file."),
        ("serious_case_review", "3.29", "if in doubt these procedures should be followed"),
        ("serious_case_review", "3.32", "The need to provide support to those involved should be considered"),
        ("serious_case_review", "3.44", "secured at any earlier point if consideration is being given"),
        ("information_sharing", "3.62", "You should always record the reasons for your decision"),
        ("information_sharing", "3.62", "You should seek advice where you are in doubt"),
        ("information_sharing", "3.65", "Advice in specific individual situations can be obtained from Cafcass Legal"),
        ("direct_work_with_children", "2.51", "should make a priority of making an introductory visit to the child"),
    ],
)
def test_the_topics_cover_what_practitioners_need(intent, cite, words):
    items = topics()[intent]["points"] + topics()[intent].get("timescales", [])
    assert any(item["cite"] == cite and words in normalise(item["quote"]) for item in items)

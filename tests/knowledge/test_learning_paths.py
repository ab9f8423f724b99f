"""Guided learning paths: every quote word for word, every note drawn from the Framework's own terms, every check
answerable, the right path found for what people ask, and a wrong answer given the passage that decides it."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from knowledge.framework import load_framework
from knowledge.learning_paths import (
    DATA,
    MAX_OPTION,
    LearningPathDataError,
    areas,
    load_paths,
    mark,
    parse_paths,
    path_for,
)
from tests.knowledge.conftest import norm, source_text

REQUIRED_AREAS = {
    "first_month",
    "screening",
    "section_120",
    "referrals",
    "service_manager",
    "urgent_action",
    "direct_work",
    "information_sharing",
    "serious_case_review",
    "staff_allegations",
}


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def test_every_required_area_has_a_path_of_four_to_six_steps():
    paths = load_paths()
    assert REQUIRED_AREAS <= {path.area for path in paths.values()}
    assert set(areas()) >= REQUIRED_AREAS
    for path in paths.values():
        assert 4 <= len(path.steps) <= 6, path.key


def test_every_quote_stands_word_for_word_in_its_paragraph_and_the_source():
    fw = load_framework()
    for path in load_paths().values():
        for step in path.steps:
            passage = norm(" ".join(f"{p.title} {p.text}" for p in fw.passages(step.cite)))
            quote = norm(step.quote.replace("•", " "))
            assert " ".join(quote.split()) in " ".join(passage.replace("•", " ").split()), (path.key, step.cite)
            assert fw.quotes(step.cite, step.quote)
            # Bullets and table cells (" | " in framework.json, tabs in the source) are compared piece by piece.
            for words in re.split(r"[•|]", step.quote):
                assert norm(words) in source_text(), (path.key, step.cite, words[:60])


def test_every_check_has_one_valid_answer_decided_by_its_own_passage():
    for path in load_paths().values():
        answers = set()
        for step in path.steps:
            check = step.check
            assert 2 <= len(check.options) <= 4
            assert 0 <= check.answer < len(check.options)
            assert len(set(check.options)) == len(check.options)
            assert all(0 < len(option) <= MAX_OPTION for option in check.options)
            assert check.decided_by == step.cite
            answers.add(check.answer)
        assert len(answers) > 1, f"{path.key}: the right answer is always button {answers}"


def test_every_note_is_drawn_from_the_glossary_jargon_or_a_quoted_definition(raw):
    fw = load_framework()
    for path in load_paths().values():
        for step in path.steps:
            assert step.note, (path.key, step.cite)
    for entry in raw["paths"].values():
        for step in entry["steps"]:
            for part in step["note"]:
                ((kind, value),) = part.items()
                assert kind in ("glossary", "jargon", "define")
                if kind == "define":
                    assert fw.quotes(str(value["cite"]), value["quote"])


@pytest.mark.parametrize(
    "text,key",
    [
        ("teach me screening", "screening"),
        ("I want to learn about police checks", "screening"),
        ("learn the referral procedure", "referrals"),
        ("what should I know in my first month?", "first_month"),
        ("I'm newly qualified, where do I start?", "first_month"),
        ("teach me section 120", "section_120"),
        ("help me learn s120 notifications", "section_120"),
        ("teach me about discussing concerns with my service manager", "service_manager"),
        ("how do I learn urgent action", "urgent_action"),
        ("teach me direct work with children", "direct_work"),
        ("learn information sharing", "information_sharing"),
        ("teach me serious case reviews", "serious_case_review"),
        ("I want to learn about allegations against staff", "staff_allegations"),
        ("teach me about the SCR notification form", "serious_case_review"),
        ("what is my duty to refer?", "referrals"),
        ("learn the section 120 notification", "section_120"),
        ("how do extended checks work", "information_sharing"),
        ("TEACH ME THE BASICS", "first_month"),
        ("what do I do if a child is left alone", "urgent_action"),
        ("teach me the LADO process", "staff_allegations"),
        ("how should I record my discussion with the service manager", "service_manager"),
    ],
)
def test_path_for_finds_the_path_asked_for(text, key):
    path = path_for(text)
    assert path is not None and path.key == key


@pytest.mark.parametrize("text", ["", "hello", "what is the weather", None, 42])
def test_path_for_finds_nothing_where_nothing_is_asked(text):
    assert path_for(text) is None


def test_a_wrong_answer_gets_the_passage_that_decides_it():
    step = load_paths()["screening"].steps[0]
    wrong = next(i for i in range(len(step.check.options)) if i != step.check.answer)
    feedback = mark(step, wrong)
    assert not feedback.correct
    assert feedback.cite == step.cite and feedback.quote == step.quote
    assert mark(step, step.check.answer).correct


@pytest.mark.parametrize("chosen", [-1, 99, True, "0", None])
def test_marking_an_option_that_does_not_exist_is_refused(chosen):
    with pytest.raises(ValueError):
        mark(load_paths()["screening"].steps[0], chosen)


def _broken(raw, change):
    data = copy.deepcopy(raw)
    change(data["paths"]["screening"]["steps"][0])
    return data


@pytest.mark.parametrize(
    "change,words",
    [
        (lambda step: step.update(quote=step["quote"] + " and always at once"), "not word for word"),
        (lambda step: step.update(cite="2.999"), "not in the Framework"),
        (lambda step: step["check"].update(answer=7), "answer must be the index"),
        (lambda step: step["check"].update(options=[{"Nobody": "wait"}, "Yes"]), "must be text"),
        (lambda step: step["check"].update(options=["Only one"], answer=0), "needs 2-4 options"),
        (lambda step: step["check"].update(decided_by="2.19"), "decided_by"),
        (lambda step: step.update(note=[{"glossary": "Not a term"}]), "glossary"),
        (lambda step: step.update(note="any words at all"), "a note is"),
        (lambda step: step.update(note=[]), "needs a note"),
        (lambda step: step.update(note=[{"define": {"cite": "2.9", "quote": "Cases are allocated at once."}}]), "2.9"),
    ],
)
def test_a_bad_quote_cite_answer_or_note_is_refused_with_a_clear_message(raw, change, words):
    with pytest.raises(LearningPathDataError, match=words):
        parse_paths(_broken(raw, change))

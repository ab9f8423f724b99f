"""The passage ranking and the answer that leads with the passages it ranks first."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.answers import REPLY_BUDGET, question_answer
from knowledge.framework import load_framework
from knowledge.passages import load_questions, passage_ranker, sentences
from knowledge.search import tokens


def test_every_training_question_names_passages_that_exist():
    questions = load_questions()
    assert len(questions) > 200
    assert all(refs for _, refs in questions)


def test_no_training_question_is_a_held_out_question():
    """The held-out sets measure questions never trained on: none may be in the training data, not even with other
    small words, case or punctuation (the same words to the ranker)."""
    words = lambda text: frozenset(tokens(text))  # noqa: E731
    trained = {words(text) for text, _ in load_questions()}
    sets = sorted((Path(__file__).resolve().parents[2] / "bench" / "data").glob("heldout_*.yml"))
    assert sets
    for path in sets:
        held_out = {words(q["text"]) for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]}
        assert not trained & held_out, path.name


@pytest.mark.parametrize(
    ("question", "intent", "expected"),
    [
        ("the screening came back but nobody has the case yet, whose job is it to look at it", "screening", "2.23"),
        ("phoned the LA with my referral, how long have I got to put it in writing", "referral_to_lacsc", "2.103"),
        ("a 9 year old says don't tell anyone, can I promise to keep it secret", "discussion_with_child", "2.92"),
        ("the council still hasn't called back three working days after I referred", "referral_to_lacsc", "2.104"),
    ],
)
def test_the_passage_that_answers_comes_first(question, intent, expected):
    ranked = passage_ranker().rank(question, [(intent, 0.9)])
    assert ranked[0].citation == expected


def test_the_intent_is_a_prior_not_the_answer():
    question = "do I need written consent from the new partner before extended checks"
    assert passage_ranker().rank(question, [("screening", 0.6)])[0].citation == "3.75"


def test_a_passage_is_split_into_its_own_sentences():
    text = load_framework().paragraph("2.19").text
    parts = sentences(text)
    assert len(parts) > 2
    assert all(load_framework().quotes("2.19", part) for part in parts)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("harm box ticked on the C100, do I need a police check before the FHDRA?", "police_check"),
        ("what does the Framework say supervision must cover", "supervision"),
        ("is an offence against an adult on the schedule list", "risk_to_children"),
        ("what goes in the agreed record of my SM discussion", "service_manager_discussion"),
    ],
)
def test_the_answer_quotes_word_for_word_under_the_budget(question, intent):
    framework = load_framework()
    answer = question_answer(question, [(intent, 0.9)])
    assert answer is not None and answer.citations
    assert len(answer.text) <= REPLY_BUDGET
    assert answer.text.rstrip().splitlines()[-1].startswith("Framework " + answer.citations[0])
    quoted = [block.split("\n", 1)[1] for block in answer.text.split("\n\n")[: len(answer.citations)]]
    for cite, block in zip(answer.citations, quoted):
        for piece in block.split(" … "):
            ref = cite if framework.passages(cite) else f"box:{cite}"
            assert framework.quotes(ref, piece) or framework.quotes(f"box:{cite}", piece), piece[:60]
    titles = [title for title, _ in answer.buttons]
    assert titles[0].startswith("More on ")


def test_nothing_to_rank_is_no_answer():
    assert question_answer("zzzz qqqq", []) is None

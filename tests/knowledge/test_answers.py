"""Paragraphs shown by number and terms explained, always with their source."""

from __future__ import annotations

from knowledge.answers import citation_line, define, passages_answer


def test_a_paragraph_is_shown_word_for_word_with_its_heading():
    answer = passages_answer(["2.82"])
    assert "*2.82* (Communication with Service Manager)" in answer.text
    assert "An agreed record of the discussion should be kept on the case file." in answer.text
    assert answer.citations == ("2.82",)
    assert answer.text.endswith("Framework 2.82")


def test_both_paragraphs_numbered_1_14_are_shown():
    answer = passages_answer(["1.14"])
    assert "commissioning arrangements" in answer.text and "defensible" in answer.text.lower()


def test_a_paragraph_followed_by_a_box_shows_the_box():
    assert "KEY ELEMENTS" in passages_answer(["2.33"]).text


def test_a_paragraph_that_does_not_exist_is_named():
    answer = passages_answer(["2.115"])
    assert "There is no 2.115" in answer.text and "2.1-2.114" in answer.text
    assert answer.citations == ()


def test_glossary_term():
    answer = define("what does LACSC stand for")
    assert "Local Authority Children's Social Care" in answer.text
    assert "Glossary" in answer.text


def test_unknown_term_is_not_invented():
    assert define("what does XYZZY mean") is None


def test_citation_line():
    assert (
        citation_line(["2.19", "2.20", "box:2.33", "Appendix III", "2.19"])
        == "Framework 2.19, 2.20, (box after 2.33), Appendix III"
    )


def test_jargon_is_explained_from_the_framework_with_citations():
    answer = define("whats a LADO")
    assert "Local Authority Designated Officer" in answer.text
    assert "4.19" in answer.citations


def test_the_longest_term_named_is_explained():
    answer = define("what does child protection plan mean")
    assert answer.text.startswith("*child protection plan*")


def test_every_jargon_quote_is_word_for_word():
    from knowledge.answers import load_jargon

    assert len(load_jargon()) >= 15  # loading validates every quote against its paragraph

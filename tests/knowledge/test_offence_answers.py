"""Offence answers: the rows exactly as printed, the Risk to Children guidance, and never a bare "no"."""

from __future__ import annotations

from knowledge.offence_answers import offence_answer


def test_a_listed_offence_gives_the_row_the_guidance_and_next_steps():
    answer = offence_answer("is ABH on the schedule?")
    assert "• Assault occasioning actual bodily harm | Section 47 | Offences Against the Person Act 1861" in answer.text
    assert "Child Welfare (Protection) procedure must be followed" in answer.text
    assert "Risk to Children" in answer.text
    assert "Cautions and discharges for the offences listed above will apply." in answer.text
    assert "(2.81)" in answer.text
    assert answer.citations == ("Appendix II", "2.67", "2.81")


def test_an_ambiguous_offence_lists_every_candidate():
    text = offence_answer("rape").text
    assert "Sexual Offences Act 1956" in text and "Sexual Offences Act 2003" in text
    assert "any of these rows" in text


def test_a_row_with_a_qualifier_says_it_covers_only_that_case():
    text = offence_answer("burglary conviction 2009").text
    assert "only in the case the words in brackets describe" in text


def test_an_offence_not_on_the_schedule_is_never_a_bare_no():
    answer = offence_answer("theft from a shop")
    assert answer.text.startswith("Not on the schedule")
    assert "should not be deemed exhaustive" in answer.text
    assert "professional judgement" in answer.text
    assert "2.14" in answer.citations


def test_listing_an_acts_offences():
    answer = offence_answer("list the Children and Young Persons Act 1933 offences")
    assert answer.text.count("| Children and Young Persons Act 1933") == 6


def test_no_offence_named_asks_for_one():
    assert offence_answer("/offence_lookup").text.startswith("Which offence?")

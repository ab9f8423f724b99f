"""Offence answers: the rows exactly as printed, the Risk to Children guidance, and never a bare "no"."""

from __future__ import annotations

import pytest

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


VICTIM_CONDITION = "\u201cUnless stated otherwise, the victim of the offences listed above will be under 18\u201d"


@pytest.mark.parametrize(
    "message, row, adult, own_victim",
    [
        ("ABH against a partner", "Assault occasioning actual bodily harm | Section 47", True, False),
        ("dad has a caution for ABH on his ex", "Assault occasioning actual bodily harm | Section 47", True, False),
        ("common assault on an adult", "Assault or battery | Common Law", True, False),
        ("conviction for assaulting a police officer", "Assault or battery | Common Law", True, False),
        ("indecent assault on a woman, 1998", "Indecent assault on a woman | Section 14", True, True),
        ("is ABH on the schedule?", "Assault occasioning actual bodily harm | Section 47", False, False),
        ("ABH on his 5 year old", "Assault occasioning actual bodily harm | Section 47", False, False),
        ("ABH against his partner and the child", "Assault occasioning actual bodily harm | Section 47", False, False),
    ],
)
def test_the_victim_condition_comes_first_and_an_adult_victim_is_not_a_listing(message, row, adult, own_victim):
    answer = offence_answer(message)
    first = answer.text.splitlines()[0]
    assert VICTIM_CONDITION in first and "(Appendix II, notes)" in first
    assert f"\u2022 {row}" in answer.text
    assert ("You describe the victim as an adult" in answer.text) is adult
    assert ("Yes: this is on the Appendix II list" in answer.text) is (not adult)
    if adult:
        assert (
            "The Appendix II listing is for offences against children, unless the row states otherwise" in answer.text
        )
        assert "\u201cdomestic violence (indicate any escalation)\u201d" in answer.text
        assert "represents a risk to children (see appendix II)" in answer.text
        assert answer.citations == ("Appendix II", "2.14")
        assert ("That row names its own victim" in answer.text) is own_victim
        assert ("does not state otherwise" in answer.text) is (not own_victim)

"""The case-reference validator: family court numbers by default, a configured pattern otherwise (property tests)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from casefile.errors import InvalidCaseReference
from casefile.references import DEFAULT_CASE_REFERENCE_PATTERN, case_references, normalise_case_reference

FAMILY_COURT_NUMBER = st.from_regex(r"\A[A-Z]{2}[0-9]{2}[A-Z][0-9]{5}\Z", fullmatch=True)
SPACE = st.text(alphabet=" \t\n", max_size=3)


def test_the_default_is_a_family_court_number():
    assert DEFAULT_CASE_REFERENCE_PATTERN == r"^[A-Z]{2}\d{2}[A-Z]\d{5}$"
    assert normalise_case_reference("ZW25P01234") == "ZW25P01234"


@given(FAMILY_COURT_NUMBER, st.data(), SPACE, SPACE)
def test_any_family_court_number_in_any_case_with_surrounding_space_is_accepted(number, data, before, after):
    typed = "".join(c.lower() if data.draw(st.booleans()) else c for c in number)
    assert normalise_case_reference(before + typed + after) == number


@given(st.text(max_size=30))
@example("ZW25P01234\n")
@example("zw25\u013101234")  # dotless i upper-cases to I
@example("ZW\u0662\u0665P01234")  # Arabic-Indic digits
@example("\uff3a\uff3725P01234")  # full-width letters
def test_only_ascii_text_of_the_pattern_is_accepted(text):
    try:
        accepted = normalise_case_reference(text)
    except InvalidCaseReference:
        stripped = text.strip()
        assert not (stripped.isascii() and re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z][0-9]{5}", stripped.upper()))
    else:
        assert re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z][0-9]{5}", accepted)
        assert accepted == text.strip().upper() and text.strip().isascii()


@given(FAMILY_COURT_NUMBER, st.text(min_size=1, max_size=5).filter(lambda s: s.strip()))
def test_a_number_with_anything_else_attached_is_refused(number, extra):
    for text in (number + extra, extra + number):
        with pytest.raises(InvalidCaseReference):
            normalise_case_reference(text)


@pytest.mark.parametrize("value", [None, 1234567890, b"ZW25P01234", ["ZW25P01234"], "x" * 10_240])
def test_what_is_not_text_or_far_too_long_is_refused(value):
    with pytest.raises(InvalidCaseReference):
        normalise_case_reference(value)


def test_a_configured_pattern_is_used_whole_and_in_ascii():
    assert normalise_case_reference(" 12345678 ", r"^\d{8}$") == "12345678"
    for refused in ("1234567", "123456789", "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", "ZW25P01234"):
        with pytest.raises(InvalidCaseReference, match=r"matches \^\\d\{8\}\$"):
            normalise_case_reference(refused, r"^\d{8}$")
    assert normalise_case_reference("ab12", r"[A-Z]+\d+") == "AB12"  # no anchors: still the whole text
    with pytest.raises(InvalidCaseReference):
        normalise_case_reference("AB12 and more", r"[A-Z]+\d+")


def test_a_broken_pattern_fails_loudly():
    with pytest.raises(ValueError, match="FA_CASE_REFERENCE_PATTERN is not a valid regular expression"):
        normalise_case_reference("ZW25P01234", r"^[A-Z{2")


def test_every_case_reference_in_a_message_is_read_in_order():
    assert case_references("secure file zw25p01234, and (LV24C00871).") == ["ZW25P01234", "LV24C00871"]
    assert case_references("the case 12345678") == []

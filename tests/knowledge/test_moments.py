"""Reading days, times and periods from what people type, in UK time."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from knowledge.moments import LONDON, parse_moment, parse_period


@pytest.mark.parametrize(
    "text,expected",
    [
        ("just now", datetime(2025, 6, 10, 15, 42)),
        ("today 14:30", datetime(2025, 6, 10, 14, 30)),
        ("yesterday 4pm", datetime(2025, 6, 9, 16, 0)),
        ("03/06/2025 09:15", datetime(2025, 6, 3, 9, 15)),
        ("2.15pm", datetime(2025, 6, 10, 14, 15)),
        ("Monday at noon", datetime(2025, 6, 9, 12, 0)),
        ("1 March 14:00", datetime(2025, 3, 1, 14, 0)),
        ("24 December 10am", datetime(2024, 12, 24, 10, 0)),
    ],
)
def test_moments_are_read_in_uk_time(text, expected):
    current = datetime(2025, 6, 10, 15, 42, 30, tzinfo=LONDON)  # a Tuesday, in British Summer Time
    assert parse_moment(text, current) == expected.replace(tzinfo=LONDON)


@pytest.mark.parametrize("text", ["today", "tomorrow 9am", "31/02/2025 10:00", "today 23:00"])
def test_moments_without_a_time_or_in_the_future_are_refused(text):
    with pytest.raises(ValueError):
        parse_moment(text, datetime(2025, 6, 10, 15, 42, tzinfo=LONDON))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("my records from last week", (date(2025, 6, 2), date(2025, 6, 8))),
        ("what has Jo recorded this month", (date(2025, 6, 1), date(2025, 6, 10))),
        ("between 1 and 15 March", (date(2025, 3, 1), date(2025, 3, 15))),
        ("from 1 april to 30 april", (date(2025, 4, 1), date(2025, 4, 30))),
        ("between 20 December and 5 January", (date(2024, 12, 20), date(2025, 1, 5))),
        ("records from 01/03/2025 to 15/03/2025", (date(2025, 3, 1), date(2025, 3, 15))),
        ("list SM discussions from january", (date(2025, 1, 1), date(2025, 1, 31))),
        ("records I agreed last month", (date(2025, 5, 1), date(2025, 5, 31))),
        ("discussions Priya recorded in the last 7 days", (date(2025, 6, 4), date(2025, 6, 10))),
        ("which discussions did Ahmed record in august", (date(2024, 8, 1), date(2024, 8, 31))),
        ("show me yesterday's discussion records", (date(2025, 6, 9), date(2025, 6, 9))),
        ("show me the SM discussions on ZW25P01234", (None, None)),
    ],
)
def test_periods_are_read_from_the_message(text, expected):
    assert parse_period(text, date(2025, 6, 10)) == expected

"""Working days skip weekends and England and Wales bank holidays, checked against the published 2025-2027 dates."""

from datetime import date, timedelta

import pytest

from knowledge.working_days import add_working_days, is_working_day

# England and Wales bank holidays as published on gov.uk/bank-holidays, written out by hand.
BANK_HOLIDAYS_2025_2027 = {
    date(2025, 1, 1),
    date(2025, 4, 18),
    date(2025, 4, 21),
    date(2025, 5, 5),
    date(2025, 5, 26),
    date(2025, 8, 25),
    date(2025, 12, 25),
    date(2025, 12, 26),
    date(2026, 1, 1),
    date(2026, 4, 3),
    date(2026, 4, 6),
    date(2026, 5, 4),
    date(2026, 5, 25),
    date(2026, 8, 31),
    date(2026, 12, 25),
    date(2026, 12, 28),
    date(2027, 1, 1),
    date(2027, 3, 26),
    date(2027, 3, 29),
    date(2027, 5, 3),
    date(2027, 5, 31),
    date(2027, 8, 30),
    date(2027, 12, 27),
    date(2027, 12, 28),
}


def test_every_day_of_2025_to_2027_matches_the_published_bank_holidays():
    day = date(2025, 1, 1)
    while day.year < 2028:
        expected = day.weekday() < 5 and day not in BANK_HOLIDAYS_2025_2027
        assert is_working_day(day) is expected, day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # Thu; 25 Dec, weekend, substitute Boxing Day 28 Dec
        (date(2026, 12, 24), 3, date(2026, 12, 31)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day on the Friday
        (date(2025, 12, 24), 1, date(2025, 12, 29)),  # Wed; Christmas Thu, Boxing Day Fri
        (date(2027, 12, 24), 1, date(2027, 12, 29)),  # both 2027 Christmas holidays are substitutes
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # Thu before Good Friday and Easter Monday
        (date(2025, 4, 17), 3, date(2025, 4, 24)),
        (date(2026, 5, 23), 1, date(2026, 5, 26)),  # Sat; Spring Bank Holiday Mon 25 May
        (date(2025, 12, 6), 1, date(2025, 12, 8)),  # Sat: the next working day is the Monday
        (date(2025, 12, 7), 1, date(2025, 12, 8)),  # Sun: likewise
        (date(2026, 1, 9), 1, date(2026, 1, 12)),  # Fri: the Monday
        (date(2026, 1, 12), 1, date(2026, 1, 13)),  # an ordinary Monday
        (date(2026, 1, 12), 3, date(2026, 1, 15)),
        (date(2026, 8, 31), 1, date(2026, 9, 1)),  # made on a bank holiday itself
        (date(2026, 1, 14), 0, date(2026, 1, 14)),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


def test_the_result_is_exactly_n_working_days_after_the_start_day():
    start = date(2025, 1, 1)
    for offset in range(0, 3 * 365, 5):
        day = start + timedelta(days=offset)
        for n in (1, 3):
            result = add_working_days(day, n)
            between = [day + timedelta(days=i) for i in range(1, (result - day).days + 1)]
            assert is_working_day(result)
            assert sum(is_working_day(d) for d in between) == n


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1)

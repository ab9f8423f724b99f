"""Working-day arithmetic for the Framework's timescales, skipping weekends and England and Wales bank holidays.

The rule used for every "within N working days" timescale: the day on which the thing
happened never counts, whatever the time of day and whether or not it was a working day.
Counting starts with the next working day, so a referral made at 17:55 on a Thursday, or
at any time on a Saturday, is due to be confirmed in writing by the end of the next
working day (the Friday; the Monday, unless that is a bank holiday).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

COUNTING_RULE = (
    "Working days skip Saturdays, Sundays and England and Wales bank holidays; the day of the "
    "referral itself never counts, whatever the time it was made, so the count starts on the "
    "next working day."
)


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG")


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays()


def add_working_days(start: date, n: int) -> date:
    """The date by the end of which "within n working days" of `start` runs out.

    `start` itself is never counted (see the module docstring), so add_working_days of
    Thursday 24 December 2026 and 1 is Tuesday 29 December 2026: 25 December is Christmas
    Day, 26-27 December a weekend and 28 December the substitute Boxing Day holiday.
    """
    if n < 0:
        raise ValueError(f"a number of working days cannot be negative: {n}")
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day

"""Reading days, times and periods from what people type, in UK time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from knowledge.moments import LONDON, MomentRules, first_day, in_london, parse_date, parse_moment, parse_period
from knowledge.walkthroughs import REFERRAL_MOMENT, referral_moment

# The two uses, as their callers set them: the case file's discussion times (actions.casefile_answers) and the
# referral walkthrough's "when was the referral made" (knowledge.walkthroughs).
DISCUSSION = MomentRules(skew=timedelta(minutes=5), ago=False)
MONDAY = datetime(2026, 11, 23, 16, 0, tzinfo=LONDON)  # Monday 23 November 2026, 16:00 GMT


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
def test_a_discussion_moment_is_read_in_uk_time(text, expected):
    current = datetime(2025, 6, 10, 15, 42, 30, tzinfo=LONDON)  # a Tuesday, in British Summer Time
    assert parse_moment(text, current, DISCUSSION) == expected.replace(tzinfo=LONDON)


@pytest.mark.parametrize("text", ["today", "tomorrow 9am", "31/02/2025 10:00", "today 23:00"])
def test_a_discussion_moment_without_a_time_or_in_the_future_is_refused(text):
    with pytest.raises(ValueError):
        parse_moment(text, datetime(2025, 6, 10, 15, 42, tzinfo=LONDON), DISCUSSION)


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


@pytest.mark.parametrize(
    "reply, moment",
    [
        ("just now", "2026-11-23T16:00"),
        ("20 minutes ago", "2026-11-23T15:40"),
        ("an hour ago", "2026-11-23T15:00"),
        ("half an hour ago", "2026-11-23T15:30"),
        ("noon", "2026-11-23T12:00"),
        ("9.15", "2026-11-23T09:15"),
        ("at 9:15am", "2026-11-23T09:15"),
        ("12am", "2026-11-23T00:00"),
        ("monday 9am", "2026-11-23T09:00"),  # today is a Monday
        ("last monday 9am", "2026-11-16T09:00"),
        ("Monday 17:00", "2026-11-16T17:00"),  # later today has not happened: the Monday before
        ("sunday 10:00", "2026-11-22T10:00"),
        ("23 Nov 09:15", "2026-11-23T09:15"),
        ("22nd November 2026 at 8pm", "2026-11-22T20:00"),
        ("22/11 10:00", "2026-11-22T10:00"),
        ("30/11 10:00", "2025-11-30T10:00"),  # a date without a year is the latest one not after now
        ("23/11/26 09:15", "2026-11-23T09:15"),
        ("23/11 17:00", None),  # later today
        ("31/02/2026 10:00", None),
        ("yesterday 17:30 or today 9:00", None),
        ("01/01/2020 10:00", None),
        ("13:00pm", None),
        ("", None),
    ],
)
def test_a_referral_moment_is_read_relative_to_now_or_not_at_all(reply, moment):
    parsed = referral_moment(reply, MONDAY)
    assert (parsed.isoformat(timespec="minutes")[:16] if parsed else None) == moment
    if parsed:
        assert parsed.tzinfo is not None and parsed.utcoffset().total_seconds() == 0


def test_where_the_uses_differ_the_rules_say_so():
    current = datetime(2025, 6, 10, 15, 42, tzinfo=LONDON)
    # "20 minutes ago": read for a referral, not for a discussion.
    assert parse_moment("20 minutes ago", current, REFERRAL_MOMENT) == datetime(2025, 6, 10, 15, 22, tzinfo=LONDON)
    with pytest.raises(ValueError, match="Please give the time"):
        parse_moment("20 minutes ago", current, DISCUSSION)
    # A clock a few minutes fast: five minutes' grace for a discussion, one for a referral.
    assert parse_moment("15:46", current, DISCUSSION) == datetime(2025, 6, 10, 15, 46, tzinfo=LONDON)
    with pytest.raises(ValueError, match="in the future"):
        parse_moment("15:46", current, REFERRAL_MOMENT)
    assert parse_moment("15:43", current, REFERRAL_MOMENT) == datetime(2025, 6, 10, 15, 43, tzinfo=LONDON)
    # More than 366 days back: too old for a referral, kept for a discussion.
    assert parse_moment("01/01/2020 10:00", current, DISCUSSION) == datetime(2020, 1, 1, 10, 0, tzinfo=LONDON)
    with pytest.raises(ValueError, match="more than 366 days ago"):
        parse_moment("01/01/2020 10:00", current, REFERRAL_MOMENT)
    # The reader says why it refuses; the walkthrough, which only needs to know, gets None.
    assert referral_moment("01/01/2020 10:00", current) is None


@pytest.mark.parametrize(
    "text,problem",
    [
        ("yesterday 17:30 or today 9:00", "more than one day"),
        ("between 9am and 10am", "more than one time"),
        ("31/02/2025 10:00", "does not exist"),
        ("yesterday", "Please give the time"),
        ("tomorrow 9am", "in the future"),
    ],
)
def test_every_refusal_says_why(text, problem):
    for rules in (DISCUSSION, REFERRAL_MOMENT):
        with pytest.raises(ValueError, match=problem):
            parse_moment(text, datetime(2025, 6, 10, 15, 42, tzinfo=LONDON), rules)


def test_words_that_are_not_days_are_not_read_as_days():
    today = date(2025, 6, 10)
    assert first_day("I sat with mum on the sun lounger", today) is None
    assert first_day("the meeting is this month", today) is None
    assert first_day("last sat", today) is None
    assert first_day("saturday", today) == date(2025, 6, 7)
    assert first_day("weds", today) == date(2025, 6, 4)


def test_a_time_range_with_a_dash_is_not_a_date():
    current = datetime(2025, 6, 10, 15, 42, tzinfo=LONDON)
    assert parse_moment("1-2pm", current, DISCUSSION) == datetime(2025, 6, 10, 14, 0, tzinfo=LONDON)
    assert parse_moment("03-06-2025 09:15", current, DISCUSSION) == datetime(2025, 6, 3, 9, 15, tzinfo=LONDON)


def test_a_date_is_the_one_day_a_message_names():
    today = date(2025, 6, 10)
    assert parse_date("3 June 2025", today) == date(2025, 6, 3)
    assert parse_date("on the 24th of December", today) == date(2024, 12, 24)
    assert parse_date("tomorrow", today) == date(2025, 6, 11)
    with pytest.raises(ValueError, match="more than one day"):
        parse_date("3 June or 4 June", today)
    with pytest.raises(ValueError, match="Please give the date"):
        parse_date("some time ago", today)


def test_a_moment_without_a_zone_is_taken_as_uk_time():
    assert in_london(datetime(2026, 7, 1, 10, 0)) == datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    assert in_london(None).tzinfo is LONDON

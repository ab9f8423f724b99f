"""Reads the days, times and periods people type ("yesterday 4pm", "03/06/2025", "last week"), in UK time."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
CLOCK_SKEW = timedelta(minutes=5)
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
ORDINAL = r"(?:st|nd|rd|th)?"
DAY_MONTH = re.compile(rf"\b(\d{{1,2}}){ORDINAL}\s+(?:of\s+)?{MONTH}(?:\s*,?\s*(\d{{4}}))?", re.I)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?\b")
CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b|\b(\d{1,2})[:.](\d{2})\b|\b(noon|midday)\b", re.I)


def london(moment: datetime) -> str:
    """A moment as people in England read it: "4 March 2025 14:05 GMT"."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y %H:%M %Z}"


def now() -> datetime:
    """The present moment in UK time."""
    return datetime.now(LONDON)


def _exists(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _dated(day: int, month: int, year: str | None, today: date) -> date:
    """The date, in the year given or else the latest such date not after today; ValueError if there is none."""
    if year:
        number = int(year) + (2000 if len(year) == 2 else 0)
        if _exists(number, month, day):
            return date(number, month, day)
    else:
        for number in range(today.year, today.year - 8, -1):
            if _exists(number, month, day) and date(number, month, day) <= today:
                return date(number, month, day)
    raise ValueError("That date does not exist. Give it as day, month and year, for example 03/06/2025.")


def find_day(text: str, today: date) -> tuple[date | None, str]:
    """The day a message names ("today", "yesterday", "Monday", "3 June 2025", "03/06/2025"), and the text left over."""
    lowered = text.lower()
    for pattern in (NUMERIC_DATE, DAY_MONTH):
        match = pattern.search(lowered)
        if match:
            month = int(match.group(2)) if pattern is NUMERIC_DATE else MONTHS[match.group(2)]
            day = _dated(int(match.group(1)), month, match.group(3), today)
            return day, lowered[: match.start()] + " " + lowered[match.end() :]
    if re.search(r"\btoday\b|\bthis (morning|afternoon|evening)\b", lowered):
        return today, lowered
    if re.search(r"\byesterday\b|\blast night\b", lowered):
        return today - timedelta(days=1), lowered
    if re.search(r"\btomorrow\b", lowered):
        return today + timedelta(days=1), lowered
    for name, number in WEEKDAYS.items():
        if re.search(rf"\b{name}\b", lowered):
            return today - timedelta(days=(today.weekday() - number) % 7), lowered
    return None, lowered


def find_clock(text: str) -> time | None:
    """The time of day a message gives: "14:30", "14.30", "4pm", "4:30 pm", "noon"."""
    match = CLOCK.search(text)
    if not match:
        return None
    if match.group(6):
        return time(12, 0)
    if match.group(3):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match.group(3).lower() == "pm" else 0)
    else:
        hour, minute = int(match.group(4)), int(match.group(5))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def parse_moment(text: str, current: datetime) -> datetime:
    """A moment in UK time: "just now", "today 14:30", "yesterday 4pm", "03/06/2025 09:15"; ValueError says why not."""
    if re.fullmatch(r"\s*(just\s+now|right\s+now|now)\s*[.!]?\s*", text, re.I):
        return current.replace(second=0, microsecond=0)
    day, rest = find_day(text, current.date())
    clock = find_clock(rest)
    if clock is None:
        raise ValueError(
            'Please give the time as well as the day, for example "today 14:30", "yesterday 4pm" or "03/06/2025 09:15".'
        )
    moment = datetime.combine(day or current.date(), clock, LONDON)
    if moment > current + CLOCK_SKEW:
        raise ValueError(f"{london(moment)} is in the future. When was it?")
    return moment


def parse_date(text: str, current: date) -> date:
    day, _ = find_day(text, current)
    if day is None:
        raise ValueError('Please give the date, for example "3 June 2025" or "03/06/2025".')
    return day


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str, today: date) -> tuple[date | None, date | None]:
    """The days a message asks about ("last week", "between 1 and 15 March", "in April"), both ends included."""
    lowered = text.lower()
    day_part = rf"(\d{{1,2}}){ORDINAL}(?:\s+(?:of\s+)?{MONTH})?(?:\s*,?\s*(\d{{4}}))?"
    span = re.search(rf"\b(?:between\s+|from\s+)?{day_part}\s+(?:and|to|until|till|-)\s+{day_part}", lowered)
    if span and span.group(5):
        end = _dated(int(span.group(4)), MONTHS[span.group(5)], span.group(6), today)
        start_month = MONTHS[span.group(2)] if span.group(2) else end.month
        start = _dated(int(span.group(1)), start_month, span.group(3) or str(end.year), today)
        if start > end and not span.group(3):
            start = _dated(int(span.group(1)), start_month, str(end.year - 1), today)
        return start, end
    numeric = re.search(
        r"\b(?:between\s+|from\s+)?(\d{1,2}/\d{1,2}/\d{2,4})\s+(?:and|to|until|-)\s+"
        r"(\d{1,2}/\d{1,2}/\d{2,4})",
        lowered,
    )
    if numeric:
        return find_day(numeric.group(1), today)[0], find_day(numeric.group(2), today)[0]
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    named = [
        (r"\btoday\b", (today, today)),
        (r"\byesterday\b", (today - timedelta(days=1), today - timedelta(days=1))),
        (r"\bthis week\b", (monday, today)),
        (r"\blast week\b", (monday - timedelta(days=7), monday - timedelta(days=1))),
        (r"\bthis month\b", (first, today)),
        (r"\blast month\b", _month_range((first - timedelta(days=1)).year, (first - timedelta(days=1)).month)),
        (r"\bthis year\b", (date(today.year, 1, 1), today)),
    ]
    for pattern, period in named:
        if re.search(pattern, lowered):
            return period
    recent = re.search(r"\b(?:last|past)\s+(\d{1,3})\s+days\b", lowered)
    if recent:
        return today - timedelta(days=int(recent.group(1)) - 1), today
    since = re.search(r"\bsince\b(.*)", lowered)
    if since:
        start, _ = find_day(since.group(1), today)
        if start is not None:
            return start, today
    month = re.search(rf"\b(?:in|during|from|for|of)\s+{MONTH}(?:\s+(\d{{4}}))?", lowered)
    if month:
        number = MONTHS[month.group(1)]
        year = int(month.group(2)) if month.group(2) else (today.year if number <= today.month else today.year - 1)
        return _month_range(year, number)
    day, _ = find_day(lowered, today) if re.search(r"\bon\b", lowered) else (None, lowered)
    return (day, day) if day else (None, None)

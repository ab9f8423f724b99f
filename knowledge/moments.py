"""Reads the moments, days and periods people type ("yesterday 4pm", "20 minutes ago", "03/06/2025", "last week"),
in UK time: the one reader of dates and times."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
# Short names, except "sat" and "sun", which are more often the words than the days.
WEEKDAYS.update({"mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4})
ORDINAL = r"(?:st|nd|rd|th)?"
DAY_MONTH = re.compile(rf"\b(\d{{1,2}}){ORDINAL}\s+(?:of\s+)?{MONTH}(?:\s*,?\s*(\d{{4}}))?")
# 03/06/2025, 03/06/25, 03/06 (the latest such day); with dashes only with the year (3-4pm is a time).
NUMERIC_DATE = re.compile(r"(?<![\d:./-])(\d{1,2})([/-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d/-])")
DAY_WORDS = re.compile(r"\b(today|this morning|this afternoon|this evening|tonight|yesterday|last night|tomorrow)\b")
WEEKDAY = re.compile(rf"\b(last\s+)?({'|'.join(sorted(WEEKDAYS, key=len, reverse=True))})\b")
# 14:30, 14.30, 2.15pm, 4:30 p.m., 4pm, noon: an hour alone is read only with am or pm ("at 3" is not a time).
CLOCK = re.compile(
    r"(?<![\d/:.])(?:(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)(?:\s*(?P<ap>[ap])\.?m\.?(?![a-z]))?"
    r"|(?P<h12>1[0-2]|0?[1-9])\s*(?P<ap12>[ap])\.?m\.?(?![a-z])|(?P<noon>\bnoon\b|\bmidday\b))(?![\d/:])"
)
JUST_NOW = re.compile(r"\b(just now|right now|a moment ago|moments ago|just then)\b|^now$")
AGO = re.compile(
    r"\b(?P<n>\d{1,3}|an?|one|two|three|four|five|ten|twenty|thirty|half an?)"
    r"\s*(?P<unit>mins?|minutes?|hrs?|hours?)\s+ago\b"
)
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "twenty": 20, "thirty": 30}

GIVE_THE_TIME = (
    'Please give the time as well as the day, for example "today 14:30", "yesterday 4pm" or "03/06/2025 09:15".'
)
NO_SUCH_DATE = "That date does not exist. Give it as day, month and year, for example 03/06/2025."


@dataclass(frozen=True)
class MomentRules:
    """What a reader of moments accepts where its uses differ; each use names its own."""

    skew: timedelta  # how far after now a moment may be and still be taken as past (clocks differ)
    ago: bool  # whether "20 minutes ago" and "an hour ago" are read
    oldest: timedelta | None = None  # how far back a moment may be; None: no limit


@dataclass(frozen=True)
class Day:
    """A day a message names, and whether it was named by its weekday ("Monday" later today is the Monday before)."""

    day: date
    weekday: bool = False


def london(moment: datetime) -> str:
    """A moment as people in England read it: "4 March 2025 14:05 GMT"."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y %H:%M %Z}"


def now() -> datetime:
    """The present moment in UK time."""
    return datetime.now(LONDON)


def in_london(moment: datetime | None) -> datetime:
    """The moment in UK time (now, if None); a moment without a time zone is taken as UK time."""
    if moment is None:
        return now()
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment.astimezone(LONDON)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


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
    raise ValueError(NO_SUCH_DATE)


def find_days(text: str, today: date) -> tuple[list[Day], str]:
    """The days a message names ("03/06/2025", "3 June", "yesterday", "last Friday"), dates first, and the text left
    once its dates are taken out; ValueError if a date does not exist."""
    said = _normal(text)
    days: list[Day] = []
    for match in NUMERIC_DATE.finditer(said):
        if match.group(2) == "-" and not match.group(4):
            continue
        days.append(Day(_dated(int(match.group(1)), int(match.group(3)), match.group(4), today)))
        said = said.replace(match.group(0), " ", 1)
    for match in DAY_MONTH.finditer(said):
        days.append(Day(_dated(int(match.group(1)), MONTHS[match.group(2)], match.group(3), today)))
        said = said.replace(match.group(0), " ", 1)
    for match in DAY_WORDS.finditer(said):
        offset = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(match.group(1), 0)
        days.append(Day(today + timedelta(days=offset)))
    for match in WEEKDAY.finditer(said):
        back = (today.weekday() - WEEKDAYS[match.group(2)]) % 7 or (7 if match.group(1) else 0)
        days.append(Day(today - timedelta(days=back), weekday=True))
    return days, said


def first_day(text: str, today: date) -> date | None:
    """The first day a message names (a date before a word like "today"), or None."""
    days, _ = find_days(text, today)
    return days[0].day if days else None


def find_clocks(text: str) -> set[time]:
    """The times of day a message gives: "14:30", "14.30", "4pm", "4:30 p.m.", "noon"."""
    found = set()
    for match in CLOCK.finditer(_normal(text)):
        if match["noon"]:
            found.add(time(12, 0))
            continue
        hour, minute, half = (
            (int(match["h"]), int(match["m"]), match["ap"])
            if match["h"] is not None
            else (int(match["h12"]), 0, match["ap12"])
        )
        if half and not 1 <= hour <= 12:
            continue
        if half:
            hour = hour % 12 + (12 if half == "p" else 0)
        found.add(time(hour, minute))
    return found


def parse_moment(text: str, current: datetime, rules: MomentRules) -> datetime:
    """The moment a message says something happened, in UK time; ValueError says why it cannot be read.

    Reads "just now", "today 14:30", "yesterday 4pm", "Fri 14:00", "last Monday 9:15am", "03/06/2025 09:15" and
    "3 June 09:15" ("20 minutes ago" too if the rules say so), relative to `current`. A weekday or a date without a
    year is the latest one not after today. Refused: a day without a time, two different days or times, a moment
    more than the rules' skew after now or (if they set one) older than their limit.
    """
    current = in_london(current).replace(second=0, microsecond=0)
    said = _normal(text)
    days, rest = find_days(said, current.date())
    named = {day.day for day in days}
    clocks = find_clocks(rest)
    if len(named) > 1:
        raise ValueError("That names more than one day. Which day was it?")
    if len(clocks) > 1:
        raise ValueError("That gives more than one time. Which time was it?")
    if not clocks:
        if named - {current.date()}:
            raise ValueError(GIVE_THE_TIME)
        ago = AGO.search(said) if rules.ago else None
        if ago:
            amount = ago["n"]
            number = 0.5 if amount.startswith("half") else int(amount) if amount.isdigit() else NUMBERS[amount]
            return current - timedelta(minutes=number * (60 if ago["unit"].startswith("h") else 1))
        if JUST_NOW.search(said.strip(" .!")):
            return current
        raise ValueError(GIVE_THE_TIME)
    day = named.pop() if named else current.date()
    moment = datetime.combine(day, clocks.pop(), LONDON)
    if moment > current + rules.skew and day == current.date() and any(d.weekday for d in days):
        moment -= timedelta(days=7)
    if moment > current + rules.skew:
        raise ValueError(f"{london(moment)} is in the future. When was it?")
    if rules.oldest is not None and moment < current - rules.oldest:
        raise ValueError(f"{london(moment)} is more than {rules.oldest.days} days ago. When was it?")
    return moment


def parse_date(text: str, today: date) -> date:
    """The one day a message names; ValueError says why not."""
    days, _ = find_days(text, today)
    if len({day.day for day in days}) > 1:
        raise ValueError("That names more than one day. Which day was it?")
    if not days:
        raise ValueError('Please give the date, for example "3 June 2025" or "03/06/2025".')
    return days[0].day


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
        return first_day(numeric.group(1), today), first_day(numeric.group(2), today)
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
        start = first_day(since.group(1), today)
        if start is not None:
            return start, today
    month = re.search(rf"\b(?:in|during|from|for|of)\s+{MONTH}(?:\s+(\d{{4}}))?", lowered)
    if month:
        number = MONTHS[month.group(1)]
        year = int(month.group(2)) if month.group(2) else (today.year if number <= today.month else today.year - 1)
        return _month_range(year, number)
    day = first_day(lowered, today) if re.search(r"\bon\b", lowered) else None
    return (day, day) if day else (None, None)


# "at 2", "at half 9", "about 4": an hour alone, read in a note of the working day (8 to 12 morning, 1 to 7 afternoon).
BARE_HOUR = re.compile(
    r"\b(?:at|@|around|about)\s+(?:about\s+|around\s+)?(half\s+)?(1[0-2]|[1-9])\b(?![:.]\d|\s*[ap]\.?m)"
)
AFTERNOON = re.compile(r"\b(this afternoon|this evening|tonight|pm)\b")


def note_moment(text: str, current: datetime, rules: MomentRules) -> datetime | None:
    """When a sentence of a note ("spoke to Sam at 2", "discussed with SM today 14:30") says something happened.

    As parse_moment, and an hour alone after "at" is read as the working day's: "at 9" is 09:00, "at 2" 14:00,
    "at half 3" 15:30. None when the sentence gives no time, or one that cannot be the past.
    """
    try:
        return parse_moment(text, current, rules)
    except ValueError:
        pass
    said = _normal(text)
    days, rest = find_days(said, in_london(current).date())
    match = BARE_HOUR.search(rest)
    if match is None or len({d.day for d in days}) > 1:
        return None
    hour = int(match.group(2))
    if hour <= 7 or (hour < 12 and AFTERNOON.search(rest)):
        hour += 12
    minute = 30 if match.group(1) else 0
    current = in_london(current).replace(second=0, microsecond=0)
    day = days[0].day if days else current.date()
    moment = datetime.combine(day, time(hour, minute), LONDON)
    if moment > current + rules.skew or (rules.oldest is not None and moment < current - rules.oldest):
        return None
    return moment

"""Report periods: a range of local dates, or the day, week, month, quarter or year around a date."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import Invalid

KINDS = ("day", "week", "month", "quarter", "year")
LONGEST = timedelta(days=3660)  # ten years: more is a typing error, not a report


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # included

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return self.first.isoformat() if self.first == self.last else f"{self.first} – {self.last}"


def parse_day(text: str | None, name: str) -> date:
    if not text:
        raise Invalid("'%(field)s' is required (YYYY-MM-DD)", field=name)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("'%(field)s' must be a date YYYY-MM-DD, got '%(text)s'", field=name, text=text[:40]) from None


def between(first: date, last: date) -> Period:
    if first > last:
        raise Invalid("the period starts (%(first)s) after it ends (%(last)s): 'from' must not be after 'to'",
                      first=first, last=last)
    if last - first > LONGEST:
        raise Invalid("the period %(first)s – %(last)s is longer than ten years", first=first, last=last)
    return Period(first, last)


def around(kind: str, day: date) -> Period:
    """The day, week (Monday to Sunday), month, quarter or year that contains `day`."""
    if kind == "day":
        return Period(day, day)
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period(monday, monday + timedelta(days=6))
    if kind == "month":
        return month(day.year, day.month)
    if kind == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        return Period(month(day.year, first_month).first, month(day.year, first_month + 2).last)
    if kind == "year":
        return Period(date(day.year, 1, 1), date(day.year, 12, 31))
    raise Invalid("unknown period '%(name)s'; periods are: %(periods)s", name=kind, periods=list(KINDS))


def month(year: int, number: int) -> Period:
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return Period(first, following - timedelta(days=1))


def parse_month(text: str) -> Period:
    """'2026-10' → the whole of October 2026."""
    try:
        year, number = (int(part) for part in text.strip().split("-"))
        return month(year, number)
    except ValueError:
        raise Invalid("a month is written YYYY-MM, got '%(text)s'", text=text[:20]) from None


def last_full_month(today: date) -> Period:
    previous = today.replace(day=1) - timedelta(days=1)
    return month(previous.year, previous.month)

"""The official working-day calendar as a fast, read-only lookup structure.

A `WorkingCalendar` knows, for a contiguous covered range of dates, which are working days (工作日)
and which are rest days. Outside that range it assumes Monday–Friday and calls the answer
provisional: the State Council announces each year's holidays only a few weeks ahead, so a
deadline beyond the last announced year is a guess that is recomputed once the year is imported.

Deadlines are computed on every dispatch, commitment and extension and recomputed in bulk when a
new year is imported, so the calendar trades a megabyte or two for O(1) lookups: over a span
reaching well before and far beyond the covered range it keeps the sorted ordinals of all working
days and, for every day, how many working days fall on or before it. "The N-th working day after
d" is then two list lookups, whatever N is.

Pure: no database, no Flask, no clock.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from itertools import accumulate

# How far beyond the covered range lookups work. Deadlines are at most a few months away
# (Guang'an caps a limit at 60 working days), and the extension before the range serves orders
# received shortly before the first covered date. Calendars are rebuilt only on import, so a
# bigger span costs memory and build time, not lookup time.
YEARS_BEFORE_COVERAGE = 5
YEARS_AFTER_COVERAGE = 20
# A calendar with no covered dates (a fresh database) still has to answer for any realistic order.
EMPTY_SPAN = (date(2000, 1, 1), date(2100, 12, 31))

SECONDS_PER_DAY = 86_400
# Seconds from the start of a day to its last second, 23:59:59: "on time up to and including it".
_END_OF_DAY = SECONDS_PER_DAY - 1
# date.toordinal(1970-01-01); epoch day numbers and ordinals differ by this constant.
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_weekday(ordinal: int) -> bool:
    # Ordinal 1 (0001-01-01) was a Monday.
    return (ordinal - 1) % 7 < 5


class WorkingCalendar:
    """Working and rest days over a covered range, Monday–Friday (provisional) beyond it."""

    def __init__(self, workdays: Mapping[date, bool]) -> None:
        self.first, self.last = _check_contiguous(workdays)
        if self.first is None:
            span_first, span_last = EMPTY_SPAN
        else:
            span_first = date(self.first.year - YEARS_BEFORE_COVERAGE, 1, 1)
            span_last = date(self.last.year + YEARS_AFTER_COVERAGE, 12, 31)
        self.supported_span = (span_first, span_last)

        self._base = span_first.toordinal()
        span_days = span_last.toordinal() - self._base + 1
        is_work = bytearray(_is_weekday(self._base + i) for i in range(span_days))
        for day, working in workdays.items():
            is_work[day.toordinal() - self._base] = working
        self._is_work = is_work
        # _worked_through[i]: working days in the span up to and including day i. It is also the
        # position, in _workday_ordinals, of the first working day strictly after day i.
        self._worked_through = list(accumulate(is_work))
        self._workday_ordinals = [self._base + i for i, working in enumerate(is_work) if working]

    @classmethod
    def empty(cls) -> WorkingCalendar:
        """No announced dates at all: every answer is Monday–Friday and provisional."""
        return cls({})

    def __repr__(self) -> str:
        return f"<WorkingCalendar covering {self.first}..{self.last}>"

    # -- single days ---------------------------------------------------------------------------

    def covers(self, d: date) -> bool:
        return self.first is not None and self.first <= d <= self.last

    def is_provisional(self, d: date) -> bool:
        """True when `d` lies outside the announced range, so its status is only assumed."""
        return not self.covers(d)

    def is_workday(self, d: date) -> bool:
        if not self.covers(d):
            return _is_weekday(d.toordinal())
        return bool(self._is_work[d.toordinal() - self._base])

    # -- counting ------------------------------------------------------------------------------

    def nth_workday_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after `d` (n >= 1); `d` itself never counts."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        return self._workday_at(self._worked_through[self._index(d)] + n - 1)

    def workday_on_or_after(self, d: date) -> date:
        i = self._index(d)
        return self._workday_at(self._worked_through[i] - self._is_work[i])

    def nth_workday_before(self, d: date, n: int) -> date:
        """The n-th working day strictly before `d`; n = 0 returns `d` unchanged."""
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if n == 0:
            return d
        i = self._index(d)
        return self._workday_at(self._worked_through[i] - self._is_work[i] - n)

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        return self._worked_through[self._index(b)] - self._worked_through[self._index(a)]

    # -- bulk fast path ------------------------------------------------------------------------

    def fixed_offset_due_epoch(self, utc_offset_seconds: int) -> Callable[[int, int], int]:
        """A function (start_epoch, n) -> epoch of 23:59:59 local on the n-th working day after
        the start's local date, for a time zone whose UTC offset never changes over the span.

        For bulk recomputation and the benchmark: integers in and out, no datetime objects.
        Callers with a DST zone must use the datetime path (`deadlines.due_epoch_function`
        chooses for them).
        """
        worked_through = self._worked_through
        span_days = len(worked_through)
        first_day = self._base - _EPOCH_ORDINAL
        ends = [(o - _EPOCH_ORDINAL) * SECONDS_PER_DAY + _END_OF_DAY - utc_offset_seconds
                for o in self._workday_ordinals]
        last_index = len(ends) - 1
        span_first, span_last = self.supported_span

        def due_epoch(start_epoch: int, n: int) -> int:
            i = (start_epoch + utc_offset_seconds) // SECONDS_PER_DAY - first_day
            # Guard explicitly: a negative list index would silently read from the far end.
            if n < 1 or not 0 <= i < span_days:
                raise ValueError(f"cannot compute {n} working days after epoch {start_epoch}: "
                                 f"n must be >= 1 and the start within {span_first}..{span_last}")
            k = worked_through[i] + n - 1
            if k > last_index:
                raise ValueError(f"{n} working days after epoch {start_epoch} is beyond {span_last}")
            return ends[k]

        return due_epoch

    # -- internals -----------------------------------------------------------------------------

    def _index(self, d: date) -> int:
        i = d.toordinal() - self._base
        if not 0 <= i < len(self._is_work):
            first, last = self.supported_span
            raise ValueError(f"{d} is outside the dates this calendar can count over ({first}..{last})")
        return i

    def _workday_at(self, k: int) -> date:
        if not 0 <= k < len(self._workday_ordinals):
            first, last = self.supported_span
            raise ValueError(f"the working day asked for lies outside {first}..{last}")
        return date.fromordinal(self._workday_ordinals[k])


def _check_contiguous(workdays: Mapping[date, bool]) -> tuple[date | None, date | None]:
    for day, working in workdays.items():
        # datetime is a subclass of date; a datetime key would be a caller's mistake.
        if type(day) is not date:
            raise TypeError(f"calendar keys must be dates, got {day!r}")
        if not isinstance(working, bool):
            raise TypeError(f"calendar value for {day} must be a bool, got {working!r}")
    if not workdays:
        return None, None
    first, last = min(workdays), max(workdays)
    if last.toordinal() - first.toordinal() + 1 != len(workdays):
        missing = next(date.fromordinal(o) for o in range(first.toordinal(), last.toordinal())
                       if date.fromordinal(o) not in workdays)
        raise ValueError(f"calendar dates must be contiguous: {missing} is missing "
                         f"between {first} and {last}")
    return first, last


# -- sources ---------------------------------------------------------------------------------


def official_year_map_to_days(years: Mapping[str, Mapping[str, list[str]]]) -> dict[date, bool]:
    """Every date of each listed year, from the `years` map of official_holidays.json.

    Each year lists `holidays` (every rest date of the announced holidays, weekends inside a
    holiday included) and `workdays` (adjusted working days, 调休, always a Saturday or Sunday).
    Any other weekend day is a rest day, any other weekday a working day. The file is typed in by
    an admin from the State Council notice, so anything inconsistent is refused rather than guessed.
    """
    if not isinstance(years, Mapping) or not years:
        raise ValueError('expected a non-empty map of years, like '
                         '{"2026": {"holidays": [...], "workdays": [...]}}')
    days: dict[date, bool] = {}
    for key, entry in years.items():
        days.update(_official_year(_parse_year(key), entry))
    return days


def _parse_year(key: object) -> int:
    text = str(key)
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"year keys must be four digits like \"2026\", got {key!r}")
    return int(text)


def _official_year(year: int, entry: object) -> dict[date, bool]:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{year}: expected an object with \"holidays\" and \"workdays\" lists")
    unknown = set(entry) - {"holidays", "workdays"}
    if unknown:
        # A misspelt key ("holiday") would otherwise drop that whole list without a word.
        raise ValueError(f"{year}: unknown key(s) {sorted(unknown)}; expected \"holidays\" and \"workdays\"")
    holidays = _parse_dates(year, "holidays", entry.get("holidays", []))
    workdays = _parse_dates(year, "workdays", entry.get("workdays", []))

    both = holidays & workdays
    if both:
        raise ValueError(f"{year}: {_listed(both)} listed both as holiday and as working day")
    not_weekend = {d for d in workdays if d.weekday() < 5}
    if not_weekend:
        raise ValueError(f"{year}: adjusted working days must fall on a Saturday or Sunday, "
                         f"but {_listed(not_weekend)} is a weekday")

    result = {}
    for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
        d = date.fromordinal(ordinal)
        result[d] = d in workdays or (d.weekday() < 5 and d not in holidays)
    return result


def _parse_dates(year: int, field: str, values: object) -> set[date]:
    if not isinstance(values, list):
        raise ValueError(f"{year}: \"{field}\" must be a list of YYYY-MM-DD dates")
    parsed: set[date] = set()
    for value in values:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValueError(f"{year}: {value!r} in \"{field}\" is not a YYYY-MM-DD date")
        try:
            d = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{year}: {value!r} in \"{field}\" is not a real date") from None
        if d.year != year:
            raise ValueError(f"{year}: {value} in \"{field}\" belongs to {d.year}, not {year}")
        if d in parsed:
            raise ValueError(f"{year}: {value} is listed twice in \"{field}\"")
        parsed.add(d)
    return parsed


def _listed(dates: set[date]) -> str:
    return ", ".join(str(d) for d in sorted(dates))


def chinesecalendar_days(year_from: int | None = None, year_to: int | None = None) -> dict[date, bool]:
    """Every date of every whole year the installed `chinesecalendar` package knows.

    The package refuses years outside the range of its holiday table (NotImplementedError), so
    that table's years are the coverage. `year_from`/`year_to` narrow it; asking for a year the
    package does not know is an error rather than a silent Monday–Friday guess.
    """
    import chinese_calendar
    from chinese_calendar import constants

    # The package's own range check uses its holiday table's years; probing each candidate year
    # keeps this right should a future release cover years differently.
    candidates = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    known_years = [y for y in range(min(candidates), max(candidates) + 1) if _package_knows(y)]
    if not known_years:
        raise ValueError("the installed chinesecalendar package covers no whole year")
    first_known, last_known = known_years[0], known_years[-1]
    year_from = first_known if year_from is None else year_from
    year_to = last_known if year_to is None else year_to
    if not first_known <= year_from <= year_to <= last_known:
        raise ValueError(f"chinesecalendar {getattr(chinese_calendar, '__version__', '?')} covers "
                         f"{first_known}–{last_known}; asked for {year_from}–{year_to}")

    days = {}
    for ordinal in range(date(year_from, 1, 1).toordinal(), date(year_to, 12, 31).toordinal() + 1):
        d = date.fromordinal(ordinal)
        days[d] = bool(chinese_calendar.is_workday(d))
    return days


def _package_knows(year: int) -> bool:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True

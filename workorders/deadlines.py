"""Deadline arithmetic (SPEC §4): due times, return windows, traffic-light thresholds.

Pure functions over a `WorkingCalendar` and the hotline's time zone. Every datetime in and out is
timezone-aware, and results are in UTC. A *day* is always a local date of the hotline's zone: an
order received at 00:30 Beijing time belongs to that Beijing day, not to the UTC day before.

Due times are the last second of their day (23:59:59 local: on time up to and including it);
yellow starts at the first second of its day (00:00:00 local).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from .calendar import WorkingCalendar

WORKING = "working"
NATURAL = "natural"
UNITS = (WORKING, NATURAL)

_LAST_SECOND = time(23, 59, 59)


@dataclass(frozen=True)
class Deadline:
    at: datetime  # UTC, the last second of `day`
    day: date  # local date
    provisional: bool  # relied on a date outside the announced calendar


@dataclass(frozen=True)
class Thresholds:
    """The moments an order's light changes, computed once per deadline and stored on the order."""

    due_at: datetime  # last on-time second; red after it
    yellow_at: datetime  # first yellow second
    severe_at: datetime  # last second before "severely overdue"
    provisional: bool
    due_day: date


# -- local days ------------------------------------------------------------------------------


def local_date(t: datetime, tz: tzinfo) -> date:
    return _aware(t).astimezone(tz).date()


def start_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def end_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, _LAST_SECOND, tzinfo=tz).astimezone(UTC)


def _aware(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {t.isoformat()}")
    return t


def _deadline(day: date, provisional: bool, tz: tzinfo) -> Deadline:
    return Deadline(at=end_of_day(day, tz), day=day, provisional=provisional)


def _uses_uncovered(cal: WorkingCalendar, first: date, last: date) -> bool:
    # The covered range is contiguous, so checking both ends covers every day in between.
    return cal.is_provisional(first) or cal.is_provisional(last)


def _workdays_after(day: date, n: int, cal: WorkingCalendar, tz: tzinfo) -> Deadline:
    """End of the n-th working day after `day`; provisional if any of the days counted over is."""
    if n == 0:
        return _deadline(day, False, tz)
    last = cal.nth_workday_after(day, n)
    return _deadline(last, _uses_uncovered(cal, day + timedelta(days=1), last), tz)


# -- deadlines -------------------------------------------------------------------------------


def due(start: datetime, days: int, unit: str, cal: WorkingCalendar, tz: tzinfo) -> Deadline:
    """End of the `days`-th working (or calendar) day after the start's local date.

    The start's own date never counts, working day or not. Natural-day limits never consult the
    calendar, so they are never provisional.
    """
    _check_unit(unit)
    if days < 1:
        raise ValueError(f"a limit must be at least 1 day, got {days}")
    start_day = local_date(start, tz)
    if unit == NATURAL:
        return _deadline(start_day + timedelta(days=days), False, tz)
    return _workdays_after(start_day, days, cal, tz)


def return_window_end(dispatched_at: datetime, window_days: int, cal: WorkingCalendar,
                      tz: tzinfo) -> Deadline:
    """Last moment a department may return an order.

    W = 0 is "the same day" (Karamay's 当日): the dispatch date if it is a working day, otherwise
    the next working day, since a department cannot be expected to act on a rest day.
    W > 0 is the end of the W-th working day after the dispatch date (Pingshan: 3).
    """
    if window_days < 0:
        raise ValueError(f"a return window cannot be negative, got {window_days}")
    dispatch_day = local_date(dispatched_at, tz)
    if window_days == 0:
        day = cal.workday_on_or_after(dispatch_day)
        return _deadline(day, _uses_uncovered(cal, dispatch_day, day), tz)
    return _workdays_after(dispatch_day, window_days, cal, tz)


def yellow_start(due_day: date, yellow_days: int, unit: str, cal: WorkingCalendar, tz: tzinfo) -> datetime:
    """Start of the day that is `yellow_days` days before the due day, counting the due day as
    the first (Y = 1: the due day itself; Y = 2: the working day before it).

    Y <= 0 means no yellow period: the result is the first second after the due day, i.e. the
    moment the order turns red, so `light` goes straight from green to red while the stored
    column stays a plain, non-null, indexable time.
    """
    day = _yellow_day(due_day, yellow_days, unit, cal)
    if day is None:
        return start_of_day(due_day + timedelta(days=1), tz)
    return start_of_day(day, tz)


def _yellow_day(due_day: date, yellow_days: int, unit: str, cal: WorkingCalendar) -> date | None:
    _check_unit(unit)
    if yellow_days <= 0:
        return None
    if unit == NATURAL:
        return due_day - timedelta(days=yellow_days - 1)
    return cal.nth_workday_before(due_day, yellow_days - 1)


def severe_end(due_day: date, severe_days: int, cal: WorkingCalendar, tz: tzinfo) -> Deadline:
    """End of the S-th working day after the due day; S = 0 makes every late order severe."""
    if severe_days < 0:
        raise ValueError(f"severe-overdue days cannot be negative, got {severe_days}")
    return _workdays_after(due_day, severe_days, cal, tz)


def extend(deadline_day: date, extra_working_days: int, cal: WorkingCalendar, tz: tzinfo) -> Deadline:
    """The deadline moved later by an approved number of working days (0 leaves it as it is)."""
    if extra_working_days < 0:
        raise ValueError(f"an extension cannot be negative, got {extra_working_days}")
    return _workdays_after(deadline_day, extra_working_days, cal, tz)


def thresholds(start: datetime, days: int, unit: str, yellow_days: int, severe_days: int,
               cal: WorkingCalendar, tz: tzinfo) -> Thresholds:
    """All light thresholds for a limit counted from `start`."""
    deadline = due(start, days, unit, cal, tz)
    result = thresholds_for_day(deadline.day, yellow_days, unit, severe_days, cal, tz)
    if deadline.provisional:
        result = replace(result, provisional=True)
    return result


def thresholds_for_day(due_day: date, yellow_days: int, unit: str, severe_days: int,
                       cal: WorkingCalendar, tz: tzinfo) -> Thresholds:
    """All light thresholds for a due day set directly (a committed date, an extension).

    Provisional when any day from the yellow day to the severe day is outside the calendar: a
    due day beyond the announced years may yet turn out to be a holiday.
    """
    yellow_day = _yellow_day(due_day, yellow_days, unit, cal)
    severe = severe_end(due_day, severe_days, cal, tz)
    earliest = due_day if yellow_day is None else min(yellow_day, due_day)
    return Thresholds(
        due_at=end_of_day(due_day, tz),
        yellow_at=yellow_start(due_day, yellow_days, unit, cal, tz),
        severe_at=severe.at,
        provisional=_uses_uncovered(cal, earliest, severe.day),
        due_day=due_day,
    )


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")


# -- lights ----------------------------------------------------------------------------------


def is_past(now: datetime, deadline_at: datetime) -> bool:
    """True once `now` is past a deadline's last second.

    Compared to the whole second: a reply stamped 23:59:59.4 is on time, as the rules promise
    ("up to and including 23:59:59"). Use the same test for `severe_at`.
    """
    return _aware(now).replace(microsecond=0) > deadline_at


def light(now: datetime, due_at: datetime, yellow_at: datetime) -> str:
    """The light of an open order at `now`: "green", "yellow" (即将超期) or "red" (超期)."""
    if is_past(now, due_at):
        return "red"
    if now >= yellow_at:
        return "yellow"
    return "green"


# -- bulk fast path --------------------------------------------------------------------------


def due_epoch_function(cal: WorkingCalendar, tz: tzinfo) -> Callable[[int, int], int]:
    """A function (start_epoch_seconds, n) -> due time in epoch seconds, for n working days.

    Equal to `due(...).at` but several times faster: it works on integers, with the zone's UTC
    offset fixed in advance. That is valid only for a zone whose offset never changes over the
    calendar's span (Asia/Shanghai since 1992); for a zone with DST or another offset change in
    the span the returned function falls back to `due()` per call, slower but right.

    It does not say whether a result is provisional; a due time later than
    `end_of_day(cal.last, tz)` is (and every one is, for an empty calendar).
    """
    offset = _fixed_utc_offset(tz, *cal.supported_span)
    if offset is not None:
        return cal.fixed_offset_due_epoch(offset)

    def due_epoch(start_epoch: int, n: int) -> int:
        start = datetime.fromtimestamp(start_epoch, UTC)
        return int(due(start, n, WORKING, cal, tz).at.timestamp())

    return due_epoch


def _fixed_utc_offset(tz: tzinfo, first: date, last: date) -> int | None:
    """The zone's UTC offset in seconds if it is the same at noon of every day first..last."""
    # zoneinfo exposes no list of transitions; sampling once a day finds every change that lasts
    # longer than a day, which is every real DST rule or change of standard time.
    offsets = {
        datetime.combine(date.fromordinal(o), time(12), tzinfo=tz).utcoffset()
        for o in range(first.toordinal(), last.toordinal() + 1)
    }
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    if offset is None or offset % timedelta(seconds=1):
        return None
    return int(offset.total_seconds())

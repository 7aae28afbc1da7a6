"""When agents are staffed: ranges of the day per kind of day, kept in `cc_staffing_hours`.

A 12345 line is staffed 7×24, so that is the default. When the deployment still names working
hours (HOTLINE_WORKING_HOURS, the older setting), the first read seeds the schedule from them:
those ranges on Monday to Friday, nobody on rest days, as the hotline behaved before.

The kind of a date follows the official calendar: a rest day that falls on Monday–Friday is a
holiday; a make-up working day on a weekend (调休) is staffed like a Monday.
"""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workorders.calendar import WorkingCalendar
from workorders.process_copy import reference_data_changed

from .models import DAY_KINDS, StaffingHours

Range = tuple[time, time | None]  # end None = until midnight
ALL_DAY: list[Range] = [(time(0, 0), None)]
WEEKDAY_KINDS = DAY_KINDS[:7]


def day_kind(d: date, calendar: WorkingCalendar) -> str:
    weekday = d.weekday()
    workday = calendar.is_workday(d)
    if workday and weekday >= 5:
        return "mon"
    if not workday and weekday < 5:
        return "holiday"
    return WEEKDAY_KINDS[weekday]


def seed_ranges(working_hours: list[Range] | None) -> dict[str, list[Range]]:
    if working_hours is None:
        return {kind: list(ALL_DAY) for kind in DAY_KINDS}
    return {kind: (list(working_hours) if kind in WEEKDAY_KINDS[:5] else []) for kind in DAY_KINDS}


def load(session: Session, seed: list[Range] | None) -> dict[str, list[Range]]:
    """The schedule by day kind, seeded (in the caller's transaction) when it was never set."""
    rows = list(session.scalars(select(StaffingHours).order_by(StaffingHours.day_kind, StaffingHours.starts)))
    if not rows:
        schedule = seed_ranges(seed)
        for kind, ranges in schedule.items():
            _write(session, kind, ranges)
        session.flush()
        return schedule
    schedule: dict[str, list[Range]] = {kind: [] for kind in DAY_KINDS}
    for row in rows:
        if row.starts is not None and row.day_kind in schedule and (row.starts, row.ends) not in schedule[row.day_kind]:
            schedule[row.day_kind].append((row.starts, row.ends))
    return schedule


def save(session: Session, kind: str, ranges: list[Range], seed: list[Range] | None) -> None:
    """Replace one day kind's ranges (an empty list: nobody staffed that day)."""
    if kind not in DAY_KINDS:
        raise ValueError(f"unknown day kind {kind!r}")
    load(session, seed)  # a first edit keeps the other days as they were seeded
    session.execute(delete(StaffingHours).where(StaffingHours.day_kind == kind))
    _write(session, kind, ranges)
    session.flush()
    reference_data_changed()


def _write(session: Session, kind: str, ranges: list[Range]) -> None:
    if not ranges:
        session.add(StaffingHours(day_kind=kind, starts=None, ends=None))
    for starts, ends in ranges:
        session.add(StaffingHours(day_kind=kind, starts=starts, ends=ends))


def is_staffed(schedule: dict[str, list[Range]], now: datetime, calendar: WorkingCalendar, tz: ZoneInfo) -> bool:
    """Whether `now` falls in the staffed hours of `schedule` (as `load` returns it)."""
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    ranges = schedule[day_kind(local.date(), calendar)]
    return any(start <= clock and (end is None or clock < end) for start, end in ranges)


def describe(ranges: list[Range]) -> str:
    """'08:30-12:00,13:30-17:30', the form the admin page edits ('' when nobody is staffed)."""
    return ",".join(f"{s:%H:%M}-{'24:00' if e is None else format(e, '%H:%M')}" for s, e in ranges)

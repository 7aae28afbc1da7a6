"""Whether the agents are at their desks: configured hours on the official calendar's working days."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from workorders.calendar import WorkingCalendar


def within_working_hours(
    now: datetime, ranges: list[tuple[time, time | None]], calendar: WorkingCalendar, tz: ZoneInfo
) -> bool:
    local = now.astimezone(tz)
    if not calendar.is_workday(local.date()):
        return False
    clock = local.time().replace(tzinfo=None)
    return any(start <= clock and (end is None or clock < end) for start, end in ranges)

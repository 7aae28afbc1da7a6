"""The calendar coverage warning (SPEC §4): admins are told 60 days before the calendar ends."""
from __future__ import annotations

from datetime import date

from ..calendar import WorkingCalendar

WARN_DAYS = 60


def coverage_warning(calendar: WorkingCalendar, today: date, warn_days: int = WARN_DAYS) -> str | None:
    """A sentence for the page banner and the log, or None while coverage reaches far enough."""
    if calendar.last is None:
        return ("the working-day calendar is empty: every deadline is provisional until the "
                "official holidays are imported (hotline calendar import)")
    left = (calendar.last - today).days
    if left >= warn_days:
        return None
    if left < 0:
        return (f"the working-day calendar ended on {calendar.last.isoformat()}: deadlines are "
                "provisional; import the State Council's holiday notice (hotline calendar import)")
    return (f"the working-day calendar covers up to {calendar.last.isoformat()} ({left} days left): "
            "import next year's holiday notice (hotline calendar import)")

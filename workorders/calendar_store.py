"""The calendar table: seeding, yearly imports, and a per-process copy for deadline arithmetic."""
from __future__ import annotations

import json
import threading
from datetime import date, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from .calendar import WorkingCalendar, chinesecalendar_days, official_year_map_to_days
from .errors import Invalid
from .models import CalendarDay, CalendarImport
from .process_copy import reference_data_changed

_cache_lock = threading.Lock()
_cache: dict[tuple, WorkingCalendar] = {}
# Every entry point asks this: built once, on the table (not the ORM entity), it costs a fifth.
_imports = CalendarImport.__table__
_NEWEST_IMPORT = (
    select(_imports.c.id, _imports.c.imported_at, _imports.c.years).order_by(_imports.c.id.desc()).limit(1)
)


def load_calendar(session: Session) -> WorkingCalendar:
    """The calendar as the database has it now; rebuilt only when an import changed it."""
    # The import's time is part of the key: an id can be reused after a rolled-back import.
    newest = session.execute(_NEWEST_IMPORT).first()
    revision = tuple(newest) if newest else ()
    cached = _cache.get(revision)
    if cached is not None:
        return cached
    rows = session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()
    calendar = WorkingCalendar({day: work for day, work in rows}) if rows else WorkingCalendar.empty()
    with _cache_lock:
        _cache.clear()
        _cache[revision] = calendar
    return calendar


def _store(session: Session, days: dict[date, bool], source: str, now: datetime) -> list[int]:
    if not days:
        raise Invalid("the calendar file covers no dates")
    existing = load_calendar(session)
    merged = {d: existing.is_workday(d) for d in _covered_days(existing)}
    merged.update(days)
    try:
        # Refuse a gap: deadlines must be computable day by day across the whole covered range.
        WorkingCalendar(merged)
    except (TypeError, ValueError) as exc:
        raise Invalid("calendar rejected: %(reason)s", reason=str(exc)) from None
    session.execute(delete(CalendarDay).where(CalendarDay.day.in_(list(days))))
    # One executemany of plain rows: a seed is ~9,000 days, and ORM objects cost twice the time.
    session.execute(insert(CalendarDay), [
        {"day": d, "is_workday": w, "source": source} for d, w in sorted(days.items())
    ])
    years = sorted({d.year for d in days})
    session.add(CalendarImport(imported_at=now, source=source, years=json.dumps(years)))
    session.flush()
    reference_data_changed()
    return years


def _covered_days(calendar: WorkingCalendar) -> list[date]:
    if calendar.first is None:
        return []
    first, last = calendar.first.toordinal(), calendar.last.toordinal()
    return [date.fromordinal(o) for o in range(first, last + 1)]


def seed_from_chinesecalendar(session: Session, now: datetime) -> list[int]:
    """Fill the years the `chinesecalendar` package knows that the table does not have yet."""
    have = set(covered_years(session))
    days = {d: w for d, w in chinesecalendar_days().items() if d.year not in have}
    if not days:
        return []
    return _store(session, days, "chinesecalendar", now)


def import_years(session: Session, years_map: dict, now: datetime, source: str = "import") -> list[int]:
    """Import whole years shaped like official_holidays.json's `years` map."""
    try:
        days = official_year_map_to_days(years_map)
    except ValueError as exc:
        raise Invalid("calendar file rejected: %(reason)s", reason=str(exc)) from None
    return _store(session, days, source, now)


def covered_years(session: Session) -> list[int]:
    rows = session.execute(select(CalendarDay.day)).scalars()
    return sorted({d.year for d in rows})

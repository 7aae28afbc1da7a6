"""Is the call centre staffed now? Asked by /ivr/voice for every call, answered from a copy.

The schedule and the calendar it follows live in the database (workorders/callcenter/schedule.py,
workorders/calendar_store.py). Each web process keeps what it read for HOTLINE_STAFFING_COPY_SECONDS
(5 by default; see workorders/process_copy.py): an edit on the admin pages is seen at once by the
process that made it and within those seconds by the others.
"""
from __future__ import annotations

from datetime import datetime
from functools import partial

from flask import Flask
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from hotline.runtime import timezone
from workorders.calendar import WorkingCalendar
from workorders.calendar_store import load_calendar
from workorders.callcenter import schedule
from workorders.process_copy import ProcessCopy

from .settings import IvrSettings

EXTENSION = "ivr.staffing"


def _read(connection: Connection, seed: list[schedule.Range] | None) -> tuple[WorkingCalendar, dict]:
    with Session(connection) as session:
        return load_calendar(session), schedule.load(session, seed)


def init_app(app: Flask, settings: IvrSettings) -> None:
    app.extensions[EXTENSION] = ProcessCopy(partial(_read, seed=settings.working_hours),
                                            settings.staffing_copy_seconds)


def is_staffed(app: Flask, connection: Connection, now: datetime) -> bool:
    """On `connection`, a few times a minute, the schedule and calendar are read again."""
    calendar, hours = app.extensions[EXTENSION].get(connection)
    return schedule.is_staffed(hours, now, calendar, timezone(app))

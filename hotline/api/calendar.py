"""/api/v1/calendar: due times and working days, as the hotline's deadlines count them."""
from __future__ import annotations

from datetime import date, datetime

from flask import jsonify, request

from workorders import deadlines
from workorders.calendar_store import load_calendar
from workorders.errors import Invalid

from .. import db
from ..runtime import timezone
from . import bp


def parse_start(raw: str | None, tz) -> datetime:
    if not raw:
        raise Invalid("'start' is required: an ISO 8601 time, e.g. 2026-04-30T10:00:00+08:00")
    try:
        start = datetime.fromisoformat(raw.replace(" ", "+") if raw.count(" ") == 1 else raw)
    except ValueError:
        raise Invalid(f"'start' is not an ISO 8601 time: {raw!r}") from None
    return start if start.tzinfo else start.replace(tzinfo=tz)


def parse_days(raw: str | None) -> int:
    if raw is None or not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 3650:
        raise Invalid("'working_days' must be a whole number from 1 to 3650")
    return int(raw)


def _only(*names: str) -> None:
    unknown = sorted(set(request.args) - set(names))
    if unknown:
        raise Invalid(f"unknown parameter(s): {', '.join(unknown)}")


@bp.get("/calendar/due")
def due():
    _only("start", "working_days")
    tz = timezone()
    start = parse_start(request.args.get("start"), tz)
    days = parse_days(request.args.get("working_days"))
    calendar = load_calendar(db.session())
    first, last = calendar.supported_span
    try:
        result = deadlines.due(start, days, "working", calendar, tz)
    except (ValueError, OverflowError):
        raise Invalid(f"the calendar counts working days from {first} to {last}; "
                      f"{days} working days after {start.date()} fall outside") from None
    return jsonify({
        "due_at": result.at.astimezone(tz).isoformat(),
        "due_day": result.day.isoformat(),
        "provisional": result.provisional,
    })


@bp.get("/calendar/workday")
def workday():
    _only("date")
    raw = request.args.get("date", "")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Invalid("'date' must be YYYY-MM-DD") from None
    cal = load_calendar(db.session())
    return jsonify({
        "date": day.isoformat(),
        "workday": cal.is_workday(day),
        "provisional": cal.is_provisional(day),
    })

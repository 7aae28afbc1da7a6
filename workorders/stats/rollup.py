"""Keeping the daily roll-up equal to the events: rebuild a day, find the days that changed.

`rollup_day` rebuilds one local day whole (delete, then insert what `facts` finds), so running it
twice, or for a day nothing happened on, is harmless; runs of days are rebuilt a week at a time
(one set of queries, the facts sorted into local days in Python). `refresh` is the scheduler's job: it looks
at the events written since its last run and rebuilds every day on which an order they touch has
an event, since those are the only days whose figures can have changed (see the package
docstring). `rollup_days` is `hotline stats rebuild`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.orm import Session

from ..deadlines import local_date
from ..models import OrderEvent
from . import facts
from .models import MEASURES, DailyFigures, HeldDispatch, RollupMark, SevereDispatch

DIMENSIONS = ("all", "department", "type", "category", "channel", "district")
MARK = "rollup"
# Events can be committed a little after their time; each refresh looks this far back again.
LATE_COMMIT_MARGIN = timedelta(minutes=15)


def dimension_keys(a: facts.Attributes) -> list[tuple[str, str]]:
    def key(value) -> str:
        return "" if value is None else str(value)

    return [("all", ""), ("department", key(a.department_id)), ("type", key(a.type)),
            ("category", key(a.category_id)), ("channel", key(a.channel)), ("district", key(a.district))]


INDEX = {m: i for i, m in enumerate(MEASURES)}
# Days rebuilt together: one set of queries for the chunk, then sorted into days in Python.
CHUNK_DAYS = 7


class Tally:
    """Counts of one day: first per combination of attributes (few), then per group."""

    def __init__(self) -> None:
        self.by_attributes: dict[facts.Attributes, list[int]] = {}

    def add(self, attributes: facts.Attributes, **measures: int) -> None:
        counts = self.by_attributes.get(attributes)
        if counts is None:
            counts = self.by_attributes[attributes] = [0] * len(MEASURES)
        for name, n in measures.items():
            counts[INDEX[name]] += n

    def rows(self, day: date) -> list[dict]:
        groups: dict[tuple[str, str], list[int]] = {}
        for attributes, counts in self.by_attributes.items():
            for group in dimension_keys(attributes):
                total = groups.setdefault(group, [0] * len(MEASURES))
                for i, n in enumerate(counts):
                    total[i] += n
        return [{"dimension": dim, "day": day, "key": key, **dict(zip(MEASURES, counts, strict=True))}
                for (dim, key), counts in groups.items()]


def tally_days(session: Session, first: date, last: date, tz: tzinfo):
    """Each day's counts from `first` to `last`; the dispatches that ended past the severe
    threshold, and those still held."""
    start, _ = facts.day_bounds(first, tz)
    _, end = facts.day_bounds(last, tz)
    tallies: dict[date, Tally] = {}
    severe: list[facts.Dispatch] = []
    held: list[facts.Dispatch] = []

    def tally(moment: datetime) -> Tally:
        day = local_date(moment, tz)
        found = tallies.get(day)
        if found is None:
            found = tallies[day] = Tally()
        return found

    for i in facts.intake(session, start, end):
        tally(i.created_at).add(i.attributes, received=1, invalid=int(i.invalid), merged=int(i.merged),
                                answered=int(i.answered))
    for d in facts.dispatches(session, start, end):
        tally(d.dispatched_at).add(
            d.attributes, dispatched=1,
            returned=int(d.ended_by == "return"),
            replied=int(d.replied), replied_on_time=int(d.on_time), reply_seconds=d.reply_seconds,
            severe_closed=int(d.ended_severe),
            closed_unreplied=int(d.ended_by is not None and d.ended_by not in ("reply", "return")),
        )
        if d.ended_severe:
            severe.append(d)
        elif d.ended_by is None:
            held.append(d)
    for c in facts.callbacks(session, start, end):
        reached = c.satisfaction in facts.REACHED
        tally(c.at).add(
            c.attributes,
            callbacks_reached=int(reached),
            satisfied=int(c.satisfaction == "satisfied"),
            basically_satisfied=int(c.satisfaction == "basically_satisfied"),
            dissatisfied=int(c.satisfaction == "dissatisfied"),
            resolved=int(reached and c.resolved),
            unreachable=int(c.satisfaction == "unreachable" and c.closed),
        )
    return tallies, severe, held


def rollup_day(session: Session, day: date, tz: tzinfo) -> int:
    """Rebuild the roll-up of one local day; returns the rows written."""
    return _rebuild(session, day, day, tz)


def rollup_days(session: Session, first: date, last: date, tz: tzinfo,
                progress: Callable[[date], None] | None = None) -> int:
    """Rebuild every day from `first` to `last` (`hotline stats rebuild`), a week at a time."""
    touched, chunk = 0, first
    while chunk <= last:
        chunk_last = min(last, chunk + timedelta(days=CHUNK_DAYS - 1))
        touched += _rebuild(session, chunk, chunk_last, tz)
        if progress:
            day = chunk
            while day <= chunk_last:
                progress(day)
                day += timedelta(days=1)
        chunk = chunk_last + timedelta(days=1)
    return touched


def _rebuild(session: Session, first: date, last: date, tz: tzinfo) -> int:
    tallies, severe, held = tally_days(session, first, last, tz)
    for table in (DailyFigures, SevereDispatch, HeldDispatch):
        session.execute(delete(table).where(table.day >= first, table.day <= last))
    rows = [row for day, t in sorted(tallies.items()) for row in t.rows(day)]
    if rows:
        session.execute(insert(DailyFigures), rows)
    if severe:
        session.execute(insert(SevereDispatch), [
            {"day": local_date(d.dispatched_at, tz), "order_id": d.order_id,
             "department_id": d.attributes.department_id, "dispatched_at": d.dispatched_at,
             "due_at": d.due_at, "severe_at": d.severe_at, "ended_at": d.ended_at, "ended_by": d.ended_by}
            for d in severe
        ])
    if held:
        session.execute(insert(HeldDispatch), [
            {"day": local_date(d.dispatched_at, tz), "order_id": d.order_id,
             "department_id": d.attributes.department_id, "type": d.attributes.type,
             "category_id": d.attributes.category_id, "channel": d.attributes.channel,
             "district": d.attributes.district, "dispatched_at": d.dispatched_at, "due_at": d.due_at,
             "yellow_at": d.yellow_at, "severe_at": d.severe_at}
            for d in held
        ])
    return len(rows) + len(severe) + len(held)


# --- what changed -------------------------------------------------------------------------------

def days_of_orders_with_events(session: Session, since_event_id: int, since_at: datetime | None,
                               tz: tzinfo) -> set[date]:
    """Local days of every event of every order that has an event newer than the marks."""
    # A union of two index range scans (id, at) rather than an OR the planner may scan for.
    touched = select(OrderEvent.order_id).where(OrderEvent.id > since_event_id)
    if since_at is not None:
        touched = union(touched, select(OrderEvent.order_id).where(OrderEvent.at >= since_at))
    moments = session.scalars(
        select(OrderEvent.at).where(OrderEvent.order_id.in_(touched.subquery().select())).distinct())
    return {local_date(at, tz) for at in moments}


def days_of_orders_active_on(session: Session, day: date, tz: tzinfo) -> set[date]:
    """Local days of every event of the orders that have an event on `day` (and `day` itself)."""
    start, end = facts.day_bounds(day, tz)
    touched = select(OrderEvent.order_id).where(OrderEvent.at >= start, OrderEvent.at < end).distinct()
    moments = session.scalars(select(OrderEvent.at).where(OrderEvent.order_id.in_(touched)).distinct())
    return {day} | {local_date(at, tz) for at in moments}


def event_span(session: Session, tz: tzinfo) -> tuple[date, date] | None:
    first, last = session.execute(select(func.min(OrderEvent.at), func.max(OrderEvent.at))).one()
    if first is None:
        return None
    return local_date(first, tz), local_date(last, tz)


def refresh(session: Session, now: datetime, tz: tzinfo) -> int:
    """The scheduler's job: bring every day that new events changed up to date; rows written.

    The first run (no mark yet) rebuilds every day that has events.
    """
    mark = session.get(RollupMark, MARK)
    newest = session.scalar(select(func.max(OrderEvent.id))) or 0
    if mark is None:
        mark = RollupMark(name=MARK, last_event_id=0)
        session.add(mark)
        span = event_span(session, tz)
        days: Iterable[date] = _every_day(*span) if span else []
    else:
        since = mark.refreshed_at - LATE_COMMIT_MARGIN if mark.refreshed_at else None
        days = sorted(days_of_orders_with_events(session, mark.last_event_id, since, tz))
    touched = sum(_rebuild(session, first, last, tz) for first, last in _runs(days))
    mark.last_event_id = newest
    mark.refreshed_at = now
    return touched


def close_day(session: Session, day: date, tz: tzinfo) -> int:
    """The scheduler's daily hook for a day that ended: every day its events changed, rebuilt.

    A safety net under `refresh`: whatever was committed late, the day's own events catch it.
    """
    return sum(_rebuild(session, first, last, tz) for first, last in _runs(days_of_orders_active_on(session, day, tz)))


def refreshed_at(session: Session) -> datetime | None:
    mark = session.get(RollupMark, MARK)
    return mark.refreshed_at if mark else None


def _every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs of at most CHUNK_DAYS, to rebuild them together."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + timedelta(days=1) and (day - runs[-1][0]).days < CHUNK_DAYS:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs

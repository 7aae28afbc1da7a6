"""Call figures from the database: a day's counts, the daily roll-up, a period's sums, the live board.

`figures.py` defines every figure over plain rows; this module only reads the rows (queue entries,
presence spans, presence) and keeps `cc_daily_calls` / `cc_daily_agents`. A day is always rebuilt
whole (delete, then insert), so running the roll-up twice, or for a quiet day, changes nothing.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ..deadlines import start_of_day
from . import figures
from .figure_models import AgentDay, CallDay
from .models import AgentPresence, PresenceSpan, QueueEntry

WAITING_OUTCOMES = ("waiting", "assigned")


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    return start_of_day(day, tz), start_of_day(day + timedelta(days=1), tz)


def waits_between(session: Session, start: datetime, end: datetime) -> list[figures.Wait]:
    rows = session.execute(
        select(QueueEntry.enqueued_at, QueueEntry.outcome, QueueEntry.agent_id, QueueEntry.answered_at,
               QueueEntry.talk_ended_at)
        .where(QueueEntry.enqueued_at >= start, QueueEntry.enqueued_at < end)
    )
    return [figures.Wait(*row) for row in rows]


def spans_overlapping(session: Session, start: datetime, end: datetime) -> list[figures.Span]:
    rows = session.execute(
        select(PresenceSpan.user_id, PresenceSpan.state, PresenceSpan.started_at, PresenceSpan.ended_at)
        .where(PresenceSpan.started_at < end,
               or_(PresenceSpan.ended_at.is_(None), PresenceSpan.ended_at > start))
    )
    return [figures.Span(*row) for row in rows]


def counts_between(session: Session, start: datetime, end: datetime, as_of: datetime) -> figures.CallCounts:
    """Counted from the rows themselves (today, the wallboard; the roll-up of one day)."""
    return figures.count_calls(waits_between(session, start, end), spans_overlapping(session, start, end),
                               start, end, as_of)


def rollup_call_day(session: Session, day: date, tz: tzinfo, as_of: datetime) -> figures.CallCounts:
    """Rebuild one local day of the roll-up; returns its counts."""
    start, end = day_bounds(day, tz)
    counts = counts_between(session, start, end, as_of)
    session.execute(delete(AgentDay).where(AgentDay.day == day))
    session.execute(delete(CallDay).where(CallDay.day == day))
    if counts.offered or counts.agents:
        session.add(CallDay(day=day, **{name: getattr(counts, name) for name in figures.COUNT_NAMES}))
        session.add_all(
            AgentDay(day=day, user_id=user_id, **{name: getattr(agent, name) for name in figures.AGENT_COUNT_NAMES})
            for user_id, agent in sorted(counts.agents.items())
        )
    session.flush()
    return counts


def rolled_up(session: Session, first: date, last: date) -> figures.CallCounts:
    """The sums of the roll-up's days from `first` to `last` (a month: ~30 rows and the agents')."""
    total = figures.CallCounts()
    sums = session.execute(
        select(*[func.coalesce(func.sum(getattr(CallDay, name)), 0) for name in figures.COUNT_NAMES])
        .where(CallDay.day >= first, CallDay.day <= last)
    ).one()
    for name, value in zip(figures.COUNT_NAMES, sums, strict=True):
        setattr(total, name, int(value))
    agents = session.execute(
        select(AgentDay.user_id, *[func.sum(getattr(AgentDay, name)) for name in figures.AGENT_COUNT_NAMES])
        .where(AgentDay.day >= first, AgentDay.day <= last)
        .group_by(AgentDay.user_id)
    )
    for user_id, *values in agents:
        total.agents[user_id] = figures.AgentCounts(*(int(v) for v in values))
    return total


def live_board(session: Session, now: datetime) -> dict:
    """Callers waiting now, the longest wait, agents by presence state."""
    waiting = session.scalars(select(QueueEntry.enqueued_at).where(QueueEntry.outcome.in_(WAITING_OUTCOMES)))
    presence = session.scalars(select(AgentPresence.state))
    return figures.live_board(waiting, presence, now)

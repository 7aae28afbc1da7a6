"""The roll-up tables: daily counts per group, the severe-overdue dispatches, the refresh mark."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base

# The counts kept per day and group; `figures.Figures` turns sums of them into the rates.
MEASURES = (
    # intake: orders created that day
    "received", "invalid", "merged", "answered",
    # handling: dispatches made that day, and what became of those that ended
    "dispatched", "returned", "replied", "replied_on_time", "reply_seconds", "severe_closed",
    "closed_unreplied",
    # callbacks made that day
    "callbacks_reached", "satisfied", "basically_satisfied", "dissatisfied", "resolved",
    "unreachable",
)


class DailyFigures(Base):
    """One day, one grouping (`dimension`), one group (`key`): the counts of MEASURES.

    `key` is the department or category id, the type, channel or district code, "" for none
    (not dispatched, not classified) and for dimension "all". Rows exist only for groups with
    something to count; a day is always rebuilt whole.
    """

    __tablename__ = "stats_daily"

    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)

    received: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    dispatched: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    replied: Mapped[int] = mapped_column(Integer, default=0)
    replied_on_time: Mapped[int] = mapped_column(Integer, default=0)
    # Sum over the replies of (reply time - dispatch time), in seconds.
    reply_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    severe_closed: Mapped[int] = mapped_column(Integer, default=0)
    closed_unreplied: Mapped[int] = mapped_column(Integer, default=0)
    callbacks_reached: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    basically_satisfied: Mapped[int] = mapped_column(Integer, default=0)
    dissatisfied: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    unreachable: Mapped[int] = mapped_column(Integer, default=0)


class SevereDispatch(Base):
    """A dispatch that ended after its severe threshold, kept for the monthly report's list.

    `day` is the local date of the dispatch (the cohort it belongs to); dispatches still open
    past the threshold are read live from the orders.
    """

    __tablename__ = "stats_severe"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    dispatched_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    severe_at: Mapped[datetime | None]
    ended_at: Mapped[datetime]
    ended_by: Mapped[str] = mapped_column(String(30))


class HeldDispatch(Base):
    """A dispatch of `day` that its department still holds (no reply, return or archive yet).

    Kept by the roll-up like the daily counts (a reply is an event, which rebuilds the dispatch's
    day), so that "held", "past due" and "past the severe threshold" of any period are a count
    over this small table compared with the time of the report, and the report never reads the
    orders. The thresholds are the order's current ones.
    """

    __tablename__ = "stats_held"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    type: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    channel: Mapped[str] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(80))
    dispatched_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    yellow_at: Mapped[datetime | None]
    severe_at: Mapped[datetime | None]


class RollupMark(Base):
    """How far the roll-up has looked at the event log: the newest event id seen, and when."""

    __tablename__ = "stats_marks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    refreshed_at: Mapped[datetime | None]

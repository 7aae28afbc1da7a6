"""What happened in a span of time, read set-based from the events: the roll-up's raw material.

Three selections, one per family of figures (see the package docstring): the orders created in
the span, the dispatches made in it with the event that ended each, and the callbacks made in
it; each fact carries its moment, so the roll-up sorts them into local days. Each looks up what it needs from the same order's other events through the (order_id, seq)
index: the department in force, the due time and severe threshold in force when a dispatch
ended, the department whose reply a callback judges.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..deadlines import start_of_day
from ..lifecycle import LIFECYCLE
from ..models import OrderEvent, WorkOrder
from ..vocabulary import DEADLINE_STATES, Satisfaction, State

# Read from the transition table, so a new way to dispatch or to end a dispatch is counted.
# A forward (下派) hands the order down inside the department it was dispatched to: not a new
# dispatch, so a forwarded order counts once, for the accountable department and its sub-units.
FORWARDING = frozenset({"forward"})
DISPATCHING = frozenset(r.action for r in LIFECYCLE if State.dispatched in r.targets) - FORWARDING
# A reassignment (改派) ends the dispatch it takes away and is itself a new one.
REASSIGNING = frozenset({"reassign"})
ENDING = frozenset(
    r.action for r in LIFECYCLE
    if r.sources & DEADLINE_STATES and r.targets and not r.targets <= DEADLINE_STATES
) | REASSIGNING
# A reply the hotline sent back (退回重办) does not end the dispatch: the department still holds
# it, and the reply that counts is the one finally let through, on its own time.
SENDING_BACK = "send_back"
REACHED = frozenset({Satisfaction.satisfied, Satisfaction.basically_satisfied, Satisfaction.dissatisfied})


@dataclass(frozen=True)
class Attributes:
    """The groups one fact belongs to."""

    department_id: int | None
    type: str
    category_id: int | None
    channel: str
    district: str | None


@dataclass(frozen=True)
class Dispatch:
    order_id: int
    attributes: Attributes
    dispatched_at: datetime
    ended_by: str | None  # reply, return, archive; None while the department still holds it
    ended_at: datetime | None
    due_at: datetime | None  # in force when it ended; the order's current ones while held
    severe_at: datetime | None
    yellow_at: datetime | None = None  # while held

    @property
    def replied(self) -> bool:
        return self.ended_by == "reply"

    @property
    def on_time(self) -> bool:
        # Due times are the last second of a day, and that whole second is on time.
        return self.replied and not passed(self.ended_at, self.due_at)

    @property
    def ended_severe(self) -> bool:
        return self.ended_at is not None and passed(self.ended_at, self.severe_at)

    @property
    def reply_seconds(self) -> int:
        return round((self.ended_at - self.dispatched_at).total_seconds()) if self.replied else 0


@dataclass(frozen=True)
class Callback:
    attributes: Attributes
    at: datetime
    satisfaction: str
    resolved: bool
    closed: bool  # the order was archived by this callback


def passed(moment: datetime, limit: datetime | None) -> bool:
    """Whether `moment` is after the second `limit` names (no limit: never)."""
    return limit is not None and moment.replace(microsecond=0) > limit


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    return start_of_day(day, tz), start_of_day(day + timedelta(days=1), tz)


def _attributes(order_row, department_id) -> Attributes:
    return Attributes(department_id, order_row.type, order_row.category_id, order_row.channel,
                      order_row.district or None)


def _in_force(key: str, event, *, through_seq, as_type):
    """The newest non-null value the order's events set for `key`, up to a sequence number."""
    x = aliased(OrderEvent)
    value = x.changes[key].as_integer() if as_type is int else x.changes[key].as_string()
    return (
        select(value)
        .where(x.order_id == event.order_id, x.seq <= through_seq, value.is_not(None))
        .order_by(x.seq.desc())
        .limit(1)
        .correlate_except(x)
        .scalar_subquery()
    )


# --- intake ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Intake:
    attributes: Attributes
    created_at: datetime
    invalid: bool
    merged: bool
    answered: bool


def intake(session: Session, start: datetime, end: datetime) -> Iterator[Intake]:
    """The orders created in [start, end)."""
    rows = session.execute(
        select(WorkOrder.created_at, WorkOrder.type, WorkOrder.category_id, WorkOrder.channel,
               WorkOrder.district, WorkOrder.state, WorkOrder.answer_text.is_not(None).label("answered"))
        .where(WorkOrder.created_at >= start, WorkOrder.created_at < end)
    )
    for row in rows:
        yield Intake(_attributes(row, None), row.created_at, row.state == State.invalid,
                     row.state == State.merged, bool(row.answered))


# --- dispatches -----------------------------------------------------------------------------

def dispatches(session: Session, start: datetime, end: datetime) -> Iterator[Dispatch]:
    """The dispatches made in [start, end), each with the event that ended it, if any."""
    e, f, y = aliased(OrderEvent), aliased(OrderEvent), aliased(OrderEvent)
    first_end = (
        select(func.min(y.seq))
        .where(y.order_id == e.order_id, y.seq > e.seq, ends_dispatch(y))
        .correlate(e)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            e.order_id, e.at.label("dispatched_at"),
            _in_force("department_id", e, through_seq=e.seq, as_type=int).label("department_id"),
            f.action.label("ended_by"), f.at.label("ended_at"),
            _in_force("due_at", e, through_seq=f.seq - 1, as_type=str).label("due_at"),
            _in_force("severe_at", e, through_seq=f.seq - 1, as_type=str).label("severe_at"),
            WorkOrder.type, WorkOrder.category_id, WorkOrder.channel, WorkOrder.district,
            WorkOrder.due_at.label("current_due_at"), WorkOrder.yellow_at.label("current_yellow_at"),
            WorkOrder.severe_at.label("current_severe_at"),
        )
        .join(WorkOrder, WorkOrder.id == e.order_id)
        .outerjoin(f, and_(f.order_id == e.order_id, f.seq == first_end))
        .where(e.at >= start, e.at < end, e.action.in_(DISPATCHING), e.to_state == State.dispatched)
    )
    for row in rows:
        if row.ended_by is None:  # still held: the latest dispatch, so the order's thresholds are its own
            yield Dispatch(row.order_id, _attributes(row, row.department_id), row.dispatched_at, None, None,
                           row.current_due_at, row.current_severe_at, row.current_yellow_at)
        else:
            yield Dispatch(row.order_id, _attributes(row, row.department_id), row.dispatched_at,
                           row.ended_by, row.ended_at, _instant(row.due_at), _instant(row.severe_at))


def ends_dispatch(y):
    """Whether event `y` ends the dispatch its order's department holds (an SQL condition).

    A return that sends a forwarded order back up to its parent (to in_progress) ends nothing; a
    reply ends the dispatch unless a `send_back` follows it before the next reply.
    """
    z, w = aliased(OrderEvent), aliased(OrderEvent)
    later_reply = (
        select(w.id).where(w.order_id == y.order_id, w.action == "reply", w.seq > y.seq, w.seq < z.seq)
        .correlate(y, z).exists()
    )
    sent_back = (
        select(z.id).where(z.order_id == y.order_id, z.action == SENDING_BACK, z.seq > y.seq, ~later_reply)
        .correlate(y).exists()
    )
    return and_(
        y.action.in_(ENDING),
        or_(y.action.in_(REASSIGNING), y.to_state.not_in(list(DEADLINE_STATES))),
        or_(y.action != "reply", ~sent_back),
    )


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# --- callbacks ------------------------------------------------------------------------------

def callbacks(session: Session, start: datetime, end: datetime) -> Iterator[Callback]:
    """The callbacks made in [start, end)."""
    e, r = aliased(OrderEvent), aliased(OrderEvent)
    judged_department = (
        select(r.actor_department_id)
        .where(r.order_id == e.order_id, r.seq < e.seq, r.action == "reply")
        .order_by(r.seq.desc())
        .limit(1)
        .correlate(e)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            e.at, e.inputs["satisfaction"].label("satisfaction"), e.inputs["resolved"].label("resolved"),
            e.to_state, judged_department.label("department_id"),
            WorkOrder.type, WorkOrder.category_id, WorkOrder.channel, WorkOrder.district,
        )
        .join(WorkOrder, WorkOrder.id == e.order_id)
        .where(e.at >= start, e.at < end, e.action == "callback")
    )
    for row in rows:
        # `resolved` is recorded as a JSON boolean; SQLite's json_extract hands it back as 1 or 0.
        yield Callback(_attributes(row, row.department_id), row.at, row.satisfaction, bool(row.resolved),
                       row.to_state == State.archived)

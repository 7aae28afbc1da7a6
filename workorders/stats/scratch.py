"""The same figures computed from scratch, by replaying every order's events in Python.

An independent second reading of the package docstring's definitions: it uses neither the
roll-up nor the order rows (type, category, state and deadlines all come from the events), so
`hotline stats check` — and the tests — can hold the roll-up against it. It reads the whole
event log, so it is for checking, not for reports.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..deadlines import local_date
from ..models import OrderEvent
from ..vocabulary import DEADLINE_STATES
from .facts import DISPATCHING, ENDING, REACHED, REASSIGNING, SENDING_BACK, Attributes, passed
from .figures import Figures, Report, assemble, check_group
from .periods import Period
from .rollup import dimension_keys


@dataclass
class Replay:
    """One order's fold so far."""

    values: dict = field(default_factory=dict)
    created_day: date | None = None
    dispatch: tuple[datetime, int | None] | None = None  # the dispatch the department holds
    last_replier: int | None = None
    # A reply that may still be sent back, with the due and severe times in force when it came.
    pending_reply: tuple[OrderEvent, datetime | None, datetime | None] | None = None

    def attributes(self, department_id: int | None) -> Attributes:
        v = self.values
        return Attributes(department_id, v.get("type"), v.get("category_id"), v.get("channel"),
                          v.get("district") or None)

    def in_force(self, key: str) -> datetime | None:
        value = self.values.get(key)
        return None if value is None else datetime.fromisoformat(value)


class Sums:
    def __init__(self) -> None:
        self.by_group: dict[tuple[str, str], Counter] = {}

    def add(self, attributes: Attributes, **measures: int) -> None:
        for group in dimension_keys(attributes):
            self.by_group.setdefault(group, Counter()).update(measures)

    def of(self, group: str) -> dict[str, Figures]:
        return {key: Figures(Counter(c)) for (dim, key), c in self.by_group.items() if dim == group}


def replay(session: Session, period: Period, now: datetime, tz: tzinfo) -> Sums:
    sums, orders = Sums(), {}
    intake: dict[int, Counter] = {}
    events = session.scalars(select(OrderEvent).order_by(OrderEvent.order_id, OrderEvent.seq))
    for e in events:
        o = orders.setdefault(e.order_id, Replay())
        day = local_date(e.at, tz)
        in_period = period.first <= day <= period.last
        if e.action == "create":
            o.created_day = day
        if o.created_day is not None and period.first <= o.created_day <= period.last:
            flags = intake.setdefault(e.order_id, Counter())
            flags["invalid"] |= e.to_state == "invalid"
            flags["merged"] |= e.to_state == "merged"
            flags["answered"] |= e.action == "answer"
        if e.action == SENDING_BACK:
            o.pending_reply = None  # the reply was not let through: the dispatch goes on
        elif o.pending_reply is not None and (e.action in ENDING or e.action in DISPATCHING):
            _end(sums, o, *o.pending_reply, period, tz)
            o.pending_reply = None
        if _ends(e) and o.dispatch is not None:
            if e.action == "reply":
                o.pending_reply = (e, o.in_force("due_at"), o.in_force("severe_at"))
            else:
                _end(sums, o, e, o.in_force("due_at"), o.in_force("severe_at"), period, tz)
        if e.action == "callback" and in_period:
            _callback(sums, o, e)
        if e.action == "reply":
            o.last_replier = e.actor_department_id
        o.values.update({k: v for k, v in e.changes.items() if k != "assignments"})
        if e.action in DISPATCHING and e.to_state == "dispatched":
            o.dispatch = (e.at, o.values.get("department_id"))
    for o in orders.values():
        if o.pending_reply is not None:
            _end(sums, o, *o.pending_reply, period, tz)
    for order_id, flags in intake.items():
        sums.add(orders[order_id].attributes(None), received=1, **flags)
    second = now.replace(microsecond=0)
    for o in orders.values():
        if o.dispatch is None:
            continue
        at, department_id = o.dispatch
        if period.first <= local_date(at, tz) <= period.last:
            due, severe = o.in_force("due_at"), o.in_force("severe_at")
            sums.add(o.attributes(department_id), held=1,
                     held_past_due=int(due is not None and second > due),
                     held_severe=int(severe is not None and second > severe))
    return sums


def _ends(e: OrderEvent) -> bool:
    """Whether `e` may end a dispatch (a reply only once nothing sent it back: see the caller)."""
    return e.action in ENDING and (e.action in REASSIGNING or e.to_state not in DEADLINE_STATES)


def _end(sums: Sums, o: Replay, e: OrderEvent, due: datetime | None, severe: datetime | None,
         period: Period, tz: tzinfo) -> None:
    at, department_id = o.dispatch
    o.dispatch = None
    if not period.first <= local_date(at, tz) <= period.last:
        return
    replied = e.action == "reply"
    sums.add(
        o.attributes(department_id), dispatched=1, returned=int(e.action == "return"),
        replied=int(replied), replied_on_time=int(replied and not passed(e.at, due)),
        reply_seconds=round((e.at - at).total_seconds()) if replied else 0,
        severe_closed=int(passed(e.at, severe)),
        closed_unreplied=int(e.action not in ("reply", "return")),
    )


def _callback(sums: Sums, o: Replay, e: OrderEvent) -> None:
    satisfaction = e.inputs.get("satisfaction")
    reached = satisfaction in REACHED
    sums.add(
        o.attributes(o.last_replier),
        callbacks_reached=int(reached),
        satisfied=int(satisfaction == "satisfied"),
        basically_satisfied=int(satisfaction == "basically_satisfied"),
        dissatisfied=int(satisfaction == "dissatisfied"),
        resolved=int(reached and e.inputs.get("resolved") is True),
        unreachable=int(satisfaction == "unreachable" and e.to_state == "archived"),
    )


def report(session: Session, period: Period, group: str, now: datetime, tz: tzinfo) -> Report:
    check_group(group)
    sums = replay(session, period, now, tz)
    # Held dispatches count as dispatched too; the roll-up counts them from the open orders.
    for counter in sums.by_group.values():
        counter["dispatched"] += counter.get("held", 0)
    total = sums.of("all").get("", Figures())
    return assemble(session, period, group, now, sums.of(group), total)

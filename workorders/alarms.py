"""When an order next needs the scheduler's attention (`next_alarm_at`), and what is then due.

Stored on the order and indexed, so that a sweep touches only orders whose alarm is due and its
cost follows the number of orders changing, not the number of open orders. `perform` recomputes
it after every action; the scheduler's set-based sweep uses the same functions, so both paths
agree on what is due and when.

Each light threshold is answered once per deadline:
- yellow → `urge`, done when the order was urged at or after the current `yellow_at` (a
  supervisor's own urge during yellow counts; a deadline moved later re-arms it);
- red → `supervise`, done when the order is on the supervision board (`supervised`);
- severely overdue → `report_severe`, done when reported after the current `severe_at`.
Red starts the second after `due_at` and severe the second after `severe_at` (a deadline is
met up to and including its last second, SPEC §11).

Callbacks (answered and replied orders that need one): the next automatic survey call is due at
`callback_call_at`; the attempt times out when the callback window (`callback_due_at`) passes.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from .calendar import WorkingCalendar
from .deadlines import local_date
from .vocabulary import DEADLINE_STATES, WAITING_STATES, State

ONE_SECOND = timedelta(seconds=1)
CALLBACK_STATES = frozenset({State.answered, State.replied})
# Survey calls reach citizens in the daytime of a working day, never at night or on a holiday.
CALLING_HOURS = (time(9, 0), time(20, 0))

# The light transitions in the order they happen; each is an action of the lifecycle table.
LIGHT_ACTIONS = ("urge", "supervise", "report_severe", "urge_waiting")


def pending_lights(order) -> list[tuple[str, datetime]]:
    """The light transitions not yet answered for the current deadline, with the time each is
    due, in lifecycle order. `order` is a WorkOrder or anything with the same attributes."""
    if order.state in WAITING_STATES:
        # A waiting order is urged once, the second after its limit (workorders/waiting.py).
        if order.wait_due_at is not None and order.wait_urged_at is None:
            return [("urge_waiting", order.wait_due_at + ONE_SECOND)]
        return []
    if order.state not in DEADLINE_STATES or order.due_at is None:
        return []
    pending = []
    if order.yellow_at is not None and (order.urged_at is None or order.urged_at < order.yellow_at):
        pending.append(("urge", order.yellow_at))
    if not order.supervised:
        pending.append(("supervise", order.due_at + ONE_SECOND))
    if order.severe_at is not None and (
        order.severe_reported_at is None or order.severe_reported_at <= order.severe_at
    ):
        pending.append(("report_severe", order.severe_at + ONE_SECOND))
    return pending


def due_lights(order, now: datetime) -> list[str]:
    """The light transitions due at `now`, in the order they are to be recorded."""
    return [name for name, at in pending_lights(order) if at <= now]


def callback_timed_out(order, now: datetime) -> bool:
    return (order.state in CALLBACK_STATES and order.callback_due_at is not None
            and order.callback_due_at + ONE_SECOND <= now)


def callback_call_due(order, now: datetime) -> bool:
    return (order.state in CALLBACK_STATES and order.callback_due_at is not None
            and order.callback_call_at is not None and order.callback_call_at <= now)


def next_alarm(order) -> datetime | None:
    if order.state in DEADLINE_STATES or order.state in WAITING_STATES:
        pending = [at for _, at in pending_lights(order)]
        return min(pending) if pending else None
    if order.state in CALLBACK_STATES and order.callback_due_at is not None:
        times = [order.callback_due_at + ONE_SECOND]
        if order.callback_call_at is not None:
            times.append(order.callback_call_at)
        return min(times)
    return None


def call_time(now: datetime, cal: WorkingCalendar, tz: tzinfo) -> datetime:
    """When to place a survey call wanted at `now`: now, if that is within calling hours of a
    working day, else the start of calling hours on the next working day."""
    local = now.astimezone(tz)
    start, end = CALLING_HOURS
    today = local.date()
    if cal.is_workday(today) and start <= local.time() < end:
        return now
    day = today if cal.is_workday(today) and local.time() < start else cal.nth_workday_after(today, 1)
    return _at(day, start, tz)


def retry_time(now: datetime, cal: WorkingCalendar, tz: tzinfo) -> datetime:
    """When to try again after an unanswered survey: the next working day's calling hours, so
    that the attempts fall on different days."""
    day = cal.nth_workday_after(local_date(now, tz), 1)
    return _at(day, CALLING_HOURS[0], tz)


def _at(day, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
